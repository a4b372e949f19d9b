// A local copy of a subtree (data and stat of every node down to maxDepth), kept current by one
// persistent recursive watch on its root where the server has them (ZooKeeper 3.6+, Paddock),
// as Curator's CuratorCache does; on older servers, by one-shot data and child watches on every
// node, as Curator's TreeCache does. Persistent watches do not replay what changed while the
// client was disconnected, so after RECONNECTED the whole subtree is read again and compared.
// NodeCache (depth 0) and PathChildrenCache (depth 1, root left out) are views of it.
import { EventEmitter } from "node:events";
import { AddWatchMode, ErrorCode, EventType, type Stat, WatcherType } from "@paddock/jute";
import { AsyncQueue } from "../async-queue.js";
import type { ZooKeeperClient } from "../client.js";
import type { ConnectionStateChange } from "../connection-tracker.js";
import { isRetryableError, isZooKeeperError } from "../errors.js";
import { withRetry } from "../retry.js";
import type { WatchedEvent } from "../watches.js";
import { joinPath } from "./protected-create.js";

export interface ChildData {
  path: string;
  data: Buffer | null;
  stat: Stat;
}

export type CacheEvent =
  | { type: "created"; node: ChildData }
  | { type: "changed"; node: ChildData; previous: ChildData }
  | { type: "deleted"; node: ChildData }
  | { type: "initialized" };

export interface TreeCacheEvents {
  created: [node: ChildData];
  changed: [node: ChildData, previous: ChildData];
  deleted: [node: ChildData];
  /** The first full read is done. */
  initialized: [];
  error: [err: unknown];
}

export interface TreeCacheOptions {
  /** How deep below the root to cache: 0 = the root only. Default unlimited. */
  maxDepth?: number;
  /**
   * Use one persistent recursive watch (default true; falls back by itself on servers without
   * addWatch). false: one-shot watches on every node, as Curator's TreeCache.
   */
  persistentWatch?: boolean;
}

