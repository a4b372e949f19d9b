// The replicated state machine: znodes + sessions. The leader (or a standalone server) turns
// requests into txns with `prepare*`; every server `apply`s committed txns in zxid order. Reads
// are answered from the applied tree. No I/O, no clocks: time and zxids come in as arguments.

import { createHash } from "node:crypto";
import {
  ErrorCode,
  EventType,
  type JuteWriter,
  MULTI_WRITE_OPS,
  OpCode,
  type OpResult,
  type Request,
  type Stat,
  writeMultiResponse,
  writeStat,
} from "@paddock/jute";
import { DataTree, TreeInvariantError } from "../tree/data-tree.js";
import { statOf, type ZNode } from "../tree/node.js";
import { baseName, parentOf } from "../tree/path.js";
import {
  limitNodeOf,
  QUOTA_LIMIT_NODE,
  QUOTA_STAT_NODE,
  QuotaRoots,
  quotedPathOf,
  StatsTrack,
  statNodeOf,
} from "../tree/quota.js";
import type {
  ApplyResult,
  ReadResult,
  RequestContext,
  StateMachineOptions,
  TriggeredEvent,
} from "./contract.js";
import { PendingChanges, Scratch } from "./pending.js";
import {
  type Prepared,
  type PrepareEnv,
  prepareCheck,
  prepareCreate,
  prepareDelete,
  prepareDeleteContainer,
  prepareSetAcl,
  prepareSetData,
} from "./prepare.js";
import { TreeReader } from "./reads.js";
import { readSnapshotChunks, snapshotChunksOf } from "./snapshot-format.js";
import type { CreateTxn, MultiOpTxn, SetAclTxn, SetDataTxn, Txn, TxnBody } from "./txn.js";

const WRITE_OPCODES: ReadonlySet<number> = new Set([
  OpCode.create,
  OpCode.delete,
  OpCode.setData,
  OpCode.setACL,
  OpCode.check,
  OpCode.multi,
  OpCode.create2,
  OpCode.reconfig,
  OpCode.createContainer,
  OpCode.deleteContainer,
  OpCode.createTTL,
]);

/** Requests that go through prepare -> replicate -> apply (session create/close have their own entries). */
export function isWriteRequest(type: number): boolean {
  return WRITE_OPCODES.has(type);
}

export interface SessionInfo {
  timeoutMs: number;
  passwd: Buffer;
}

function sessionHash(id: bigint, info: SessionInfo): bigint {
  const head = Buffer.allocUnsafe(12);
  head.writeBigInt64BE(BigInt.asIntN(64, id), 0);
  head.writeInt32BE(info.timeoutMs | 0, 8);
  return createHash("sha1").update(head).update(info.passwd).digest().readBigUInt64BE(0);
}

const NO_BODY = (_w: JuteWriter): void => {};

function errorResult(err: number): ApplyResult {
  return { err, events: [], closedSessions: [] };
}

function isCreateOpcode(type: number): type is CreateTxn["opcode"] {
  return (
    type === OpCode.create ||
    type === OpCode.create2 ||
    type === OpCode.createContainer ||
    type === OpCode.createTTL
  );
}

export class StateMachine {
  private readonly tree: DataTree;
  private readonly pending: PendingChanges;
  private readonly sessions = new Map<bigint, SessionInfo>();
  /** Sessions whose createSession was prepared but not applied, by zxid. */
  private readonly pendingSessionCreates = new Map<bigint, number>();
  /** Sessions whose closeSession was prepared but not applied, by zxid. */
  private readonly pendingSessionCloses = new Map<bigint, number>();
  private appliedZxid = 0;
  private preparedZxid = 0;
  private sessionDigestSum = 0n;
  private readonly quotaRoots = new QuotaRoots();

  private readonly reader: TreeReader;

