// The replicated state machine: znodes + sessions. The leader (or a standalone server) turns
// requests into txns with `prepare*`; every server `apply`s committed txns in zxid order. Reads
// are answered from the applied tree. No I/O, no clocks: time and zxids come in as arguments.
// This class keeps the zxid order and the views in step; the work is done by its parts:
// prepare-request.ts and prepare.ts (request -> txn), apply.ts (txn -> tree), reads.ts,
// session-table.ts, quota-accounting.ts and snapshot-format.ts.

import { ErrorCode, OpCode, Perms, type Request, type RequestOf, type Stat } from "@paddock/jute";
import { dynamicConfigText } from "../config/dynamic-config.js";
import { checkAcl, DEFAULT_ACL_SCHEMES } from "../tree/acl.js";
import { DataTree, TreeInvariantError } from "../tree/data-tree.js";
import { CONFIG_PATH } from "../tree/path.js";
import { TxnApplier } from "./apply.js";
import type { ApplyResult, ReadResult, RequestContext, StateMachineOptions } from "./contract.js";
import { PendingChanges, Scratch } from "./pending.js";
import { type PrepareEnv, prepareDeleteContainer, removeEphemerals } from "./prepare.js";
import { prepareRequestBody } from "./prepare-request.js";
import { QuotaAccounting } from "./quota-accounting.js";
import { TreeReader } from "./reads.js";
import { planReconfig, type ReconfigContext } from "./reconfig-plan.js";
import { type SessionInfo, SessionTable } from "./session-table.js";
import { SnapshotChunkReader, type SnapshotChunks, snapshotChunksOf } from "./snapshot-format.js";
import type { Txn, TxnBody } from "./txn.js";

export class StateMachine {
  private readonly tree: DataTree;
  private readonly pending: PendingChanges;
  private readonly sessions = new SessionTable();
  private readonly quota: QuotaAccounting;
  private readonly reader: TreeReader;
  private readonly applier: TxnApplier;
  // Made once: every prepare hands them out in its env.
  private readonly quotaExceeded: PrepareEnv["quotaExceeded"];
  private readonly setDataQuotaExceeded: PrepareEnv["setDataQuotaExceeded"];
  private appliedZxid = 0;
  private preparedZxid = 0;

  constructor(private readonly opts: StateMachineOptions) {
    this.tree = new DataTree(opts.extendedTypesEnabled, opts.configData);
    this.pending = new PendingChanges(this.tree);
    this.quota = new QuotaAccounting(this.tree, opts.enforceQuota === true);
    this.reader = new TreeReader(this.tree, opts.skipAcl, opts.extendedTypesEnabled, opts.letAnySaslUserDoX);
    this.applier = new TxnApplier(this.tree, this.sessions, this.quota, opts.extendedTypesEnabled);
    const quota = this.quota;
    this.quotaExceeded = (path, bytesDiff, countDiff) => quota.exceeds(path, bytesDiff, countDiff);
    this.setDataQuotaExceeded = (path, newLength) => quota.setDataExceeds(path, newLength);
  }

