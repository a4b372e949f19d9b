import { AddWatchMode, EventType, type KeeperState, WatcherType } from "@paddock/jute";
import { parentPath } from "./paths.js";

export interface WatchedEvent {
  type: EventType;
  state: KeeperState;
  /** Client path (chroot removed); null for session events. */
  path: string | null;
}

export type Watcher = (event: WatchedEvent) => void;

type Table = Map<string, Set<Watcher>>;

/** The paths to re-arm after a reconnect, one list per SetWatches2 field (client paths). */
export interface WatchSnapshot {
  dataWatches: string[];
  existWatches: string[];
  childWatches: string[];
  persistentWatches: string[];
  persistentRecursiveWatches: string[];
}

/**
 * Client-side watch registrations. The server keeps one watch per (connection, path, kind); the
 * client fans each event out to every listener registered for it, so tables map a path to a set
 * of listeners. One-shot tables are emptied for a path when its event arrives; persistent ones stay.
 */
export class WatchManager {
  private readonly data: Table = new Map();
  private readonly exist: Table = new Map();
  private readonly child: Table = new Map();
  private readonly persistent: Table = new Map();
  private readonly recursive: Table = new Map();

  addData(path: string, w: Watcher): void {
    add(this.data, path, w);
  }
  addExist(path: string, w: Watcher): void {
    add(this.exist, path, w);
  }
  addChild(path: string, w: Watcher): void {
    add(this.child, path, w);
  }
  addPersistent(path: string, mode: AddWatchMode, w: Watcher): void {
    add(mode === AddWatchMode.PersistentRecursive ? this.recursive : this.persistent, path, w);
  }

  get isEmpty(): boolean {
    return (
      this.data.size + this.exist.size + this.child.size + this.persistent.size + this.recursive.size === 0
    );
  }

  get hasPersistent(): boolean {
    return this.persistent.size + this.recursive.size > 0;
  }

  snapshot(): WatchSnapshot {
    return {
      dataWatches: [...this.data.keys()],
      existWatches: [...this.exist.keys()],
      childWatches: [...this.child.keys()],
      persistentWatches: [...this.persistent.keys()],
      persistentRecursiveWatches: [...this.recursive.keys()],
    };
  }

  /** Listeners an event from the server reaches, removing the one-shot ones it consumes. */
  materialize(type: EventType, path: string): Set<Watcher> {
    const out = new Set<Watcher>();
    switch (type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        take(this.data, path, out);
        take(this.exist, path, out);
        copy(this.persistent, path, out);
        this.addRecursive(path, out);
        break;
      case EventType.NodeChildrenChanged:
        take(this.child, path, out);
        copy(this.persistent, path, out);
        break;
      case EventType.NodeDeleted:
        take(this.data, path, out);
        take(this.exist, path, out);
        take(this.child, path, out);
        copy(this.persistent, path, out);
        this.addRecursive(path, out);
        break;
      default:
        break;
    }
    return out;
  }

  private addRecursive(path: string, out: Set<Watcher>): void {
    if (this.recursive.size === 0) return;
    let p = path;
    for (;;) {
      copy(this.recursive, p, out);
      if (p === "/") break;
      p = parentPath(p);
    }
  }

  /** True when a listener of `type` exists for `path` (any listener when `w` is undefined). */
  has(path: string, type: WatcherType, w?: Watcher): boolean {
    return this.tablesFor(type).some(([t]) => {
      const set = t.get(path);
      return set !== undefined && (w === undefined || set.has(w));
    });
  }

  /** True when a listener other than `w` of `type` exists for `path`. */
  hasOther(path: string, type: WatcherType, w: Watcher): boolean {
    return this.tablesFor(type).some(([t]) => {
      const set = t.get(path);
      return set !== undefined && (set.size > 1 || !set.has(w));
    });
  }

  /**
   * Removes listeners of `type` at `path` (only `w` when given) and returns each with the
   * *WatchRemoved event type it should receive.
   */
  remove(path: string, type: WatcherType, w?: Watcher): Array<[Watcher, EventType]> {
    const removed: Array<[Watcher, EventType]> = [];
    for (const [table, eventType] of this.tablesFor(type)) {
      const set = table.get(path);
      if (set === undefined) continue;
      if (w === undefined) {
        for (const x of set) removed.push([x, eventType]);
        table.delete(path);
      } else if (set.delete(w)) {
        removed.push([w, eventType]);
        if (set.size === 0) table.delete(path);
      }
    }
    return removed;
  }

  private tablesFor(type: WatcherType): Array<[Table, EventType]> {
    const data: Array<[Table, EventType]> = [
      [this.data, EventType.DataWatchRemoved],
      [this.exist, EventType.DataWatchRemoved],
    ];
    const child: Array<[Table, EventType]> = [[this.child, EventType.ChildWatchRemoved]];
    const persistent: Array<[Table, EventType]> = [[this.persistent, EventType.PersistentWatchRemoved]];
    const recursive: Array<[Table, EventType]> = [[this.recursive, EventType.PersistentWatchRemoved]];
    switch (type) {
      case WatcherType.Data:
        return data;
      case WatcherType.Children:
        return child;
      case WatcherType.Persistent:
        return persistent;
      case WatcherType.PersistentRecursive:
        return recursive;
      default:
        return [...data, ...child, ...persistent, ...recursive];
    }
  }

  /** Every distinct listener; used to deliver a terminal session event. */
  all(): Set<Watcher> {
    const out = new Set<Watcher>();
    for (const t of [this.data, this.exist, this.child, this.persistent, this.recursive]) {
      for (const set of t.values()) for (const w of set) out.add(w);
    }
    return out;
  }

  clear(): void {
    for (const t of [this.data, this.exist, this.child, this.persistent, this.recursive]) t.clear();
  }
}

function add(t: Table, path: string, w: Watcher): void {
  let set = t.get(path);
  if (set === undefined) {
    set = new Set();
    t.set(path, set);
  }
  set.add(w);
}

function take(t: Table, path: string, out: Set<Watcher>): void {
  const set = t.get(path);
  if (set === undefined) return;
  t.delete(path);
  for (const w of set) out.add(w);
}

function copy(t: Table, path: string, out: Set<Watcher>): void {
  const set = t.get(path);
  if (set === undefined) return;
  for (const w of set) out.add(w);
}
