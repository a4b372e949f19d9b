import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
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
import type { ReadResult, RequestContext } from "./request/contract.js";
import { isWriteRequest, StateMachine, type Txn } from "./request/index.js";
import { SessionIdGenerator } from "./session/session-id.js";
import { negotiateTimeoutMs, SessionTracker } from "./session/session-tracker.js";
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

/**
 * A standalone Paddock server: the client port, sessions, watches and the request pipeline
 * prepare -> commit -> apply -> reply. Commit is a seam: in standalone mode without durable
 * storage it is a batch applied on the next event-loop turn.
 */
export class PaddockServer implements ConnectionHost {
  readonly sm: StateMachine;
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
  private committing: Txn[] = [];
  private commitScheduled = false;
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
    this.sm = new StateMachine({
      extendedTypesEnabled: config.extendedTypesEnabled,
      skipAcl: config.skipAcl,
      superDigest: config.superDigest,
    });
    this.lastProposedZxid = this.sm.lastZxid;
    this.sessions = new SessionTracker(config.tickTimeMs);
    this.sessionIds = new SessionIdGenerator(config.standalone ? 1 : (config.myid ?? 1), Date.now());
  }

  get port(): number {
    const addr = this.tcp?.address();
    return addr !== null && typeof addr === "object" ? addr.port : 0;
  }

  async start(): Promise<void> {
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
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
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
    this.committing.push(txn);
    if (!this.commitScheduled) {
      this.commitScheduled = true;
      setImmediate(() => this.commitBatch());
    }
  }

  /** Standalone commit without durable storage: the batch is committed as soon as it is gathered. */
  private commitBatch(): void {
    this.commitScheduled = false;
    const batch = this.committing;
    this.committing = [];
    for (const txn of batch) this.applyCommitted(txn);
  }

  /** ZooKeeper 3.8.4+ (CVE-2024-23944): a watcher sees an event only with READ on its node. */
  private readonly canSeeEvent: WatchEventFilter = (sink, event) =>
    checkAcl(event.acl, Perms.READ, (sink as ClientConnection).identities, this.config.skipAcl);

  private applyCommitted(txn: Txn): void {
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
      if (conn.isClosed) return;
      this.connectionBySession.set(sessionId, conn);
      conn.completeHandshake(sessionId, timeoutMs, passwd, false);
      this.log.info({ session: hex(sessionId), timeoutMs }, "session established");
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
