// ZooKeeper's DataTree as its restore path sees it: the nodes of a snapshot, then the txns of its
// log applied with DataTree.processTxn's rules. Those rules are lenient on purpose: a snapshot is
// fuzzy (taken while txns kept being applied), so replaying a txn the snapshot already holds must
// be harmless (NodeExists / NoNode are ignored, a create's parent cversion only moves forward).
// Quota stats and the tree digest are kept exactly as ZooKeeper keeps them.

import { type ACL, asLatin1, OpCode } from "@paddock/jute";
import { crc32, crc32Latin1 } from "../../storage/crc32.js";
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from "../../tree/acl.js";
import { textValue, valueText, type ZNode } from "../../tree/node.js";
import { CONFIG_PATH, QUOTA_PATH, ROOT_PATH, ZOOKEEPER_PATH } from "../../tree/path.js";
import { QUOTA_LIMIT_NODE, QUOTA_STAT_NODE, QuotaRoots, StatsTrack } from "../../tree/quota.js";
import type { ZkTxnBody, ZkTxnHeader } from "./txn.js";

/** DigestCalculator's version in 3.6-3.9; a digest of another version is not comparable. */
export const ZK_DIGEST_VERSION = 2;
/** Nodes below this prefix are left out of ZooKeeper's digest (quota stats change outside txns). */
const DIGEST_EXCLUDED_PREFIX = "/zookeeper/";
/** EphemeralType.CONTAINER_EPHEMERAL_OWNER (Long.MIN_VALUE). */
const CONTAINER_OWNER = -(1n << 63n);
const TTL_OWNER_BITS = 0xff00_0000_0000_0000n;

class NoNode extends Error {}
class NodeExists extends Error {}

function parentAndName(path: string): [string, string] {
  const slash = path.lastIndexOf("/");
  return [slash <= 0 ? ROOT_PATH : path.slice(0, slash), path.slice(slash + 1)];
}

function childPath(parent: string, name: string): string {
  return parent === ROOT_PATH ? `/${name}` : `${parent}/${name}`;
}

/** A node as ZooKeeper stores it; `childCounter` is its stored cversion. */
export function newNode(
  data: Buffer | null,
  acl: readonly ACL[],
  zxid: number,
  timeMs: number,
  ephemeralOwner: bigint,
): ZNode {
  return {
    data: asLatin1(data),
    acl,
    czxid: zxid,
    mzxid: zxid,
    ctimeMs: timeMs,
    mtimeMs: timeMs,
    version: 0,
    childCounter: 0,
    aversion: 0,
    ephemeralOwner,
    pzxid: zxid,
    children: new Set(),
  };
}

const digestStat = Buffer.alloc(60);

/** DigestCalculator.calculateDigest: CRC-32 of path, data and nine stat fields; 0 when excluded. */
export function zkNodeDigest(path: string, n: ZNode): number {
  if (path.startsWith(DIGEST_EXCLUDED_PREFIX)) return 0;
  const b = digestStat;
  b.writeBigInt64BE(BigInt(n.czxid), 0);
  b.writeBigInt64BE(BigInt(n.mzxid), 8);
  b.writeBigInt64BE(BigInt(n.pzxid), 16);
  b.writeBigInt64BE(BigInt(n.ctimeMs), 24);
  b.writeBigInt64BE(BigInt(n.mtimeMs), 32);
  b.writeInt32BE(n.version, 40);
  b.writeInt32BE(n.childCounter, 44);
  b.writeInt32BE(n.aversion, 48);
  b.writeBigInt64BE(n.ephemeralOwner, 52);
  // "" and "/" are the same node to ZooKeeper; the digest always uses "".
  let crc = crc32(Buffer.from(path === ROOT_PATH ? "" : path, "utf8"));
  if (n.data !== null) crc = crc32Latin1(n.data, crc);
  return crc32(b, crc);
}

/** What a replay did with one txn. */
export interface ApplyOutcome {
  /** 0, or the KeeperException code ZooKeeper's processTxn reported (and ignored). */
  err: number;
}

