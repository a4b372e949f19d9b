// ZooKeeper's snapshot files (FileSnap + SerializeUtils + DataTree.serialize):
//
//   FileHeader      int magic "ZKSN", int version 2, long dbid (-1)
//   sessions        int count, then {long id, int timeoutMs} per session
//   ACL cache       int count, then {long index, vector<ACL>} per entry (index -1 = OPEN_ACL_UNSAFE)
//   nodes           {ustring path, buffer data, long acl index, StatPersisted} per node, depth
//                   first from the root (path ""), ended by the path "/"
//   seal            long Adler-32 of every byte so far, ustring "/"
//   digest (3.6+)   long zxid, int digestVersion, long digest (a hex ustring before version 2),
//                   then another seal covering everything before it
//
// The checksum covers the uncompressed stream; `snapshot.<hex>.gz` files are gzip streams.

import { gunzipSync } from "node:zlib";
import { type ACL, JuteReader, JuteWriter, readAclList, writeAclList } from "@paddock/jute";
import { ZK_SNAP_MAGIC } from "../../storage/index.js";
import { OPEN_ACL_UNSAFE } from "../../tree/acl.js";
import type { ZNode } from "../../tree/node.js";
import { ROOT_PATH } from "../../tree/path.js";
import { adler32 } from "./adler32.js";
import { ZK_DIGEST_VERSION, ZkTree } from "./tree.js";
import { readZxid, ZkFormatError } from "./txn.js";

const SNAP_VERSION = 2;

/** The ACL of a node whose ACL index the snapshot's ACL cache lacks (compared by identity). */
export const UNRESOLVED_ACL: readonly ACL[] = Object.freeze([]);
const OPEN_UNSAFE_ACL_INDEX = -1;

/** The digest a snapshot records: the tree's digest once every txn up to `zxid` is applied. */
export interface ZkSnapshotDigest {
  zxid: number;
  version: number;
  digest: bigint;
}

export interface ZkSnapshot {
  tree: ZkTree;
  /** Present in snapshots written with digests on (3.6+, the default); zxid 0 means "none". */
  digest: ZkSnapshotDigest | undefined;
  /** Nodes whose ACL index was missing from the ACL cache (possible in a fuzzy snapshot). */
  unresolvedAcls: Map<string, number>;
}

/** The bytes of the stream a snapshot file holds (decompressed); snappy is not supported. */
export function snapshotStream(fileName: string, raw: Buffer): Buffer {
  if (fileName.endsWith(".gz")) return gunzipSync(raw);
  if (fileName.endsWith(".snappy")) {
    throw new ZkFormatError(
      "snappy-compressed snapshots are not supported: restart ZooKeeper once without " +
        "zookeeper.snapshot.compression.method (or with gz) so it writes a plain snapshot, then import that",
    );
  }
  return raw;
}

function checkSeal(r: JuteReader, buf: Buffer, what: string): void {
  const expected = adler32(buf.subarray(0, r.offset));
  const stored = r.readLong();
  const marker = r.readString();
  if (marker !== "/") throw new ZkFormatError(`${what}: missing end marker`);
  if (stored !== expected) {
    throw new ZkFormatError(`${what}: CRC check failed (stored ${stored}, computed ${expected})`);
  }
}

