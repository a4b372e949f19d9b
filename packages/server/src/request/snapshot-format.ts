// The state machine's snapshot format: a header chunk (format version, zxid, sessions, node
// count) then chunks of whole node records, parents before children. Written lazily from a
// copy-on-write TreeView so applies go on while it is serialised; read back strictly, any
// malformed byte being a TreeInvariantError.

import { JuteReader, JuteWriter, readAclList, writeAclList } from "@paddock/jute";
import { type NodeFields, TreeInvariantError, type TreeView } from "../tree/data-tree.js";

const SNAPSHOT_FORMAT_VERSION = 1;

export interface SnapshotSession {
  id: bigint;
  timeoutMs: number;
  passwd: Buffer;
}

export interface SnapshotChunks {
  zxid: number;
  /** Builds each chunk when asked; reading to the end, or release(), closes the view. */
  chunks(maxChunkBytes?: number): Generator<Buffer>;
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
  function* chunks(maxChunkBytes = 512 * 1024): Generator<Buffer> {
    try {
      yield headerBytes;
      const w = new JuteWriter(Math.min(maxChunkBytes * 2, 4 * 1024 * 1024));
      let count = 0;
      const take = (): Buffer => {
        const chunk = Buffer.allocUnsafe(4 + w.offset);
        chunk.writeInt32BE(count, 0);
        w.view().copy(chunk, 4);
        w.reset();
        count = 0;
        return chunk;
      };
      // Each node is written out as soon as the view hands it over, before anything can change it.
      for (const { path, fields: n } of view.nodes()) {
        w.writeString(path).writeBuffer(n.data);
        writeAclList(w, n.acl);
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
        if (w.offset >= maxChunkBytes) yield take();
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
  node(path: string, fields: NodeFields): void;
}

/** Feeds the snapshot's sessions and nodes to `into`, in order; returns its zxid and node count. */
export function readSnapshotChunks(
  chunks: Iterable<Buffer>,
  into: SnapshotReader,
): { zxid: number; nodeCount: number } {
  const steps = readSnapshotInSteps(chunks, into);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/**
 * readSnapshotChunks one chunk per step: it yields after each chunk, so a caller can let other
 * work run in between (a learner loading a large SNAP must keep answering its peers).
 */
export function* readSnapshotInSteps(
  chunks: Iterable<Buffer>,
  into: SnapshotReader,
): Generator<void, { zxid: number; nodeCount: number }> {
  let zxid = 0;
  let expectedNodes = -1;
  let seenNodes = 0;
  for (const chunk of chunks) {
    const r = new JuteReader(chunk);
    if (expectedNodes < 0) {
      const version = r.readInt();
      if (version !== SNAPSHOT_FORMAT_VERSION) {
        throw new TreeInvariantError(`snapshot: unknown format version ${version}`);
      }
      zxid = r.readLong();
      const sessionCount = r.readInt();
      for (let i = 0; i < sessionCount; i++) {
        const id = r.readBigLong();
        const timeoutMs = r.readInt();
        into.session(id, { timeoutMs, passwd: r.readBuffer() ?? Buffer.alloc(0) });
      }
      expectedNodes = r.readInt();
    } else {
      const count = r.readInt();
      for (let i = 0; i < count; i++) {
        const path = r.readPath();
        const data = r.readBuffer();
        const acl = readAclList(r);
        if (acl === null) throw new TreeInvariantError(`snapshot: ${path} has a null ACL`);
        into.node(path, {
          data,
          acl,
          czxid: r.readLong(),
          mzxid: r.readLong(),
          ctimeMs: r.readLong(),
          mtimeMs: r.readLong(),
          version: r.readInt(),
          childCounter: r.readInt(),
          aversion: r.readInt(),
          ephemeralOwner: r.readBigLong(),
          pzxid: r.readLong(),
        });
      }
      seenNodes += count;
    }
    if (r.remaining !== 0) throw new TreeInvariantError(`snapshot: ${r.remaining} stray bytes in a chunk`);
    yield;
  }
  if (expectedNodes < 0 || seenNodes !== expectedNodes) {
    throw new TreeInvariantError(
      `snapshot: header promised ${expectedNodes} nodes, chunks held ${seenNodes}`,
    );
  }
  return { zxid, nodeCount: expectedNodes };
}
