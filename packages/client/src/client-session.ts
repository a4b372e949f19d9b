// The session core of the client: one TCP connection at a time to a server of the connect
// string, the handshake and session resumption, pings, reconnects, the request queue with its
// xids, auth replay, SetWatches after a reconnect, and watch delivery. The operations built on it
// are in client.ts.

import { EventEmitter } from "node:events";
import * as net from "node:net";
import * as tls from "node:tls";
import type { Request } from "@paddock/jute";
import {
  DEFAULT_MAX_BUFFER_BYTES,
  ErrorCode,
  EventType,
  FrameDecoder,
  JuteReader,
  JuteWriter,
  KeeperState,
  OpCode,
  readConnectResponse,
  readReplyHeader,
  readWatcherEvent,
  writeConnectRequest,
  Xid,
} from "@paddock/jute";
import { abortable } from "./abort.js";
import {
  type ClientState,
  type Logger,
  silentLogger,
  type ZooKeeperClientEvents,
  type ZooKeeperClientOptions,
} from "./client-options.js";
import type { HostPort } from "./connect-string.js";
import { parseConnectString } from "./connect-string.js";
import type { AuthEntry, AuthWaiter, Connection, Pending, Reply } from "./connection-state.js";
import { type ConnectionState, ConnectionTracker } from "./connection-tracker.js";
import { type ZooKeeperError, zooKeeperError } from "./errors.js";
import { HostProvider } from "./host-provider.js";
import { stripChroot } from "./paths.js";
import { ReadWriteSeeker } from "./read-write-seeker.js";
import { encodeRequest, RequestBuilder } from "./requests.js";
import { setWatchesRequests } from "./set-watches.js";
import type { WatchedEvent, Watcher } from "./watches.js";
import { WatchManager } from "./watches.js";

/** Java's ClientCnxn caps the idle time between pings at 10 s whatever the session timeout. */
const MAX_PING_INTERVAL_MS = 10_000;
const MAX_XID = 0x7fffffff;
/** xid, zxid and err: the size of a reply header, shorter than any ConnectResponse. */
const REPLY_HEADER_BYTES = 16;

export class ClientSession extends EventEmitter<ZooKeeperClientEvents> {
  private serverList: HostPort[];
  readonly chroot: string;
  protected readonly requests: RequestBuilder;
  readonly requestedTimeoutMs: number;
  private readonly readOnlyAllowed: boolean;
  private readonly log: Logger;
  private readonly connectTimeoutMs: number;
  private readonly reconnectDelayMs: number;
  private readonly maxBufferBytes: number;
  private readonly tlsOptions: tls.ConnectionOptions | undefined;
  private readonly renewSessionOnExpiry: boolean;
  /** Like Java: a session handed out by a read-only server is not offered to a read-write one. */
  private seenReadWriteServer: boolean;
  private readonly tracker: ConnectionTracker;
  private readonly seeker: ReadWriteSeeker;

  private _state: ClientState = "connecting";
  private _sessionId: bigint;
  private _sessionPassword: Buffer;
  private _negotiatedTimeoutMs = 0;
  private _readOnly = false;
  private _lastZxid = 0;
  private xid = 0;
  private readonly hostProvider: HostProvider;
  private failedAttempts = 0;
  protected started = false;
  private closing = false;
  protected conn: Connection | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private connectPromise: Promise<void> | null = null;

  private readonly outgoing: Pending[] = [];
  private readonly inflight: Pending[] = [];
  protected readonly authInfo: AuthEntry[] = [];
  protected readonly authWaiting = new Map<AuthEntry, AuthWaiter[]>();
  /** One slot per auth packet on the wire; replies (xid -4) come back in send order. */
  private readonly authInflight: Array<AuthWaiter[] | null> = [];
  readonly watches = new WatchManager();

