import { EventEmitter } from "node:events";
import * as net from "node:net";
import type { ACL, ClientInfo, OpResult, Request, Stat } from "@paddock/jute";
import {
  type AddWatchMode,
  CreateMode,
  DEFAULT_MAX_BUFFER_BYTES,
  ErrorCode,
  EventType,
  FrameDecoder,
  JuteReader,
  JuteWriter,
  KeeperState,
  OpCode,
  readAclList,
  readClientInfo,
  readConnectResponse,
  readMultiResponse,
  readReplyHeader,
  readStat,
  readWatcherEvent,
  type WatcherType,
  writeConnectRequest,
  writeRequest,
  Xid,
} from "@paddock/jute";
import { OPEN_ACL_UNSAFE } from "./acl.js";
import type { HostPort } from "./connect-string.js";
import { parseConnectString } from "./connect-string.js";
import type { Data } from "./data.js";
import { ZooKeeperError } from "./errors.js";
import { prependChroot, stripChroot, validatePath } from "./paths.js";
import type { MultiReadOp, Op } from "./transaction.js";
import { Transaction } from "./transaction.js";
import type { WatchedEvent, Watcher } from "./watches.js";
import { WatchManager } from "./watches.js";

/**
 * `connecting` until the first session is established; `disconnected` while a lost connection
 * is being re-established (the session may still be alive); the last three are terminal.
 */
export type ClientState = "connecting" | "connected" | "disconnected" | "expired" | "closed" | "authFailed";

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface ZooKeeperClientOptions {
  /** "host1:port1,host2:port2/optional/chroot". */
  connectString: string;
  /** Requested session timeout; the server clamps it. Default 30000. */
  sessionTimeoutMs?: number;
  /** Accept a read-only server (sent as the handshake's readOnly byte). */
  readOnly?: boolean;
  logger?: Logger;
  /** Resume an existing session instead of creating one. */
  sessionId?: bigint;
  sessionPassword?: Buffer;
  /** How long `connect()` waits for the first session before giving up. Default sessionTimeoutMs. */
  connectTimeoutMs?: number;
  /** Pause after every host failed once in a row. Default 200. */
  reconnectDelayMs?: number;
  /** Largest frame accepted from the server. Default jute.maxbuffer (0xfffff). */
  maxBufferBytes?: number;
}

export interface CreateOptions {
  acl?: readonly ACL[];
  mode?: CreateMode;
  /** Required for the TTL modes, forbidden otherwise. */
  ttlMs?: number;
}

export interface RawReply {
  zxid: number;
  err: number;
  /** The reply body (empty when err != 0). */
  body: Buffer;
}

export interface ZooKeeperClientEvents {
  state: [state: ClientState, previous: ClientState];
  /**
   * Fired on every (re)connection; `readOnly` when the server is a read-only one. Auth packets
   * and SetWatches are already on the wire, so any request sent from here on is answered after
   * the watches were re-armed.
   */
  connected: [info: { sessionId: bigint; readOnly: boolean; host: HostPort }];
  disconnected: [];
  expired: [];
  closed: [];
  authFailed: [];
}

interface Reply {
  zxid: number;
  err: number;
  reader: JuteReader;
}

interface Pending {
  xid: number;
  type: OpCode;
  /** Encoded frame with a placeholder xid, patched when it is sent. */
  frame: Buffer;
  /** Runs synchronously on the reply, before later frames are processed (watch registration). */
  onReply?: (err: number) => void;
  resolve(reply: Reply): void;
  reject(err: Error): void;
}

interface AuthEntry {
  scheme: string;
  auth: Buffer;
}

interface AuthWaiter {
  resolve(): void;
  reject(err: Error): void;
}

interface Connection {
  socket: net.Socket;
  decoder: FrameDecoder;
  host: HostPort;
  established: boolean;
  handshakeTimer: NodeJS.Timeout | null;
  /** Drops the connection when the server has been silent for the read timeout. */
  recvTimer: NodeJS.Timeout | null;
  /** Sends a ping when nothing has been sent for the ping interval. */
  pingTimer: NodeJS.Timeout | null;
}

/** Java's ClientCnxn caps the idle time between pings at 10 s whatever the session timeout. */
const MAX_PING_INTERVAL_MS = 10_000;
/** SetWatches frames are split so none gets near jute.maxbuffer. */
const SET_WATCHES_MAX_BYTES = 128 * 1024;
const MAX_XID = 0x7fffffff;