export class ZkTree {
  readonly nodes = new Map<string, ZNode>();
  /** Session id -> timeout (ms): the sessions map of FileTxnSnapLog. */
  readonly sessions = new Map<bigint, number>();
  lastZxid = 0;
  private readonly ephemerals = new Map<bigint, Set<string>>();
  private readonly quotaRoots = new QuotaRoots();
  private digestSum = 0n;

  /** ZooKeeper's fresh tree (DataTree's constructor). */
  static fresh(): ZkTree {
    const t = new ZkTree();
    t.put(ROOT_PATH, newNode(Buffer.alloc(0), OPEN_ACL_UNSAFE, 0, 0, 0n));
    t.put(ZOOKEEPER_PATH, newNode(Buffer.alloc(0), OPEN_ACL_UNSAFE, 0, 0, 0n));
    t.put(QUOTA_PATH, newNode(Buffer.alloc(0), OPEN_ACL_UNSAFE, 0, 0, 0n));
    t.put(CONFIG_PATH, configNode());
    return t;
  }

  /** Sum of the node digests mod 2^64 (NodeHashMapImpl.getDigest). */
  get digest(): bigint {
    return this.digestSum;
  }

  /** Adds a node loaded from a snapshot or created by a txn; the parent must exist (except for "/"). */
  put(path: string, node: ZNode): void {
    if (this.nodes.has(path)) throw new Error(`tree: ${path} loaded twice`);
    if (path !== ROOT_PATH) {
      const [parentPath, name] = parentAndName(path);
      const parent = this.nodes.get(parentPath);
      if (parent === undefined) throw new Error(`tree: parent ${parentPath} of ${path} is missing`);
      parent.children.add(name);
    }
    this.nodes.set(path, node);
    this.addDigest(path, node);
    const owner = node.ephemeralOwner;
    if (owner !== 0n && owner !== CONTAINER_OWNER && (owner & TTL_OWNER_BITS) !== TTL_OWNER_BITS) {
      const set = this.ephemerals.get(owner);
      if (set === undefined) this.ephemerals.set(owner, new Set([path]));
      else set.add(path);
    }
  }

  /** DataTree.setupQuota after a snapshot load: finds quota roots and recounts their stats. */
  setupQuota(): void {
    if (!this.nodes.has(QUOTA_PATH)) return;
    const stack = [QUOTA_PATH];
    while (stack.length > 0) {
      const path = stack.pop()!;
      const node = this.nodes.get(path)!;
      if (node.children.size === 0) {
        const marker = `/${QUOTA_LIMIT_NODE}`;
        if (path.endsWith(marker)) {
          const realPath = path.slice(QUOTA_PATH.length, path.indexOf(marker));
          this.recountQuota(realPath);
          this.quotaRoots.add(realPath);
        }
        continue;
      }
      for (const child of node.children) stack.push(childPath(path, child));
    }
  }

  /**
   * FileTxnSnapLog.processTransaction + DataTree.processTxn for one logged txn. Errors are
   * reported, never thrown: ZooKeeper ignores them during a restore.
   */
  apply(header: ZkTxnHeader, body: ZkTxnBody): ApplyOutcome {
    if (body.type === "createSession") this.sessions.set(header.clientId, body.timeoutMs);
    else if (body.type === "closeSession") this.sessions.delete(header.clientId);
    const outcome = this.process(header, header.type, body);
    if (header.zxid > this.lastZxid) this.lastZxid = header.zxid;
    return outcome;
  }

