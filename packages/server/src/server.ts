import { randomBytes, randomInt } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join, resolve } from "node:path";
import {
  type ConnectRequest,
  ErrorCode,
  JuteDecodeError,
  JuteReader,
  type JuteWriter,
  OpCode,
  Perms,
  type Request,
  readRequest,
  writeClientInfo,
  Xid,
} from "@paddock/jute";
import type { ServerMode } from "./admin/four-letter-words.js";
import type { ServerConfig } from "./config/index.js";
import type { Logger } from "./logger.js";
import { ClientConnection, type ConnectionHost, hex } from "./net/client-connection.js";
import { decodeForwarded, encodeForwarded } from "./quorum/forward.js";
import { type QuorumHost, QuorumRuntime, type RoleChange } from "./quorum/runtime.js";
import type { ReadResult, RequestContext, StateMachineOptions } from "./request/contract.js";
import { decodeTxn, encodeTxn, isWriteRequest, StateMachine, type Txn } from "./request/index.js";
import { SessionIdGenerator } from "./session/session-id.js";
import { negotiateTimeoutMs, SessionTracker } from "./session/session-tracker.js";
import {
  type AutoPurge,
  recoverStorage,
  type SnapshotStore,
  type SummaryStat,
  startAutoPurge,
  type TxnLog,
} from "./storage/index.js";
import { checkAcl, digestId } from "./tree/acl.js";
import { type WatchEventFilter, WatchManager } from "./watch/watch-manager.js";
import type { LogEntry, SessionTouch } from "./zab/messages.js";
import { ZabError } from "./zab/types.js";

/** Why a txn was proposed, so its apply can answer the right party. */
type Origin =
  | {
      kind: "request";
      conn: ClientConnection;
      handle: object;
      xid: number;
      type: number;
      closeAfter: boolean;
    }
  | { kind: "createSession"; conn: ClientConnection; timeoutMs: number; passwd: Buffer };

/** Requests a client may send that never reach the state machine or the read path. */
const REJECTED_OPCODES: ReadonlySet<number> = new Set([
  OpCode.notification,
  OpCode.check, // top-level check: Unimplemented + close since ZooKeeper 3.8.5 (ZOOKEEPER-2623)
  OpCode.createSession,
  OpCode.deleteContainer, // internal to the container manager; ZooKeeper's acceptance is a hole
  OpCode.sasl,
  OpCode.error,
]);

export interface ServerCounters {
  packetsReceived: number;
  packetsSent: number;
  minLatencyMs: number;
  maxLatencyMs: number;
  totalLatencyMs: number;
  latencyCount: number;
}

/** A txn on its way to disk; it is applied once it and every txn before it are durable. */
interface InFlightTxn {
  txn: Txn;
  durable: boolean;
}

/**
 * A standalone Paddock server: the client port, sessions, watches and the request pipeline
 * prepare -> log (group commit, fsync) -> apply -> reply. Nothing is applied, and so nothing is
 * answered or visible to readers, before it is on disk.
 */
export class PaddockServer implements ConnectionHost {
  sm: StateMachine;
  readonly watches = new WatchManager();
  readonly sessions: SessionTracker;
  readonly maxBufferBytes: number;
  readonly maxOutstandingPerConnection = 1000;
  readonly startedAtMs = Date.now();

  private readonly sessionIds: SessionIdGenerator;
  private tcp: Server | undefined;
  private readonly connections = new Set<ClientConnection>();
  private readonly connectionBySession = new Map<bigint, ClientConnection>();
  private readonly connectionsPerIp = new Map<string, number>();
  private readonly origins = new Map<number, Origin>();
  private lastProposedZxid: number;
  /** Txns handed to the log, in zxid order, not yet applied. */
  private readonly inFlight: InFlightTxn[] = [];
  private txnLog: TxnLog | undefined;
  private snapshots: SnapshotStore | undefined;
  private autoPurge: AutoPurge | undefined;
  private txnsSinceSnapshot = 0;
  /** ZooKeeper randomises the snapshot point so the members of an ensemble do not all snapshot at once. */
  private snapshotAfterTxns: number;
  private snapshotInProgress = false;
  private readonly smOptions: StateMachineOptions;
  /** Longest synchronous pause taken to serialise a snapshot, for the storage benchmark. */
  lastSnapshotPauseMs = 0;
  private expiryTimer: NodeJS.Timeout | undefined;
  private expiryTimerAtMs = Number.POSITIVE_INFINITY;
  private containerTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  /** Replicated mode (server.N lines): the ZAB runtime; undefined when standalone. */
  quorum: QuorumRuntime | undefined;
  /** Recovery in replicated mode: log entries after the snapshot, left for ZAB to commit. */
  private recoveredEntries: LogEntry[] = [];
  /** Learner: writes handed to the leader, per session in request order, awaiting their commit. */
  private readonly forwarded = new Map<bigint, Origin[]>();
  /** Learner: reconnects of existing sessions waiting for the leader's word. */
  private readonly revalidating = new Map<bigint, { conn: ClientConnection; timeoutMs: number }[]>();
  private readonly syncs = new Map<
    number,
    { conn: ClientConnection; handle: object; xid: number; path: string }
  >();
  private nextSyncId = 1;
  /** Leader: txns prepared this turn, proposed together (one PROPOSAL) at the end of it. */
  private proposeBatch: Txn[] = [];
  private proposeScheduled = false;
  /** Learner: sessions active since the last report to the leader. */
  private readonly localTouches = new Map<bigint, number>();
  private touchTimer: NodeJS.Timeout | undefined;
  /** Leader: sizes of the txns proposed in this term (srvr/mntr), -1 before the first. */
  readonly proposals = { count: 0, lastBytes: -1, minBytes: -1, maxBytes: -1 };
  readonly counters: ServerCounters = {
    packetsReceived: 0,
    packetsSent: 0,
    minLatencyMs: Number.MAX_SAFE_INTEGER,
    maxLatencyMs: 0,
    totalLatencyMs: 0,
    latencyCount: 0,
  };

