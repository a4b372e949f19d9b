// Server-side watch registry. Mirrors ZooKeeper's two tables (data and child) because several
// observable behaviours depend on the split: NodeDeleted consults both, NodeChildrenChanged only
// the child table, and the 4lw listings (wchs/wchc/wchp) show the data table alone.
//
// Unlike ZooKeeper 3.8.0, which keeps a single mode per (watcher, path) so that a later
// getData(watch) silently turns a persistent watch into a one-shot one, a standard and a
// persistent registration on the same path coexist here (the 3.9 behaviour, ZOOKEEPER-4466).

import { ErrorCode, EventType, type Stat, WatcherType } from "@paddock/jute";
import type { TriggeredEvent } from "../request/contract.js";

/** One connection's end of the watch machinery; its identity is the object itself. */
export interface WatchSink {
  readonly connectionId: number;
  readonly sessionId: bigint;
  sendEvent(type: EventType, path: string): void;
}

/** Decides whether a sink may see an event (READ ACL filtering of 3.8.4+/3.9.2+). */
export type WatchEventFilter = (sink: WatchSink, event: TriggeredEvent) => boolean;

export interface WatchManagerOptions {
  /**
   * Whether checkWatches/removeWatches accept WatcherType 4 (Persistent) and 5
   * (PersistentRecursive). ZooKeeper 3.8 answers them with MarshallingError; 3.9 accepts them.
   */
  persistentWatcherTypes?: boolean;
}

/** The request fields of SetWatches / SetWatches2 that matter here. */
export interface SetWatchesInput {
  relativeZxid: number;
  dataWatches: readonly string[];
  existWatches: readonly string[];
  childWatches: readonly string[];
  persistentWatches: readonly string[];
  persistentRecursiveWatches: readonly string[];
}

/** wchs numbers: the data table only, like ZooKeeper. */
export interface WatchSummary {
  connections: number;
  paths: number;
  totalWatches: number;
}

export interface SessionWatches {
  sessionId: bigint;
  paths: string[];
}

export interface PathWatchers {
  path: string;
  sessionIds: bigint[];
}

// Registration bits per (table, path, sink).
const STANDARD = 1;
const PERSISTENT = 2;
const RECURSIVE = 4;

type Table = Map<string, Map<WatchSink, number>>;

