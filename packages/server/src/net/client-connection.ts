import type { Socket } from "node:net";
import {
  type ConnectRequest,
  ErrorCode,
  type EventType,
  FrameDecoder,
  type Id,
  JuteDecodeError,
  JuteReader,
  JuteWriter,
  KeeperState,
  OpCode,
  readConnectRequest,
  readRequestHeader,
  writeConnectResponse,
  writeReplyHeader,
  writeWatcherEvent,
  Xid,
} from "@paddock/jute";
import type { Logger } from "../logger.js";
import type { CoreMetrics, CounterMetric } from "../metrics/server-metrics.js";
import { sessionIdHex as hex } from "../session/session-id.js";
import type { WatchSink } from "../watch/watch-manager.js";
import { zookeeperAuthInfoOrder } from "./auth-info-order.js";
import { javaHostAddress } from "./java-address.js";
import { LogRateLimit } from "./log-rate-limit.js";
import type { OutstandingLimit } from "./outstanding-limit.js";
import type { ServerStats } from "./server-stats.js";

/**
 * Where a connection hands what it reads: the next stages of the request path. A connection
 * never looks further up than this; replies come back down through `complete`/`enqueueRead`.
 */
export interface ConnectionInput {
  /** Handles a four-letter word; returns the text to send, or undefined if `word` is not one. */
  fourLetterWord(word: string, conn: ClientConnection): string | undefined;
  connect(conn: ClientConnection, req: ConnectRequest): void;
  /** A request frame after the handshake; `body` starts after the RequestHeader. */
  request(conn: ClientConnection, xid: number, type: number, body: JuteReader): void;
  closed(conn: ClientConnection): void;
}

/** Most requests one connection may have in flight before its socket stops being read. */
const MAX_OUTSTANDING_PER_CONNECTION = 1000;
/**
 * Reply bytes one connection may have waiting to be sent (not yet taken by the kernel) before
 * its requests stop being read: a client that pipelines reads and never reads the replies must
 * not grow the server without bound. A single reply may overshoot it (up to jute.maxbuffer).
 */
const MAX_REPLY_BACKLOG_BYTES = 4 * 1024 * 1024;

/** What every connection of a server shares: limits, counters and the next stage. */
export interface ConnectionContext {
  readonly log: Logger;
  /** Server-wide packet and latency figures; `srst` resets them, `crst` does not. */
  readonly stats: ServerStats;
  /** ZooKeeper's ServerMetrics the connection feeds (bytes, latencies, drops). */
  readonly metrics: ConnectionMetrics;
  readonly maxBufferBytes: number;
  /** globalOutstandingLimit: requests in flight over all connections. */
  readonly globalOutstanding: OutstandingLimit;
  /** The zxid of the applied state, for the per-connection stats `cons` prints. */
  lastZxid(): number;
  readonly input: ConnectionInput;
}

/** The metrics a connection feeds (a subset of admin/metrics' CoreMetrics). */
export type ConnectionMetrics = Pick<
  CoreMetrics,
  | "bytesReceived"
  | "responseBytes"
  | "watchBytes"
  | "connectionRequests"
  | "connectionDrops"
  | "connectionRejected"
  | "sessionlessConnectionsExpired"
  | "readLatency"
  | "updateLatency"
>;

/** One entry of a connection's reply queue: replies leave in request order. */
interface QueuedReply {
  xid: number;
  type: number;
  receivedAtMs: number;
  /** A write (its latency is an update latency) or a read. */
  write: boolean;
  /** The reply frame once known. */
  frame?: Buffer;
  /** For reads: runs when the entry reaches the head, so it sees every earlier write applied. */
  run?: () => Buffer;
  /** Close the connection right after sending this reply. */
  closeAfter?: boolean;
  /** Latency is recorded for requests that went through the pipeline (not pings). */
  countLatency: boolean;
}

type ConnectionState = "new" | "handshake" | "established" | "closed";

let nextConnectionId = 1;

export interface ConnectionStats {
  packetsReceived: number;
  packetsSent: number;
  minLatencyMs: number;
  maxLatencyMs: number;
  totalLatencyMs: number;
  latencyCount: number;
  lastOp: string;
  lastCxid: number;
  lastZxid: number;
  lastResponseTimeMs: number;
  lastLatencyMs: number;
}