  private process(header: ZkTxnHeader, type: number, body: ZkTxnBody): ApplyOutcome {
    let err = 0;
    try {
      switch (body.type) {
        case "create":
          this.createNode(
            body.path,
            body.data,
            body.acl,
            body.ephemeral ? header.clientId : 0n,
            body.parentCVersion,
            header,
          );
          break;
        case "createTTL":
          this.createNode(
            body.path,
            body.data,
            body.acl,
            BigInt.asIntN(64, TTL_OWNER_BITS | BigInt(body.ttlMs)),
            body.parentCVersion,
            header,
          );
          break;
        case "createContainer":
          this.createNode(body.path, body.data, body.acl, CONTAINER_OWNER, body.parentCVersion, header);
          break;
        case "delete":
          this.deleteNode(body.path, header.zxid);
          break;
        case "setData":
          this.setData(body.path, body.data, body.version, header);
          break;
        case "setACL":
          this.setAcl(body.path, body.acl, body.version);
          break;
        case "closeSession":
          this.killSession(header.clientId, header.zxid, body.paths2Delete);
          break;
        case "error":
          err = body.err;
          break;
        case "multi":
          err = this.applyMulti(header, body.txns);
          break;
        case "check":
        case "createSession":
          break;
      }
    } catch (e) {
      if (e instanceof NoNode) err = -101;
      else if (e instanceof NodeExists) err = -110;
      else throw e;
    }
    // A create replayed over a fuzzy snapshot that already holds its node (recreated by another
    // session) still moves the parent's cversion and pzxid forward.
    if (type === OpCode.create && err === -110 && body.type === "create") {
      const [parentPath] = parentAndName(body.path);
      try {
        this.setCversionPzxid(parentPath, body.parentCVersion, header.zxid);
      } catch (e) {
        if (!(e instanceof NoNode)) throw e;
        err = -101;
      }
    }
    return { err };
  }

  private applyMulti(header: ZkTxnHeader, txns: readonly { type: number; body: ZkTxnBody }[]): number {
    const failed = txns.some((t) => t.type === OpCode.error);
    let postFailed = false;
    let err = 0;
    for (const t of txns) {
      let type = t.type;
      let body = t.body;
      if (type === OpCode.error) postFailed = true;
      if (failed && type !== OpCode.error) {
        // RUNTIMEINCONSISTENCY (-2) after the failing op, OK before it: none of it applies.
        body = { type: "error", err: postFailed ? -2 : 0 };
        type = OpCode.error;
      }
      const sub = this.process({ ...header, type }, type, body);
      if (sub.err !== 0 && err === 0) err = sub.err;
    }
    return err;
  }

  private createNode(
    path: string,
    data: Buffer | null,
    acl: readonly ACL[],
    ephemeralOwner: bigint,
    parentCVersion: number,
    header: ZkTxnHeader,
  ): void {
    const [parentPath, name] = parentAndName(path);
    const parent = this.nodes.get(parentPath);
    if (parent === undefined) throw new NoNode();
    if (parent.children.has(name)) throw new NodeExists();
    let cversion = parentCVersion === -1 ? parent.childCounter + 1 : parentCVersion;
    cversion |= 0;
    this.removeDigest(parentPath, parent);
    if (cversion > parent.childCounter) {
      parent.childCounter = cversion;
      parent.pzxid = header.zxid;
    }
    this.addDigest(parentPath, parent);
    this.put(path, newNode(data, acl, header.zxid, header.timeMs, ephemeralOwner));
    if (parentPath.startsWith(QUOTA_PATH)) {
      const quoted = parentPath.slice(QUOTA_PATH.length);
      if (name === QUOTA_LIMIT_NODE) this.quotaRoots.add(quoted);
      if (name === QUOTA_STAT_NODE) this.recountQuota(quoted);
    }
    const prefix = this.quotaRoots.maxPrefix(path);
    if (prefix !== undefined) this.updateQuotaStat(prefix, data?.length ?? 0, 1);
  }

  private deleteNode(path: string, zxid: number): void {
    const [parentPath, name] = parentAndName(path);
    const parent = this.nodes.get(parentPath);
    if (parent === undefined) throw new NoNode();
    // The pzxid moves even when the child is already gone (deleted inside the fuzzy window).
    this.removeDigest(parentPath, parent);
    parent.children.delete(name);
    if (zxid > parent.pzxid) parent.pzxid = zxid;
    this.addDigest(parentPath, parent);
    const node = this.nodes.get(path);
    if (node === undefined) throw new NoNode();
    this.nodes.delete(path);
    this.removeDigest(path, node);
    this.ephemerals.get(node.ephemeralOwner)?.delete(path);
    if (parentPath.startsWith(ZOOKEEPER_PATH) && name === QUOTA_LIMIT_NODE) {
      this.quotaRoots.delete(parentPath.slice(QUOTA_PATH.length));
    }
    const prefix = this.quotaRoots.maxPrefix(path);
    if (prefix !== undefined) this.updateQuotaStat(prefix, -(node.data?.length ?? 0), -1);
  }

