// The stored znodes and the indexes kept next to them (ephemerals per session, containers, TTL
// nodes, approximate size). Only mechanical mutations live here: every semantic check happens
// in prepare, so a mutation that does not fit the tree is our own bug and throws.

import { type ACL, asLatin1, type Stat } from "@paddock/jute";
// The storage layer's CRC-32: native zlib where the Node version has it, a table otherwise.
import { crc32, crc32Latin1, crc32Utf8 } from "../storage/crc32.js";
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from "./acl.js";
import { AclInterner } from "./acl-interner.js";
import { javaHashSetCloneOrder } from "./java-hash-order.js";
import { NO_CHILDREN, ownerKind, statOf, storedNode, ttlOfOwner, type ZNode } from "./node.js";
import { baseName, CONFIG_PATH, parentOf, QUOTA_PATH, ROOT_PATH, ZOOKEEPER_PATH } from "./path.js";

/** The nodes a new tree starts with (the constructor's); a snapshot holds them too. */
const INITIAL_PATHS: ReadonlySet<string> = new Set([ROOT_PATH, ZOOKEEPER_PATH, QUOTA_PATH, CONFIG_PATH]);
/** More parents than this met in one restore: their waiting names go into their sets, and the map starts over. */
const RESTORE_PARENTS_MAX = 4096;

/** A parent met while restoring, with the names of its children loaded since, not yet in its set. */
interface RestoringParent {
  node: ZNode;
  names: string[];
}

/**
 * Whether `parentPath` (not the root) is `path`'s parent: a prefix compare, which saves slicing
 * the parent's path out of `path` and hashing it for a map lookup.
 */
function isChildOf(path: string, parentPath: string): boolean {
  const slash = path.lastIndexOf("/");
  return slash === parentPath.length && slash > 0 && path.startsWith(parentPath);
}

function depthOf(path: string): number {
  let depth = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) depth++;
  return depth;
}

export class TreeInvariantError extends Error {
  override name = "TreeInvariantError";
}

function blankNode(acl: readonly ACL[]): ZNode {
  return storedNode("", acl, 0, 0, 0n);
}

/**
 * A node's stored fields without its children (which snapshots rebuild from the paths) and the
 * tree's bookkeeping.
 */
export type NodeFields = Omit<ZNode, "children" | "treeSeq" | "treeCrc">;

function fieldsOf(n: ZNode): NodeFields {
  return {
    data: n.data,
    acl: n.acl,
    czxid: n.czxid,
    mzxid: n.mzxid,
    ctimeMs: n.ctimeMs,
    mtimeMs: n.mtimeMs,
    version: n.version,
    childCounter: n.childCounter,
    aversion: n.aversion,
    ephemeralOwner: n.ephemeralOwner,
    pzxid: n.pzxid,
  };
}

/**
 * The bookkeeping of one open TreeView. The view walks the node map in insertion order, which
 * is also insertion-sequence order, so "already handed out" is `seq <= cursorSeq` and "created
 * after the view" is `seq >= limitSeq`. A node changed or removed before the walk reaches it
 * leaves its old fields here first (copy-on-write), so the walk yields the tree as it was.
 */
interface ViewState {
  readonly limitSeq: number;
  cursorSeq: number;
  readonly preimages: Map<ZNode, NodeFields>;
  readonly removed: { path: string; fields: NodeFields }[];
}

/**
 * The tree frozen at the moment it was opened, read while mutations go on: opening costs O(1),
 * and each later mutation of a node not yet read copies that node's fields once. Must be
 * released (reading it to the end does that too), or every later mutation keeps copying.
 */
export interface TreeView {
  /** Nodes in the tree when the view was opened. */
  readonly nodeCount: number;
  /** Every node as of the opening, each parent before its children. */
  nodes(): Generator<{ path: string; fields: NodeFields }>;
  release(): void;
}

