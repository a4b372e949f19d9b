// The content of a Paddock snapshot as plain maps, for migration: import builds the state from
// ZooKeeper's files and has StateMachine.fromSnapshot check it before anything is written;
// export reads the chunks the state machine produces. The format itself is the state machine's
// (request/snapshot-format.ts), used here as is, so the two cannot drift apart.

import { readSnapshotChunks, snapshotChunksOf } from "../request/snapshot-format.js";
import type { ZNode } from "../tree/node.js";
import { ROOT_PATH } from "../tree/path.js";

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
export function encodePaddockSnapshot(state: PaddockState): Generator<Buffer> {
  const ids = [...state.sessions.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const sessions = ids.map((id) => ({ id, ...state.sessions.get(id)! }));
  const view = {
    nodeCount: state.nodes.size,
    *nodes() {
      for (const [path, fields] of state.nodes) yield { path, fields };
    },
    release() {},
  };
  return snapshotChunksOf(state.zxid, sessions, view).chunks();
}

/** Reads the chunks of a Paddock snapshot back into nodes and sessions. */
export function decodePaddockSnapshot(chunks: Iterable<Buffer>): PaddockState {
  const state: PaddockState = { zxid: 0, sessions: new Map(), nodes: new Map() };
  const { zxid } = readSnapshotChunks(chunks, {
    session: (id, info) => state.sessions.set(id, info),
    node: (path, fields) => {
      if (path !== ROOT_PATH) {
        const slash = path.lastIndexOf("/");
        const parent = state.nodes.get(slash === 0 ? ROOT_PATH : path.slice(0, slash));
        if (parent === undefined) throw new Error(`Paddock snapshot: ${path} comes before its parent`);
        parent.children.add(path.slice(slash + 1));
      }
      // The tree's bookkeeping stays behind: these nodes belong to no DataTree.
      const { children: _children, treeSeq: _seq, treeCrc: _crc, ...stored } = fields;
      state.nodes.set(path, { ...stored, children: new Set() });
    },
  });
  state.zxid = zxid;
  return state;
}