  constructor(options: ZooKeeperClientOptions) {
    super();
    const parsed = parseConnectString(options.connectString);
    this.serverList = parsed.hosts;
    this.hostProvider = new HostProvider(parsed.hosts, options.random);
    this.chroot = parsed.chroot;
    this.requests = new RequestBuilder(parsed.chroot);
    this.requestedTimeoutMs = options.sessionTimeoutMs ?? 30_000;
    this.tlsOptions = options.tls;
    this.readOnlyAllowed = options.canBeReadOnly ?? options.readOnly ?? false;
    this.renewSessionOnExpiry = options.renewSessionOnExpiry ?? false;
    this.log = options.logger ?? silentLogger;
    this.connectTimeoutMs = options.connectTimeoutMs ?? this.requestedTimeoutMs;
    this.reconnectDelayMs = options.reconnectDelayMs ?? 200;
    this.maxBufferBytes = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
    this._sessionId = options.sessionId ?? 0n;
    this._sessionPassword = options.sessionPassword ?? Buffer.alloc(16);
    // A session id given by the caller came from somewhere that knew it: offer it.
    this.seenReadWriteServer = options.sessionId !== undefined;
    this.tracker = new ConnectionTracker({
      emit: (change) => {
        this.log.debug(`connection state ${change.previous ?? "-"} -> ${change.state}`);
        this.emit("connectionState", change);
      },
      negotiatedTimeoutMs: () => this._negotiatedTimeoutMs,
      lostWhileSuspended: () => {
        // Curator's choice: after a whole session timeout without a server the session is as
        // good as gone; with renewal, start over with a new one instead of waiting to be told.
        if (this.renewSessionOnExpiry) this.endSession();
      },
    });
    this.seeker = new ReadWriteSeeker(
      () => this.hostProvider.next(),
      (host) => {
        const conn = this.conn;
        if (conn === null || !this._readOnly) return;
        this.log.info(`read-write server found at ${host.host}:${host.port}; moving there`);
        this.hostProvider.preferNext(host);
        conn.socket.destroy();
      },
    );
  }

  get state(): ClientState {
    return this._state;
  }
  get sessionId(): bigint {
    return this._sessionId;
  }
  get sessionPassword(): Buffer {
    return Buffer.from(this._sessionPassword);
  }
  /** 0 until the first handshake. */
  get negotiatedTimeoutMs(): number {
    return this._negotiatedTimeoutMs;
  }
  /** Highest zxid seen in a reply header; sent on reconnect so no server goes back in time. */
  get lastZxid(): number {
    return this._lastZxid;
  }
  /** True while connected to a server in read-only mode. */
  get readOnly(): boolean {
    return this._readOnly;
  }
  /** Curator's view of the connection; undefined before the first handshake. */
  get connectionState(): ConnectionState | undefined {
    return this.tracker.state;
  }
  /** "host:port" of the current connection, or of the next host to try. */
  /** The servers this client may connect to, in connect-string order. */
  get hosts(): readonly HostPort[] {
    return this.serverList;
  }

  /**
   * ZooKeeper's updateServerList: the servers to use from now on (a chroot in `connectString` is
   * ignored; the client keeps its own). The session stays; when the server it is connected to is
   * not in the new list it moves to one that is. Unlike the Java client, a client whose server
   * stays in the list does not move away to rebalance load.
   */
  updateServerList(connectString: string): void {
    const parsed = parseConnectString(connectString);
    this.serverList = parsed.hosts;
    this.hostProvider.replace(parsed.hosts);
    const conn = this.conn;
    if (conn !== null && !this.hostProvider.has(conn.host)) {
      this.log.info(`server ${conn.host.host}:${conn.host.port} left the server list; moving`);
      conn.socket.destroy();
    }
  }

  get currentHost(): HostPort {
    return this.conn?.host ?? this.hostProvider.peek();
  }
  protected get terminal(): boolean {
    return this._state === "expired" || this._state === "closed" || this._state === "authFailed";
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Starts connecting; resolves once a session is established. Aborting `signal` stops the
   * wait, not the connecting (close() does that).
   */
  connect(opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.terminal) return Promise.reject(this.terminalError());
    if (this.connectPromise !== null) return abortable(this.connectPromise, opts.signal);
    this.connectPromise = new Promise<void>((resolve, reject) => {
      if (this.terminal) {
        reject(this.terminalError());
        return;
      }
      const timer = setTimeout(() => {
        cleanup();
        reject(zooKeeperError(ErrorCode.ConnectionLoss));
        void this.close();
      }, this.connectTimeoutMs);
      const onState = (state: ClientState) => {
        if (state === "connected") {
          cleanup();
          resolve();
        } else if (this.terminal) {
          cleanup();
          reject(this.terminalError());
        }
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.off("state", onState);
      };
      this.on("state", onState);
      if (this._state === "connected") onState("connected");
    });
    if (!this.started) {
      this.started = true;
      this.startConnection();
    }
    return abortable(this.connectPromise, opts.signal);
  }