export class DataTree {
  private readonly nodes = new Map<string, ZNode>();
  /** The next node's treeSeq: increases along the map's iteration order. */
  private nextSeq = 0;
  private readonly views = new Set<ViewState>();
  private readonly acls = new AclInterner();
  private readonly ephemeralsBySession = new Map<bigint, Set<string>>();
  private readonly containers = new Set<string>();
  private readonly ttlNodes = new Set<string>();
  private dataSizeBytes = 0;
  /** Sorted child names per node, dropped whenever the node's children change. */
  private readonly sortedChildrenCache = new WeakMap<ZNode, readonly string[]>();
  /**
   * The digest, a sum (mod 2^64) of every node's 64-bit hash, as two uint32 halves so that
   * keeping it up to date allocates no BigInt. Nodes in `undigestedNodes` are not in it yet.
   */
  private digestHi = 0;
  private digestLo = 0;
  /**
   * Nodes changed since their hash was last summed, with their paths; such a node's treeCrc is
   * PENDING_CRC. Hashing a node reads all its data, and a node set many times between two reads
   * of the digest needs it only once; at most MAX_UNDIGESTED wait, so reading the digest stays
   * cheap. Arrays and a mark on the node, not a map by path: this is on every write's path.
   * A node removed while waiting stays in the arrays, unmarked, and is skipped.
   */
  private readonly undigestedNodes: ZNode[] = [];
  private readonly undigestedPaths: string[] = [];
  /**
   * Whether the digest is kept at all. Nothing in replication reads it, only the `hash` command
   * and tests, so a tree keeps no digest until it is first read: until then no write and no
   * snapshot load hashes a node, and the first read sums the whole tree once (O(nodes)).
   */
  private digestKept = false;
  /**
   * The last parent looked up, by path. Snapshot loads and bursts of creates put child after
   * child under one parent: comparing the prefix saves slicing the parent's path out and hashing
   * it for the map. Cleared when that node is removed, as a later node at its path is another.
   */
  private lastParentPath = "";
  private lastParent: ZNode | undefined;
  /**
   * Parents met while restoring a snapshot, each with the names of the children loaded under it
   * since and not yet in its child set. A snapshot lists nodes in creation order, where the
   * children of many parents interleave: a few thousand parents and the tails of their short
   * arrays stay in the CPU's cache where as many large child sets and the node map do not, and
   * each set then takes its names in one go. restored() adds every name still waiting.
   */
  private readonly restoringParents = new Map<string, RestoringParent>();
  private lastRestoringPath = "";
  private lastRestoring: RestoringParent | undefined;

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
    this.insert(CONFIG_PATH, config);
    this.setConfigData(configData);
  }

  /**
   * /zookeeper/config as a server writes it from its own configuration (not a txn), at start and
   * after loading a snapshot: ZooKeeper's setData with version -1 leaves the Stat's version at -1
   * in quorum mode; standalone (no data) keeps the fresh node's 0.
   */
  setConfigData(configData: Buffer): void {
    this.update(CONFIG_PATH, { data: asLatin1(configData), version: configData.length > 0 ? -1 : 0 });
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

  /**
   * Child names in sorted order (ZooKeeper's order is unspecified; sorting keeps replies
   * deterministic). Cached until the children change; callers must not modify the array.
   */
  sortedChildren(node: ZNode): readonly string[] {
    let sorted = this.sortedChildrenCache.get(node);
    if (sorted === undefined) {
      sorted = [...node.children].sort();
      this.sortedChildrenCache.set(node, sorted);
    }
    return sorted;
  }

  ephemeralsOf(sessionId: bigint): string[] {
    const set = this.ephemeralsBySession.get(sessionId);
    return set === undefined ? [] : [...set].sort();
  }

  /**
   * A session's ephemerals in the order ZooKeeper walks them when it closes the session or
   * answers getEphemerals (java-hash-order.ts), with creation order as insertion order.
   */
  ephemeralsInZooKeeperOrder(sessionId: bigint): string[] {
    const set = this.ephemeralsBySession.get(sessionId);
    if (set === undefined) return [];
    const byCreation = [...set].sort((a, b) => this.czxidOf(a) - this.czxidOf(b));
    return javaHashSetCloneOrder(byCreation);
  }

  private czxidOf(path: string): number {
    const node = this.nodes.get(path);
    if (node === undefined) throw new TreeInvariantError(`ephemeral ${path} is indexed but not in the tree`);
    return node.czxid;
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
    if (path === ROOT_PATH && this.nodes.has(path)) throw new TreeInvariantError("insert: / already exists");
    this.insertAbsent(path, node);
  }

  /**
   * A create: inserts the node and records it on its parent (the parent's child counter and
   * pzxid), finding the parent once for both. Returns the parent.
   */
  insertChild(path: string, node: ZNode, parentChildCounter: number, pzxid: number): ZNode {
    const parent = this.insertAbsent(path, node);
    if (parent === undefined) throw new TreeInvariantError(`insertChild: ${path} has no parent`);
    if (this.views.size > 0) this.beforeUpdate(parent);
    if (this.digestKept) this.undigest(parentOf(path)!, parent, true);
    parent.childCounter = parentChildCounter;
    parent.pzxid = pzxid;
    return parent;
  }

  /**
   * Inserts a node whose parent exists; returns the parent (undefined for the root). A path that
   * is already there is caught by its parent's child set not growing, which costs no lookup in
   * the node map: on a large tree each such lookup is a few cache misses, and this runs for
   * every create on every member and every node of a snapshot load.
   */
  private insertAbsent(path: string, node: ZNode): ZNode | undefined {
    let parent: ZNode | undefined;
    if (path !== ROOT_PATH) {
      parent = this.parentNode(path);
      if (parent === undefined) throw new TreeInvariantError(`insert: parent of ${path} is missing`);
      if (parent.children === NO_CHILDREN) parent.children = new Set();
      const childrenBefore = parent.children.size;
      parent.children.add(baseName(path));
      if (parent.children.size === childrenBefore)
        throw new TreeInvariantError(`insert: ${path} already exists`);
      this.sortedChildrenCache.delete(parent);
    }
    this.addNode(path, node);
    return parent;
  }

  /** The node's own part of an insert: everything but its parent's child set. */
  private addNode(path: string, node: ZNode): void {
    node.acl = this.acls.intern(node.acl);
    if (node.children.size > 0) throw new TreeInvariantError(`insert: ${path} comes with children`);
    node.children = NO_CHILDREN;
    const sizeBefore = this.nodes.size;
    this.nodes.set(path, node);
    if (this.nodes.size === sizeBefore) throw new TreeInvariantError(`insert: ${path} already exists`);
    node.treeSeq = this.nextSeq++;
    this.dataSizeBytes += path.length + (node.data?.length ?? 0);
    this.undigest(path, node, false);
    this.index(path, node.ephemeralOwner);
  }

  /**
   * Loads a node from a snapshot: the initial nodes already present are overwritten in place
   * (keeping their children), others are inserted; parents must come before children. Parents'
   * child sets are complete only after restored(), which the loader calls after the last node.
   */
  restore(path: string, node: ZNode): void {
    // Only the constructor's nodes can be there already: any other path a snapshot repeats is
    // caught by addNode (the node map does not grow), without a lookup in it per node.
    const existing = INITIAL_PATHS.has(path) ? this.nodes.get(path) : undefined;
    if (existing === undefined) {
      const parent = this.restoringParent(path);
      if (parent === undefined) throw new TreeInvariantError(`insert: parent of ${path} is missing`);
      this.addNode(path, node);
      parent.names.push(baseName(path));
      return;
    }
    if (existing.ephemeralOwner !== node.ephemeralOwner) {
      throw new TreeInvariantError(`restore: ${path} changes owner`);
    }
    // The tree's own bookkeeping (insertion order, digest state) stays the existing node's.
    const { children: _children, ephemeralOwner: _owner, treeSeq: _seq, treeCrc: _crc, ...fields } = node;
    this.update(path, fields);
  }

  /**
   * Every restored node's name is in its parent's child set: call it once a snapshot is loaded,
   * before the tree is read.
   */
  restored(): void {
    for (const { node, names } of this.restoringParents.values()) {
      if (names.length === 0) continue;
      if (node.children === NO_CHILDREN) node.children = new Set(names);
      else for (const name of names) node.children.add(name);
      this.sortedChildrenCache.delete(node);
    }
    this.restoringParents.clear();
    this.lastRestoringPath = "";
    this.lastRestoring = undefined;
  }

  /** parentNode for restore, through restoringParents. */
  private restoringParent(path: string): RestoringParent | undefined {
    if (isChildOf(path, this.lastRestoringPath)) return this.lastRestoring;
    const parentPath = parentOf(path);
    if (parentPath === undefined) return undefined;
    let parent = this.restoringParents.get(parentPath);
    if (parent === undefined) {
      const node = this.nodes.get(parentPath);
      if (node === undefined) return undefined;
      if (this.restoringParents.size >= RESTORE_PARENTS_MAX) this.restored();
      parent = { node, names: [] };
      this.restoringParents.set(parentPath, parent);
    }
    this.lastRestoringPath = parentPath;
    this.lastRestoring = parent;
    return parent;
  }

  /** Removes a childless node and returns it. */
  remove(path: string): ZNode {
    // A parent must not look childless while names restored under it wait.
    if (this.restoringParents.size > 0) this.restored();
    const node = this.nodes.get(path);
    if (node === undefined) throw new TreeInvariantError(`remove: ${path} does not exist`);
    if (node.children.size > 0) throw new TreeInvariantError(`remove: ${path} has children`);
    const parent = this.parentNode(path);
    if (parent === undefined || path === ROOT_PATH) {
      throw new TreeInvariantError(`remove: ${path} has no parent`);
    }
    if (path === this.lastParentPath) {
      this.lastParentPath = "";
      this.lastParent = undefined;
    }
    if (this.views.size > 0) this.beforeRemove(path, node);
    parent.children.delete(baseName(path));
    if (parent.children.size === 0) parent.children = NO_CHILDREN;
    this.sortedChildrenCache.delete(parent);
    this.nodes.delete(path);
    this.dataSizeBytes -= path.length + (node.data?.length ?? 0);
    if (this.digestKept) {
      if (node.treeCrc === PENDING_CRC) node.treeCrc = 0;
      else this.addToDigest(node, -1);
    }
    this.unindex(path, node.ephemeralOwner);
    return node;
  }

  /**
   * Changes stored fields of an existing node (never its children or owner) and keeps the size
   * and digest bookkeeping right. Returns the node.
   */
  update(path: string, change: Partial<Omit<ZNode, "children" | "ephemeralOwner">>): ZNode {
    const node = this.nodes.get(path);
    if (node === undefined) throw new TreeInvariantError(`update: ${path} does not exist`);
    if (this.views.size > 0) this.beforeUpdate(node);
    if (change.acl !== undefined) change = { ...change, acl: this.acls.intern(change.acl) };
    this.undigest(path, node, true);
    if (change.data !== undefined)
      this.dataSizeBytes += (change.data?.length ?? 0) - (node.data?.length ?? 0);
    Object.assign(node, change);
    return node;
  }

  /** Takes a node out of the digest until its hash is next needed (before it changes). */
  private undigest(path: string, node: ZNode, counted: boolean): void {
    if (!this.digestKept) return;
    // A node being inserted is never waiting, whatever treeCrc it was built with.
    if (counted && node.treeCrc === PENDING_CRC) return;
    // Before the node joins: its fields may be about to change.
    if (this.undigestedNodes.length >= MAX_UNDIGESTED) this.digestChanged();
    if (counted) this.addToDigest(node, -1);
    node.treeCrc = PENDING_CRC;
    this.undigestedNodes.push(node);
    this.undigestedPaths.push(path);
  }

  private digestChanged(): void {
    const nodes = this.undigestedNodes;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (node.treeCrc !== PENDING_CRC) continue;
      node.treeCrc = nodeCrc(this.undigestedPaths[i]!, node);
      this.addToDigest(node, 1);
    }
    nodes.length = 0;
    this.undigestedPaths.length = 0;
  }

  /** The first read of the digest: every node hashed once; from then on it is kept. */
  private sumWholeDigest(): void {
    this.digestHi = 0;
    this.digestLo = 0;
    for (const [path, node] of this.nodes) {
      node.treeCrc = nodeCrc(path, node);
      this.addToDigest(node, 1);
    }
    this.digestKept = true;
  }

  /** The node at `path`'s parent, if there is one. */
  private parentNode(path: string): ZNode | undefined {
    if (isChildOf(path, this.lastParentPath)) return this.lastParent;
    const parentPath = parentOf(path);
    if (parentPath === undefined) return undefined;
    const parent = this.nodes.get(parentPath);
    if (parent !== undefined && parentPath !== ROOT_PATH) {
      this.lastParentPath = parentPath;
      this.lastParent = parent;
    }
    return parent;
  }

  /** Adds (sign 1) or subtracts (sign -1) the node's hash, from its last treeCrc. */
  private addToDigest(node: ZNode, sign: 1 | -1): void {
    const lo = this.digestLo + sign * aclHash(node.acl);
    const carry = Math.floor(lo / 0x1_0000_0000);
    this.digestLo = lo - carry * 0x1_0000_0000;
    this.digestHi = (this.digestHi + sign * (node.treeCrc! >>> 0) + carry) >>> 0;
  }

  /** Distinct ACL lists the znodes share. */
  get distinctAclCount(): number {
    return this.acls.size;
  }

  /** TreeViews not yet released (each makes mutations copy what it has not read). */
  get openViewCount(): number {
    return this.views.size;
  }

  /** Opens a TreeView of the tree as it is now. */
  openView(): TreeView {
    const state: ViewState = { limitSeq: this.nextSeq, cursorSeq: -1, preimages: new Map(), removed: [] };
    this.views.add(state);
    const nodeCount = this.nodes.size;
    const release = () => {
      this.views.delete(state);
    };
    const live = this.nodes;
    function* nodes(): Generator<{ path: string; fields: NodeFields }> {
      let yielded = 0;
      try {
        for (const [path, node] of live) {
          const seq = node.treeSeq!;
          // Everything from here on was inserted after the view was opened.
          if (seq >= state.limitSeq) break;
          state.cursorSeq = seq;
          const pre = state.preimages.get(node);
          if (pre !== undefined) state.preimages.delete(node);
          yielded++;
          // A live node is read before the consumer can yield to anything that mutates it.
          yield { path, fields: pre ?? node };
        }
        // Nodes removed before the walk reached them; shallower first keeps parents first.
        const removed = state.removed.sort((a, b) => depthOf(a.path) - depthOf(b.path));
        for (const r of removed) {
          yielded++;
          yield r;
        }
        if (yielded !== nodeCount || state.preimages.size !== 0) {
          throw new TreeInvariantError(
            `tree view: ${nodeCount} nodes at opening, yielded ${yielded}, ${state.preimages.size} copies unread`,
          );
        }
      } finally {
        release();
      }
    }
    return { nodeCount, nodes, release };
  }

  private beforeUpdate(node: ZNode): void {
    const seq = node.treeSeq!;
    for (const v of this.views) {
      if (seq < v.limitSeq && seq > v.cursorSeq && !v.preimages.has(node))
        v.preimages.set(node, fieldsOf(node));
    }
  }

  private beforeRemove(path: string, node: ZNode): void {
    const seq = node.treeSeq!;
    for (const v of this.views) {
      if (seq >= v.limitSeq || seq <= v.cursorSeq) continue;
      const pre = v.preimages.get(node);
      if (pre !== undefined) v.preimages.delete(node);
      v.removed.push({ path, fields: pre ?? fieldsOf(node) });
    }
  }

  /** Digest of all nodes (sum of per-node CRCs mod 2^64); equal on trees holding equal nodes. */
  get digest(): bigint {
    if (this.digestKept) this.digestChanged();
    else this.sumWholeDigest();
    return (BigInt(this.digestHi) << 32n) | BigInt(this.digestLo);
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
}

