// A lean ZooKeeper session for load generation: one TCP connection, the handshake, and
// pipelined requests whose replies are matched to a FIFO of in-flight xids (the protocol
// answers each session's requests in order). The hot path decodes only the 16-byte reply
// header, keeps send times in typed arrays and batches all requests queued while handling one
// chunk of replies into a single socket write.
import { createConnection, type Socket } from "node:net";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";
import {
  DEFAULT_MAX_BUFFER_BYTES,
  ErrorCode,
  FrameDecoder,
  JuteReader,
  JuteWriter,
  OpCode,
  type Request,
  readConnectResponse,
  writeConnectRequest,
  writeRequest,
  writeRequestHeader,
  Xid,
} from "@paddock/jute";

/** Receives every reply of the session; `body` is the reply frame after the 16-byte header. */
export interface ReplyHandler {
  onReply(session: BenchSession, tag: number, err: number, latencyMs: number, body: Buffer): void;
  /** The connection ended; `inFlight` requests will never be answered. */
  onClose(session: BenchSession, inFlight: number, error: Error | undefined): void;
}

export interface SessionOptions {
  host: string;
  port: number;
  sessionTimeoutMs: number;
  connectTimeoutMs?: number;
  /** TLS (a secureClientPort): writes before the handshake ends wait in the TLS socket. */
  tls?: ConnectionOptions;
}

const REPLY_HEADER_BYTES = 16;
const INITIAL_RING_SLOTS = 64;

export class BenchSession {
  private readonly decoder = new FrameDecoder(DEFAULT_MAX_BUFFER_BYTES * 4);
  private readonly out = new JuteWriter(64 * 1024);
  private nextXid = 1;
  // Ring of in-flight requests, oldest at `head`; grows by doubling when full.
  private ringXids = new Int32Array(INITIAL_RING_SLOTS);
  private ringTags = new Int32Array(INITIAL_RING_SLOTS);
  private ringSentMs = new Float64Array(INITIAL_RING_SLOTS);
  private head = 0;
  private inFlightCount = 0;
  private lastSendMs = performance.now();
  private pingTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private closing: (() => void) | undefined;
  /** Send-side closeSession xid, so its reply is not handed to the handler. */
  private closeXid = 0;
  handler: ReplyHandler | undefined;
  sessionId = 0n;
  negotiatedTimeoutMs = 0;

  private constructor(
    private readonly socket: Socket,
    readonly label: string,
  ) {}