  /** Closes the session (closeSession request) and the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.terminal || this.closing) return;
    this.closing = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.conn?.established) {
      const waitMs = Math.min(Math.max(this._negotiatedTimeoutMs / 3, 1000), 5000);
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          this.submit({ type: OpCode.closeSession }, undefined, true),
          new Promise((resolve) => {
            timer = setTimeout(resolve, waitMs);
          }),
        ]);
      } catch {
        // The session is being abandoned either way; a lost close reply changes nothing.
      } finally {
        clearTimeout(timer);
      }
    }
    this.finish("closed", ErrorCode.SessionExpired);
  }

  /**
   * Destroys the current TCP connection as if the network failed; the client reconnects and
   * keeps its session. Meant for tests and fault injection.
   */
  dropConnection(): void {
    const conn = this.conn;
    if (conn === null) return;
    conn.socket.destroy();
    // Handle the loss now rather than on the socket's close event, so the caller observes
    // "disconnected" synchronously and nothing more is written to the dead socket.
    this.onSocketClosed(conn);
  }

  private setState(next: ClientState): void {
    const previous = this._state;
    if (previous === next) return;
    this._state = next;
    this.log.debug(`state ${previous} -> ${next}`);
    this.emit("state", next, previous);
  }

  protected terminalError(): ZooKeeperError {
    return zooKeeperError(this._state === "authFailed" ? ErrorCode.AuthFailed : ErrorCode.SessionExpired);
  }

  /** Moves to a terminal state: fails everything outstanding and releases the socket. */
  private finish(state: "closed" | "expired" | "authFailed", code: ErrorCode): void {
    if (this.terminal) return;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const conn = this.conn;
    this.conn = null;
    if (conn !== null) {
      this.stopTimers(conn);
      conn.socket.destroy();
    }
    this.seeker.stop();
    if (state === "closed") this.tracker.closed();
    else this.tracker.lost(this._sessionId);
    this.failAll(code);
    const watchers = state === "expired" ? this.watches.all() : new Set<Watcher>();
    this.watches.clear();
    this.setState(state);
    for (const w of watchers) {
      this.deliver(w, { type: EventType.None, state: KeeperState.Expired, path: null });
    }
    this.emit(state);
  }

  /**
   * The session is over but the client goes on (renewSessionOnExpiry): whatever is outstanding
   * fails with SessionExpired, every watcher hears Expired (its watches died with the session),
   * and the next handshake asks for a new session. Auth identities are kept and sent again.
   */
  private endSession(): void {
    this.failAll(ErrorCode.SessionExpired, false);
    const watchers = this.watches.all();
    this.watches.clear();
    this._sessionId = 0n;
    this._sessionPassword = Buffer.alloc(16);
    for (const w of watchers) {
      this.deliver(w, { type: EventType.None, state: KeeperState.Expired, path: null });
    }
    this.emit("expired");
  }

