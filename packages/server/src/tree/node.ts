// One znode as stored, and how its stored fields turn into the Stat clients see (reference §6.1,
// §11.5).

import type { ACL, Stat } from "@paddock/jute";

/**
 * A znode's value: its bytes as a string of one char per byte (latin1; jute's Bytes). V8 keeps
 * such a string inline in its heap, where a Buffer of its own would cost an ArrayBuffer and a
 * malloc'd block besides (see docs/architecture.md).
 */
export type ZValue = string;

/** A value holding UTF-8 text (quota nodes, /zookeeper/config), decoded; null reads as "". */
export function valueText(value: ZValue | null): string {
  return value === null ? "" : Buffer.from(value, "latin1").toString("utf8");
}

/** Text stored as a value: its UTF-8 bytes, one char each. */
export function textValue(text: string): ZValue {
  return Buffer.from(text, "utf8").toString("latin1");
}

export interface ZNode {
  /** null and empty are distinct on the wire; both have dataLength 0. */
  data: ZValue | null;
  acl: readonly ACL[];
  czxid: number;
  mzxid: number;
  ctimeMs: number;
  mtimeMs: number;
  version: number;
  /**
   * ZooKeeper's stored cversion: the number of child creations ever (int32, wraps). Deletes do not
   * touch it. Clients see `2 * childCounter - numChildren`.
   */
  childCounter: number;
  aversion: number;
  /** Raw stored owner: 0, a session id, or the container/TTL markers. Signed 64-bit. */
  ephemeralOwner: bigint;
  pzxid: number;
  /** NO_CHILDREN while the node has none: most znodes are leaves, and an empty Set costs ~160 bytes. */
  children: Set<string>;
  /**
   * DataTree's bookkeeping, set by its insert (creators write 0 so every node has one shape):
   * the insertion sequence number its views compare against, and the CRC half of the node's
   * digest entry (int32). Fields rather than WeakMaps: two ephemeron entries cost ~80 bytes a znode.
   */
  treeSeq?: number;
  treeCrc?: number;
}

// V8 gives a field that starts out holding a number a mutable 16-byte box of its own in every
// object, and zxids and millisecond times are all past its small integers: that would be five
// boxes per znode. A field that starts out holding something else points at the number it is
// given later, so a znode's czxid, mzxid and pzxid share one zxid and its two times one time.
const NOT_A_NUMBER_YET = null as unknown as number;
const PERSISTENT_OWNER = 0n;

/**
 * A znode as the three places that make one build it (a create, a snapshot, the tree's own
 * initial nodes): one field order, so every znode has one V8 shape.
 */
export function storedNode(
  data: ZValue | null,
  acl: readonly ACL[],
  czxid: number,
  ctimeMs: number,
  ephemeralOwner: bigint,
): ZNode {
  const node: ZNode = {
    data,
    acl,
    czxid: NOT_A_NUMBER_YET,
    mzxid: NOT_A_NUMBER_YET,
    ctimeMs: NOT_A_NUMBER_YET,
    mtimeMs: NOT_A_NUMBER_YET,
    version: 0,
    childCounter: 0,
    aversion: 0,
    // One shared 0n instead of a heap BigInt per persistent node.
    ephemeralOwner: ephemeralOwner === PERSISTENT_OWNER ? PERSISTENT_OWNER : ephemeralOwner,
    pzxid: NOT_A_NUMBER_YET,
    children: NO_CHILDREN,
    treeSeq: 0,
    treeCrc: 0,
  };
  node.czxid = node.mzxid = node.pzxid = czxid;
  node.ctimeMs = node.mtimeMs = ctimeMs;
  return node;
}

/**
 * The children of every childless node in a DataTree, shared; the tree swaps in a Set of its own
 * for the first child and back when the last goes. Changing it is a bug, so it throws.
 */
class NoChildren extends Set<string> {
  override add(name: string): this {
    // Set's constructor adds nothing for no argument, so only a caller can get here.
    throw new Error(`NO_CHILDREN is shared by every childless znode: cannot add ${name}`);
  }
  override delete(_name: string): boolean {
    return false;
  }
  override clear(): void {}
}
export const NO_CHILDREN: Set<string> = Object.freeze(new NoChildren());

/** Long.MIN_VALUE: marks a container node. */
export const CONTAINER_OWNER = -0x8000_0000_0000_0000n;

const EXTENDED_TOP_BYTE = 0xffn;
/** Largest TTL ZooKeeper can encode in the low 40 bits of the owner. */
export const MAX_TTL_MS = 0xff_ffff_ffff;

/** The stored owner of a TTL node: top byte 0xFF, bits 40–55 zero, the TTL in the low 40 bits. */
export function ttlOwner(ttlMs: number): bigint {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TTL_MS) {
    throw new RangeError(`ttl ${ttlMs} outside 1..${MAX_TTL_MS}`);
  }
  return BigInt.asIntN(64, (EXTENDED_TOP_BYTE << 56n) | BigInt(ttlMs));
}

export type NodeKind = "persistent" | "ephemeral" | "container" | "ttl";

/**
 * Classifies a stored owner. TTL markers are recognized only with extended types on, as in
 * ZooKeeper: without them such an owner is an ordinary session id.
 */
export function ownerKind(owner: bigint, extendedTypesEnabled: boolean): NodeKind {
  if (owner === 0n) return "persistent";
  if (owner === CONTAINER_OWNER) return "container";
  if (extendedTypesEnabled) {
    const unsigned = BigInt.asUintN(64, owner);
    if (unsigned >> 56n === EXTENDED_TOP_BYTE && ((unsigned >> 40n) & 0xffffn) === 0n) return "ttl";
  }
  return "ephemeral";
}

/** The TTL in ms carried by a TTL owner marker. */
export function ttlOfOwner(owner: bigint): number {
  return Number(BigInt.asUintN(64, owner) & 0xff_ffff_ffffn);
}

/** cversion as clients see it; see ZNode.childCounter. */
export function displayedCversion(childCounter: number, numChildren: number): number {
  return (2 * childCounter - numChildren) | 0;
}

/** The Stat shown to clients: container/TTL owners show as 0, cversion is derived. */
export function statOf(node: ZNode, extendedTypesEnabled: boolean): Stat {
  const kind = ownerKind(node.ephemeralOwner, extendedTypesEnabled);
  return {
    czxid: node.czxid,
    mzxid: node.mzxid,
    ctime: node.ctimeMs,
    mtime: node.mtimeMs,
    version: node.version,
    cversion: displayedCversion(node.childCounter, node.children.size),
    aversion: node.aversion,
    ephemeralOwner: kind === "ephemeral" ? node.ephemeralOwner : 0n,
    dataLength: node.data === null ? 0 : node.data.length,
    numChildren: node.children.size,
    pzxid: node.pzxid,
  };
}

/** int32 increment with Java's wrap-around (Integer.MAX_VALUE + 1 = Integer.MIN_VALUE). */
export function incInt32(v: number): number {
  return (v + 1) | 0;
}
