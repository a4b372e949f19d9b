// Curator's PathChildrenCache: the children of one node with their data and stats, kept
// current, with child added / updated / removed events. A TreeCache of depth 1 whose root is
// left out.
import { EventEmitter } from "node:events";
import type { ZooKeeperClient } from "../client.js";
import { type ChildData, TreeCache } from "./tree-cache.js";

export interface PathChildrenCacheEvents {
  childAdded: [child: ChildData];
  childUpdated: [child: ChildData, previous: ChildData];
  childRemoved: [child: ChildData];
  initialized: [];
  error: [err: unknown];
}

export class PathChildrenCache extends EventEmitter<PathChildrenCacheEvents> {
  private readonly tree: TreeCache;

  constructor(
    readonly client: ZooKeeperClient,
    readonly path: string,
  ) {
    super();
    this.tree = new TreeCache(client, path, { maxDepth: 1 });
    const isChild = (node: ChildData) => node.path !== path;
    this.tree.on("created", (n) => isChild(n) && this.emit("childAdded", n));
    this.tree.on("changed", (n, p) => isChild(n) && this.emit("childUpdated", n, p));
    this.tree.on("deleted", (n) => isChild(n) && this.emit("childRemoved", n));
    this.tree.on("initialized", () => this.emit("initialized"));
    this.tree.on("error", (e) => this.emit("error", e));
  }

  /** Reads the children and starts watching; resolves after "initialized". */
  start(): Promise<void> {
    return this.tree.start();
  }

  close(): void {
    this.tree.close();
  }

  /** The cached children (full paths), sorted by path. */
  get currentData(): ChildData[] {
    return this.tree.entries().filter((n) => n.path !== this.path);
  }

  /** One child by name or full path. */
  get(child: string): ChildData | undefined {
    return this.tree.get(
      child.startsWith("/") ? child : this.path === "/" ? `/${child}` : `${this.path}/${child}`,
    );
  }
}