export class TreeCache extends EventEmitter<TreeCacheEvents> {
  private readonly nodes = new Map<string, ChildData>();
  private readonly maxDepth: number;
  private persistent = true;
  private started = false;
  private closed = false;
  /** Applies fetched results in the order their events arrived (replies come back FIFO). */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly client: ZooKeeperClient,
    readonly rootPath: string,
    opts: TreeCacheOptions = {},
  ) {
    super();
    this.maxDepth = opts.maxDepth ?? Number.POSITIVE_INFINITY;
    this.persistent = opts.persistentWatch ?? true;
  }

  /** Starts watching; resolves once the subtree has been read (after "initialized"). */
  async start(): Promise<void> {
    if (this.started) throw new Error("cache already started");
    this.started = true;
    this.client.on("connectionState", this.onConnectionState);
    await this.arm();
    await this.reload();
    this.emit("initialized");
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.off("connectionState", this.onConnectionState);
    if (this.persistent && this.client.state === "connected") {
      void this.client
        .removeWatches(this.rootPath, WatcherType.Any, { listener: this.onEvent })
        .catch(() => {});
    }
  }

  /** The cached node at `path`, if any. */
  get(path: string): ChildData | undefined {
    return this.nodes.get(path);
  }

  /** Names of the cached children of `path`, sorted. */
  children(path: string): string[] {
    const prefix = path === "/" ? "/" : `${path}/`;
    const out: string[] = [];
    for (const p of this.nodes.keys()) {
      if (p.startsWith(prefix) && p !== path && !p.slice(prefix.length).includes("/"))
        out.push(p.slice(prefix.length));
    }
    return out.sort();
  }

  /** Every cached node, root first, then in path order. */
  entries(): ChildData[] {
    return [...this.nodes.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  get size(): number {
    return this.nodes.size;
  }

  /** The cache's events as an async iterator, until the signal aborts. */
  events(opts: { signal?: AbortSignal } = {}): AsyncIterableIterator<CacheEvent> {
    const created = (node: ChildData) => queue.push({ type: "created", node });
    const changed = (node: ChildData, previous: ChildData) => queue.push({ type: "changed", node, previous });
    const deleted = (node: ChildData) => queue.push({ type: "deleted", node });
    const initialized = () => queue.push({ type: "initialized" });
    const queue = new AsyncQueue<CacheEvent>(opts.signal, () => {
      this.off("created", created)
        .off("changed", changed)
        .off("deleted", deleted)
        .off("initialized", initialized);
    });
    this.on("created", created).on("changed", changed).on("deleted", deleted).on("initialized", initialized);
    return queue;
  }

  private depthOf(path: string): number {
    if (path === this.rootPath) return 0;
    const rest = this.rootPath === "/" ? path.slice(1) : path.slice(this.rootPath.length + 1);
    return rest.split("/").length;
  }

  private inScope(path: string): boolean {
    if (path !== this.rootPath && !path.startsWith(this.rootPath === "/" ? "/" : `${this.rootPath}/`))
      return false;
    return this.depthOf(path) <= this.maxDepth;
  }

  /** Sets the persistent recursive watch, or notes that one-shot watches must do. */
  private async arm(): Promise<void> {
    if (!this.persistent) return;
    try {
      await withRetry(this.client.retryPolicy, () =>
        this.client.addWatch(this.rootPath, AddWatchMode.PersistentRecursive, this.onEvent),
      );
    } catch (e) {
      if (!isZooKeeperError(e, ErrorCode.Unimplemented)) throw e;
      this.persistent = false;
    }
  }

  /** Reads the whole subtree again; nodes no longer there are reported deleted. */
  private async reload(): Promise<void> {
    const seen = new Set<string>();
    await this.load(this.rootPath, seen);
    await this.serially(async () => {
      for (const [path, node] of [...this.nodes]) {
        if (!seen.has(path)) this.remove(path, node);
      }
    });
  }

  private async load(path: string, seen: Set<string>): Promise<void> {
    if (this.closed) return;
    const watcher = this.persistent ? undefined : this.onEvent;
    let result: { data: Buffer | null; stat: Stat } | null;
    try {
      result = await withRetry(this.client.retryPolicy, () => this.client.getData(path, watcher));
    } catch (e) {
      if (!isZooKeeperError(e, ErrorCode.NoNode)) throw e;
      // Not there (yet): with one-shot watches, be told when it appears.
      if (watcher !== undefined) await this.client.exists(path, watcher).catch(() => null);
      return;
    }
    seen.add(path);
    await this.serially(async () => this.put({ path, data: result.data, stat: result.stat }));
    if (this.depthOf(path) >= this.maxDepth) return;
    let children: string[];
    try {
      children = await withRetry(this.client.retryPolicy, () => this.client.getChildren(path, watcher));
    } catch (e) {
      if (isZooKeeperError(e, ErrorCode.NoNode)) return;
      throw e;
    }
    await Promise.all(children.map((c) => this.load(joinPath(path, c), seen)));
  }

  private put(node: ChildData): void {
    const previous = this.nodes.get(node.path);
    if (previous === undefined) {
      this.nodes.set(node.path, node);
      this.emit("created", node);
    } else if (node.stat.mzxid > previous.stat.mzxid || node.stat.czxid !== previous.stat.czxid) {
      this.nodes.set(node.path, node);
      this.emit("changed", node, previous);
    } else if (node.stat.cversion !== previous.stat.cversion) {
      this.nodes.set(node.path, node);
    }
  }

  private remove(path: string, node = this.nodes.get(path)): void {
    if (node === undefined) return;
    // Children go first, so a listener never sees a child outlive its parent.
    const prefix = path === "/" ? "/" : `${path}/`;
    for (const [p, child] of [...this.nodes]) {
      if (p.startsWith(prefix) && p !== path) {
        this.nodes.delete(p);
        this.emit("deleted", child);
      }
    }
    this.nodes.delete(path);
    this.emit("deleted", node);
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(work);
    this.chain = next.catch(() => {});
    return next;
  }

  private readonly onEvent = (event: WatchedEvent): void => {
    if (this.closed || event.path === null || !this.inScope(event.path)) return;
    const path = event.path;
    const report = (e: unknown) => {
      if (!isRetryableError(e) && this.listenerCount("error") > 0) this.emit("error", e);
    };
    if (event.type === EventType.NodeDeleted) {
      void this.serially(async () => this.remove(path)).catch(report);
      return;
    }
    if (event.type === EventType.NodeChildrenChanged) {
      // One-shot mode only: read the child list again (re-arming it) and load new children.
      const seen = new Set<string>();
      const fetching = this.client.getChildren(path, this.onEvent);
      void this.serially(async () => {
        const children = await fetching;
        const fresh = children.map((c) => joinPath(path, c)).filter((p) => !this.nodes.has(p));
        void Promise.all(fresh.map((p) => this.load(p, seen))).catch(report);
      }).catch(report);
      return;
    }
    if (event.type === EventType.NodeCreated || event.type === EventType.NodeDataChanged) {
      const watcher = this.persistent ? undefined : this.onEvent;
      // Sent now, applied in event order: the reply reflects at least this event's change.
      const fetching = this.client.getData(path, watcher);
      void this.serially(async () => {
        try {
          const { data, stat } = await fetching;
          this.put({ path, data, stat });
          if (
            !this.persistent &&
            event.type === EventType.NodeCreated &&
            this.depthOf(path) < this.maxDepth
          ) {
            void this.load(path, new Set()).catch(report);
          }
        } catch (e) {
          if (isZooKeeperError(e, ErrorCode.NoNode)) this.remove(path);
          else throw e;
        }
      }).catch(report);
    }
  };

  private readonly onConnectionState = (change: ConnectionStateChange): void => {
    if (this.closed || !this.started) return;
    if (change.state !== "RECONNECTED" && change.state !== "CONNECTED") return;
    // Changes made while disconnected were not sent to us: read everything again. A new
    // session has no watches at all: set ours again first.
    const again = async () => {
      if (change.newSession || !this.persistent) await this.arm();
      await this.reload();
    };
    again().catch((e: unknown) => {
      if (this.listenerCount("error") > 0) this.emit("error", e);
    });
  };
}