function parentOf(path: string): string | undefined {
  if (path === "/" || path === "") return undefined;
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class WatchManager {
  private readonly dataTable: Table = new Map();
  private readonly childTable: Table = new Map();
  // Reverse indexes so that closing a connection costs O(its watches), not O(all watches).
  private readonly dataPathsBySink = new Map<WatchSink, Set<string>>();
  private readonly childPathsBySink = new Map<WatchSink, Set<string>>();
  // Recursive registrations also live in dataTable (for the listings); this separate index lets
  // delivery walk only the ancestors of a changed path: O(depth) map lookups per event.
  private readonly recursiveByPath = new Map<string, Set<WatchSink>>();
  private readonly persistentWatcherTypes: boolean;
  /** The set deliver() collects an event's sinks in, kept between calls; undefined while in use. */
  private spareNotified: Set<WatchSink> | undefined = new Set();
  /** Told how many watchers each event triggered (ZooKeeper's node_*_watch_count), when any. */
  onTriggered: ((type: EventType, watchers: number) => void) | undefined;

  constructor(options: WatchManagerOptions = {}) {
    this.persistentWatcherTypes = options.persistentWatcherTypes ?? false;
  }

  /** exists/getData with watch=true. */
  addDataWatch(path: string, sink: WatchSink): void {
    this.set(this.dataTable, this.dataPathsBySink, path, sink, STANDARD);
  }

  /** getChildren/getChildren2 with watch=true. */
  addChildWatch(path: string, sink: WatchSink): void {
    this.set(this.childTable, this.childPathsBySink, path, sink, STANDARD);
  }

  /** addWatch: mode 0 → both tables; mode 1 (recursive) → data table only. */
  addPersistentWatch(path: string, sink: WatchSink, recursive: boolean): void {
    if (recursive) {
      this.set(this.dataTable, this.dataPathsBySink, path, sink, RECURSIVE);
      let sinks = this.recursiveByPath.get(path);
      if (sinks === undefined) {
        sinks = new Set();
        this.recursiveByPath.set(path, sinks);
      }
      sinks.add(sink);
    } else {
      this.set(this.dataTable, this.dataPathsBySink, path, sink, PERSISTENT);
      this.set(this.childTable, this.childPathsBySink, path, sink, PERSISTENT);
    }
  }

  /**
   * Sends the events of one applied txn, in order, to the watching sinks, consuming standard
   * watches. A sink gets at most one notification per event. When `filter` rejects a sink the
   * event is not sent, but a standard watch is still consumed (as in ZooKeeper, where the check
   * happens after the watch has been taken out of the table).
   */
  deliver(events: readonly TriggeredEvent[], filter?: WatchEventFilter): void {
    // One set for every event of every write (most have no watcher): a set per event was a steady
    // share of each member's allocation under load. Taken while in use, should a sink re-enter.
    const notified = this.spareNotified ?? new Set<WatchSink>();
    this.spareNotified = undefined;
    try {
      this.deliverEach(events, filter, notified);
    } finally {
      // V8's clear() allocates a fresh table even for an empty set: only clear one in use.
      if (notified.size > 0) notified.clear();
      this.spareNotified = notified;
    }
  }

  private deliverEach(
    events: readonly TriggeredEvent[],
    filter: WatchEventFilter | undefined,
    notified: Set<WatchSink>,
  ): void {
    for (const event of events) {
      if (notified.size > 0) notified.clear();
      switch (event.type) {
        case EventType.NodeCreated:
        case EventType.NodeDataChanged:
          this.collectData(event.path, notified);
          break;
        case EventType.NodeChildrenChanged:
          this.collectTable(this.childTable, this.childPathsBySink, event.path, notified);
          break;
        case EventType.NodeDeleted:
          this.collectData(event.path, notified);
          this.collectTable(this.childTable, this.childPathsBySink, event.path, notified);
          break;
        default: {
          const unexpected: never = event.type;
          throw new Error(`WatchManager.deliver: unexpected event type ${String(unexpected)}`);
        }
      }
      for (const sink of notified) {
        if (filter === undefined || filter(sink, event)) sink.sendEvent(event.type, event.path);
      }
      if (notified.size > 0) this.onTriggered?.(event.type, notified.size);
    }
  }

  /** Forgets every watch of a closed connection. */
  removeSink(sink: WatchSink): void {
    for (const [table, index] of [
      [this.dataTable, this.dataPathsBySink],
      [this.childTable, this.childPathsBySink],
    ] as const) {
      const paths = index.get(sink);
      if (paths === undefined) continue;
      for (const path of paths) {
        const sinks = table.get(path);
        sinks?.delete(sink);
        if (sinks !== undefined && sinks.size === 0) table.delete(path);
        this.dropRecursive(path, sink);
      }
      index.delete(sink);
    }
  }

  /**
   * Whether checkWatches/removeWatches accept this WatcherType. When false the caller answers
   * MarshallingError (-5), as ZooKeeper 3.8 does for 4 and 5 and every version for unknown values.
   */
  isValidWatcherType(watcherType: number): boolean {
    switch (watcherType) {
      case WatcherType.Children:
      case WatcherType.Data:
      case WatcherType.Any:
        return true;
      case WatcherType.Persistent:
      case WatcherType.PersistentRecursive:
        return this.persistentWatcherTypes;
      default:
        return false;
    }
  }

  /**
   * checkWatches (dryRun) / removeWatches for one path of one sink, answering the reply's error
   * code: OK when a matching watch existed (and, unless dryRun, is now gone), NoWatcher when none
   * did, MarshallingError for a WatcherType this version does not know (see isValidWatcherType).
   * Children/Data match standard watches (and, in 3.8 mode, persistent ones in that table),
   * Persistent the persistent pair, PersistentRecursive the recursive one, Any all of them.
   */
  removeWatches(path: string, watcherType: number, sink: WatchSink, dryRun: boolean): ErrorCode {
    if (!this.isValidWatcherType(watcherType)) return ErrorCode.MarshallingError;
    let dataBits = 0;
    let childBits = 0;
    switch (watcherType) {
      // ZooKeeper 3.8 keeps one entry per (path, connection) in each table whatever its mode, so
      // Data/Children also find a persistent watch there; 3.9 distinguishes them.
      case WatcherType.Children:
        childBits = this.persistentWatcherTypes ? STANDARD : STANDARD | PERSISTENT;
        break;
      case WatcherType.Data:
        dataBits = this.persistentWatcherTypes ? STANDARD : STANDARD | PERSISTENT;
        break;
      case WatcherType.Persistent:
        dataBits = PERSISTENT;
        childBits = PERSISTENT;
        break;
      case WatcherType.PersistentRecursive:
        dataBits = RECURSIVE;
        break;
      default:
        dataBits = STANDARD | PERSISTENT | RECURSIVE;
        childBits = STANDARD | PERSISTENT;
        break;
    }
    const dataHas = (this.dataTable.get(path)?.get(sink) ?? 0) & dataBits;
    const childHas = (this.childTable.get(path)?.get(sink) ?? 0) & childBits;
    if (dataHas === 0 && childHas === 0) return ErrorCode.NoWatcher;
    if (!dryRun) {
      if (dataHas !== 0) this.clear(this.dataTable, this.dataPathsBySink, path, sink, dataHas);
      if (childHas !== 0) this.clear(this.childTable, this.childPathsBySink, path, sink, childHas);
    }
    return ErrorCode.OK;
  }

  /**
   * SetWatches/SetWatches2 after a reconnect: replays what the client missed as immediate events
   * (in list order: data, exist, child) and registers the rest. `lookup` returns the current
   * Stat of a node or undefined when it does not exist.
   */
  applySetWatches(req: SetWatchesInput, sink: WatchSink, lookup: (path: string) => Stat | undefined): void {
    for (const path of req.dataWatches) {
      const stat = lookup(path);
      if (stat === undefined) sink.sendEvent(EventType.NodeDeleted, path);
      else if (stat.mzxid > req.relativeZxid) sink.sendEvent(EventType.NodeDataChanged, path);
      else this.addDataWatch(path, sink);
    }
    for (const path of req.existWatches) {
      if (lookup(path) === undefined) this.addDataWatch(path, sink);
      else sink.sendEvent(EventType.NodeCreated, path);
    }
    for (const path of req.childWatches) {
      const stat = lookup(path);
      if (stat === undefined) sink.sendEvent(EventType.NodeDeleted, path);
      else if (stat.pzxid > req.relativeZxid) sink.sendEvent(EventType.NodeChildrenChanged, path);
      else this.addChildWatch(path, sink);
    }
    for (const path of req.persistentWatches) this.addPersistentWatch(path, sink, false);
    for (const path of req.persistentRecursiveWatches) this.addPersistentWatch(path, sink, true);
  }

  /** wchs: connections, paths and (path, connection) pairs of the data table. */
  summary(): WatchSummary {
    let totalWatches = 0;
    for (const sinks of this.dataTable.values()) totalWatches += sinks.size;
    return { connections: this.dataPathsBySink.size, paths: this.dataTable.size, totalWatches };
  }

  /** mntr zk_watch_count: (path, connection) pairs of both tables. */
  totalWatchCount(): number {
    let count = 0;
    for (const table of [this.dataTable, this.childTable]) {
      for (const sinks of table.values()) count += sinks.size;
    }
    return count;
  }

  /** wchc: data-table paths per session id, sorted (ZooKeeper prints hash order). */
  watchesBySession(): SessionWatches[] {
    const bySession = new Map<bigint, Set<string>>();
    for (const [sink, paths] of this.dataPathsBySink) {
      let set = bySession.get(sink.sessionId);
      if (set === undefined) {
        set = new Set();
        bySession.set(sink.sessionId, set);
      }
      for (const path of paths) set.add(path);
    }
    return [...bySession]
      .sort(([a], [b]) => compareBigint(a, b))
      .map(([sessionId, paths]) => ({ sessionId, paths: [...paths].sort() }));
  }

  /** wchp: session ids per data-table path, sorted. */
  watchesByPath(): PathWatchers[] {
    return [...this.dataTable]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, sinks]) => ({
        path,
        sessionIds: [...new Set([...sinks.keys()].map((s) => s.sessionId))].sort(compareBigint),
      }));
  }

  // -------------------------------------------------------------------------------------------

  private set(table: Table, index: Map<WatchSink, Set<string>>, path: string, sink: WatchSink, bit: number) {
    let sinks = table.get(path);
    if (sinks === undefined) {
      sinks = new Map();
      table.set(path, sinks);
    }
    sinks.set(sink, (sinks.get(sink) ?? 0) | bit);
    let paths = index.get(sink);
    if (paths === undefined) {
      paths = new Set();
      index.set(sink, paths);
    }
    paths.add(path);
  }

  private clear(
    table: Table,
    index: Map<WatchSink, Set<string>>,
    path: string,
    sink: WatchSink,
    bits: number,
  ) {
    const sinks = table.get(path);
    const current = sinks?.get(sink);
    if (sinks === undefined || current === undefined) return;
    if (bits & RECURSIVE) this.dropRecursive(path, sink);
    const left = current & ~bits;
    if (left !== 0) {
      sinks.set(sink, left);
      return;
    }
    sinks.delete(sink);
    if (sinks.size === 0) table.delete(path);
    const paths = index.get(sink);
    paths?.delete(path);
    if (paths !== undefined && paths.size === 0) index.delete(sink);
  }

  private dropRecursive(path: string, sink: WatchSink): void {
    const sinks = this.recursiveByPath.get(path);
    if (sinks === undefined) return;
    sinks.delete(sink);
    if (sinks.size === 0) this.recursiveByPath.delete(path);
  }

  /** Data-table watchers of `path` itself plus recursive watchers of its ancestors. */
  private collectData(path: string, notified: Set<WatchSink>): void {
    this.collectTable(this.dataTable, this.dataPathsBySink, path, notified);
    if (this.recursiveByPath.size === 0) return;
    for (let p = parentOf(path); p !== undefined; p = parentOf(p)) {
      const sinks = this.recursiveByPath.get(p);
      if (sinks !== undefined) for (const sink of sinks) notified.add(sink);
    }
  }

  /** Every watcher of `path` in `table` fires; standard registrations are consumed. */
  private collectTable(
    table: Table,
    index: Map<WatchSink, Set<string>>,
    path: string,
    notified: Set<WatchSink>,
  ): void {
    const sinks = table.get(path);
    if (sinks === undefined) return;
    const consumed: WatchSink[] = [];
    for (const [sink, bits] of sinks) {
      notified.add(sink);
      if (bits & STANDARD) consumed.push(sink);
    }
    for (const sink of consumed) this.clear(table, index, path, sink, STANDARD);
  }
}