  get inFlight(): number {
    return this.inFlightCount;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Connects and completes the handshake; rejects if the server refuses the session. */
  static open(opts: SessionOptions): Promise<BenchSession> {
    const label = `${opts.host}:${opts.port}`;
    return new Promise((resolve, reject) => {
      const socket =
        opts.tls === undefined
          ? createConnection({ host: opts.host, port: opts.port })
          : tlsConnect({ ...opts.tls, host: opts.host, port: opts.port });
      socket.setNoDelay(true);
      const session = new BenchSession(socket, label);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`${label}: no handshake within ${opts.connectTimeoutMs ?? 10_000} ms`));
      }, opts.connectTimeoutMs ?? 10_000);
      let handshakeDone = false;
      const fail = (e: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(e);
      };
      socket.on("error", (e) => {
        if (!handshakeDone) fail(new Error(`${label}: ${e.message}`));
        else session.onSocketGone(e);
      });
      socket.on("close", () => {
        if (!handshakeDone) fail(new Error(`${label}: connection closed during the handshake`));
        else session.onSocketGone(undefined);
      });
      socket.once("connect", () => {
        const w = new JuteWriter();
        const at = w.startFrame();
        writeConnectRequest(w, {
          protocolVersion: 0,
          lastZxidSeen: 0,
          timeOutMs: opts.sessionTimeoutMs,
          sessionId: 0n,
          passwd: Buffer.alloc(16),
          readOnly: false,
        });
        w.finishFrame(at);
        socket.write(w.toBuffer());
      });
      socket.on("data", (chunk: Buffer) => {
        if (handshakeDone) {
          session.onData(chunk);
          return;
        }
        try {
          session.decoder.push(chunk, (body) => {
            if (handshakeDone) {
              session.onFrame(body);
              return;
            }
            const resp = readConnectResponse(new JuteReader(body));
            if (resp.timeOutMs <= 0) throw new Error(`${label}: server refused the session`);
            handshakeDone = true;
            session.sessionId = resp.sessionId;
            session.negotiatedTimeoutMs = resp.timeOutMs;
          });
        } catch (e) {
          fail(e as Error);
          return;
        }
        if (handshakeDone) {
          clearTimeout(timer);
          session.startPinging();
          session.flush();
          resolve(session);
        }
      });
    });
  }

  /**
   * Queues a request; it is written on the next `flush()` (called automatically after each
   * chunk of replies is handled). `tag` comes back with the reply.
   */
  enqueue(req: Request, tag: number): void {
    if (this.closed) throw new Error(`${this.label}: session is closed`);
    const xid = this.nextXid;
    this.nextXid = xid >= 0x7fff_ffff ? 1 : xid + 1;
    this.writeFrame(xid, req);
    if (this.inFlightCount === this.ringXids.length) this.growRing();
    const slot = (this.head + this.inFlightCount) & (this.ringXids.length - 1);
    this.ringXids[slot] = xid;
    this.ringTags[slot] = tag;
    this.ringSentMs[slot] = performance.now();
    this.inFlightCount += 1;
  }

  flush(): void {
    if (this.out.offset === 0 || this.closed) return;
    this.socket.write(this.out.toBuffer());
    this.out.reset();
    this.lastSendMs = performance.now();
  }

  /** Sends closeSession and waits (bounded) for its reply, then closes the socket. */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.closed) return;
    const done = new Promise<void>((resolve) => {
      this.closing = resolve;
    });
    this.closeXid = this.nextXid;
    this.nextXid += 1;
    this.writeFrame(this.closeXid, { type: OpCode.closeSession });
    this.flush();
    const timer = setTimeout(() => this.closing?.(), timeoutMs);
    await done;
    clearTimeout(timer);
    this.destroy();
  }

  destroy(): void {
    // Marked closed first so the deliberate close is not reported to the handler as a loss.
    this.closed = true;
    this.stopPinging();
    this.socket.destroy();
  }

  private writeFrame(xid: number, req: Request): void {
    const at = this.out.startFrame();
    writeRequestHeader(this.out, { xid, type: req.type });
    writeRequest(this.out, req);
    this.out.finishFrame(at);
  }

  private growRing(): void {
    const size = this.ringXids.length;
    const xids = new Int32Array(size * 2);
    const tags = new Int32Array(size * 2);
    const sent = new Float64Array(size * 2);
    for (let i = 0; i < this.inFlightCount; i++) {
      const from = (this.head + i) & (size - 1);
      xids[i] = this.ringXids[from]!;
      tags[i] = this.ringTags[from]!;
      sent[i] = this.ringSentMs[from]!;
    }
    this.ringXids = xids;
    this.ringTags = tags;
    this.ringSentMs = sent;
    this.head = 0;
  }

  private onData(chunk: Buffer): void {
    try {
      this.decoder.push(chunk, (body) => this.onFrame(body));
    } catch (e) {
      this.socket.destroy(e as Error);
      return;
    }
    this.flush();
  }

  private onFrame(body: Buffer): void {
    if (body.length < REPLY_HEADER_BYTES)
      throw new Error(`${this.label}: short reply (${body.length} bytes)`);
    const xid = body.readInt32BE(0);
    const err = body.readInt32BE(12);
    if (xid === Xid.notification || xid === Xid.ping) return;
    if (xid === this.closeXid && this.closing) {
      this.closing();
      return;
    }
    if (this.inFlightCount === 0)
      throw new Error(`${this.label}: reply with xid ${xid} but nothing in flight`);
    const slot = this.head;
    const expected = this.ringXids[slot]!;
    if (xid !== expected)
      throw new Error(`${this.label}: reply xid ${xid}, expected ${expected} (out of order)`);
    const tag = this.ringTags[slot]!;
    const latencyMs = performance.now() - this.ringSentMs[slot]!;
    this.head = (slot + 1) & (this.ringXids.length - 1);
    this.inFlightCount -= 1;
    this.handler?.onReply(this, tag, err, latencyMs, body.subarray(REPLY_HEADER_BYTES));
  }

  // The load keeps sessions busy, but setup and slow phases can leave one idle for longer than
  // its timeout, and an expired session would turn the rest of the run into errors.
  private startPinging(): void {
    const everyMs = Math.max(100, Math.floor(this.negotiatedTimeoutMs / 3));
    this.pingTimer = setInterval(() => {
      if (this.closed || performance.now() - this.lastSendMs < everyMs) return;
      this.writeFrame(Xid.ping, { type: OpCode.ping });
      this.flush();
    }, everyMs);
    this.pingTimer.unref();
  }

  private stopPinging(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  private onSocketGone(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.stopPinging();
    this.closing?.();
    const lost = this.inFlightCount;
    this.inFlightCount = 0;
    this.handler?.onClose(this, lost, error);
  }
}

/** An awaitable request on a session with no load handler; for setup and cleanup only. */
export class SessionRequester implements ReplyHandler {
  private readonly waiting = new Map<number, (r: { err: number; body: Buffer }) => void>();
  private nextTag = 0;
  private failure: Error | undefined;

  constructor(readonly session: BenchSession) {
    session.handler = this;
  }

  request(req: Request): Promise<{ err: number; body: Buffer }> {
    if (this.failure) return Promise.reject(this.failure);
    const tag = this.nextTag;
    this.nextTag = (this.nextTag + 1) | 0;
    return new Promise((resolve) => {
      this.waiting.set(tag, resolve);
      this.session.enqueue(req, tag);
      this.session.flush();
    });
  }

  onReply(_s: BenchSession, tag: number, err: number, _latencyMs: number, body: Buffer): void {
    const resolve = this.waiting.get(tag);
    this.waiting.delete(tag);
    resolve?.({ err, body });
  }

  onClose(_s: BenchSession, _inFlight: number, error: Error | undefined): void {
    this.failure = error ?? new Error(`${this.session.label}: connection closed`);
    for (const resolve of this.waiting.values())
      resolve({ err: ErrorCode.ConnectionLoss, body: Buffer.alloc(0) });
    this.waiting.clear();
  }
}