  /** /zookeeper/config as the server's active config has it (not a txn: see DataTree). */
  setConfigData(data: Buffer): void {
    this.tree.setConfigData(data);
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

  private env(scratch: Scratch, ctx: RequestContext): PrepareEnv {
    const global = this.sessions.isLive(ctx.sessionId);
    return {
      scratch,
      sessionId: ctx.sessionId,
      identities: ctx.identities,
      extendedTypesEnabled: this.opts.extendedTypesEnabled,
      skipAcl: this.opts.skipAcl,
      letAnySaslUserDoX: this.opts.letAnySaslUserDoX,
      aclSchemes: this.opts.authSchemes ?? DEFAULT_ACL_SCHEMES,
      sessionLive: global || ctx.localSession !== undefined,
      ephemeralRefusal: global
        ? undefined
        : ctx.localSession === "here"
          ? ErrorCode.EphemeralOnLocalSession
          : ErrorCode.SessionExpired,
      quotaExceeded: this.quotaExceeded,
      setDataQuotaExceeded: this.setDataQuotaExceeded,
    };
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
    const body = prepareRequestBody(this.env(new Scratch(this.pending), ctx), req, zxid);
    return { zxid, timeMs, sessionId: ctx.sessionId, cxid, body };
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
    this.sessions.createPrepared(sessionId, zxid);
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
    removeEphemerals(scratch, this.pending.ephemeralsOf(sessionId));
    scratch.commit(zxid);
    this.sessions.closePrepared(sessionId, zxid);
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

  /**
   * A reconfig request, refused in ZooKeeper 3.8's order (disabled, standalone, one in progress,
   * then the plan's own checks) or turned into a reconfig txn whose data is the new config at
   * version `zxid`. The ACL comes last, after the new config's quorum, which only ZAB can judge:
   * a caller without WRITE on /zookeeper/config gets a txn marked `aclDenied`, which the
   * committer answers with ZAB's refusal or NoAuth. Nothing goes to the pending view: a second
   * reconfig is refused as in progress until this one is applied.
   */
  prepareReconfig(
    req: RequestOf<OpCode.reconfig>,
    ctx: RequestContext,
    zxid: number,
    timeMs: number,
    cxid: number,
    reconfig: ReconfigContext,
  ): { txn: Txn; refusal?: string } {
    this.stampPrepare(zxid);
    const txn = (body: TxnBody): Txn => ({ zxid, timeMs, sessionId: ctx.sessionId, cxid, body });
    const refuse = (err: number, refusal: string) => ({ txn: txn({ type: "error", err }), refusal });
    if (!reconfig.enabled) return refuse(ErrorCode.ReconfigDisabled, "reconfigEnabled is false");
    const members = reconfig.members?.();
    if (members === undefined) return refuse(ErrorCode.Unimplemented, "a standalone server has no ensemble");
    if (members.inProgress)
      return refuse(ErrorCode.ReconfigInProgress, "another reconfig is not committed yet");
    const planned = planReconfig(req, members.current, reconfig.standaloneEnabled);
    if (!planned.ok) return refuse(planned.err, planned.reason);
    const { servers, voters, observers } = planned.plan;
    const data = Buffer.from(dynamicConfigText(servers.values(), BigInt(zxid)));
    const acl = this.tree.get(CONFIG_PATH)?.acl ?? [];
    const aclDenied = !checkAcl(
      acl,
      Perms.WRITE,
      ctx.identities,
      this.opts.skipAcl,
      this.opts.letAnySaslUserDoX,
    );
    return { txn: txn({ type: "reconfig", data, voters, observers, ...(aclDenied ? { aclDenied } : {}) }) };
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
    this.sessions.discardPrepared();
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
    const result = this.applier.apply(txn, requestType);
    this.appliedZxid = txn.zxid;
    if (this.preparedZxid < txn.zxid) this.preparedZxid = txn.zxid;
    this.pending.appliedUpTo(txn.zxid);
    this.sessions.appliedUpTo(txn.zxid);
    return result;
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
    return this.sessions.get(id);
  }

  sessionIds(): bigint[] {
    return this.sessions.ids();
  }

  /** True when a closeSession for `id` is prepared but not yet applied. */
  isSessionClosing(id: bigint): boolean {
    return this.sessions.isClosing(id);
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
  snapshotView(): SnapshotChunks {
    return snapshotChunksOf(this.appliedZxid, this.sessions.entries(), this.tree.openView());
  }

  /** Rebuilds a state machine from `snapshotChunks` output; throws on anything malformed. */
  static fromSnapshot(opts: StateMachineOptions, chunks: Iterable<Buffer>): StateMachine {
    const builder = StateMachine.snapshotBuilder(opts);
    for (const chunk of chunks) builder.push(chunk);
    return builder.finish();
  }

  /** fromSnapshot for chunks read as they come (a file): only one chunk is held at a time. */
  static async fromSnapshotStream(
    opts: StateMachineOptions,
    chunks: AsyncIterable<Buffer>,
  ): Promise<StateMachine> {
    const builder = StateMachine.snapshotBuilder(opts);
    for await (const chunk of chunks) builder.push(chunk);
    return builder.finish();
  }

  /**
   * fromSnapshot one snapshot chunk per step: it yields after each chunk, so a learner loading a
   * large SNAP can keep answering its peers in between.
   */
  static *fromSnapshotInSteps(
    opts: StateMachineOptions,
    chunks: Iterable<Buffer>,
  ): Generator<void, StateMachine> {
    const builder = StateMachine.snapshotBuilder(opts);
    for (const chunk of chunks) {
      builder.push(chunk);
      yield;
    }
    return builder.finish();
  }

  private static snapshotBuilder(opts: StateMachineOptions): {
    push(chunk: Buffer): void;
    finish(): StateMachine;
  } {
    const sm = new StateMachine(opts);
    const reader = new SnapshotChunkReader({
      session: (id, info) => sm.sessions.put(id, info),
      node: (path, node) => sm.tree.restore(path, node),
    });
    return {
      push: (chunk) => reader.push(chunk),
      finish: () => {
        const { zxid, nodeCount } = reader.finish();
        sm.tree.restored();
        sm.appliedZxid = zxid;
        sm.preparedZxid = zxid;
        // As ZooKeeper at every start: this server's configuration, whatever the snapshot holds.
        sm.tree.setConfigData(opts.configData ?? Buffer.alloc(0));
        sm.quota.restoreRoots();
        if (sm.tree.size !== nodeCount) {
          throw new TreeInvariantError(
            `snapshot: header promised ${nodeCount} nodes, tree has ${sm.tree.size}`,
          );
        }
        return sm;
      },
    };
  }

  /**
   * Deterministic digest of all nodes and sessions (32 hex digits: tree, then sessions). It is
   * maintained incrementally, so calling it after every txn is cheap; the zxid is not part of it.
   */
  digest(): string {
    return `${this.tree.digest.toString(16).padStart(16, "0")}${this.sessions.digest.toString(16).padStart(16, "0")}`;
  }

  /** The tree part of `digest()` as an unsigned 64-bit number (for the `hash` 4lw). */
  treeDigest(): bigint {
    return this.tree.digest;
  }
}