  private setData(path: string, data: Buffer | null, version: number, header: ZkTxnHeader): void {
    const node = this.nodes.get(path);
    if (node === undefined) throw new NoNode();
    const before = node.data?.length ?? 0;
    this.removeDigest(path, node);
    node.data = asLatin1(data);
    node.mtimeMs = header.timeMs;
    node.mzxid = header.zxid;
    node.version = version;
    this.addDigest(path, node);
    const prefix = this.quotaRoots.maxPrefix(path);
    if (prefix !== undefined) this.updateQuotaStat(prefix, (data?.length ?? 0) - before, 0);
  }

  private setAcl(path: string, acl: readonly ACL[], version: number): void {
    const node = this.nodes.get(path);
    if (node === undefined) throw new NoNode();
    this.removeDigest(path, node);
    node.aversion = version;
    node.acl = acl;
    this.addDigest(path, node);
  }

  private setCversionPzxid(path: string, newCversion: number, zxid: number): void {
    const node = this.nodes.get(path);
    if (node === undefined) throw new NoNode();
    const cversion = newCversion === -1 ? (node.childCounter + 1) | 0 : newCversion;
    if (cversion > node.childCounter) {
      this.removeDigest(path, node);
      node.childCounter = cversion;
      node.pzxid = zxid;
      this.addDigest(path, node);
    }
  }

  private killSession(sessionId: bigint, zxid: number, paths2Delete: string[] | null): void {
    const local = this.ephemerals.get(sessionId);
    this.ephemerals.delete(sessionId);
    const deleteAll = (paths: Iterable<string>) => {
      for (const path of paths) {
        try {
          this.deleteNode(path, zxid);
        } catch (e) {
          if (!(e instanceof NoNode)) throw e;
        }
      }
    };
    if (paths2Delete !== null) deleteAll(paths2Delete);
    if (local === undefined) return;
    if (paths2Delete !== null) for (const p of paths2Delete) local.delete(p);
    deleteAll([...local]);
  }

  /** DataTree.updateQuotaForPath: count and bytes of the whole subtree, other keys dropped. */
  private recountQuota(quotedPath: string): void {
    let count = 0;
    let bytes = 0;
    const stack = [quotedPath];
    while (stack.length > 0) {
      const path = stack.pop()!;
      const node = this.nodes.get(path);
      if (node === undefined) continue;
      count++;
      bytes += node.data?.length ?? 0;
      for (const child of node.children) stack.push(childPath(path, child));
    }
    const stat = this.nodes.get(`${QUOTA_PATH}${quotedPath}/${QUOTA_STAT_NODE}`);
    if (stat === undefined) return;
    const track = new StatsTrack();
    track.bytes = bytes;
    track.count = count;
    stat.data = textValue(track.toString());
  }

  /** DataTree.updateQuotaStat: rewrites the stats node's data in place (not a txn, no stat change). */
  private updateQuotaStat(quotedPath: string, bytesDiff: number, countDiff: number): void {
    const stat = this.nodes.get(`${QUOTA_PATH}${quotedPath}/${QUOTA_STAT_NODE}`);
    if (stat === undefined) return;
    const track = StatsTrack.parse(valueText(stat.data));
    track.count += countDiff;
    track.bytes += bytesDiff;
    stat.data = textValue(track.toString());
  }

  private addDigest(path: string, node: ZNode): void {
    this.digestSum = BigInt.asUintN(64, this.digestSum + BigInt(zkNodeDigest(path, node)));
  }

  private removeDigest(path: string, node: ZNode): void {
    this.digestSum = BigInt.asUintN(64, this.digestSum - BigInt(zkNodeDigest(path, node)));
  }
}

/** /zookeeper/config as a fresh server holds it: empty, world-readable, aversion -1. */
export function configNode(): ZNode {
  const node = newNode(Buffer.alloc(0), READ_ACL_UNSAFE, 0, 0, 0n);
  node.aversion = -1;
  return node;
}