  constructor(
    readonly config: ServerConfig,
    readonly log: Logger,
  ) {
    this.maxBufferBytes = config.juteMaxBufferBytes;
    this.smOptions = {
      extendedTypesEnabled: config.extendedTypesEnabled,
      skipAcl: config.skipAcl,
      superDigest: config.superDigest,
      enforceQuota: config.enforceQuota,
    };
    this.sm = new StateMachine(this.smOptions);
    this.snapshotAfterTxns = this.nextSnapshotPoint();
    this.lastProposedZxid = this.sm.lastZxid;
    this.sessions = new SessionTracker(config.tickTimeMs);
    this.sessionIds = new SessionIdGenerator(config.standalone ? 1 : (config.myid ?? 1), Date.now());
  }

  get port(): number {
    const addr = this.tcp?.address();
    return addr !== null && typeof addr === "object" ? addr.port : 0;
  }

  get snapshotDir(): string {
    return join(resolve(this.config.dataDir), "version-2");
  }

  /** Group-commit figures for mntr (fsynctime, sync_processor_batch_size), once recovered. */
  get txnLogSummaries(): Record<string, SummaryStat> {
    const log = this.txnLog;
    if (log === undefined) return {};
    return { fsynctime: { ...log.fsyncTimeMs }, sync_processor_batch_size: { ...log.batchSize } };
  }

  get txnLogDir(): string {
    return join(resolve(this.config.dataLogDir || this.config.dataDir), "version-2");
  }

  private nextSnapshotPoint(): number {
    const half = Math.max(1, Math.floor(this.config.snapCount / 2));
    return half + randomInt(half);
  }

  /** Rebuilds the tree and sessions from the newest valid snapshot plus the txn log after it. */
  private async recover(): Promise<void> {
    mkdirSync(this.snapshotDir, { recursive: true });
    mkdirSync(this.txnLogDir, { recursive: true });
    const logger = this.log.child({ part: "storage" });
    const recovered = await recoverStorage(
      this.snapshotDir,
      this.txnLogDir,
      {
        loadSnapshot: async (chunks) => {
          const all: Buffer[] = [];
          for await (const chunk of chunks) all.push(chunk);
          this.sm = StateMachine.fromSnapshot(this.smOptions, all);
        },
        applyTxn: (zxid, payload) => {
          if (!this.config.standalone) {
            // Possibly never committed: ZAB decides, and commits it (or truncates it) later.
            this.recoveredEntries.push({ zxid, payload: Buffer.from(payload) });
            return;
          }
          const txn = decodeTxn(payload);
          if (txn.zxid !== zxid) throw new Error(`txn log record ${zxid} holds txn ${txn.zxid}`);
          this.sm.apply(txn);
        },
      },
      {
        preAllocSizeBytes: this.config.preAllocSizeKb * 1024,
        forceSync: this.config.forceSync,
        logger: {
          info: (o, m) => logger.info(o, m),
          warn: (o, m) => logger.warn(o, m),
          error: (o, m) => logger.error(o, m),
        },
      },
    );
    this.txnLog = recovered.log;
    this.snapshots = recovered.snapshots;
    this.lastProposedZxid = this.sm.lastZxid;
    // Sessions survive a restart; their timeouts start again from now, as in ZooKeeper.
    const nowMs = Date.now();
    for (const id of this.sm.sessionIds()) {
      const info = this.sm.session(id);
      if (info !== undefined) this.sessions.add(id, info.timeoutMs, nowMs);
    }
    this.scheduleExpiry();
    this.autoPurge = startAutoPurge(this.snapshots, this.txnLog, {
      snapRetainCount: this.config.autopurgeSnapRetainCount,
      purgeIntervalHours: this.config.autopurgePurgeIntervalHours,
      logger: {
        info: (o, m) => logger.info(o, m),
        warn: (o, m) => logger.warn(o, m),
        error: (o, m) => logger.error(o, m),
      },
    });
    if (!this.config.forceSync)
      this.log.warn("forceSync=no: acknowledged writes can be lost on power failure");
    this.log.info(
      {
        lastZxid: `0x${this.sm.lastZxid.toString(16)}`,
        sessions: this.sessions.size,
        replayed: recovered.replayedTxns,
      },
      "data loaded",
    );
  }