/**
 * A node's contribution to the tree digest: CRC-32 over the path and every stored field except
 * the children (they have their own entries), as ZooKeeper's digest does; 64 bits per node: this
 * CRC (kept in treeCrc) above a CRC of its ACL, summed over nodes mod 2^64.
 */
// Scratch space for the fixed-size fields of a node hash; hashing runs synchronously, so one
// buffer serves every call.
const FIXED_FIELDS_BYTES = 5 * 8 + 8 + 4 * 4 + 4 + 4;
const fixedScratch = Buffer.allocUnsafe(FIXED_FIELDS_BYTES);

// ACL lists are shared by identity between a node's updates (setData keeps the array), so
// their hash is worth keeping.
const aclHashes = new WeakMap<readonly ACL[], number>();

function aclHash(acl: readonly ACL[]): number {
  let h = aclHashes.get(acl);
  if (h === undefined) {
    h = 0;
    for (const a of acl)
      h = crc32(Buffer.from(`\u0000${a.perms}\u0000${a.id.scheme}\u0000${a.id.id}`, "utf8"), h);
    aclHashes.set(acl, h);
  }
  return h;
}

/** Changed nodes whose hash may wait for the next read of the digest. */
const MAX_UNDIGESTED = 4096;
/** treeCrc of a node waiting in undigestedNodes; a real CRC is a uint32. */
const PENDING_CRC = -1;

/** CRC over stat fields, path and data, as an int32 (a small integer for V8: no heap number). */
function nodeCrc(path: string, n: ZNode): number {
  const fixed = fixedScratch;
  let o = 0;
  o = fixed.writeDoubleBE(n.czxid, o);
  o = fixed.writeDoubleBE(n.mzxid, o);
  o = fixed.writeDoubleBE(n.ctimeMs, o);
  o = fixed.writeDoubleBE(n.mtimeMs, o);
  o = fixed.writeDoubleBE(n.pzxid, o);
  o = fixed.writeBigInt64BE(n.ephemeralOwner, o);
  o = fixed.writeInt32BE(n.version, o);
  o = fixed.writeInt32BE(n.childCounter, o);
  o = fixed.writeInt32BE(n.aversion, o);
  o = fixed.writeInt32BE(n.acl.length, o);
  o = fixed.writeInt32BE(n.data === null ? -1 : n.data.length, o);
  fixed.writeInt32BE(path.length, o);
  let crc = crc32(fixed);
  crc = crc32Utf8(path, crc);
  if (n.data !== null) crc = crc32Latin1(n.data, crc);
  return crc | 0;
}
