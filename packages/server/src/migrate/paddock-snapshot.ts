// The content of a Paddock snapshot as the state machine writes it (StateMachine.snapshotView):
// a header chunk {int format 1, long zxid, int sessions, {long id, int timeoutMs, buffer passwd}*,
// int nodes}, then chunks {int count, count x node}, each node {ustring path, buffer data,
// vector<ACL>, long czxid, mzxid, ctime, mtime, int version, cversion, aversion,
// long ephemeralOwner, long pzxid}, parents before children. Import builds these chunks and has
// StateMachine.fromSnapshot check them before anything is written; export reads the chunks the
// state machine produces, so a change of that format shows up here as a failing round trip.

import { JuteReader, JuteWriter, readAclList, writeAclList } from "@paddock/jute";
import type { ZNode } from "../tree/node.js";
import { ROOT_PATH } from "../tree/path.js";

const FORMAT_VERSION = 1;
const CHUNK_TARGET_BYTES = 512 * 1024;

export interface PaddockSession {
  timeoutMs: number;
  passwd: Buffer;
}

export interface PaddockState {
  zxid: number;
  sessions: Map<bigint, PaddockSession>;
  /** Every node by path, parents before children in iteration order. */
  nodes: Map<string, ZNode>;
}

/** Snapshot chunks for `state`, nodes in the map's order (which must put parents first). */
export function* encodePaddockSnapshot(state: PaddockState): Generator<Buffer> {
  const header = new JuteWriter();
  header.writeInt(FORMAT_VERSION).writeLong(state.zxid).writeInt(state.sessions.size);
  const ids = [...state.sessions.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const id of ids) {
    const s = state.sessions.get(id)!;
    header.writeBigLong(id).writeInt(s.timeoutMs).writeBuffer(s.passwd);
  }
  header.writeInt(state.nodes.size);
  yield header.toBuffer();
  const w = new JuteWriter(CHUNK_TARGET_BYTES * 2);
  let count = 0;
  const take = (): Buffer => {
    const chunk = Buffer.allocUnsafe(4 + w.offset);
    chunk.writeInt32BE(count, 0);
    w.view().copy(chunk, 4);
    w.reset();
    count = 0;
    return chunk;
  };
  for (const [path, n] of state.nodes) {
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
    if (w.offset >= CHUNK_TARGET_BYTES) yield take();
  }
  if (count > 0) yield take();
}

/** Reads the chunks of a Paddock snapshot back into nodes and sessions. */
export function decodePaddockSnapshot(chunks: Iterable<Buffer>): PaddockState {
  const state: PaddockState = { zxid: 0, sessions: new Map(), nodes: new Map() };
  let expectedNodes = -1;
  for (const chunk of chunks) {
    const r = new JuteReader(chunk);
    if (expectedNodes < 0) {
      const version = r.readInt();
      if (version !== FORMAT_VERSION) throw new Error(`Paddock snapshot format ${version} is not supported`);
      state.zxid = r.readLong();
      const sessionCount = r.readInt();
      for (let i = 0; i < sessionCount; i++) {
        const id = r.readBigLong();
        const timeoutMs = r.readInt();
        state.sessions.set(id, { timeoutMs, passwd: r.readBuffer() ?? Buffer.alloc(0) });
      }
      expectedNodes = r.readInt();
    } else {
      const count = r.readInt();
      for (let i = 0; i < count; i++) {
        const path = r.readPath();
        const data = r.readBuffer();
        const acl = readAclList(r) ?? [];
        const node: ZNode = {
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
          children: new Set(),
        };
        if (path !== ROOT_PATH) {
          const slash = path.lastIndexOf("/");
          const parent = state.nodes.get(slash === 0 ? ROOT_PATH : path.slice(0, slash));
          if (parent === undefined) throw new Error(`Paddock snapshot: ${path} comes before its parent`);
          parent.children.add(path.slice(slash + 1));
        }
        state.nodes.set(path, node);
      }
    }
    if (r.remaining !== 0) throw new Error(`Paddock snapshot: ${r.remaining} stray bytes in a chunk`);
  }
  if (state.nodes.size !== expectedNodes) {
    throw new Error(`Paddock snapshot: header promised ${expectedNodes} nodes, found ${state.nodes.size}`);
  }
  return state;
}
