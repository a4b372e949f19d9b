// Decoding the same ACL list over and over: nearly every znode of a snapshot and nearly every
// create txn a learner applies carries the list the one before it carried. Decoding it anew
// allocates the list, an object per entry and per id, and their strings, only for the tree's
// AclInterner to find it equal to a list it holds and drop it.

import { type ACL, type JuteReader, readAclList } from "@paddock/jute";

/**
 * Reads ACL lists and hands back the previous list, without decoding, when the bytes at the
 * reader repeat the previous list's encoding. The encoding delimits itself (a count, then
 * length-prefixed fields), so bytes that start with an earlier list's encoding decode to an
 * equal list and end where it ended. Callers must not change a list they are given: the next
 * caller may be given the same one.
 */
export class RepeatedAclListReader {
  private lastBytes: Buffer | undefined;
  private lastAcl: ACL[] | null = null;

  read(r: JuteReader): ACL[] | null {
    const start = r.offset;
    const last = this.lastBytes;
    if (
      last !== undefined &&
      r.remaining >= last.length &&
      r.buf.compare(last, 0, last.length, start, start + last.length) === 0
    ) {
      r.offset += last.length;
      return this.lastAcl;
    }
    const acl = readAclList(r);
    this.lastAcl = acl;
    this.lastBytes = Buffer.from(r.buf.subarray(start, r.offset));
    return acl;
  }
}
