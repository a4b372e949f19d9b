// The stored znodes and the indexes kept next to them (ephemerals per session, containers, TTL
// nodes, approximate size). Only mechanical mutations live here: every semantic check happens
// in prepare, so a mutation that does not fit the tree is our own bug and throws.

import type { Hash } from "node:crypto";
import type { ACL, Stat } from "@paddock/jute";
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from "./acl.js";
import { ownerKind, statOf, ttlOfOwner, type ZNode } from "./node.js";
import { baseName, CONFIG_PATH, parentOf, QUOTA_PATH, ROOT_PATH, ZOOKEEPER_PATH } from "./path.js";

export class TreeInvariantError extends Error {
  override name = "TreeInvariantError";
}

function blankNode(acl: readonly ACL[]): ZNode {
  return {
    data: Buffer.alloc(0),
    acl,
    czxid: 0,
    mzxid: 0,
    ctimeMs: 0,
    mtimeMs: 0,
    version: 0,
    childCounter: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    pzxid: 0,
    children: new Set(),
  };
}

export class DataTree {
  private readonly nodes = new Map<string, ZNode>();
  private readonly ephemeralsBySession = new Map<bigint, Set<string>>();
  private readonly containers = new Set<string>();
  private readonly ttlNodes = new Set<string>();
  private dataSizeBytes = 0;

  constructor(
    readonly extendedTypesEnabled: boolean,
    configData: Buffer = Buffer.alloc(0),
  ) {
    // ZooKeeper's fresh tree: all-zero stats; /zookeeper/config is read-only for the world and,
    // because ZooKeeper installs its ACL with version -1, shows aversion -1.
    this.insert(ROOT_PATH, blankNode(OPEN_ACL_UNSAFE));
    this.insert(ZOOKEEPER_PATH, blankNode(OPEN_ACL_UNSAFE));
    this.insert(QUOTA_PATH, blankNode(OPEN_ACL_UNSAFE));
    const config = blankNode(READ_ACL_UNSAFE);
    config.aversion = -1;
    config.data = configData;
    this.insert(CONFIG_PATH, config);
  }

  get(path: string): ZNode | undefined {
    return this.nodes.get(path);
  }

  has(path: string): boolean {
    return this.nodes.has(path);
  }

  stat(path: string): Stat | undefined {
    const node = this.nodes.get(path);
    return node === undefined ? undefined : statOf(node, this.extendedTypesEnabled);
  }

  /** Number of stored nodes (without ZooKeeper's "" alias of the root). */
  get size(): number {
    return this.nodes.size;
  }

  /** Sum over nodes of path length (UTF-16 units, like Java) plus data length. */
  get approximateDataSizeBytes(): number {
    return this.dataSizeBytes;
  }

  paths(): IterableIterator<string> {
    return this.nodes.keys();
  }

  ephemeralsOf(sessionId: bigint): string[] {
    const set = this.ephemeralsBySession.get(sessionId);
    return set === undefined ? [] : [...set].sort();
  }

  containerPaths(): ReadonlySet<string> {
    return this.containers;
  }

  ttlPaths(): ReadonlySet<string> {
    return this.ttlNodes;
  }

  /** Number of descendants of `path` (not counting itself). */
  descendantCount(path: string): number {
    const node = this.nodes.get(path);
    if (node === undefined) return 0;
    if (path === ROOT_PATH) return this.nodes.size - 1;
    let count = 0;
    const stack: string[] = [path];
    while (stack.length > 0) {
      const current = stack.pop()!;
      const n = this.nodes.get(current)!;
      for (const child of n.children) {
        count++;
        stack.push(current === ROOT_PATH ? `/${child}` : `${current}/${child}`);
      }
    }
    return count;
  }

  /** Adds a new node under its existing parent. The parent's counters are the caller's job. */
  insert(path: string, node: ZNode): void {
    if (this.nodes.has(path)) throw new TreeInvariantError(`insert: ${path} already exists`);
    if (path !== ROOT_PATH) {
      const parentPath = parentOf(path);
      const parent = parentPath === undefined ? undefined : this.nodes.get(parentPath);
      if (parent === undefined) throw new TreeInvariantError(`insert: parent of ${path} is missing`);
      parent.children.add(baseName(path));
    }
    this.nodes.set(path, node);
    this.dataSizeBytes += path.length + (node.data?.length ?? 0);
    this.index(path, node.ephemeralOwner);
  }

