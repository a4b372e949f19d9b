// Curator's NodeCache: the data and stat of one node, kept current (undefined while the node
// does not exist). A TreeCache of depth 0.
import { EventEmitter } from "node:events";
import type { ZooKeeperClient } from "../client.js";
import { type ChildData, TreeCache } from "./tree-cache.js";

export interface NodeCacheEvents {
  /** The node was created, changed or deleted (then `current` is undefined). */
  change: [current: ChildData | undefined];
  error: [err: unknown];
}

export class NodeCache extends EventEmitter<NodeCacheEvents> {
  private readonly tree: TreeCache;

  constructor(
    readonly client: ZooKeeperClient,
    readonly path: string,
  ) {
    super();
    this.tree = new TreeCache(client, path, { maxDepth: 0 });
    const changed = () => this.emit("change", this.current);
    this.tree.on("created", changed).on("changed", changed).on("deleted", changed);
    this.tree.on("error", (e) => this.emit("error", e));
  }

  /** Reads the node and starts watching it. */
  start(): Promise<void> {
    return this.tree.start();
  }

  close(): void {
    this.tree.close();
  }

  get current(): ChildData | undefined {
    return this.tree.get(this.path);
  }
}