/**
 * A promise-based ZooKeeper client speaking the jute protocol over one TCP connection at a time,
 * moving between the hosts of the connect string and keeping its session across reconnects.
 */
export class ZooKeeperClient extends EventEmitter<ZooKeeperClientEvents> {
  readonly hosts: HostPort[];
  readonly chroot: string;
  readonly requestedTimeoutMs: number;
  private readonly readOnlyAllowed: boolean;
  private readonly log: Logger;
  private readonly connectTimeoutMs: number;
  private readonly reconnectDelayMs: number;
  private readonly maxBufferBytes: number;

  private _state: ClientState = "connecting";
  private _sessionId: bigint;
  private _sessionPassword: Buffer;
  private _negotiatedTimeoutMs = 0;
  private _readOnly = false;
  private _lastZxid = 0;
  private xid = 0;
  private hostIndex = 0;
  private failedAttempts = 0;
  private started = false;
  private closing = false;
  private conn: Connection | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private connectPromise: Promise<void> | null = null;

  private readonly outgoing: Pending[] = [];
  private readonly inflight: Pending[] = [];
  private readonly authInfo: AuthEntry[] = [];
  private readonly authWaiting = new Map<AuthEntry, AuthWaiter[]>();
  /** One slot per auth packet on the wire; replies (xid -4) come back in send order. */
  private readonly authInflight: Array<AuthWaiter[] | null> = [];
  readonly watches = new WatchManager();