  /**
   * Loads a node from a snapshot: the initial nodes already present are overwritten in place
   * (keeping their children), others are inserted; parents must come before children.
   */
  restore(path: string, node: ZNode): void {
    const existing = this.nodes.get(path);
    if (existing === undefined) {
      this.insert(path, node);
      return;
    }
    this.replaceData(path, node.data);
    this.unindex(path, existing.ephemeralOwner);
    Object.assign(existing, { ...node, data: node.data, children: existing.children });
    this.index(path, existing.ephemeralOwner);
  }

  /** Removes a childless node and returns it. */
  remove(path: string): ZNode {
    const node = this.nodes.get(path);
    if (node === undefined) throw new TreeInvariantError(`remove: ${path} does not exist`);
    if (node.children.size > 0) throw new TreeInvariantError(`remove: ${path} has children`);
    const parentPath = parentOf(path);
    const parent = parentPath === undefined ? undefined : this.nodes.get(parentPath);
    if (parent === undefined || path === ROOT_PATH) {
      throw new TreeInvariantError(`remove: ${path} has no parent`);
    }
    parent.children.delete(baseName(path));
    this.nodes.delete(path);
    this.dataSizeBytes -= path.length + (node.data?.length ?? 0);
    this.unindex(path, node.ephemeralOwner);
    return node;
  }

  replaceData(path: string, data: Buffer | null): ZNode {
    const node = this.nodes.get(path);
    if (node === undefined) throw new TreeInvariantError(`setData: ${path} does not exist`);
    this.dataSizeBytes += (data?.length ?? 0) - (node.data?.length ?? 0);
    node.data = data;
    return node;
  }

  private index(path: string, owner: bigint): void {
    switch (ownerKind(owner, this.extendedTypesEnabled)) {
      case "ephemeral": {
        let set = this.ephemeralsBySession.get(owner);
        if (set === undefined) {
          set = new Set();
          this.ephemeralsBySession.set(owner, set);
        }
        set.add(path);
        break;
      }
      case "container":
        this.containers.add(path);
        break;
      case "ttl":
        this.ttlNodes.add(path);
        break;
      case "persistent":
        break;
    }
  }

  private unindex(path: string, owner: bigint): void {
    const set = this.ephemeralsBySession.get(owner);
    if (set !== undefined) {
      set.delete(path);
      if (set.size === 0) this.ephemeralsBySession.delete(owner);
    }
    this.containers.delete(path);
    this.ttlNodes.delete(path);
  }

  /**
   * Containers that are empty but once had a child, containers never used for longer than
   * `maxNeverUsedIntervalMs` (0 = never), and childless TTL nodes whose mtime + ttl has passed.
   */
  containerCandidates(nowMs: number, maxNeverUsedIntervalMs = 0): string[] {
    const out: string[] = [];
    for (const path of this.containers) {
      const node = this.nodes.get(path)!;
      if (node.children.size > 0) continue;
      if (node.childCounter !== 0) out.push(path);
      else if (maxNeverUsedIntervalMs > 0 && nowMs - node.mtimeMs > maxNeverUsedIntervalMs) out.push(path);
    }
    for (const path of this.ttlNodes) {
      const node = this.nodes.get(path)!;
      if (node.children.size > 0) continue;
      const ttlMs = ttlOfOwner(node.ephemeralOwner);
      if (ttlMs !== 0 && nowMs - node.mtimeMs > ttlMs) out.push(path);
    }
    return out.sort();
  }

  /** Feeds every node, in path order, into `hash` in a fixed encoding. */
  updateDigest(hash: Hash): void {
    const paths = [...this.nodes.keys()].sort();
    const fixed = Buffer.alloc(8 * 8 + 4 * 4);
    for (const path of paths) {
      const n = this.nodes.get(path)!;
      hash.update(`${path.length}:${path}`);
      let o = 0;
      for (const v of [n.czxid, n.mzxid, n.ctimeMs, n.mtimeMs, n.pzxid]) {
        fixed.writeDoubleBE(v, o);
        o += 8;
      }
      fixed.writeBigInt64BE(n.ephemeralOwner, o);
      o += 8;
      fixed.writeBigInt64BE(BigInt(n.data === null ? -1 : n.data.length), o);
      o += 8;
      fixed.writeBigInt64BE(BigInt(n.children.size), o);
      o += 8;
      for (const v of [n.version, n.childCounter, n.aversion, n.acl.length]) {
        fixed.writeInt32BE(v, o);
        o += 4;
      }
      hash.update(fixed);
      if (n.data !== null) hash.update(n.data);
      for (const a of n.acl)
        hash.update(`${a.perms}:${a.id.scheme.length}:${a.id.scheme}${a.id.id.length}:${a.id.id}`);
    }
  }
}