export function emptyConnectionStats(): ConnectionStats {
  return {
    packetsReceived: 0,
    packetsSent: 0,
    minLatencyMs: Number.MAX_SAFE_INTEGER,
    maxLatencyMs: 0,
    totalLatencyMs: 0,
    latencyCount: 0,
    lastOp: "NA",
    lastCxid: -1,
    lastZxid: -1,
    lastResponseTimeMs: 0,
    lastLatencyMs: 0,
  };
}

/**
 * One client TCP connection: frames in, replies out in request order, watch events interleaved.
 * It knows the wire format and ordering rules; what a request means is the server's business.
 */
export class ClientConnection implements WatchSink {
  readonly connectionId = nextConnectionId++;
  sessionId = 0n;
  sessionTimeoutMs = 0;
  /** Whether the client sent the optional readOnly byte (the response mirrors it). */
  clientSentReadOnly = false;
  /**
   * Replaced, never changed in place (addIdentity): a request keeps the list it was routed with,
   * as ZooKeeper's requests keep a copy of the connection's auth info, without a copy each. In
   * ZooKeeper's order (auth-info-order.ts); `addedIdentities` keeps the order they came in.
   */
  private identityList: readonly Id[];
  private addedIdentities: readonly Id[];
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly establishedAtMs = Date.now();
  /** Last time bytes arrived; ZooKeeper's idle-connection buckets (dump) are based on it. */
  lastActivityMs = Date.now();
  stats = emptyConnectionStats();
  /** Repeated warnings about this connection's requests are logged at a bounded rate. */
  readonly warnings = new LogRateLimit();

  private state: ConnectionState = "new";
  private readonly decoder: FrameDecoder;
  private readonly queue: QueuedReply[] = [];
  /** Frames that arrived while the handshake was in progress; processed once it completes. */
  private heldFrames: Buffer[] = [];
  private readonly writer = new JuteWriter(512);
  private outChunks: Buffer[] = [];
  /** Bytes in outChunks. */
  private outBytes = 0;
  private flushScheduled = false;
  private readingPaused = false;
  /** Request frames read while the reply backlog was over its bound, processed as it drains. */
  private backloggedFrames: Buffer[] = [];
  private firstBytes: Buffer | null = null;

  constructor(
    readonly socket: Socket,
    private readonly context: ConnectionContext,
  ) {
    this.decoder = new FrameDecoder(context.maxBufferBytes);
    this.remoteAddress = javaHostAddress(socket.remoteAddress ?? "unknown");
    this.remotePort = socket.remotePort ?? 0;
    this.addedIdentities = [{ scheme: "ip", id: this.remoteAddress }];
    this.identityList = this.addedIdentities;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("drain", () => this.onDrain());
    socket.on("error", (err) => this.close(`socket error: ${err.message}`));
    socket.on("close", () => {
      // Closed by the client while open on our side: ZooKeeper's failed read.
      if (this.state !== "closed") this.context.metrics.connectionDrops.add();
      this.close("peer closed the connection");
      // Its requests no longer count against the server-wide limit.
      this.context.globalOutstanding.forget(this);
      this.context.globalOutstanding.release(this.globallyCounted);
      this.globallyCounted = 0;
      this.socketGone = true;
    });
  }

  /** Entries of `queue` counted in the server-wide limit (none once the socket is gone). */
  private globallyCounted = 0;
  private socketGone = false;

  private queued(entry: QueuedReply): void {
    this.queue.push(entry);
    if (!this.socketGone) {
      this.globallyCounted++;
      this.context.globalOutstanding.add();
    }
    this.updateBackpressure();
  }

  resetStats(): void {
    this.stats = emptyConnectionStats();
  }

  private countReceived(): void {
    this.stats.packetsReceived++;
    this.context.stats.packetsReceived++;
  }

  private uncountReceived(): void {
    this.stats.packetsReceived--;
    this.context.stats.packetsReceived--;
  }

  get isEstablished(): boolean {
    return this.state === "established";
  }

  get isClosed(): boolean {
    return this.state === "closed";
  }

  get outstanding(): number {
    return this.queue.length;
  }

  /** `ip:<remote address>` and one per successful auth, in the order ZooKeeper lists them. */
  get identities(): readonly Id[] {
    return this.identityList;
  }

  /** Adds an identity unless the connection has it already (same scheme and id). */
  addIdentity(identity: Id): void {
    const known = this.addedIdentities.some((i) => i.scheme === identity.scheme && i.id === identity.id);
    if (known) return;
    this.addedIdentities = [...this.addedIdentities, identity];
    this.identityList = zookeeperAuthInfoOrder(this.addedIdentities);
  }

  // ------------------------------------------------------------------------------------------
  // Input

