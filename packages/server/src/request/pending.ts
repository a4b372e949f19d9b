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
    // Re-inserting moves the record to the end, keeping the map in zxid order. A record is
    // reused: a burst of creates under one parent puts the parent's record once per create.
    const rec = this.records.get(path);
    if (rec === undefined) {
      this.records.set(path, { zxid, view });
      return;
    }
    this.records.delete(path);
    rec.zxid = zxid;
    rec.view = view;
    this.records.set(path, rec);
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

const SCAN_LIMIT = 8;

/**
 * Changes of one request (or one multi) before they are known to succeed: reads fall through to
 * the pending view; `commit` publishes them under the request's zxid.
 */
export class Scratch {
  // Slots in two parallel arrays, not a Map: a request changes one to a few paths (a create:
  // the node and its parent), where a scan beats hashing, and there is one Scratch per request.
  // Past SCAN_LIMIT paths (a large multi, a session's many ephemerals) an index takes over the
  // scan. A path changed twice keeps its slot, so commit puts each path once, in first-change order.
  private readonly paths: string[] = [];
  private readonly views: (NodeView | null)[] = [];
  private index: Map<string, number> | undefined;

  constructor(private readonly pending: PendingChanges) {}

  get(path: string): NodeView | undefined {
    const slot = this.slotOf(path);
    if (slot >= 0) return this.views[slot] ?? undefined;
    return this.pending.get(path);
  }

  set(path: string, view: NodeView | null): void {
    const slot = this.slotOf(path);
    if (slot >= 0) {
      this.views[slot] = view;
      return;
    }
    this.paths.push(path);
    this.views.push(view);
    if (this.index !== undefined) this.index.set(path, this.paths.length - 1);
    else if (this.paths.length > SCAN_LIMIT) this.index = new Map(this.paths.map((p, i) => [p, i]));
  }

  commit(zxid: number): void {
    for (let i = 0; i < this.paths.length; i++) this.pending.put(this.paths[i]!, zxid, this.views[i]!);
    this.paths.length = 0;
    this.views.length = 0;
    this.index = undefined;
  }

  private slotOf(path: string): number {
    return this.index === undefined ? this.paths.indexOf(path) : (this.index.get(path) ?? -1);
  }
}
