// ZooKeeper's "outstanding changes": the view of the tree that prepare validates against, i.e.
// the applied tree plus every txn prepared but not yet applied. A record shadows the stored node
// for its path until the txn that produced it has been applied.

import type { ACL } from "@paddock/jute";
import { type DataTree, TreeInvariantError } from "../tree/data-tree.js";
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
  /** The zxid of the latest txn that changed the path: the record goes once that one is applied. */
  zxid: number;
  /** null: the path is deleted by a pending txn. */
  view: NodeView | null;
}

/** Queue entries older than this many, already applied, are cut off the front in one splice. */
const APPLIED_QUEUE_COMPACT_AT = 4096;

export class PendingChanges {
  private readonly records = new Map<string, PendingRecord>();
  /**
   * Every put in zxid order, as parallel arrays from `appliedHead` on: what appliedUpTo walks. A
   * path put again keeps its one record, updated in place, so only the newest entry of a record
   * carries the record's own zxid, and that entry is the one that removes it. Walking the map
   * itself in insertion order made each apply start an iterator over the deleted slots V8 keeps
   * at the map's front until it rehashes, and each put of a pending path (a create's parent) a
   * delete and an insert.
   */
  private readonly queuedZxids: number[] = [];
  private readonly queuedPaths: string[] = [];
  private readonly queuedRecords: PendingRecord[] = [];
  private appliedHead = 0;

  constructor(private readonly tree: DataTree) {}

  get(path: string): NodeView | undefined {
    const rec = this.records.get(path);
    if (rec !== undefined) return rec.view ?? undefined;
    const node = this.tree.get(path);
    return node === undefined ? undefined : viewOf(node);
  }

  put(path: string, zxid: number, view: NodeView | null): void {
    let rec = this.records.get(path);
    if (rec === undefined) {
      rec = { zxid, view };
      this.records.set(path, rec);
    } else {
      if (!(zxid > rec.zxid))
        throw new TreeInvariantError(`pending: ${path} put at zxid ${zxid}, not above its ${rec.zxid}`);
      rec.zxid = zxid;
      rec.view = view;
    }
    this.queuedZxids.push(zxid);
    this.queuedPaths.push(path);
    this.queuedRecords.push(rec);
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
    const zxids = this.queuedZxids;
    let head = this.appliedHead;
    while (head < zxids.length && zxids[head]! <= zxid) {
      // An older entry of a record put again since leaves it to the newer entry.
      if (this.queuedRecords[head]!.zxid === zxids[head]) this.records.delete(this.queuedPaths[head]!);
      head++;
    }
    if (head === zxids.length) {
      if (head > 0) this.resetQueue();
    } else if (head >= APPLIED_QUEUE_COMPACT_AT) {
      zxids.splice(0, head);
      this.queuedPaths.splice(0, head);
      this.queuedRecords.splice(0, head);
      this.appliedHead = 0;
    } else {
      this.appliedHead = head;
    }
  }

  clear(): void {
    this.records.clear();
    this.resetQueue();
  }

  get size(): number {
    return this.records.size;
  }

  private resetQueue(): void {
    this.queuedZxids.length = 0;
    this.queuedPaths.length = 0;
    this.queuedRecords.length = 0;
    this.appliedHead = 0;
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