  private failAll(code: ErrorCode, failAuthWaiters = code !== ErrorCode.ConnectionLoss): void {
    const err = () => zooKeeperError(code);
    for (const p of this.inflight.splice(0)) p.reject(err());
    for (const p of this.outgoing.splice(0)) p.reject(err());
    for (const slot of this.authInflight.splice(0)) for (const w of slot ?? []) w.reject(err());
    if (failAuthWaiters) {
      for (const waiters of this.authWaiting.values()) for (const w of waiters) w.reject(err());
      this.authWaiting.clear();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Connection core

  private startConnection(): void {
    this.reconnectTimer = null;
    if (this.terminal || this.closing) return;
    const host = this.hostProvider.next();
    this.log.debug(`connecting to ${host.host}:${host.port}`);
    const socket = this.tlsOptions
      ? tls.connect({
          host: host.host,
          port: host.port,
          ...(net.isIP(host.host) === 0 ? { servername: host.host } : {}),
          ...this.tlsOptions,
        })
      : net.connect({ host: host.host, port: host.port });
    socket.setNoDelay(true);
    const conn: Connection = {
      socket,
      decoder: new FrameDecoder(this.maxBufferBytes),
      host,
      established: false,
      handshakeTimer: null,
      recvTimer: null,
      pingTimer: null,
    };
    this.conn = conn;
    // Like Java: the handshake gets an equal share of the session timeout per host.
    const handshakeMs = Math.max(Math.floor(this.requestedTimeoutMs / this.hosts.length), 1000);
    conn.handshakeTimer = setTimeout(() => {
      this.log.warn(`no session from ${host.host}:${host.port} within ${handshakeMs} ms`);
      socket.destroy();
    }, handshakeMs);
    socket.on(this.tlsOptions ? "secureConnect" : "connect", () => {
      if (this.conn !== conn) return;
      const w = new JuteWriter(64);
      const at = w.startFrame();
      writeConnectRequest(w, {
        protocolVersion: 0,
        lastZxidSeen: this._lastZxid,
        timeOutMs: this.requestedTimeoutMs,
        sessionId: this.seenReadWriteServer ? this._sessionId : 0n,
        passwd: this.seenReadWriteServer ? this._sessionPassword : Buffer.alloc(16),
        readOnly: this.readOnlyAllowed,
      });
      w.finishFrame(at);
      socket.write(w.toBuffer());
    });
    socket.on("data", (chunk: Buffer) => {
      if (this.conn !== conn) return;
      try {
        conn.decoder.push(chunk, (body) => {
          if (this.conn === conn) this.onFrame(conn, body);
        });
      } catch (e) {
        this.log.error(`dropping connection: ${(e as Error).message}`);
        socket.destroy();
      }
    });
    socket.on("error", (e) => this.log.debug(`socket error: ${e.message}`));
    socket.on("close", () => this.onSocketClosed(conn));
  }

  private onSocketClosed(conn: Connection): void {
    this.stopTimers(conn);
    if (this.conn !== conn) return;
    this.conn = null;
    if (this.terminal) return;
    this.failAll(ErrorCode.ConnectionLoss);
    if (this.closing) {
      this.finish("closed", ErrorCode.SessionExpired);
      return;
    }
    if (conn.established) {
      this.failedAttempts = 0;
      this.seeker.stop();
      this.setState("disconnected");
      this.emit("disconnected");
      this.tracker.disconnected(this._sessionId);
    } else {
      this.failedAttempts++;
    }
    const pause = this.failedAttempts > 0 && this.failedAttempts % this.hosts.length === 0;
    this.reconnectTimer = setTimeout(() => this.startConnection(), pause ? this.reconnectDelayMs : 0);
  }

  private stopTimers(conn: Connection): void {
    for (const t of [conn.handshakeTimer, conn.recvTimer, conn.pingTimer]) if (t !== null) clearTimeout(t);
    conn.handshakeTimer = conn.recvTimer = conn.pingTimer = null;
  }

  private onFrame(conn: Connection, body: Buffer): void {
    const r = new JuteReader(body);
    if (!conn.established) {
      this.onHandshake(conn, r);
      return;
    }
    conn.recvTimer?.refresh();
    const header = readReplyHeader(r);
    if (header.xid === Xid.ping) return;
    if (header.xid === Xid.auth) {
      this.onAuthReply(header.err);
      return;
    }
    if (header.xid === Xid.notification) {
      this.onNotification(r);
      return;
    }
    const head = this.inflight[0];
    if (head === undefined || head.xid !== header.xid) {
      // Replies are strictly FIFO; a mismatch means the stream cannot be trusted any more.
      this.log.error(`reply xid ${header.xid} does not match pending xid ${head?.xid ?? "none"}`);
      conn.socket.destroy();
      return;
    }
    this.inflight.shift();
    if (header.zxid > 0) this._lastZxid = header.zxid;
    try {
      head.onReply?.(header.err);
    } catch (e) {
      this.log.error(`reply hook failed: ${(e as Error).message}`);
    }
    head.resolve({ zxid: header.zxid, err: header.err, reader: r });
    if (head.type === OpCode.closeSession) conn.socket.destroy();
  }

  private onHandshake(conn: Connection, r: JuteReader): void {
    if (r.remaining === REPLY_HEADER_BYTES) {
      // ZooKeeper answers a session it will not create (a read-only server without local
      // sessions) with a bare reply header instead of a ConnectResponse.
      const header = readReplyHeader(r);
      this.log.warn(
        `${conn.host.host}:${conn.host.port} refused the session: ${zooKeeperError(header.err).message}`,
      );
      conn.socket.destroy();
      return;
    }
    const res = readConnectResponse(r);
    if (conn.handshakeTimer !== null) clearTimeout(conn.handshakeTimer);
    conn.handshakeTimer = null;
    if (res.timeOutMs <= 0) {
      this.log.warn(`session 0x${this._sessionId.toString(16)} expired`);
      if (this.renewSessionOnExpiry) {
        this.tracker.lost(this._sessionId);
        this.endSession();
      } else this.finish("expired", ErrorCode.SessionExpired);
      return;
    }
    conn.established = true;
    this.failedAttempts = 0;
    this._sessionId = res.sessionId;
    this._sessionPassword = res.passwd;
    this._negotiatedTimeoutMs = res.timeOutMs;
    this._readOnly = res.readOnly === true;
    this.seenReadWriteServer ||= !this._readOnly;
    const readTimeoutMs = Math.floor((res.timeOutMs * 2) / 3);
    const pingIntervalMs = Math.min(Math.floor(readTimeoutMs / 2), MAX_PING_INTERVAL_MS);
    conn.recvTimer = setTimeout(() => {
      this.log.warn(`no reply from ${conn.host.host}:${conn.host.port} for ${readTimeoutMs} ms`);
      conn.socket.destroy();
    }, readTimeoutMs);
    conn.pingTimer = setTimeout(() => this.sendPing(conn), pingIntervalMs);

    // Order on the wire, as Java does it: auth packets, then SetWatches, then queued requests.
    for (const entry of this.authInfo) this.writeAuth(conn, entry);
    this.writeSetWatches();
    for (const p of this.outgoing.splice(0)) this.writeRequest(conn, p);
    this.setState("connected");
    this.emit("connected", { sessionId: res.sessionId, readOnly: this._readOnly, host: conn.host });
    this.tracker.connected(res.sessionId, this._readOnly);
    if (this._readOnly && this.hostProvider.size > 1) this.seeker.start(conn.host);
  }

  private sendPing(conn: Connection): void {
    if (this.conn !== conn || !conn.established) return;
    const frame = Buffer.alloc(12);
    frame.writeInt32BE(8, 0);
    frame.writeInt32BE(Xid.ping, 4);
    frame.writeInt32BE(OpCode.ping, 8);
    this.write(conn, frame);
  }

  private write(conn: Connection, frame: Buffer): void {
    conn.socket.write(frame);
    conn.pingTimer?.refresh();
  }

  private nextXid(): number {
    this.xid = this.xid >= MAX_XID ? 1 : this.xid + 1;
    return this.xid;
  }

  private writeRequest(conn: Connection, p: Pending): void {
    p.xid = this.nextXid();
    p.frame.writeInt32BE(p.xid, 4);
    this.inflight.push(p);
    this.write(conn, p.frame);
  }

  protected writeAuth(conn: Connection, entry: AuthEntry): void {
    const frame = encodeRequest(Xid.auth, {
      type: OpCode.auth,
      authType: 0,
      scheme: entry.scheme,
      auth: entry.auth,
    });
    this.authInflight.push(this.authWaiting.get(entry) ?? null);
    this.authWaiting.delete(entry);
    this.write(conn, frame);
  }

  private onAuthReply(err: number): void {
    const waiters = this.authInflight.shift() ?? [];
    if (err === ErrorCode.OK) {
      for (const w of waiters) w.resolve();
      return;
    }
    for (const w of waiters) w.reject(zooKeeperError(err));
    if (err === ErrorCode.AuthFailed) {
      this.log.error("authentication failed; the server closes the connection");
      this.finish("authFailed", ErrorCode.AuthFailed);
    }
  }

  private writeSetWatches(): void {
    for (const req of setWatchesRequests(this.watches, this.chroot, this._lastZxid)) {
      this.submit(req, undefined, true).catch((e: Error) => this.log.warn(`SetWatches failed: ${e.message}`));
    }
  }

  private onNotification(r: JuteReader): void {
    const ev = readWatcherEvent(r);
    const path = stripChroot(this.chroot, ev.path);
    const listeners = this.watches.materialize(ev.type, path);
    const event: WatchedEvent = { type: ev.type, state: ev.state, path };
    this.emit("notification", event, listeners.size);
    for (const w of listeners) this.deliver(w, event);
  }

  protected deliver(w: Watcher, event: WatchedEvent): void {
    try {
      w(event);
    } catch (e) {
      this.log.error(`watcher threw: ${(e as Error).message}`);
    }
  }

  /**
   * Queues a request; it is sent now when connected, else after the next handshake.
   * `internal` requests (SetWatches, closeSession) bypass the closing check.
   */
  protected submit(req: Request, onReply?: (err: number) => void, internal = false): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      if (this.terminal) {
        reject(this.terminalError());
        return;
      }
      if (this.closing && !internal) {
        reject(zooKeeperError(ErrorCode.SessionExpired));
        return;
      }
      const p: Pending = { xid: 0, type: req.type, frame: encodeRequest(0, req), resolve, reject };
      if (onReply !== undefined) p.onReply = onReply;
      const conn = this.conn;
      if (conn?.established) {
        this.writeRequest(conn, p);
      } else {
        if (!this.started) {
          // Requests before connect() start the connection, like constructing a Java client does.
          void this.connect().catch(() => {});
        }
        this.outgoing.push(p);
      }
    });
  }

  /** Sends a request and returns the reply when err is 0, else throws ZooKeeperError(err, path). */
  protected async call(
    req: Request,
    path: string | undefined,
    onReply?: (err: number) => void,
  ): Promise<JuteReader> {
    const reply = await this.submit(req, onReply);
    if (reply.err !== ErrorCode.OK) throw zooKeeperError(reply.err, path);
    return reply.reader;
  }

  protected serverPath(path: string, sequential = false): string {
    return this.requests.serverPath(path, sequential);
  }
}