  private onData(chunk: Buffer): void {
    if (this.state === "closed") return;
    this.lastActivityMs = Date.now();
    if (this.state === "new") {
      // A four-letter word can only be the very first 4 bytes of a connection.
      this.firstBytes = this.firstBytes === null ? chunk : Buffer.concat([this.firstBytes, chunk]);
      if (this.firstBytes.length < 4) return;
      const word = this.firstBytes.toString("latin1", 0, 4);
      this.countReceived();
      const text = this.context.input.fourLetterWord(word, this);
      if (text !== undefined) {
        this.state = "closed";
        this.context.input.closed(this);
        this.socket.end(text);
        return;
      }
      this.uncountReceived();
      chunk = this.firstBytes;
      this.firstBytes = null;
      this.state = "handshake";
    }
    try {
      this.decoder.push(chunk, (frame) => this.onFrame(frame));
    } catch (err) {
      this.close(`bad frame: ${(err as Error).message}`);
    }
  }

  private onFrame(frame: Buffer): void {
    if (this.state === "closed") return;
    this.countReceived();
    // ZooKeeper counts the length prefix too.
    this.context.metrics.bytesReceived.add(frame.length + 4);
    if (this.state === "handshake") {
      if (this.sessionId !== 0n || this.awaitingSession) {
        // Pipelined behind the ConnectRequest: hold until the session is set up.
        this.heldFrames.push(frame);
        return;
      }
      let req: ConnectRequest;
      try {
        req = readConnectRequest(new JuteReader(frame, 0, frame.length, this.context.maxBufferBytes));
      } catch (err) {
        this.close(`bad ConnectRequest: ${(err as Error).message}`);
        return;
      }
      this.awaitingSession = true;
      this.context.metrics.connectionRequests.add();
      this.clientSentReadOnly = req.readOnly !== undefined;
      this.context.input.connect(this, req);
      return;
    }
    if (this.backloggedFrames.length > 0 || this.replyBacklogBytes() >= MAX_REPLY_BACKLOG_BYTES) {
      // Replies are piling up unread: keep this request (and any after it) until they drain.
      this.uncountReceived();
      this.backloggedFrames.push(frame);
      this.updateBackpressure();
      return;
    }
    this.processFrame(frame);
  }

  /** A request frame of an established session: header decoded, then to the request path. */
  private processFrame(frame: Buffer): void {
    const r = new JuteReader(frame, 0, frame.length, this.context.maxBufferBytes);
    let xid: number;
    let type: number;
    try {
      ({ xid, type } = readRequestHeader(r));
    } catch (err) {
      this.close(`bad request header: ${(err as Error).message}`);
      return;
    }
    this.context.input.request(this, xid, type, r);
  }

  private awaitingSession = false;

  // ------------------------------------------------------------------------------------------
  // Handshake

  /** Sends a valid ConnectResponse and starts processing the frames held back meanwhile. */
  completeHandshake(sessionId: bigint, timeoutMs: number, passwd: Buffer, readOnly: boolean): void {
    if (this.state !== "handshake") return;
    this.sessionId = sessionId;
    this.sessionTimeoutMs = timeoutMs;
    this.awaitingSession = false;
    this.state = "established";
    const w = this.writer;
    w.reset();
    const at = w.startFrame();
    writeConnectResponse(w, {
      protocolVersion: 0,
      timeOutMs: timeoutMs,
      sessionId,
      passwd,
      readOnly: this.clientSentReadOnly ? readOnly : undefined,
    });
    w.finishFrame(at);
    this.enqueueOut(w.toBuffer());
    const held = this.heldFrames;
    this.heldFrames = [];
    for (const frame of held) {
      if (this.state !== "established") break;
      this.uncountReceived(); // counted when it arrived
      this.context.metrics.bytesReceived.add(-(frame.length + 4));
      this.onFrame(frame);
    }
  }

  /** Answers "session invalid" (timeOut 0) and closes, as ZooKeeper does for expired sessions. */
  rejectHandshake(reason: string): void {
    if (this.state !== "handshake") return;
    const w = this.writer;
    w.reset();
    const at = w.startFrame();
    writeConnectResponse(w, {
      protocolVersion: 0,
      timeOutMs: 0,
      sessionId: 0n,
      passwd: Buffer.alloc(16),
      readOnly: this.clientSentReadOnly ? false : undefined,
    });
    w.finishFrame(at);
    this.enqueueOut(w.toBuffer());
    this.closeAfterFlush(reason);
  }