  constructor(private readonly opts: StateMachineOptions) {
    this.tree = new DataTree(opts.extendedTypesEnabled, opts.configData);
    this.pending = new PendingChanges(this.tree);
    this.reader = new TreeReader(this.tree, opts.skipAcl, opts.extendedTypesEnabled);
  }

  /** zxid of the last applied txn (0 initially). */
  get lastZxid(): number {
    return this.appliedZxid;
  }

  // -------------------------------------------------------------------------------------------
  // prepare (leader / standalone only)

  private stampPrepare(zxid: number): void {
    const floor = Math.max(this.appliedZxid, this.preparedZxid);
    if (!(zxid > floor)) {
      throw new TreeInvariantError(`prepare: zxid ${zxid} is not above the last prepared/applied ${floor}`);
    }
    this.preparedZxid = zxid;
  }

  private sessionLive(sessionId: bigint): boolean {
    if (this.pendingSessionCloses.has(sessionId)) return false;
    return this.sessions.has(sessionId) || this.pendingSessionCreates.has(sessionId);
  }

  private env(scratch: Scratch, ctx: RequestContext): PrepareEnv {
    return {
      scratch,
      sessionId: ctx.sessionId,
      identities: ctx.identities,
      extendedTypesEnabled: this.opts.extendedTypesEnabled,
      skipAcl: this.opts.skipAcl,
      sessionLive: this.sessionLive(ctx.sessionId),
      quotaExceeded: (path, bytesDiff, countDiff) => this.quotaExceeded(path, bytesDiff, countDiff),
      appliedDataLength: (path) => this.tree.get(path)?.data?.length ?? 0,
    };
  }

  /**
   * ZooKeeper's quota check: only hard limits fail a request, judged against the applied stats
   * (not the pending view), and only with enforceQuota on.
   */
  private quotaExceeded(path: string, bytesDiff: number, countDiff: number): boolean {
    if (this.opts.enforceQuota !== true) return false;
    const root = this.quotaRoots.maxPrefix(path);
    if (root === undefined) return false;
    const limitsNode = this.tree.get(limitNodeOf(root));
    if (limitsNode === undefined) return false;
    const limits = StatsTrack.parse(limitsNode.data?.toString("utf8") ?? "");
    const countHard = limits.values.get("countHardLimit") ?? -1;
    const bytesHard = limits.values.get("byteHardLimit") ?? -1;
    const checkCount = countDiff !== 0 && (limits.count > -1 || countHard > -1);
    const checkBytes = bytesDiff !== 0 && (limits.bytes > -1 || bytesHard > -1);
    if (!checkCount && !checkBytes) return false;
    const statsNode = this.tree.get(statNodeOf(root));
    if (statsNode === undefined) return false;
    const current = StatsTrack.parse(statsNode.data?.toString("utf8") ?? "");
    // Soft limits (count/bytes) only make ZooKeeper log; hard limits refuse the change.
    if (checkCount && countHard > -1 && current.count + countDiff > countHard) return true;
    if (checkBytes && bytesHard > -1 && current.bytes + bytesDiff > bytesHard) return true;
    return false;
  }

  private prepareOp(env: PrepareEnv, op: Request): Prepared<TxnBody> {
    switch (op.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        return prepareCreate(env, op);
      case OpCode.delete:
        return prepareDelete(env, op);
      case OpCode.setData:
        return prepareSetData(env, op);
      case OpCode.setACL:
        return prepareSetAcl(env, op);
      case OpCode.check:
        return prepareCheck(env, op);
      default:
        return { ok: false, err: ErrorCode.Unimplemented };
    }
  }

