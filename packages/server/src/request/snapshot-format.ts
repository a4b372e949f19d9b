// The state machine's snapshot format: a header chunk (format version, zxid, sessions, node
// count) then chunks of whole node records, parents before children. Written lazily from a
// copy-on-write TreeView so applies go on while it is serialised; read back strictly, any
// malformed byte being a TreeInvariantError.

import { type ACL, JuteReader, JuteWriter, writeAclList } from "@paddock/jute";
import { TreeInvariantError, type TreeView } from "../tree/data-tree.js";
import { storedNode, type ZNode } from "../tree/node.js";
import { RepeatedAclListReader } from "./acl-list-reader.js";

const SNAPSHOT_FORMAT_VERSION = 1;

export interface SnapshotSession {
  id: bigint;
  timeoutMs: number;
  passwd: Buffer;
}

export interface SnapshotChunks {
  zxid: number;
  /**
   * Builds each chunk when asked; reading to the end, or release(), closes the view. With
   * `borrowed`, every chunk is a view of one reused buffer, valid only until the next is pulled:
   * for a consumer that is done with each chunk by then (SnapshotStore.write), it saves a copy and
   * an allocation of every byte of the tree.
   */
  chunks(maxChunkBytes?: number, opts?: { borrowed?: boolean }): Generator<Buffer>;
  release(): void;
}

/** The state at `zxid`: these sessions (in order) and the nodes of `view`. */
export function snapshotChunksOf(
  zxid: number,
  sessions: readonly SnapshotSession[],
  view: TreeView,
): SnapshotChunks {
  const header = new JuteWriter();
  header.writeInt(SNAPSHOT_FORMAT_VERSION).writeLong(zxid).writeInt(sessions.length);
  for (const s of sessions) header.writeBigLong(s.id).writeInt(s.timeoutMs).writeBuffer(s.passwd);
  header.writeInt(view.nodeCount);
  const headerBytes = header.toBuffer();
  function* chunks(maxChunkBytes = 512 * 1024, opts: { borrowed?: boolean } = {}): Generator<Buffer> {
    try {
      yield headerBytes;
      const w = new JuteWriter(Math.min(maxChunkBytes * 2, 4 * 1024 * 1024));
      let count = 0;
      // A chunk starts with its node count, known only when it ends: reserved, then filled in.
      w.writeInt(0);
      const take = (): Buffer => {
        const body = w.view();
        body.writeInt32BE(count, 0);
        count = 0;
        return opts.borrowed === true ? body : Buffer.from(body);
      };
      const restart = (): void => {
        w.reset();
        w.writeInt(0);
      };
      // ACL lists are shared between znodes (AclInterner): encode each run of one list once.
      let lastAcl: readonly ACL[] | undefined;
      const aclWriter = new JuteWriter(64);
      let aclBytes = aclWriter.view();
      // Each node is written out as soon as the view hands it over, before anything can change it.
      for (const { path, fields: n } of view.nodes()) {
        w.writeString(path).writeBuffer(n.data);
        if (n.acl !== lastAcl) {
          aclWriter.reset();
          writeAclList(aclWriter, n.acl);
          aclBytes = aclWriter.view();
          lastAcl = n.acl;
        }
        w.writeRaw(aclBytes);
        w.writeLong(n.czxid)
          .writeLong(n.mzxid)
          .writeLong(n.ctimeMs)
          .writeLong(n.mtimeMs)
          .writeInt(n.version)
          .writeInt(n.childCounter)
          .writeInt(n.aversion)
          .writeBigLong(n.ephemeralOwner)
          .writeLong(n.pzxid);
        count++;
        if (w.offset >= maxChunkBytes) {
          yield take();
          restart();
        }
      }
      if (count > 0) yield take();
    } finally {
      view.release();
    }
  }
  return { zxid, chunks, release: view.release };
}

export interface SnapshotReader {
  session(id: bigint, info: { timeoutMs: number; passwd: Buffer }): void;
  /** A fresh node, childless (NO_CHILDREN), the receiver's to keep. */
  node(path: string, node: ZNode): void;
}

/**
 * Reads a snapshot chunk by chunk, as the chunks arrive (a file or a SNAP need not be held in
 * memory whole), feeding its sessions and nodes to `into` in order.
 */
export class SnapshotChunkReader {
  private zxid = 0;
  private expectedNodes = -1;
  private seenNodes = 0;
  // Most nodes carry the same ACL as the one before: its bytes are compared, not decoded again.
  private readonly acls = new RepeatedAclListReader();

  constructor(private readonly into: SnapshotReader) {}

  push(chunk: Buffer): void {
    const r = new JuteReader(chunk);
    if (this.expectedNodes < 0) {
      const version = r.readInt();
      if (version !== SNAPSHOT_FORMAT_VERSION) {
        throw new TreeInvariantError(`snapshot: unknown format version ${version}`);
      }
      this.zxid = r.readLong();
      const sessionCount = r.readInt();
      for (let i = 0; i < sessionCount; i++) {
        const id = r.readBigLong();
        const timeoutMs = r.readInt();
        this.into.session(id, { timeoutMs, passwd: r.readBuffer() ?? Buffer.alloc(0) });
      }
      this.expectedNodes = r.readInt();
    } else {
      const count = r.readInt();
      for (let i = 0; i < count; i++) this.readNode(r);
      this.seenNodes += count;
    }
    if (r.remaining !== 0) throw new TreeInvariantError(`snapshot: ${r.remaining} stray bytes in a chunk`);
  }

  /** The snapshot's zxid and node count, once every chunk was pushed; throws if some are missing. */
  finish(): { zxid: number; nodeCount: number } {
    if (this.expectedNodes < 0 || this.seenNodes !== this.expectedNodes) {
      throw new TreeInvariantError(
        `snapshot: header promised ${this.expectedNodes} nodes, chunks held ${this.seenNodes}`,
      );
    }
    return { zxid: this.zxid, nodeCount: this.expectedNodes };
  }

  private readNode(r: JuteReader): void {
    const path = r.readPath();
    const data = r.readLatin1();
    const acl = this.acls.read(r);
    if (acl === null) throw new TreeInvariantError(`snapshot: ${path} has a null ACL`);
    const czxid = r.readLong();
    const mzxid = r.readLong();
    const ctimeMs = r.readLong();
    const mtimeMs = r.readLong();
    const version = r.readInt();
    const childCounter = r.readInt();
    const aversion = r.readInt();
    const owner = r.readBigLong();
    const pzxid = r.readLong();
    const node = storedNode(data, acl, czxid, ctimeMs, owner);
    // Equal numbers stay one number (see storedNode): most znodes never change after their create.
    if (mzxid !== czxid) node.mzxid = mzxid;
    if (pzxid !== czxid) node.pzxid = pzxid;
    if (mtimeMs !== ctimeMs) node.mtimeMs = mtimeMs;
    node.version = version;
    node.childCounter = childCounter;
    node.aversion = aversion;
    this.into.node(path, node);
  }
}

/** Feeds the snapshot's sessions and nodes to `into`, in order; returns its zxid and node count. */
export function readSnapshotChunks(
  chunks: Iterable<Buffer>,
  into: SnapshotReader,
): { zxid: number; nodeCount: number } {
  const reader = new SnapshotChunkReader(into);
  for (const chunk of chunks) reader.push(chunk);
  return reader.finish();
}