  constructor(options: ZooKeeperClientOptions) {
    super();
    const parsed = parseConnectString(options.connectString);
    this.hosts = parsed.hosts;
    this.chroot = parsed.chroot;
    this.requestedTimeoutMs = options.sessionTimeoutMs ?? 30_000;
    this.readOnlyAllowed = options.readOnly ?? false;
    this.log = options.logger ?? silentLogger;
    this.connectTimeoutMs = options.connectTimeoutMs ?? this.requestedTimeoutMs;
    this.reconnectDelayMs = options.reconnectDelayMs ?? 200;
    this.maxBufferBytes = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
    this._sessionId = options.sessionId ?? 0n;
    this._sessionPassword = options.sessionPassword ?? Buffer.alloc(16);
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
  /** "host:port" of the current connection, or of the next host to try. */
  get currentHost(): HostPort {
    return this.conn?.host ?? (this.hosts[this.hostIndex] as HostPort);
  }
  private get terminal(): boolean {
    return this._state === "expired" || this._state === "closed" || this._state === "authFailed";
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  /** Starts connecting; resolves once a session is established. */
  connect(): Promise<void> {
    if (this.terminal) return Promise.reject(this.terminalError());
    if (this.connectPromise !== null) return this.connectPromise;
    this.connectPromise = new Promise<void>((resolve, reject) => {
      if (this.terminal) {
        reject(this.terminalError());
        return;
      }
      const timer = setTimeout(() => {
        cleanup();
        reject(new ZooKeeperError(ErrorCode.ConnectionLoss));
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
    return this.connectPromise;
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

  private terminalError(): ZooKeeperError {
    return new ZooKeeperError(this._state === "authFailed" ? ErrorCode.AuthFailed : ErrorCode.SessionExpired);
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
    this.failAll(code);
    const watchers = state === "expired" ? this.watches.all() : new Set<Watcher>();
    this.watches.clear();
    this.setState(state);
    for (const w of watchers) {
      this.deliver(w, { type: EventType.None, state: KeeperState.Expired, path: null });
    }
    this.emit(state);
  }

  private failAll(code: ErrorCode): void {
    const err = () => new ZooKeeperError(code);
    for (const p of this.inflight.splice(0)) p.reject(err());
    for (const p of this.outgoing.splice(0)) p.reject(err());
    for (const slot of this.authInflight.splice(0)) for (const w of slot ?? []) w.reject(err());
    if (code !== ErrorCode.ConnectionLoss) {
      for (const waiters of this.authWaiting.values()) for (const w of waiters) w.reject(err());
      this.authWaiting.clear();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Connection core

  private startConnection(): void {
    this.reconnectTimer = null;
    if (this.terminal || this.closing) return;
    const host = this.hosts[this.hostIndex] as HostPort;
    this.hostIndex = (this.hostIndex + 1) % this.hosts.length;
    this.log.debug(`connecting to ${host.host}:${host.port}`);
    const socket = net.connect({ host: host.host, port: host.port });
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
    socket.on("connect", () => {
      if (this.conn !== conn) return;
      const w = new JuteWriter(64);
      const at = w.startFrame();
      writeConnectRequest(w, {
        protocolVersion: 0,
        lastZxidSeen: this._lastZxid,
        timeOutMs: this.requestedTimeoutMs,
        sessionId: this._sessionId,
        passwd: this._sessionPassword,
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
      this.setState("disconnected");
      this.emit("disconnected");
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
    const res = readConnectResponse(r);
    if (conn.handshakeTimer !== null) clearTimeout(conn.handshakeTimer);
    conn.handshakeTimer = null;
    if (res.timeOutMs <= 0) {
      this.log.warn(`session 0x${this._sessionId.toString(16)} expired`);
      this.finish("expired", ErrorCode.SessionExpired);
      return;
    }
    conn.established = true;
    this.failedAttempts = 0;
    this._sessionId = res.sessionId;
    this._sessionPassword = res.passwd;
    this._negotiatedTimeoutMs = res.timeOutMs;
    this._readOnly = res.readOnly === true;
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

  private writeAuth(conn: Connection, entry: AuthEntry): void {
    const frame = encode(Xid.auth, {
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
    for (const w of waiters) w.reject(new ZooKeeperError(err));
    if (err === ErrorCode.AuthFailed) {
      this.log.error("authentication failed; the server closes the connection");
      this.finish("authFailed", ErrorCode.AuthFailed);
    }
  }

  private writeSetWatches(): void {
    if (this.watches.isEmpty) return;
    const snap = this.watches.snapshot();
    const type = this.watches.hasPersistent ? OpCode.setWatches2 : OpCode.setWatches;
    const lists = [
      snap.dataWatches,
      snap.existWatches,
      snap.childWatches,
      snap.persistentWatches,
      snap.persistentRecursiveWatches,
    ].map((l) => l.map((p) => prependChroot(this.chroot, p)));
    // Batches fill the lists in order, so a path appears in exactly one frame.
    let batch: string[][] = [[], [], [], [], []];
    let sizeBytes = 0;
    const flush = () => {
      if (batch.every((l) => l.length === 0)) return;
      const [dataWatches, existWatches, childWatches, persistentWatches, persistentRecursiveWatches] =
        batch as [string[], string[], string[], string[], string[]];
      this.submit(
        {
          type,
          relativeZxid: this._lastZxid,
          dataWatches,
          existWatches,
          childWatches,
          persistentWatches,
          persistentRecursiveWatches,
        },
        undefined,
        true,
      ).catch((e: Error) => this.log.warn(`SetWatches failed: ${e.message}`));
      batch = [[], [], [], [], []];
      sizeBytes = 0;
    };
    lists.forEach((list, i) => {
      for (const path of list) {
        const len = Buffer.byteLength(path) + 4;
        if (sizeBytes + len > SET_WATCHES_MAX_BYTES) flush();
        (batch[i] as string[]).push(path);
        sizeBytes += len;
      }
    });
    flush();
  }

  private onNotification(r: JuteReader): void {
    const ev = readWatcherEvent(r);
    const path = stripChroot(this.chroot, ev.path);
    const listeners = this.watches.materialize(ev.type, path);
    const event: WatchedEvent = { type: ev.type, state: ev.state, path };
    for (const w of listeners) this.deliver(w, event);
  }

  private deliver(w: Watcher, event: WatchedEvent): void {
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
  private submit(req: Request, onReply?: (err: number) => void, internal = false): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      if (this.terminal) {
        reject(this.terminalError());
        return;
      }
      if (this.closing && !internal) {
        reject(new ZooKeeperError(ErrorCode.SessionExpired));
        return;
      }
      const p: Pending = { xid: 0, type: req.type, frame: encode(0, req), resolve, reject };
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
  private async call(
    req: Request,
    path: string | undefined,
    onReply?: (err: number) => void,
  ): Promise<JuteReader> {
    const reply = await this.submit(req, onReply);
    if (reply.err !== ErrorCode.OK) throw new ZooKeeperError(reply.err, path);
    return reply.reader;
  }

  private serverPath(path: string, sequential = false): string {
    validatePath(path, sequential);
    return prependChroot(this.chroot, path);
  }

  // -------------------------------------------------------------------------------------------
  // API

  /** Sends any request as-is (no chroot, no validation) and returns the raw reply. For tests. */
  async sendRaw(req: Request): Promise<RawReply> {
    const reply = await this.submit(req);
    const r = reply.reader;
    return { zxid: reply.zxid, err: reply.err, body: Buffer.from(r.buf.subarray(r.offset, r.end)) };
  }

  /** Creates a node and returns its actual path (with the sequence suffix, if any). */
  async create(path: string, data?: Data, options: CreateOptions = {}): Promise<string> {
    return (await this.createInternal(path, data, options, false)).path;
  }

  /** Like create, but also returns the new node's stat (opcode create2). */
  async create2(
    path: string,
    data?: Data,
    options: CreateOptions = {},
  ): Promise<{ path: string; stat: Stat }> {
    const res = await this.createInternal(path, data, options, true);
    return { path: res.path, stat: res.stat as Stat };
  }

  private async createInternal(
    path: string,
    data: Data,
    options: CreateOptions,
    wantStat: boolean,
  ): Promise<{ path: string; stat?: Stat }> {
    const req = this.createRequest(path, data, options, wantStat);
    const r = await this.call(req, path);
    const created = stripChroot(this.chroot, r.readPath());
    return req.type === OpCode.create ? { path: created } : { path: created, stat: readStat(r) };
  }

  /** Builds the create request for `mode`: containers use opcode 19, TTL nodes opcode 21. */
  createRequest(path: string, data: Data, options: CreateOptions, wantStat: boolean): Request {
    const mode = options.mode ?? CreateMode.Persistent;
    const sequential =
      mode === CreateMode.PersistentSequential ||
      mode === CreateMode.EphemeralSequential ||
      mode === CreateMode.PersistentSequentialWithTtl;
    const serverPath = this.serverPath(path, sequential);
    const acl = [...(options.acl ?? OPEN_ACL_UNSAFE)];
    const body = toBuffer(data);
    const ttlMode = mode === CreateMode.PersistentWithTtl || mode === CreateMode.PersistentSequentialWithTtl;
    if (ttlMode) {
      const ttl = options.ttlMs;
      if (ttl === undefined || !Number.isInteger(ttl) || ttl <= 0) {
        throw new ZooKeeperError(ErrorCode.BadArguments, path);
      }
      return { type: OpCode.createTTL, path: serverPath, data: body, acl, flags: mode, ttl };
    }
    if (options.ttlMs !== undefined) throw new ZooKeeperError(ErrorCode.BadArguments, path);
    if (mode === CreateMode.Container) {
      return { type: OpCode.createContainer, path: serverPath, data: body, acl, flags: mode };
    }
    return {
      type: wantStat ? OpCode.create2 : OpCode.create,
      path: serverPath,
      data: body,
      acl,
      flags: mode,
    };
  }

  /** Deletes a node; version -1 matches any version. */
  async delete(path: string, version = -1): Promise<void> {
    await this.call({ type: OpCode.delete, path: this.serverPath(path), version }, path);
  }

  /** The node's stat, or null when it does not exist. A watcher is registered in both cases. */
  async exists(path: string, watcher?: Watcher): Promise<Stat | null> {
    const serverPath = this.serverPath(path);
    const reply = await this.submit(
      { type: OpCode.exists, path: serverPath, watch: watcher !== undefined },
      watcher === undefined
        ? undefined
        : (err) => {
            if (err === ErrorCode.OK) this.watches.addData(path, watcher);
            else if (err === ErrorCode.NoNode) this.watches.addExist(path, watcher);
          },
    );
    if (reply.err === ErrorCode.NoNode) return null;
    if (reply.err !== ErrorCode.OK) throw new ZooKeeperError(reply.err, path);
    return readStat(reply.reader);
  }

  async getData(path: string, watcher?: Watcher): Promise<{ data: Buffer | null; stat: Stat }> {
    const r = await this.call(
      { type: OpCode.getData, path: this.serverPath(path), watch: watcher !== undefined },
      path,
      this.registerOnOk(watcher, (w) => this.watches.addData(path, w)),
    );
    return { data: r.readBuffer(), stat: readStat(r) };
  }

  async setData(path: string, data: Data, version = -1): Promise<Stat> {
    const r = await this.call(
      { type: OpCode.setData, path: this.serverPath(path), data: toBuffer(data), version },
      path,
    );
    return readStat(r);
  }

  async getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }> {
    const r = await this.call({ type: OpCode.getACL, path: this.serverPath(path) }, path);
    return { acl: readAclList(r) ?? [], stat: readStat(r) };
  }

  /** Replaces the ACL; `version` is the expected aversion (-1 = any). */
  async setACL(path: string, acl: readonly ACL[], version = -1): Promise<Stat> {
    const r = await this.call(
      { type: OpCode.setACL, path: this.serverPath(path), acl: [...acl], version },
      path,
    );
    return readStat(r);
  }

  async getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    const r = await this.call(
      { type: OpCode.getChildren, path: this.serverPath(path), watch: watcher !== undefined },
      path,
      this.registerOnOk(watcher, (w) => this.watches.addChild(path, w)),
    );
    return r.readStringVector() ?? [];
  }

  /** Children plus the parent's stat (opcode getChildren2). */
  async getChildren2(path: string, watcher?: Watcher): Promise<{ children: string[]; stat: Stat }> {
    const r = await this.call(
      { type: OpCode.getChildren2, path: this.serverPath(path), watch: watcher !== undefined },
      path,
      this.registerOnOk(watcher, (w) => this.watches.addChild(path, w)),
    );
    return { children: r.readStringVector() ?? [], stat: readStat(r) };
  }

  /** Number of all descendants of `path`. */
  async getAllChildrenNumber(path: string): Promise<number> {
    const r = await this.call({ type: OpCode.getAllChildrenNumber, path: this.serverPath(path) }, path);
    return r.readInt();
  }

  /** Ephemeral nodes of this session whose path starts with `prefixPath` (plain string prefix). */
  async getEphemerals(prefixPath = "/"): Promise<string[]> {
    const serverPrefix = prependChroot(this.chroot, prefixPath);
    const r = await this.call({ type: OpCode.getEphemerals, prefixPath: serverPrefix }, prefixPath);
    return (r.readStringVector() ?? []).map((p) => stripChroot(this.chroot, p));
  }

  /** Waits until the connected server has caught up with the leader for `path`. */
  async sync(path: string): Promise<string> {
    const r = await this.call({ type: OpCode.sync, path: this.serverPath(path) }, path);
    return stripChroot(this.chroot, r.readPath());
  }

  /** Runs the ops atomically; on failure throws the first op error with `results` attached. */
  async multi(ops: readonly Op[]): Promise<OpResult[]> {
    const requests = ops.map((op) => this.opRequest(op));
    const r = await this.call({ type: OpCode.multi, ops: requests }, undefined);
    const results = readMultiResponse(r).map((res) => this.stripResult(res));
    const failed = results.findIndex((res) => res.type === OpCode.error && res.err !== ErrorCode.OK);
    if (failed >= 0) {
      const res = results[failed] as { type: OpCode.error; err: number };
      const err = new ZooKeeperError(res.err, ops[failed]?.path);
      err.results = results;
      throw err;
    }
    return results;
  }

  /** A builder collecting ops for one `multi`. */
  transaction(): Transaction {
    return new Transaction((ops) => this.multi(ops));
  }

  /** Independent reads in one round trip; failures are per-op error results, not exceptions. */
  async multiRead(ops: readonly MultiReadOp[]): Promise<OpResult[]> {
    const requests: Request[] = ops.map((op) => ({
      type: op.type === "getData" ? OpCode.getData : OpCode.getChildren,
      path: this.serverPath(op.path),
      watch: false,
    }));
    const r = await this.call({ type: OpCode.multiRead, ops: requests }, undefined);
    return readMultiResponse(r);
  }

  private opRequest(op: Op): Request {
    switch (op.type) {
      case "create": {
        const opts: CreateOptions = {};
        if (op.acl !== undefined) opts.acl = op.acl;
        if (op.mode !== undefined) opts.mode = op.mode;
        if (op.ttlMs !== undefined) opts.ttlMs = op.ttlMs;
        return this.createRequest(op.path, op.data, opts, false);
      }
      case "delete":
        return { type: OpCode.delete, path: this.serverPath(op.path), version: op.version };
      case "setData":
        return {
          type: OpCode.setData,
          path: this.serverPath(op.path),
          data: toBuffer(op.data),
          version: op.version,
        };
      case "check":
        return { type: OpCode.check, path: this.serverPath(op.path), version: op.version };
    }
  }

  private stripResult(res: OpResult): OpResult {
    if (res.type === OpCode.create || res.type === OpCode.create2) {
      return { ...res, path: stripChroot(this.chroot, res.path) };
    }
    return res;
  }

  /** Registers a persistent (or persistent recursive) watch; it stays until removed. */
  async addWatch(path: string, mode: AddWatchMode, listener: Watcher): Promise<void> {
    await this.call({ type: OpCode.addWatch, path: this.serverPath(path), mode }, path, (err) => {
      if (err === ErrorCode.OK) this.watches.addPersistent(path, mode, listener);
    });
  }

  /**
   * Removes watches of `type` on `path`: only `listener` when given (the server's watch is
   * removed once no listener of that kind is left). `local` skips the server, e.g. while
   * disconnected. Removed listeners receive a *WatchRemoved event. On ZooKeeper 3.8 use
   * WatcherType.Any to remove persistent watches (types 4/5 are 3.9+).
   */
  async removeWatches(
    path: string,
    type: WatcherType,
    options: { listener?: Watcher; local?: boolean } = {},
  ): Promise<void> {
    const serverPath = this.serverPath(path);
    const { listener, local = false } = options;
    if (listener !== undefined && !this.watches.has(path, type, listener)) {
      throw new ZooKeeperError(ErrorCode.NoWatcher, path);
    }
    let askServer = !local;
    if (listener !== undefined && this.watches.hasOther(path, type, listener)) {
      // Other listeners of the same kind still need the server-side watch.
      askServer = false;
    }
    if (askServer) {
      await this.call({ type: OpCode.removeWatches, path: serverPath, watcherType: type }, path);
    } else if (listener === undefined && !this.watches.has(path, type)) {
      throw new ZooKeeperError(ErrorCode.NoWatcher, path);
    }
    const removed = this.watches.remove(path, type, listener);
    for (const [w, eventType] of removed) {
      this.deliver(w, { type: eventType, state: KeeperState.SyncConnected, path });
    }
  }

  /** Resolves when the server holds a watch of `type` on `path` for this connection. */
  async checkWatches(path: string, type: WatcherType): Promise<void> {
    await this.call({ type: OpCode.checkWatches, path: this.serverPath(path), watcherType: type }, path);
  }

  /** Adds an identity (e.g. "digest", "user:password"); it is re-sent after every reconnect. */
  addAuth(scheme: string, auth: Buffer | string): Promise<void> {
    if (this.terminal) return Promise.reject(this.terminalError());
    const entry: AuthEntry = {
      scheme,
      auth: typeof auth === "string" ? Buffer.from(auth) : Buffer.from(auth),
    };
    this.authInfo.push(entry);
    return new Promise<void>((resolve, reject) => {
      this.authWaiting.set(entry, [{ resolve, reject }]);
      const conn = this.conn;
      if (conn?.established) this.writeAuth(conn, entry);
      else if (!this.started) void this.connect().catch(() => {});
    });
  }

  /** The identities the server associates with this connection. */
  async whoAmI(): Promise<ClientInfo[]> {
    const r = await this.call({ type: OpCode.whoAmI }, undefined);
    return r.readVector(readClientInfo) ?? [];
  }

  private registerOnOk(
    watcher: Watcher | undefined,
    register: (w: Watcher) => void,
  ): ((err: number) => void) | undefined {
    if (watcher === undefined) return undefined;
    return (err) => {
      if (err === ErrorCode.OK) register(watcher);
    };
  }
}

function toBuffer(data: Data): Buffer | null {
  if (data === null || data === undefined) return null;
  if (typeof data === "string") return Buffer.from(data, "utf8");
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

function encode(xid: number, req: Request): Buffer {
  const w = new JuteWriter(128);
  const at = w.startFrame();
  w.writeInt(xid).writeInt(req.type);
  writeRequest(w, req);
  w.finishFrame(at);
  return w.toBuffer();
}