  /**
   * Validates a client write against the applied tree plus every prepared-but-unapplied txn and
   * returns the txn to replicate. Failures come back as error txns (they still take `zxid`).
   * `zxid` must be above every zxid prepared or applied before.
   */
  prepare(req: Request, ctx: RequestContext, zxid: number, timeMs: number, cxid: number): Txn {
    if (req.type === OpCode.closeSession) {
      const txn = this.prepareCloseSession(ctx.sessionId, zxid, timeMs);
      return { ...txn, cxid };
    }
    this.stampPrepare(zxid);
    const txn = (body: TxnBody): Txn => ({ zxid, timeMs, sessionId: ctx.sessionId, cxid, body });
    const scratch = new Scratch(this.pending);
    const env = this.env(scratch, ctx);
    switch (req.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
      case OpCode.delete:
      case OpCode.setData:
      case OpCode.setACL:
      case OpCode.check: {
        const prepared = this.prepareOp(env, req);
        if (!prepared.ok) return txn({ type: "error", err: prepared.err });
        scratch.commit(zxid);
        return txn(prepared.body);
      }
      case OpCode.multi:
        return txn(this.prepareMulti(env, req.ops, zxid));
      case OpCode.reconfig:
        // Dynamic reconfiguration is not supported: ZooKeeper's answer with reconfigEnabled=false.
        return txn({ type: "error", err: ErrorCode.ReconfigDisabled });
      case OpCode.deleteContainer:
        // Only the container scanner deletes containers (prepareDeleteContainer); clients may not.
        return txn({ type: "error", err: ErrorCode.Unimplemented });
      default:
        return txn({ type: "error", err: ErrorCode.Unimplemented });
    }
  }