  async start(): Promise<void> {
    await this.recover();
    if (!this.config.standalone) this.createQuorum();
    const port = this.config.clientPort ?? 2181;
    const host = this.config.clientPortAddress;
    this.tcp = createServer((socket) => this.accept(socket));
    this.tcp.on("error", (err) => this.log.error({ err }, "client port error"));
    await new Promise<void>((resolve, reject) => {
      this.tcp!.once("error", reject);
      this.tcp!.listen({ port, host, backlog: 1024 }, () => {
        this.tcp!.off("error", reject);
        resolve();
      });
    });
    this.log.info({ port: this.port, host: host ?? "0.0.0.0" }, "binding to client port");
    const intervalMs = this.config.containerCheckIntervalMs;
    if (intervalMs > 0) {
      this.containerTimer = setInterval(() => this.scanContainers(), intervalMs);
      this.containerTimer.unref();
    }
    if (this.quorum !== undefined) {
      await this.quorum.start();
      this.touchTimer = setInterval(() => this.reportTouches(), Math.max(10, this.config.tickTimeMs / 2));
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.expiryTimer);
    clearInterval(this.containerTimer);
    clearInterval(this.touchTimer);
    await this.quorum?.stop();
    for (const conn of [...this.connections]) conn.socket.destroy();
    await new Promise<void>((done) => (this.tcp ? this.tcp.close(() => done()) : done()));
    this.autoPurge?.stop();
    await this.txnLog?.close();
    this.log.info("server stopped");
  }

  lastZxid(): number {
    return this.sm.lastZxid;
  }

  /** ZooKeeper's trace mask (gtmk/stmk); kept only so those words answer as they do there. */
  traceMask = 306n;

  resetConnectionStats(): void {
    for (const conn of this.connections) conn.resetStats();
  }