/** Parses a whole snapshot stream; throws ZkFormatError on anything ZooKeeper would reject. */
export function parseZkSnapshot(buf: Buffer): ZkSnapshot {
  const r = new JuteReader(buf);
  const magic = r.readInt() >>> 0;
  if (magic !== ZK_SNAP_MAGIC)
    throw new ZkFormatError(`not a ZooKeeper snapshot (magic 0x${magic.toString(16)})`);
  const version = r.readInt();
  if (version !== SNAP_VERSION) throw new ZkFormatError(`unsupported snapshot version ${version}`);
  r.readLong(); // dbid

  const tree = new ZkTree();
  const sessionCount = r.readInt();
  if (sessionCount < 0) throw new ZkFormatError(`negative session count ${sessionCount}`);
  for (let i = 0; i < sessionCount; i++) {
    const id = r.readBigLong();
    tree.sessions.set(id, r.readInt());
  }

  const acls = new Map<number, ACL[]>();
  const aclCount = r.readInt();
  if (aclCount < 0) throw new ZkFormatError(`negative ACL cache size ${aclCount}`);
  for (let i = 0; i < aclCount; i++) {
    const index = r.readLong();
    const list = readAclList(r);
    if (list === null) throw new ZkFormatError(`ACL cache entry ${index} has no ACL vector`);
    acls.set(index, list);
  }

  const unresolvedAcls = new Map<string, number>();
  for (;;) {
    const rawPath = r.readPath();
    if (rawPath === "/") break;
    const path = rawPath === "" ? ROOT_PATH : rawPath;
    const data = r.readLatin1();
    const aclIndex = r.readLong();
    const node: ZNode = {
      data,
      acl: OPEN_ACL_UNSAFE,
      czxid: readZxid(r, `czxid of ${path}`),
      mzxid: readZxid(r, `mzxid of ${path}`),
      ctimeMs: r.readLong(),
      mtimeMs: r.readLong(),
      version: r.readInt(),
      childCounter: r.readInt(),
      aversion: r.readInt(),
      ephemeralOwner: r.readBigLong(),
      pzxid: readZxid(r, `pzxid of ${path}`),
      children: new Set(),
    };
    if (aclIndex !== OPEN_UNSAFE_ACL_INDEX) {
      const acl = acls.get(aclIndex);
      if (acl === undefined) {
        unresolvedAcls.set(path, aclIndex);
        node.acl = UNRESOLVED_ACL;
      } else node.acl = acl;
    }
    if (path !== ROOT_PATH && tree.nodes.size === 0)
      throw new ZkFormatError(`first node is ${path}, not the root`);
    try {
      tree.put(path, node);
    } catch (err) {
      throw new ZkFormatError(`invalid data tree: ${(err as Error).message}`);
    }
  }
  checkSeal(r, buf, "snapshot");

  let digest: ZkSnapshotDigest | undefined;
  if (r.remaining > 0) {
    const zxid = readZxid(r, "digest zxid");
    const digestVersion = r.readInt();
    let value: bigint;
    if (digestVersion < 2) {
      const hex = r.readString();
      value = hex === null ? 0n : BigInt.asUintN(64, BigInt(`0x${hex}`));
    } else {
      value = BigInt.asUintN(64, r.readBigLong());
    }
    checkSeal(r, buf, "snapshot digest");
    if (zxid > 0) digest = { zxid, version: digestVersion, digest: value };
  }
  if (r.remaining !== 0) throw new ZkFormatError(`${r.remaining} bytes after the end of the snapshot`);
  tree.setupQuota();
  return { tree, digest, unresolvedAcls };
}

function aclKey(acl: readonly ACL[]): string {
  return JSON.stringify(acl.map((a) => [a.perms, a.id.scheme, a.id.id]));
}

/**
 * Serialises a tree as ZooKeeper writes a snapshot, nodes depth first from the root, with the
 * digest record for `zxid` (ZooKeeper compares it right after loading). Returns the file bytes.
 */
export function encodeZkSnapshot(tree: ZkTree, zxid: number): Buffer {
  const w = new JuteWriter(1024 * 1024);
  w.writeInt(ZK_SNAP_MAGIC | 0)
    .writeInt(SNAP_VERSION)
    .writeLong(-1);
  const sessionIds = [...tree.sessions.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  w.writeInt(sessionIds.length);
  for (const id of sessionIds) w.writeBigLong(BigInt.asIntN(64, id)).writeInt(tree.sessions.get(id)!);

  const indexOf = new Map<string, number>();
  const lists: (readonly ACL[])[] = [];
  for (const node of tree.nodes.values()) {
    const key = aclKey(node.acl);
    if (!indexOf.has(key)) {
      lists.push(node.acl);
      indexOf.set(key, lists.length);
    }
  }
  w.writeInt(lists.length);
  lists.forEach((list, i) => {
    w.writeLong(i + 1);
    writeAclList(w, list);
  });

  const stack: string[] = [ROOT_PATH];
  while (stack.length > 0) {
    const path = stack.pop()!;
    const n = tree.nodes.get(path)!;
    w.writeString(path === ROOT_PATH ? "" : path)
      .writeBuffer(n.data)
      .writeLong(indexOf.get(aclKey(n.acl))!)
      .writeLong(n.czxid)
      .writeLong(n.mzxid)
      .writeLong(n.ctimeMs)
      .writeLong(n.mtimeMs)
      .writeInt(n.version)
      .writeInt(n.childCounter)
      .writeInt(n.aversion)
      .writeBigLong(n.ephemeralOwner)
      .writeLong(n.pzxid);
    const children = [...n.children].sort().reverse();
    for (const child of children) stack.push(path === ROOT_PATH ? `/${child}` : `${path}/${child}`);
  }
  w.writeString("/");
  const seal = (): void => {
    w.writeLong(adler32(w.view()));
    w.writeString("/");
  };
  seal();
  w.writeLong(zxid).writeInt(ZK_DIGEST_VERSION).writeBigLong(BigInt.asIntN(64, tree.digest));
  seal();
  return w.toBuffer();
}