  private prepareMulti(env: PrepareEnv, ops: readonly Request[], zxid: number): TxnBody {
    const bodies: MultiOpTxn[] = [];
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      // The jute decoder admits only these; anything else is refused like an undecodable op.
      const prepared: Prepared<TxnBody> = MULTI_WRITE_OPS.has(op.type)
        ? this.prepareOp(env, op)
        : { ok: false, err: ErrorCode.MarshallingError };
      if (!prepared.ok) {
        // Nothing of a failed multi reaches the pending view: the scratch is simply dropped.
        return {
          type: "multi",
          ops: ops.map((_, j) => ({
            type: "error",
            err: j < i ? ErrorCode.OK : j === i ? prepared.err : ErrorCode.RuntimeInconsistency,
          })),
        };
      }
      const body = prepared.body;
      if (
        body.type !== "create" &&
        body.type !== "delete" &&
        body.type !== "setData" &&
        body.type !== "check"
      ) {
        throw new TreeInvariantError(`multi: op ${op.type} prepared into a ${body.type} txn`);
      }
      bodies.push(body);
    }
    env.scratch.commit(zxid);
    return { type: "multi", ops: bodies };
  }

  prepareCreateSession(
    sessionId: bigint,
    timeoutMs: number,
    passwd: Buffer,
    zxid: number,
    timeMs: number,
  ): Txn {
    // A repeated id (e.g. a follower retrying) re-registers the session, as ZooKeeper's tracker
    // does; it must not take the leader down.
    this.stampPrepare(zxid);
    this.pendingSessionCreates.set(sessionId, zxid);
    return {
      zxid,
      timeMs,
      sessionId,
      cxid: 0,
      body: { type: "createSession", timeoutMs, passwd: Buffer.from(passwd) },
    };
  }

  /** closeSession from the client or from expiry: the session's ephemerals go with it. */
  prepareCloseSession(sessionId: bigint, zxid: number, timeMs: number): Txn {
    this.stampPrepare(zxid);
    const scratch = new Scratch(this.pending);
    for (const path of this.pending.ephemeralsOf(sessionId)) {
      const parentPath = parentOf(path)!;
      const parent = scratch.get(parentPath);
      if (parent !== undefined) scratch.set(parentPath, { ...parent, numChildren: parent.numChildren - 1 });
      scratch.set(path, null);
    }
    scratch.commit(zxid);
    this.pendingSessionCloses.set(sessionId, zxid);
    return { zxid, timeMs, sessionId, cxid: 0, body: { type: "closeSession" } };
  }

  /**
   * A write that failed before it could be prepared (its body did not decode): still a txn with
   * its own zxid, as ZooKeeper makes it.
   */
  prepareError(sessionId: bigint, err: number, zxid: number, timeMs: number, cxid: number): Txn {
    this.stampPrepare(zxid);
    return { zxid, timeMs, sessionId, cxid, body: { type: "error", err } };
  }

  /** From the container/TTL scanner; fails (error txn) when the node gained a child meanwhile. */
  prepareDeleteContainer(path: string, zxid: number, timeMs: number): Txn {
    this.stampPrepare(zxid);
    const scratch = new Scratch(this.pending);
    const env = this.env(scratch, { sessionId: 0n, identities: [] });
    const prepared = prepareDeleteContainer(env, path);
    if (!prepared.ok)
      return { zxid, timeMs, sessionId: 0n, cxid: 0, body: { type: "error", err: prepared.err } };
    scratch.commit(zxid);
    return { zxid, timeMs, sessionId: 0n, cxid: 0, body: prepared.body };
  }

  /**
   * Forgets every prepared-but-unapplied change, for a leader that lost leadership: its
   * proposals may never commit, and the next leader prepares from the applied tree.
   */
  discardPending(): void {
    this.pending.clear();
    this.pendingSessionCreates.clear();
    this.pendingSessionCloses.clear();
    this.preparedZxid = this.appliedZxid;
  }

  // -------------------------------------------------------------------------------------------
  // apply (every server, zxid order)

  /**
   * Applies a committed txn. `requestType` is the originating opcode when this server holds the
   * request; it only picks the response shape of creates (the txn carries its own opcode too).
   */
  apply(txn: Txn, requestType?: number): ApplyResult {
    if (!(txn.zxid > this.appliedZxid)) {
      throw new TreeInvariantError(
        `apply: zxid ${txn.zxid} is not above the last applied ${this.appliedZxid}`,
      );
    }
    const result = this.applyBody(txn, requestType);
    this.appliedZxid = txn.zxid;
    if (this.preparedZxid < txn.zxid) this.preparedZxid = txn.zxid;
    this.pending.appliedUpTo(txn.zxid);
    for (const [id, zxid] of this.pendingSessionCreates)
      if (zxid <= txn.zxid) this.pendingSessionCreates.delete(id);
    for (const [id, zxid] of this.pendingSessionCloses)
      if (zxid <= txn.zxid) this.pendingSessionCloses.delete(id);
    return result;
  }

  private applyBody(txn: Txn, requestType: number | undefined): ApplyResult {
    const body = txn.body;
    const events: TriggeredEvent[] = [];
    switch (body.type) {
      case "error":
        return errorResult(body.err);
      case "create": {
        const node = this.applyCreate(body, txn, events);
        const opcode = requestType !== undefined && isCreateOpcode(requestType) ? requestType : body.opcode;
        const path = body.path;
        if (opcode === OpCode.create) {
          return { err: 0, events, closedSessions: [], writeBody: (w) => w.writeString(path) };
        }
        const stat = this.statOf(node);
        return {
          err: 0,
          events,
          closedSessions: [],
          writeBody: (w) => {
            w.writeString(path);
            writeStat(w, stat);
          },
        };
      }
      case "delete":
      case "deleteContainer":
        this.applyDelete(body.path, txn.zxid, events);
        return { err: 0, events, closedSessions: [], writeBody: NO_BODY };
      case "setData": {
        const stat = this.statOf(this.applySetData(body, txn, events));
        return { err: 0, events, closedSessions: [], writeBody: (w) => writeStat(w, stat) };
      }
      case "setACL": {
        const stat = this.statOf(this.applySetAcl(body, txn));
        return { err: 0, events, closedSessions: [], writeBody: (w) => writeStat(w, stat) };
      }
      case "check":
        return { err: 0, events, closedSessions: [], writeBody: NO_BODY };
      case "multi": {
        const results = this.applyMulti(body.ops, txn, events);
        return { err: 0, events, closedSessions: [], writeBody: (w) => writeMultiResponse(w, results) };
      }
      case "createSession":
        this.putSession(txn.sessionId, { timeoutMs: body.timeoutMs, passwd: Buffer.from(body.passwd) });
        return { err: 0, events, closedSessions: [], writeBody: NO_BODY };
      case "closeSession":
        for (const path of this.tree.ephemeralsOf(txn.sessionId)) this.applyDelete(path, txn.zxid, events);
        this.dropSession(txn.sessionId);
        return { err: 0, events, closedSessions: [txn.sessionId], writeBody: NO_BODY };
    }
  }

  private applyCreate(body: CreateTxn, txn: Txn, events: TriggeredEvent[]): ZNode {
    // insert/update throw if the parent is missing: prepare guaranteed it exists.
    const parentPath = parentOf(body.path);
    if (parentPath === undefined)
      throw new TreeInvariantError(`apply create ${body.path} (zxid ${txn.zxid})`);
    const node: ZNode = {
      data: body.data,
      acl: body.acl,
      czxid: txn.zxid,
      mzxid: txn.zxid,
      ctimeMs: txn.timeMs,
      mtimeMs: txn.timeMs,
      version: 0,
      childCounter: 0,
      aversion: 0,
      ephemeralOwner: body.ephemeralOwner,
      pzxid: txn.zxid,
      children: new Set(),
    };
    this.tree.insert(body.path, node);
    const parent = this.tree.update(parentPath, { childCounter: body.parentChildCounter, pzxid: txn.zxid });
    const quoted = quotedPathOf(parentPath);
    if (quoted !== undefined) {
      const name = baseName(body.path);
      if (name === QUOTA_LIMIT_NODE) this.quotaRoots.add(quoted);
      if (name === QUOTA_STAT_NODE) this.recountQuota(quoted);
    }
    this.adjustQuota(body.path, body.data?.length ?? 0, 1);
    events.push(
      { type: EventType.NodeCreated, path: body.path, acl: node.acl },
      { type: EventType.NodeChildrenChanged, path: parentPath, acl: parent.acl },
    );
    return node;
  }

  private applyDelete(path: string, zxid: number, events: TriggeredEvent[]): void {
    const parentPath = parentOf(path);
    if (parentPath === undefined) throw new TreeInvariantError(`apply delete ${path} (zxid ${zxid})`);
    const removed = this.tree.remove(path);
    const parent = this.tree.update(parentPath, { pzxid: zxid });
    const quoted = quotedPathOf(parentPath);
    if (quoted !== undefined && baseName(path) === QUOTA_LIMIT_NODE) this.quotaRoots.delete(quoted);
    this.adjustQuota(path, -(removed.data?.length ?? 0), -1);
    events.push(
      { type: EventType.NodeDeleted, path, acl: removed.acl },
      { type: EventType.NodeChildrenChanged, path: parentPath, acl: parent.acl },
    );
  }

  private existing(path: string, zxid: number): ZNode {
    const node = this.tree.get(path);
    if (node === undefined) throw new TreeInvariantError(`apply (zxid ${zxid}): ${path} does not exist`);
    return node;
  }

  private applySetData(body: SetDataTxn, txn: Txn, events: TriggeredEvent[]): ZNode {
    const before = this.existing(body.path, txn.zxid).data?.length ?? 0;
    const node = this.tree.update(body.path, {
      data: body.data,
      version: body.version,
      mzxid: txn.zxid,
      mtimeMs: txn.timeMs,
    });
    this.adjustQuota(body.path, (body.data?.length ?? 0) - before, 0);
    events.push({ type: EventType.NodeDataChanged, path: body.path, acl: node.acl });
    return node;
  }

  private applySetAcl(body: SetAclTxn, txn: Txn): ZNode {
    this.existing(body.path, txn.zxid);
    return this.tree.update(body.path, { acl: body.acl, aversion: body.aversion });
  }

  private applyMulti(ops: readonly MultiOpTxn[], txn: Txn, events: TriggeredEvent[]): OpResult[] {
    if (ops.some((op) => op.type === "error")) {
      return ops.map((op) => ({ type: OpCode.error, err: op.type === "error" ? op.err : ErrorCode.OK }));
    }
    const results: OpResult[] = [];
    for (const op of ops) {
      switch (op.type) {
        case "create": {
          const node = this.applyCreate(op, txn, events);
          results.push(
            op.opcode === OpCode.create
              ? { type: OpCode.create, path: op.path }
              : { type: OpCode.create2, path: op.path, stat: this.statOf(node) },
          );
          break;
        }
        case "delete":
          this.applyDelete(op.path, txn.zxid, events);
          results.push({ type: OpCode.delete });
          break;
        case "setData":
          results.push({ type: OpCode.setData, stat: this.statOf(this.applySetData(op, txn, events)) });
          break;
        case "check":
          results.push({ type: OpCode.check });
          break;
        case "error":
          throw new TreeInvariantError("unreachable: error op in a successful multi");
      }
    }
    return results;
  }

  /** Quota stats follow every change below a quota root (§16); no events, no stat change. */
  private adjustQuota(path: string, bytesDiff: number, countDiff: number): void {
    const root = this.quotaRoots.maxPrefix(path);
    if (root === undefined) return;
    const statPath = statNodeOf(root);
    const statNode = this.tree.get(statPath);
    if (statNode === undefined) return;
    const track = StatsTrack.parse(statNode.data?.toString("utf8") ?? "");
    track.count += countDiff;
    track.bytes += bytesDiff;
    this.tree.update(statPath, { data: Buffer.from(track.toString(), "utf8") });
  }

  /** A new stats node starts from the current size of the subtree it describes. */
  private recountQuota(quoted: string): void {
    let count = 0;
    let bytes = 0;
    if (this.tree.has(quoted)) {
      const stack = [quoted];
      while (stack.length > 0) {
        const path = stack.pop()!;
        const node = this.tree.get(path)!;
        count++;
        bytes += node.data?.length ?? 0;
        for (const child of node.children) stack.push(path === "/" ? `/${child}` : `${path}/${child}`);
      }
    }
    const track = new StatsTrack();
    track.count = count;
    track.bytes = bytes;
    this.tree.update(statNodeOf(quoted), { data: Buffer.from(track.toString(), "utf8") });
  }

  private statOf(node: ZNode): Stat {
    return statOf(node, this.opts.extendedTypesEnabled);
  }

  read(req: Request, ctx: RequestContext): ReadResult {
    return this.reader.read(req, ctx);
  }

  // -------------------------------------------------------------------------------------------
  // sessions and introspection

  hasSession(id: bigint): boolean {
    return this.sessions.has(id);
  }

  session(id: bigint): SessionInfo | undefined {
    const s = this.sessions.get(id);
    return s === undefined ? undefined : { timeoutMs: s.timeoutMs, passwd: Buffer.from(s.passwd) };
  }

  sessionIds(): bigint[] {
    return [...this.sessions.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** True when a closeSession for `id` is prepared but not yet applied. */
  isSessionClosing(id: bigint): boolean {
    return this.pendingSessionCloses.has(id);
  }

  ephemeralsOf(id: bigint): string[] {
    return this.tree.ephemeralsOf(id);
  }

  nodeStat(path: string): Stat | undefined {
    return this.tree.stat(path);
  }

  /**
   * ZooKeeper's zk_znode_count: its node map also holds "" as an alias of the root, so a fresh
   * server reports 5 for its 4 nodes. We add that 1 to stay comparable.
   */
  nodeCount(): number {
    return this.tree.size + 1;
  }

  /**
   * ZooKeeper's zk_approximate_data_size: path length + data length over its node map, whose ""
   * alias of the root counts the root's data a second time.
   */
  approximateDataSizeBytes(): number {
    return this.tree.approximateDataSizeBytes + (this.tree.get("/")?.data?.length ?? 0);
  }

  /**
   * Nodes the container scanner should try to delete: empty containers that once had a child
   * (or, with `maxNeverUsedIntervalMs` > 0, were never used for that long) and childless TTL
   * nodes with `nowMs - mtime > ttl`. Sorted.
   */
  containerCandidates(nowMs: number, maxNeverUsedIntervalMs = 0): string[] {
    // A delete already prepared for a candidate must not be proposed again.
    return this.tree
      .containerCandidates(nowMs, maxNeverUsedIntervalMs)
      .filter((path) => this.pending.get(path) !== undefined);
  }

  // -------------------------------------------------------------------------------------------
  // snapshots

  /**
   * The applied state (nodes + sessions) as of `lastZxid`, serialized eagerly: txns applied
   * while the chunks are being written cannot tear the snapshot. The first chunk is a header;
   * each further chunk holds whole node records, parents before children.
   */
  snapshotChunks(maxChunkBytes = 512 * 1024): Buffer[] {
    return [...this.snapshotView().chunks(maxChunkBytes)];
  }

  /**
   * The state as of the last applied txn, serialised lazily: sessions are copied now (O(sessions)),
   * nodes through a copy-on-write TreeView, so taking it costs no pass over the tree and applies
   * may go on while the chunks are built and written out. Each chunk is built only when the
   * consumer asks for it; reading to the end, or release(), closes the view.
   */
  snapshotView(): { zxid: number; chunks(maxChunkBytes?: number): Generator<Buffer>; release(): void } {
    const sessions = this.sessionIds().map((id) => ({ id, ...this.sessions.get(id)! }));
    return snapshotChunksOf(this.appliedZxid, sessions, this.tree.openView());
  }

  /** Rebuilds a state machine from `snapshotChunks` output; throws on anything malformed. */
  static fromSnapshot(opts: StateMachineOptions, chunks: Iterable<Buffer>): StateMachine {
    const sm = new StateMachine(opts);
    const { zxid, nodeCount } = readSnapshotChunks(chunks, {
      session: (id, info) => sm.putSession(id, info),
      node: (path, fields) => sm.tree.restore(path, { ...fields, children: new Set() }),
    });
    sm.appliedZxid = zxid;
    sm.preparedZxid = zxid;
    for (const path of sm.tree.paths()) {
      if (baseName(path) !== QUOTA_LIMIT_NODE) continue;
      const quoted = quotedPathOf(parentOf(path)!);
      if (quoted !== undefined) sm.quotaRoots.add(quoted);
    }
    if (sm.tree.size !== nodeCount) {
      throw new TreeInvariantError(`snapshot: header promised ${nodeCount} nodes, tree has ${sm.tree.size}`);
    }
    return sm;
  }

  /**
   * Deterministic digest of all nodes and sessions (32 hex digits: tree, then sessions). It is
   * maintained incrementally, so calling it after every txn is cheap; the zxid is not part of it.
   */
  digest(): string {
    return `${this.tree.digest.toString(16).padStart(16, "0")}${this.sessionDigestSum.toString(16).padStart(16, "0")}`;
  }

  /** The tree part of `digest()` as an unsigned 64-bit number (for the `hash` 4lw). */
  treeDigest(): bigint {
    return this.tree.digest;
  }

  private putSession(id: bigint, info: SessionInfo): void {
    this.dropSession(id);
    this.sessions.set(id, info);
    this.sessionDigestSum = BigInt.asUintN(64, this.sessionDigestSum + sessionHash(id, info));
  }

  private dropSession(id: bigint): void {
    const info = this.sessions.get(id);
    if (info === undefined) return;
    this.sessions.delete(id);
    this.sessionDigestSum = BigInt.asUintN(64, this.sessionDigestSum - sessionHash(id, info));
  }
}