  // ------------------------------------------------------------------------------------------
  // Replies, in request order

  /** Queues a request whose reply is computed later by `complete`. Returns the entry handle. */
  enqueuePending(xid: number, type: number): object {
    const entry: QueuedReply = { xid, type, receivedAtMs: Date.now(), write: true, countLatency: true };
    this.queued(entry);
    return entry;
  }

  /** Queues a read; `run` executes once every earlier request of this connection has replied. */
  enqueueRead(xid: number, type: number, run: () => Buffer, countLatency = true): void {
    const entry: QueuedReply = { xid, type, receivedAtMs: Date.now(), write: false, run, countLatency };
    this.queued(entry);
    this.drainQueue();
  }

  /** Fills in the reply of a pending entry (from the apply of its txn). */
  complete(handle: object, frame: Buffer, closeAfter = false): void {
    const entry = handle as QueuedReply;
    entry.frame = frame;
    entry.closeAfter = closeAfter;
    this.drainQueue();
  }

  /** Sends a reply right away, outside the request order (auth replies, as ZooKeeper does). */
  sendImmediate(frame: Buffer): void {
    this.countResponse(frame, this.context.metrics.responseBytes);
    this.enqueueOut(frame);
  }

  private drainQueue(): void {
    while (this.queue.length > 0 && this.state !== "closed") {
      const head = this.queue[0]!;
      if (head.frame === undefined) {
        if (head.run === undefined) return;
        head.frame = head.run();
      }
      this.queue.shift();
      if (this.globallyCounted > 0) {
        this.globallyCounted--;
        this.context.globalOutstanding.release();
      }
      this.recordReply(head);
      this.enqueueOut(head.frame);
      if (head.closeAfter) {
        this.closeAfterFlush("closed after its last reply");
        return;
      }
    }
    this.updateBackpressure();
  }

  private recordReply(entry: QueuedReply): void {
    const now = Date.now();
    const s = this.stats;
    s.lastOp = opName(entry.type);
    s.lastCxid = entry.xid;
    s.lastZxid = this.context.lastZxid();
    s.lastResponseTimeMs = now;
    if (entry.frame !== undefined) this.countResponse(entry.frame, this.context.metrics.responseBytes);
    if (!entry.countLatency) return;
    const latencyMs = now - entry.receivedAtMs;
    (entry.write ? this.context.metrics.updateLatency : this.context.metrics.readLatency).observe(latencyMs);
    s.lastLatencyMs = latencyMs;
    s.minLatencyMs = Math.min(s.minLatencyMs, latencyMs);
    s.maxLatencyMs = Math.max(s.maxLatencyMs, latencyMs);
    s.totalLatencyMs += latencyMs;
    s.latencyCount++;
    this.context.stats.recordLatency(latencyMs);
  }

  /** Reply bytes produced but not yet handed to the kernel. */
  private replyBacklogBytes(): number {
    return this.outBytes + this.socket.writableLength;
  }

  /** The socket took what it had queued: requests held back may run again. */
  private onDrain(): void {
    while (
      this.backloggedFrames.length > 0 &&
      this.state === "established" &&
      this.replyBacklogBytes() < MAX_REPLY_BACKLOG_BYTES
    ) {
      const frame = this.backloggedFrames.shift()!;
      this.countReceived();
      this.processFrame(frame);
    }
    this.updateBackpressure();
  }

  updateBackpressure(): void {
    const global = this.context.globalOutstanding;
    // Only a connection that has requests of its own in flight waits for the server-wide limit:
    // one with none could otherwise never be woken, and its requests are not the load.
    const throttled = global.reached && this.queue.length > 0;
    if (throttled) global.wait(this);
    const over =
      throttled ||
      this.queue.length >= MAX_OUTSTANDING_PER_CONNECTION ||
      this.backloggedFrames.length > 0 ||
      this.replyBacklogBytes() >= MAX_REPLY_BACKLOG_BYTES;
    if (over && !this.readingPaused) {
      this.readingPaused = true;
      this.socket.pause();
    } else if (!over && this.readingPaused) {
      this.readingPaused = false;
      this.socket.resume();
    }
  }

  // ------------------------------------------------------------------------------------------
  // Watch events