  resetServerStats(): void {
    const c = this.counters;
    c.packetsReceived = 0;
    c.packetsSent = 0;
    c.minLatencyMs = Number.MAX_SAFE_INTEGER;
    c.maxLatencyMs = 0;
    c.totalLatencyMs = 0;
    c.latencyCount = 0;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  allConnections(): Iterable<ClientConnection> {
    return this.connections;
  }

  // ------------------------------------------------------------------------------------------
  // Connections

  private accept(socket: Socket): void {
    const ip = socket.remoteAddress ?? "unknown";
    const count = this.connectionsPerIp.get(ip) ?? 0;
    const max = this.config.maxClientCnxns;
    if (max > 0 && count >= max) {
      this.log.warn({ ip, max }, `Too many connections from ${ip} - max is ${max}`);
      socket.destroy();
      return;
    }
    this.connectionsPerIp.set(ip, count + 1);
    const conn = new ClientConnection(socket, this);
    conn.onLatency = (latencyMs) => this.recordLatency(latencyMs);
    this.connections.add(conn);
    socket.once("close", () => {
      const n = (this.connectionsPerIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.connectionsPerIp.delete(ip);
      else this.connectionsPerIp.set(ip, n);
    });
    // A connection that never completes its handshake must not hold a slot forever.
    const handshakeTimer = setTimeout(() => {
      if (!conn.isEstablished && !conn.isClosed) conn.close("no session established in time");
    }, 10_000);
    handshakeTimer.unref();
    socket.once("close", () => clearTimeout(handshakeTimer));
  }

  onClose(conn: ClientConnection): void {
    this.connections.delete(conn);
    this.watches.removeSink(conn);
    if (this.connectionBySession.get(conn.sessionId) === conn)
      this.connectionBySession.delete(conn.sessionId);
  }

  private recordLatency(latencyMs: number): void {
    const c = this.counters;
    c.minLatencyMs = Math.min(c.minLatencyMs, latencyMs);
    c.maxLatencyMs = Math.max(c.maxLatencyMs, latencyMs);
    c.totalLatencyMs += latencyMs;
    c.latencyCount++;
  }

  fourLetterWord(word: string, conn: ClientConnection): string | undefined {
    return this.fourLetterWordHandler?.(word, conn);
  }

  /** Installed by admin/ wiring; undefined means no four-letter words. */
  fourLetterWordHandler: ((word: string, conn: ClientConnection) => string | undefined) | undefined;

  // ------------------------------------------------------------------------------------------
  // Handshake

  onConnectRequest(conn: ClientConnection, req: ConnectRequest): void {
    if (!this.isServing) {
      conn.close("not serving: this server is not in a quorum");
      return;
    }
    if (req.lastZxidSeen > this.sm.lastZxid) {
      // The client saw a newer state than ours: it must try another server.
      conn.close(
        `client has seen zxid 0x${req.lastZxidSeen.toString(16)}, ours is 0x${this.sm.lastZxid.toString(16)}`,
      );
      return;
    }
    const timeoutMs = negotiateTimeoutMs(
      req.timeOutMs,
      this.config.minSessionTimeoutMs,
      this.config.maxSessionTimeoutMs,
    );
    if (req.sessionId === 0n) {
      const sessionId = this.sessionIds.next();
      const passwd = randomBytes(16);
      if (this.isLearner) {
        this.forwardWrite(
          sessionId,
          { kind: "createSession", conn, timeoutMs, passwd },
          {
            kind: "createSession",
            sessionId,
            timeoutMs,
            passwd,
          },
        );
        return;
      }
      const zxid = this.nextZxid();
      const txn = this.sm.prepareCreateSession(sessionId, timeoutMs, passwd, zxid, Date.now());
      this.propose(txn, { kind: "createSession", conn, timeoutMs, passwd });
      return;
    }
    // ZooKeeper drops any other connection of the session first, even before the password check.
    const previous = this.connectionBySession.get(req.sessionId);
    if (previous !== undefined && previous !== conn) previous.close("session moved to another connection");
    const session = this.sm.session(req.sessionId);
    if (
      session === undefined ||
      this.sessions.isClosing(req.sessionId) ||
      !session.passwd.equals(req.passwd)
    ) {
      this.log.info({ session: hex(req.sessionId) }, "refusing reconnect: session expired or wrong password");
      conn.rejectHandshake("invalid session");
      return;
    }
    if (this.isLearner) {
      // Our copy of the session table may lag the leader's (a close in flight): ask it.
      const waiting = this.revalidating.get(req.sessionId);
      if (waiting === undefined) this.revalidating.set(req.sessionId, [{ conn, timeoutMs }]);
      else waiting.push({ conn, timeoutMs });
      try {
        this.quorum!.step({ type: "revalidate", sessionId: req.sessionId, timeoutMs });
      } catch (err) {
        this.notServing(err, conn);
      }
      return;
    }
    this.sessions.touch(req.sessionId, timeoutMs, Date.now());
    this.scheduleExpiry();
    this.connectionBySession.set(req.sessionId, conn);
    conn.completeHandshake(req.sessionId, timeoutMs, session.passwd, false);
    this.log.info({ session: hex(req.sessionId), timeoutMs }, "session reconnected");
  }

  // ------------------------------------------------------------------------------------------
  // Requests

  onRequest(conn: ClientConnection, xid: number, type: number, body: JuteReader): void {
    if (!conn.isEstablished) return;
    if (!this.isServing) {
      conn.close("not serving: this server is not in a quorum");
      return;
    }
    const sessionId = conn.sessionId;
    if (!this.sm.hasSession(sessionId) || this.sessions.isClosing(sessionId)) {
      // ZooKeeper drops requests of a closing/unknown session; its connection closes shortly.
      return;
    }
    const nowMs = Date.now();
    this.sessions.touch(sessionId, conn.sessionTimeoutMs, nowMs);
    this.scheduleExpiry();
    if (this.isLearner) this.localTouches.set(sessionId, conn.sessionTimeoutMs);

    if (type === OpCode.ping) {
      conn.enqueueRead(xid, type, () => conn.buildReply(xid, this.sm.lastZxid, ErrorCode.OK), false);
      return;
    }
    if (
      this.isLearner &&
      (type === OpCode.closeSession || (isWriteRequest(type) && !REJECTED_OPCODES.has(type)))
    ) {
      // The leader decodes and prepares it; an undecodable body becomes an error txn there.
      const handle = conn.enqueuePending(xid, type);
      const closeAfter = type === OpCode.closeSession;
      if (closeAfter) this.sessions.setClosing(sessionId);
      this.forwardWrite(
        sessionId,
        { kind: "request", conn, handle, xid, type, closeAfter },
        {
          kind: "request",
          sessionId,
          xid,
          opcode: type,
          identities: [...conn.identities],
          body: Buffer.from(body.buf.subarray(body.offset, body.offset + body.remaining)),
        },
      );
      return;
    }
    if (type === OpCode.closeSession) {
      const txn = this.sm.prepareCloseSession(sessionId, this.nextZxid(), nowMs);
      const handle = conn.enqueuePending(xid, type);
      this.sessions.setClosing(sessionId);
      this.propose(txn, { kind: "request", conn, handle, xid, type, closeAfter: true });
      return;
    }
    if (REJECTED_OPCODES.has(type) || !(type in OpCode)) {
      this.rejectUnimplemented(conn, xid, type);
      return;
    }

    let req: Request;
    try {
      req = readRequest(type, body);
    } catch (err) {
      if (!(err instanceof JuteDecodeError)) throw err;
      // The frame boundary is intact, so the stream is still in sync: answer MarshallingError
      // and keep the connection, as ZooKeeper does.
      this.log.warn({ conn: conn.connectionId, type, reason: err.message }, "undecodable request body");
      if (isWriteRequest(type)) {
        // A write is a txn even when its body is unreadable: it consumes a zxid, as in ZooKeeper.
        const txn = this.sm.prepareError(sessionId, ErrorCode.MarshallingError, this.nextZxid(), nowMs, xid);
        const handle = conn.enqueuePending(xid, type);
        this.propose(txn, { kind: "request", conn, handle, xid, type, closeAfter: false });
        return;
      }
      conn.enqueueRead(xid, type, () => conn.buildReply(xid, this.sm.lastZxid, ErrorCode.MarshallingError));
      return;
    }

    if (req.type === OpCode.auth) {
      this.handleAuth(conn, req.scheme, req.auth);
      return;
    }
    const ctx: RequestContext = { sessionId, identities: [...conn.identities] };
    if (req.type === OpCode.sync && this.quorum !== undefined) {
      // Answered once every txn the leader proposed before it is applied here.
      const handle = conn.enqueuePending(xid, type);
      const requestId = this.nextSyncId++;
      this.syncs.set(requestId, { conn, handle, xid, path: req.path });
      try {
        this.quorum.step({ type: "sync", requestId });
      } catch (err) {
        this.syncs.delete(requestId);
        this.notServing(err, conn);
      }
      return;
    }
    if (isWriteRequest(type)) {
      const txn = this.sm.prepare(req, ctx, this.nextZxid(), nowMs, xid);
      const handle = conn.enqueuePending(xid, type);
      this.propose(txn, { kind: "request", conn, handle, xid, type, closeAfter: false });
      return;
    }
    conn.enqueueRead(xid, type, () => this.executeRead(conn, xid, req, ctx));
  }

  private rejectUnimplemented(conn: ClientConnection, xid: number, type: number): void {
    this.log.info({ conn: conn.connectionId, type }, "unimplemented or forbidden opcode");
    const handle = conn.enqueuePending(xid, type);
    conn.complete(handle, conn.buildReply(xid, -1, ErrorCode.Unimplemented), true);
  }

  private handleAuth(conn: ClientConnection, scheme: string, auth: Buffer): void {
    let err: number = ErrorCode.OK;
    if (scheme === "digest") {
      const id = digestId(auth.toString("utf8"));
      if (!conn.identities.some((i) => i.scheme === "digest" && i.id === id)) {
        conn.identities.push({ scheme: "digest", id });
      }
      if (this.config.superDigest !== undefined && id === this.config.superDigest) {
        if (!conn.identities.some((i) => i.scheme === "super"))
          conn.identities.push({ scheme: "super", id: "" });
      }
    } else if (scheme === "ip") {
      // The ip provider authenticates by the peer address, whatever the packet carries.
    } else {
      err = ErrorCode.AuthFailed;
    }
    conn.sendImmediate(conn.buildReply(Xid.auth, 0, err));
    if (err !== ErrorCode.OK) conn.close(`authentication failed for scheme ${JSON.stringify(scheme)}`);
  }

  private executeRead(conn: ClientConnection, xid: number, req: Request, ctx: RequestContext): Buffer {
    const zxid = this.sm.lastZxid;
    switch (req.type) {
      case OpCode.sync:
        // Standalone: every applied write is already visible here.
        return conn.buildReply(xid, zxid, ErrorCode.OK, (w) => w.writeString(req.path));
      case OpCode.setWatches:
      case OpCode.setWatches2:
        this.watches.applySetWatches(req, conn, (path) => this.sm.nodeStat(path));
        return conn.buildReply(xid, zxid, ErrorCode.OK);
      case OpCode.addWatch:
        if (req.mode !== 0 && req.mode !== 1) return conn.buildReply(xid, zxid, ErrorCode.MarshallingError);
        this.watches.addPersistentWatch(req.path, conn, req.mode === 1);
        return conn.buildReply(xid, zxid, ErrorCode.OK, (w) => w.writeInt(0));
      case OpCode.checkWatches:
      case OpCode.removeWatches: {
        const result = this.watches.removeWatches(
          req.path,
          req.watcherType,
          conn,
          req.type === OpCode.checkWatches,
        );
        return conn.buildReply(xid, zxid, result);
      }
      case OpCode.whoAmI:
        return conn.buildReply(xid, zxid, ErrorCode.OK, (w) => writeWhoAmI(w, conn));
      default: {
        const result: ReadResult = this.sm.read(req, ctx);
        if (result.watch !== undefined) {
          if (result.watch.table === "data") this.watches.addDataWatch(result.watch.path, conn);
          else this.watches.addChildWatch(result.watch.path, conn);
        }
        return conn.buildReply(xid, zxid, result.err, result.writeBody);
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Commit and apply

  private nextZxid(): number {
    if (this.quorum !== undefined) return this.quorum.nextZxid(this.proposeBatch.length);
    this.lastProposedZxid++;
    return this.lastProposedZxid;
  }

  private propose(txn: Txn, origin: Origin | undefined): void {
    if (origin !== undefined) this.origins.set(txn.zxid, origin);
    if (this.quorum !== undefined) {
      this.proposeBatch.push(txn);
      if (!this.proposeScheduled) {
        this.proposeScheduled = true;
        setImmediate(() => this.flushProposals());
      }
      return;
    }
    const log = this.txnLog;
    if (log === undefined) throw new Error("propose before the txn log was opened");
    const entry: InFlightTxn = { txn, durable: false };
    this.inFlight.push(entry);
    // The log gathers the appends of this turn into one write + one fdatasync (group commit).
    log.append(txn.zxid, encodeTxn(txn)).then(
      () => {
        entry.durable = true;
        this.applyDurable();
      },
      (err: unknown) => this.storageFailed(err),
    );
  }

  /** Applies, in zxid order, every txn at the head of the queue that is on disk. */
  private applyDurable(): void {
    while (this.inFlight.length > 0 && this.inFlight[0]!.durable) {
      const { txn } = this.inFlight.shift()!;
      this.applyCommitted(txn);
    }
  }

  /**
   * The log could not make a txn durable. Serving on could acknowledge writes that a restart
   * would lose, so the server stops, as ZooKeeper does.
   */
  private storageFailed(err: unknown): void {
    this.log.fatal({ err }, "cannot write the txn log; stopping");
    process.exitCode = 3;
    void this.stop().finally(() => process.exit(3));
  }

  /** ZooKeeper 3.8.4+ (CVE-2024-23944): a watcher sees an event only with READ on its node. */
  private readonly canSeeEvent: WatchEventFilter = (sink, event) =>
    checkAcl(event.acl, Perms.READ, (sink as ClientConnection).identities, this.config.skipAcl);

  private applyCommitted(txn: Txn): void {
    this.txnsSinceSnapshot++;
    let origin = this.origins.get(txn.zxid);
    if (origin !== undefined) this.origins.delete(txn.zxid);
    else if (this.forwarded.size > 0) origin = this.takeForwarded(txn);
    const requestType = origin?.kind === "request" ? origin.type : undefined;
    const result = this.sm.apply(txn, requestType);
    // Notifications go out before the reply of this txn and before any later reply (§13).
    if (result.events.length > 0) this.watches.deliver(result.events, this.canSeeEvent);

    if (txn.body.type === "createSession" && origin?.kind !== "createSession" && this.quorum !== undefined) {
      // A session created through another server: the tracker of whoever leads next needs it.
      this.sessions.add(txn.sessionId, txn.body.timeoutMs, Date.now());
      this.scheduleExpiry();
    }
    if (origin?.kind === "createSession") {
      const { conn, timeoutMs, passwd } = origin;
      const sessionId = txn.sessionId;
      this.sessions.add(sessionId, timeoutMs, Date.now());
      this.scheduleExpiry();
      if (!conn.isClosed) {
        this.connectionBySession.set(sessionId, conn);
        conn.completeHandshake(sessionId, timeoutMs, passwd, false);
        this.log.info({ session: hex(sessionId), timeoutMs }, "session established");
      }
    } else if (origin?.kind === "request") {
      const reply = origin.conn.buildReply(origin.xid, txn.zxid, result.err, result.writeBody);
      origin.conn.complete(origin.handle, reply, origin.closeAfter);
    }
    for (const sessionId of result.closedSessions) {
      this.sessions.remove(sessionId);
      const conn = this.connectionBySession.get(sessionId);
      if (conn !== undefined && conn !== (origin?.kind === "request" ? origin.conn : undefined)) {
        conn.close("session expired or closed");
      }
      this.log.info({ session: hex(sessionId), zxid: txn.zxid }, "session closed");
    }
    this.maybeSnapshot();
  }

  // ------------------------------------------------------------------------------------------
  // Replicated mode

  /** Standalone, or a quorum member in sync with an established leader. */
  get isServing(): boolean {
    return this.quorum === undefined || this.quorum.serving;
  }

  /** A serving follower or observer: writes go to the leader. */
  private get isLearner(): boolean {
    return this.quorum?.serving === true && !this.quorum.isLeader;
  }

  get mode(): ServerMode {
    if (this.quorum === undefined) return "standalone";
    switch (this.quorum.role) {
      case "leading":
        return "leader";
      case "observing":
        return "observer";
      default:
        return "follower";
    }
  }

  private createQuorum(): void {
    const txnLog = this.txnLog;
    const snapshots = this.snapshots;
    if (txnLog === undefined || snapshots === undefined) throw new Error("quorum before recovery");
    const host: QuorumHost = {
      applyCommitted: (entries) => {
        for (const entry of entries) {
          const txn = decodeTxn(
            Buffer.from(entry.payload.buffer, entry.payload.byteOffset, entry.payload.byteLength),
          );
          if (txn.zxid !== entry.zxid) {
            throw new Error(`committed entry ${entry.zxid.toString(16)} holds txn ${txn.zxid.toString(16)}`);
          }
          this.applyCommitted(txn);
        }
      },
      snapshotChunksAt: (zxid) => {
        if (this.sm.lastZxid !== zxid) {
          throw new ZabError(
            "INVARIANT",
            `SNAP at ${zxid.toString(16)} but applied state is at ${this.sm.lastZxid.toString(16)}`,
          );
        }
        return this.sm.snapshotChunks();
      },
      loadSnapshot: (zxid, chunks) => {
        this.sm = StateMachine.fromSnapshot(this.smOptions, chunks);
        if (this.sm.lastZxid !== zxid) {
          throw new ZabError(
            "INVARIANT",
            `snapshot for ${zxid.toString(16)} holds state at ${this.sm.lastZxid.toString(16)}`,
          );
        }
        this.txnsSinceSnapshot = 0;
        for (const id of this.sm.sessionIds()) {
          const info = this.sm.session(id);
          if (info !== undefined) this.sessions.add(id, info.timeoutMs, Date.now());
        }
      },
      onRoleChange: (change) => this.onRoleChange(change),
      onForwarded: (from, payload) => this.onForwarded(from, payload),
      onSessionTouches: (_from, touches) => this.onSessionTouches(touches),
      onRevalidate: (from, sessionId, timeoutMs) => {
        const valid = this.sm.hasSession(sessionId) && !this.sessions.isClosing(sessionId);
        if (valid) {
          this.sessions.touch(sessionId, timeoutMs, Date.now());
          this.scheduleExpiry();
        }
        this.quorum?.step({ type: "revalidateReply", to: from, sessionId, valid });
      },
      onRevalidated: (sessionId, valid) => this.onRevalidated(sessionId, valid),
      onSyncDone: (requestId) => {
        const s = this.syncs.get(requestId);
        if (s === undefined) return;
        this.syncs.delete(requestId);
        if (s.conn.isClosed) return;
        s.conn.complete(
          s.handle,
          s.conn.buildReply(s.xid, this.sm.lastZxid, ErrorCode.OK, (w) => w.writeString(s.path)),
        );
      },
      storageFailed: (err) => this.storageFailed(err),
    };
    this.quorum = new QuorumRuntime({
      config: this.config,
      log: this.log,
      host,
      txnLog,
      snapshots,
      epochDir: this.snapshotDir,
      snapshotZxid: this.sm.lastZxid,
      logEntries: this.recoveredEntries,
    });
    this.recoveredEntries = [];
  }

  /** A learner hands a write (or a session create) to the leader and remembers who asked. */
  private forwardWrite(sessionId: bigint, origin: Origin, msg: Parameters<typeof encodeForwarded>[0]): void {
    let queue = this.forwarded.get(sessionId);
    if (queue === undefined) {
      queue = [];
      this.forwarded.set(sessionId, queue);
    }
    queue.push(origin);
    try {
      this.quorum!.step({ type: "forward", payload: encodeForwarded(msg) });
    } catch (err) {
      this.notServing(err, origin.conn);
    }
  }

  /**
   * Commits of one session arrive in the order its requests were sent, so a committed txn of a
   * session with forwarded writes answers the oldest of them — unless it is a close the leader
   * made on its own (expiry), which answers nobody.
   */
  private takeForwarded(txn: Txn): Origin | undefined {
    const queue = this.forwarded.get(txn.sessionId);
    const head = queue?.[0];
    if (queue === undefined || head === undefined) return undefined;
    let matches: boolean;
    if (head.kind === "createSession") matches = txn.body.type === "createSession";
    else if (txn.body.type === "closeSession") matches = head.type === OpCode.closeSession;
    else matches = txn.body.type !== "createSession" && txn.cxid === head.xid;
    if (!matches) return undefined;
    queue.shift();
    if (queue.length === 0) this.forwarded.delete(txn.sessionId);
    return head;
  }

  /** A ZAB input was refused (we stopped serving meanwhile): the client must go elsewhere. */
  private notServing(err: unknown, conn: ClientConnection): void {
    if (!(err instanceof ZabError) || err.code === "INVARIANT") throw err;
    conn.close(`not serving: ${err.message}`);
  }

  private flushProposals(): void {
    this.proposeScheduled = false;
    const batch = this.proposeBatch;
    this.proposeBatch = [];
    if (batch.length === 0 || this.quorum === undefined) return;
    const payloads = batch.map((t) => encodeTxn(t));
    const p = this.proposals;
    for (const payload of payloads) {
      p.count++;
      p.lastBytes = payload.length;
      p.minBytes = p.minBytes < 0 ? payload.length : Math.min(p.minBytes, payload.length);
      p.maxBytes = Math.max(p.maxBytes, payload.length);
    }
    try {
      this.quorum.step({ type: "propose", payloads });
    } catch (err) {
      if (!(err instanceof ZabError) || err.code === "INVARIANT") throw err;
      this.log.warn({ err: err.message, txns: batch.length }, "proposals refused: no longer leading");
      this.dropClients("leadership lost");
      return;
    }
    const last = batch.at(-1)!.zxid;
    const logged = this.quorum.status().lastZxid;
    if (logged !== last) {
      throw new ZabError(
        "INVARIANT",
        `prepared up to ${last.toString(16)} but ZAB logged up to ${logged.toString(16)}`,
      );
    }
  }

  /** Leader: a write or session create forwarded by a learner. */
  private onForwarded(from: number, payload: Uint8Array): void {
    if (this.quorum === undefined || !this.quorum.isLeader) return;
    let f: ReturnType<typeof decodeForwarded>;
    try {
      f = decodeForwarded(payload);
    } catch (err) {
      this.log.warn({ from, err: (err as Error).message }, "undecodable forwarded request dropped");
      return;
    }
    const nowMs = Date.now();
    if (f.kind === "createSession") {
      this.propose(
        this.sm.prepareCreateSession(f.sessionId, f.timeoutMs, f.passwd, this.nextZxid(), nowMs),
        undefined,
      );
      return;
    }
    const { sessionId, xid, opcode } = f;
    const live = this.sm.hasSession(sessionId) && !this.sessions.isClosing(sessionId);
    if (!live) {
      // The learner waits for an answer in order; an error txn gives it one.
      this.propose(
        this.sm.prepareError(sessionId, ErrorCode.SessionExpired, this.nextZxid(), nowMs, xid),
        undefined,
      );
      return;
    }
    const timeoutMs = this.sessions.timeoutMs(sessionId);
    if (timeoutMs !== undefined) this.sessions.touch(sessionId, timeoutMs, nowMs);
    if (opcode === OpCode.closeSession) {
      this.sessions.setClosing(sessionId);
      const txn = this.sm.prepareCloseSession(sessionId, this.nextZxid(), nowMs);
      this.propose({ ...txn, cxid: xid }, undefined);
      return;
    }
    let req: Request;
    try {
      req = readRequest(opcode, new JuteReader(f.body, 0, f.body.length, this.maxBufferBytes));
    } catch (err) {
      if (!(err instanceof JuteDecodeError)) throw err;
      this.propose(
        this.sm.prepareError(sessionId, ErrorCode.MarshallingError, this.nextZxid(), nowMs, xid),
        undefined,
      );
      return;
    }
    const ctx: RequestContext = { sessionId, identities: f.identities };
    this.propose(this.sm.prepare(req, ctx, this.nextZxid(), nowMs, xid), undefined);
  }

  private onSessionTouches(touches: readonly SessionTouch[]): void {
    if (this.quorum === undefined || !this.quorum.isLeader) return;
    const nowMs = Date.now();
    for (const t of touches) this.sessions.touch(t.sessionId, t.timeoutMs, nowMs);
    this.scheduleExpiry();
  }

  private onRevalidated(sessionId: bigint, valid: boolean): void {
    const waiting = this.revalidating.get(sessionId);
    if (waiting === undefined) return;
    this.revalidating.delete(sessionId);
    for (const { conn, timeoutMs } of waiting) {
      if (conn.isClosed) continue;
      const session = this.sm.session(sessionId);
      if (!valid || session === undefined) {
        conn.rejectHandshake("invalid session");
        continue;
      }
      this.connectionBySession.get(sessionId)?.close("session moved to another connection");
      this.connectionBySession.set(sessionId, conn);
      this.localTouches.set(sessionId, timeoutMs);
      conn.completeHandshake(sessionId, timeoutMs, session.passwd, false);
      this.log.info({ session: hex(sessionId), timeoutMs }, "session reconnected");
    }
  }

  private reportTouches(): void {
    if (!this.isLearner || this.localTouches.size === 0) return;
    const touches = [...this.localTouches].map(([sessionId, timeoutMs]) => ({ sessionId, timeoutMs }));
    this.localTouches.clear();
    try {
      this.quorum!.step({ type: "touchSessions", touches });
    } catch (err) {
      if (!(err instanceof ZabError) || err.code === "INVARIANT") throw err;
    }
  }

  private onRoleChange(change: RoleChange): void {
    const lostService = change.previous.serving && (!change.serving || change.role !== change.previous.role);
    if (lostService || !change.serving) this.dropClients(`not serving (${change.role})`);
    if (change.role === "leading" && change.serving) {
      Object.assign(this.proposals, { count: 0, lastBytes: -1, minBytes: -1, maxBytes: -1 });
      // A new leader gives every session a full timeout from now (§8): learners' touches since
      // the last leader are unknown here.
      const nowMs = Date.now();
      for (const id of this.sm.sessionIds()) {
        const info = this.sm.session(id);
        if (info !== undefined) this.sessions.add(id, info.timeoutMs, nowMs);
      }
      this.scheduleExpiry();
    }
  }

  /** Stops serving clients: they reconnect to a server that is in a quorum. */
  private dropClients(reason: string): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimerAtMs = Number.POSITIVE_INFINITY;
    // Prepared changes may never commit; the next leader prepares from the applied tree.
    this.sm.discardPending();
    this.proposeBatch = [];
    const waiting = new Set<ClientConnection>();
    for (const q of this.forwarded.values()) for (const o of q) waiting.add(o.conn);
    for (const q of this.revalidating.values()) for (const r of q) waiting.add(r.conn);
    for (const conn of waiting) conn.close(reason);
    this.origins.clear();
    this.forwarded.clear();
    this.revalidating.clear();
    this.syncs.clear();
    this.localTouches.clear();
    for (const conn of [...this.connections]) {
      if (conn.isEstablished || conn.sessionId !== 0n || conn.outstanding > 0) conn.close(reason);
    }
    for (const id of this.sessions.ids()) if (this.sessions.isClosing(id)) this.sessions.remove(id);
  }

  // ------------------------------------------------------------------------------------------
  // Snapshots

  private maybeSnapshot(): void {
    if (this.txnsSinceSnapshot < this.snapshotAfterTxns || this.snapshotInProgress) return;
    void this.takeSnapshot();
  }

  /**
   * Opens a copy-on-write view of the state as of the last applied txn (the pause, measured, is
   * copying the sessions), then rolls the log and serialises and writes the snapshot chunk by
   * chunk in the background while requests go on.
   */
  async takeSnapshot(): Promise<string | undefined> {
    const store = this.snapshots;
    const log = this.txnLog;
    if (store === undefined || log === undefined || this.snapshotInProgress) return undefined;
    this.snapshotInProgress = true;
    this.txnsSinceSnapshot = 0;
    this.snapshotAfterTxns = this.nextSnapshotPoint();
    const zxid = this.sm.lastZxid;
    const startedMs = performance.now();
    const view = this.sm.snapshotView();
    this.lastSnapshotPauseMs = performance.now() - startedMs;
    try {
      await log.roll();
      const name = await store.write(zxid, view.chunks());
      this.log.info(
        {
          snapshot: name,
          zxid: `0x${zxid.toString(16)}`,
          pauseMs: Math.round(this.lastSnapshotPauseMs * 10) / 10,
        },
        "snapshot written",
      );
      return name;
    } catch (err) {
      this.log.error({ err }, "snapshot failed; the txn log still holds everything");
      return undefined;
    } finally {
      // Until released, every mutation of a node the view has not read copies it.
      view.release();
      this.snapshotInProgress = false;
    }
  }

  // ------------------------------------------------------------------------------------------
  // Timers: session expiry and container cleanup

  private scheduleExpiry(): void {
    // In an ensemble only the leader expires sessions; learners report activity to it.
    if (this.quorum !== undefined && !this.quorum.isLeader) return;
    const atMs = this.sessions.nextExpiryMs();
    if (atMs === undefined || atMs >= this.expiryTimerAtMs || this.stopped) return;
    clearTimeout(this.expiryTimer);
    this.expiryTimerAtMs = atMs;
    this.expiryTimer = setTimeout(() => this.expireSessions(), Math.max(0, atMs - Date.now()));
  }

  private expireSessions(): void {
    this.expiryTimerAtMs = Number.POSITIVE_INFINITY;
    if (this.quorum !== undefined && !this.quorum.isLeader) return;
    const nowMs = Date.now();
    for (const sessionId of this.sessions.expire(nowMs)) {
      this.log.info({ session: hex(sessionId) }, "session expired");
      this.propose(this.sm.prepareCloseSession(sessionId, this.nextZxid(), nowMs), undefined);
    }
    this.scheduleExpiry();
  }

  private scanContainers(): void {
    if (this.quorum !== undefined && !this.quorum.isLeader) return;
    const nowMs = Date.now();
    const perScan = Math.max(
      1,
      Math.floor((this.config.containerMaxPerMinute * this.config.containerCheckIntervalMs) / 60_000),
    );
    for (const path of this.sm.containerCandidates(nowMs).slice(0, perScan)) {
      this.propose(this.sm.prepareDeleteContainer(path, this.nextZxid(), nowMs), undefined);
    }
  }
}

function writeWhoAmI(w: JuteWriter, conn: ClientConnection): void {
  w.writeVector(conn.identities, (ww, id) =>
    writeClientInfo(ww, {
      authScheme: id.scheme,
      user: id.scheme === "digest" ? id.id.split(":")[0]! : id.id,
    }),
  );
}
