// ZooKeeper's "outstanding changes": the view of the tree that prepare validates against, i.e.
// the applied tree plus every txn prepared but not yet applied. A record shadows the stored node
// for its path until the txn that produced it has been applied.

import type { ACL } from "@paddock/jute";
import type { DataTree } from "../tree/data-tree.js";
import type { ZNode } from "../tree/node.js";

/** What prepare needs to know about a node. */
export interface NodeView {
  version: number;
  aversion: number;
  childCounter: number;
  numChildren: number;
  ephemeralOwner: bigint;
  acl: readonly ACL[];
}

function viewOf(node: ZNode): NodeView {
  return {
    version: node.version,
    aversion: node.aversion,
    childCounter: node.childCounter,
    numChildren: node.children.size,
    ephemeralOwner: node.ephemeralOwner,
    acl: node.acl,
  };
}

interface PendingRecord {
  zxid: number;
  /** null: the path is deleted by a pending txn. */
  view: NodeView | null;
}

export class PendingChanges {
  private readonly records = new Map<string, PendingRecord>();

  constructor(private readonly tree: DataTree) {}

  get(path: string): NodeView | undefined {
    const rec = this.records.get(path);
    if (rec !== undefined) return rec.view ?? undefined;
    const node = this.tree.get(path);
    return node === undefined ? undefined : viewOf(node);
  }

  put(path: string, zxid: number, view: NodeView | null): void {
    // Re-inserting moves the record to the end, keeping the map in zxid order.
    this.records.delete(path);
    this.records.set(path, { zxid, view });
  }

  /** Paths of ephemerals owned by `sessionId` in the pending view. */
  ephemeralsOf(sessionId: bigint): string[] {
    const out = new Set(this.tree.ephemeralsOf(sessionId));
    for (const [path, rec] of this.records) {
      if (rec.view !== null && rec.view.ephemeralOwner === sessionId) out.add(path);
      else out.delete(path);
    }
    return [...out].sort();
  }

  /** Forgets records produced by txns up to and including `zxid` (they are in the tree now). */
  appliedUpTo(zxid: number): void {
    // Records are in zxid order (put re-inserts at the end), so the first newer one ends the scan.
    for (const [path, rec] of this.records) {
      if (rec.zxid > zxid) break;
      this.records.delete(path);
    }
  }

  clear(): void {
    this.records.clear();
  }

  get size(): number {
    return this.records.size;
  }
}

/**
 * Changes of one request (or one multi) before they are known to succeed: reads fall through to
 * the pending view; `commit` publishes them under the request's zxid.
 */
export class Scratch {
  private readonly local = new Map<string, NodeView | null>();

  constructor(private readonly pending: PendingChanges) {}

  get(path: string): NodeView | undefined {
    if (this.local.has(path)) return this.local.get(path) ?? undefined;
    return this.pending.get(path);
  }

  set(path: string, view: NodeView | null): void {
    this.local.set(path, view);
  }

  commit(zxid: number): void {
    for (const [path, view] of this.local) this.pending.put(path, zxid, view);
    this.local.clear();
  }
}
