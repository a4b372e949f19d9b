import { randomBytes, randomInt } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join, resolve } from "node:path";
import {
  type ConnectRequest,
  ErrorCode,
  JuteDecodeError,
  type JuteReader,
  type JuteWriter,
  OpCode,
  Perms,
  type Request,
  readRequest,
  writeClientInfo,
  Xid,
} from "@paddock/jute";
import type { ServerConfig } from "./config/index.js";
import type { Logger } from "./logger.js";
import { ClientConnection, type ConnectionHost, hex } from "./net/client-connection.js";
import type { ReadResult, RequestContext, StateMachineOptions } from "./request/contract.js";
import { decodeTxn, encodeTxn, isWriteRequest, StateMachine, type Txn } from "./request/index.js";
import { SessionIdGenerator } from "./session/session-id.js";
import { negotiateTimeoutMs, SessionTracker } from "./session/session-tracker.js";
import {
  type AutoPurge,
  recoverStorage,
  type SnapshotStore,
  startAutoPurge,
  type TxnLog,
} from "./storage/index.js";
import { checkAcl, digestId } from "./tree/acl.js";
import { type WatchEventFilter, WatchManager } from "./watch/watch-manager.js";

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
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.expiryTimer);
    clearInterval(this.containerTimer);
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
    const sessionId = conn.sessionId;
    if (!this.sm.hasSession(sessionId) || this.sessions.isClosing(sessionId)) {
      // ZooKeeper drops requests of a closing/unknown session; its connection closes shortly.
      return;
    }
    const nowMs = Date.now();
    this.sessions.touch(sessionId, conn.sessionTimeoutMs, nowMs);
    this.scheduleExpiry();

    if (type === OpCode.ping) {
      conn.enqueueRead(xid, type, () => conn.buildReply(xid, this.sm.lastZxid, ErrorCode.OK), false);
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
    this.lastProposedZxid++;
    return this.lastProposedZxid;
  }

  private propose(txn: Txn, origin: Origin | undefined): void {
    if (origin !== undefined) this.origins.set(txn.zxid, origin);
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
    const origin = this.origins.get(txn.zxid);
    if (origin !== undefined) this.origins.delete(txn.zxid);
    const requestType = origin?.kind === "request" ? origin.type : undefined;
    const result = this.sm.apply(txn, requestType);
    // Notifications go out before the reply of this txn and before any later reply (§13).
    if (result.events.length > 0) this.watches.deliver(result.events, this.canSeeEvent);

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
  // Snapshots

  private maybeSnapshot(): void {
    if (this.txnsSinceSnapshot < this.snapshotAfterTxns || this.snapshotInProgress) return;
    void this.takeSnapshot();
  }

  /**
   * Serialises the tree as of the last applied txn (a synchronous pause, measured), then rolls
   * the log and writes the snapshot file in the background while requests go on.
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
    const chunks = this.sm.snapshotChunks();
    this.lastSnapshotPauseMs = performance.now() - startedMs;
    try {
      await log.roll();
      const name = await store.write(zxid, chunks);
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
      this.snapshotInProgress = false;
    }
  }

  // ------------------------------------------------------------------------------------------
  // Timers: session expiry and container cleanup

  private scheduleExpiry(): void {
    const atMs = this.sessions.nextExpiryMs();
    if (atMs === undefined || atMs >= this.expiryTimerAtMs || this.stopped) return;
    clearTimeout(this.expiryTimer);
    this.expiryTimerAtMs = atMs;
    this.expiryTimer = setTimeout(() => this.expireSessions(), Math.max(0, atMs - Date.now()));
  }

  private expireSessions(): void {
    this.expiryTimerAtMs = Number.POSITIVE_INFINITY;
    const nowMs = Date.now();
    for (const sessionId of this.sessions.expire(nowMs)) {
      this.log.info({ session: hex(sessionId) }, "session expired");
      this.propose(this.sm.prepareCloseSession(sessionId, this.nextZxid(), nowMs), undefined);
    }
    this.scheduleExpiry();
  }

  private scanContainers(): void {
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