  sendEvent(type: EventType, path: string): void {
    if (this.state !== "established") return;
    const w = this.writer;
    w.reset();
    const at = w.startFrame();
    // ZooKeeper 3.8 puts -1 in the zxid of notifications.
    writeReplyHeader(w, { xid: Xid.notification, zxid: -1, err: 0 });
    writeWatcherEvent(w, { type, state: KeeperState.SyncConnected, path });
    w.finishFrame(at);
    const frame = w.toBuffer();
    this.countResponse(frame, this.context.metrics.watchBytes);
    this.enqueueOut(frame);
  }

  /** A reply or notification's size without its length prefix, as ZooKeeper's sendResponse counts it. */
  private countResponse(frame: Buffer, bytes: CounterMetric): void {
    const size = frame.length - 4;
    bytes.add(size);
    this.context.stats.recordResponseSize(size);
  }

  // ------------------------------------------------------------------------------------------
  // Output: batched per event-loop turn, one socket write per batch

  private enqueueOut(frame: Buffer): void {
    if (this.state === "closed") return;
    this.stats.packetsSent++;
    this.context.stats.packetsSent++;
    this.outChunks.push(frame);
    this.outBytes += frame.length;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.outChunks.length === 0 || this.socket.destroyed) return;
    const data = this.outChunks.length === 1 ? this.outChunks[0]! : Buffer.concat(this.outChunks);
    this.outChunks = [];
    this.outBytes = 0;
    // A write the kernel takes at once returns true and is never followed by "drain": requests
    // held back for the backlog then go on from here.
    if (this.socket.write(data) && this.backloggedFrames.length > 0) setImmediate(() => this.onDrain());
  }

  private closeAfterFlush(reason: string): void {
    if (this.state === "closed") return;
    this.context.log.debug(
      { conn: this.connectionId, session: hex(this.sessionId), reason },
      "closing connection",
    );
    this.state = "closed";
    this.context.input.closed(this);
    const data = this.outChunks.length > 0 ? Buffer.concat(this.outChunks) : undefined;
    this.outChunks = [];
    this.outBytes = 0;
    if (data !== undefined) this.socket.end(data);
    else this.socket.end();
    // A client that never reads must not keep the socket (and its buffers) alive forever.
    setTimeout(() => this.socket.destroy(), 5000).unref();
  }

  /** Closes the connection now, after writing what is already queued for it. */
  close(reason: string): void {
    if (this.state === "closed") return;
    if (!reason.startsWith("peer closed")) {
      this.context.log.info(
        {
          conn: this.connectionId,
          remote: `${this.remoteAddress}:${this.remotePort}`,
          session: hex(this.sessionId),
          reason,
        },
        "closing client connection",
      );
    }
    this.closeAfterFlush(reason);
  }

  /** Builds a reply frame: header, then (only on success) the body. */
  buildReply(xid: number, zxid: number, err: number, writeBody?: (w: JuteWriter) => void): Buffer {
    const w = this.writer;
    w.reset();
    const at = w.startFrame();
    writeReplyHeader(w, { xid, zxid, err });
    if (err === ErrorCode.OK && writeBody !== undefined) writeBody(w);
    w.finishFrame(at);
    return w.toBuffer();
  }
}

/** `::ffff:127.0.0.1` is how Node reports IPv4 peers on a dual-stack socket; ACLs want the IPv4. */

const opNames: Record<number, string> = {
  [OpCode.create]: "CREA",
  [OpCode.create2]: "CREA",
  [OpCode.createContainer]: "CREA",
  [OpCode.createTTL]: "CREA",
  [OpCode.delete]: "DELE",
  [OpCode.exists]: "EXIS",
  [OpCode.getData]: "GETD",
  [OpCode.setData]: "SETD",
  [OpCode.getACL]: "GACL",
  [OpCode.setACL]: "SACL",
  [OpCode.getChildren]: "GETC",
  [OpCode.getChildren2]: "GETC",
  [OpCode.sync]: "SYNC",
  [OpCode.ping]: "PING",
  [OpCode.multi]: "MULT",
  [OpCode.multiRead]: "MLTR",
  [OpCode.closeSession]: "CLOS",
  [OpCode.setWatches]: "SETW",
  [OpCode.setWatches2]: "STW2",
  [OpCode.addWatch]: "ADDW",
  [OpCode.checkWatches]: "CHKW",
  [OpCode.removeWatches]: "REMW",
  [OpCode.getEphemerals]: "GETE",
  [OpCode.getAllChildrenNumber]: "GETACN",
  [OpCode.whoAmI]: "HOMI",
};

/** ZooKeeper's short op names, shown by `cons`. */
export function opName(type: number): string {
  return opNames[type] ?? "UNKNOWN";
}

export { JuteDecodeError };
