// A protocol-level test client on @paddock/jute. It sends exactly what a test asks for (any
// opcode, any xid, even malformed bytes) and records every frame the server sends, in arrival
// order, as a transcript. It never retries, reorders or interprets sessions the way a real
// client library would, so a test sees the server's behaviour unfiltered.
import { createConnection, type Socket } from "node:net";
import {
  type ACL,
  type ClientInfo,
  type ConnectResponse,
  DEFAULT_MAX_BUFFER_BYTES,
  FrameDecoder,
  JuteReader,
  JuteWriter,
  OpCode,
  type OpResult,
  type Request,
  readAclList,
  readClientInfo,
  readConnectResponse,
  readMultiResponse,
  readReplyHeader,
  readStat,
  readWatcherEvent,
  type Stat,
  writeConnectRequest,
  writeRequest,
  writeRequestHeader,
  Xid,
} from "@paddock/jute";

/** Decoded success body of a reply; which fields are present depends on the request type. */
export interface ReplyBody {
  path?: string;
  stat?: Stat;
  data?: Buffer | null;
  children?: string[];
  acl?: ACL[] | null;
  results?: OpResult[];
  totalNumber?: number;
  ephemerals?: string[];
  clientInfo?: ClientInfo[];
  /** addWatch's ErrorResponse int. */
  errField?: number;
  token?: Buffer | null;
}

export type TranscriptEntry =
  | { kind: "connect"; response: ConnectResponse; sizeBytes: number }
  | {
      kind: "reply";
      xid: number;
      zxid: number;
      err: number;
      /** Opcode of the request this xid was sent with, or undefined for an unexpected xid. */
      op: number | undefined;
      body?: ReplyBody;
      /** Bytes left after decoding the expected body (servers should send none). */
      extraHex?: string;
      decodeError?: string;
    }
  | { kind: "event"; zxid: number; type: number; state: number; path: string }
  | { kind: "undecodable"; hex: string; error: string }
  | { kind: "closed" };

export type ReplyEntry = Extract<TranscriptEntry, { kind: "reply" }>;
export type EventEntry = Extract<TranscriptEntry, { kind: "event" }>;

export interface ConnectOptions {
  timeOutMs?: number;
  sessionId?: bigint;
  passwd?: Buffer;
  lastZxidSeen?: number;
  /** undefined omits the byte, as node-zookeeper-client does. */
  readOnly?: boolean | undefined;
  /** Default true: wait for the ConnectResponse before returning. */
  waitForHandshake?: boolean;
  /** Send nothing at all after connecting (for four-letter words or raw-byte tests). */
  noHandshake?: boolean;
}

const DEFAULT_WAIT_MS = 5000;

export class RawClient {
  readonly transcript: TranscriptEntry[] = [];
  /** Opcodes of sent requests per xid, oldest first, to pick the body decoder for replies. */
  private readonly pending = new Map<number, number[]>();
  private readonly decoder = new FrameDecoder(DEFAULT_MAX_BUFFER_BYTES * 16);
  private handshakeDone = false;
  private nextXid = 1;
  private waiters: Array<() => void> = [];
  closed = false;
  session: ConnectResponse | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly label: string,
  ) {
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("close", () => {
      this.closed = true;
      this.transcript.push({ kind: "closed" });
      this.wake();
    });
    socket.on("error", () => {
      // "close" follows and is what tests observe.
    });
  }

  static async open(
    host: string,
    port: number,
    opts: ConnectOptions = {},
    label = "client",
  ): Promise<RawClient> {
    const socket = createConnection({ host, port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const client = new RawClient(socket, label);
    if (opts.noHandshake) {
      client.handshakeDone = true;
      return client;
    }
    client.sendConnect(opts);
    if (opts.waitForHandshake ?? true)
      await client.waitFor((e) => e.kind === "connect" || e.kind === "closed");
    return client;
  }

  sendConnect(opts: ConnectOptions = {}): void {
    const w = new JuteWriter();
    const at = w.startFrame();
    writeConnectRequest(w, {
      protocolVersion: 0,
      lastZxidSeen: opts.lastZxidSeen ?? 0,
      timeOutMs: opts.timeOutMs ?? 30_000,
      sessionId: opts.sessionId ?? 0n,
      passwd: opts.passwd ?? Buffer.alloc(16),
      readOnly: "readOnly" in opts ? opts.readOnly : false,
    });
    w.finishFrame(at);
    this.socket.write(w.toBuffer());
  }

  /** Writes bytes exactly as given (no length prefix added). */
  sendBytes(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends a request record under a header; returns the xid used. */
  send(req: Request, xid?: number): number {
    const frame = this.encode(req, xid);
    this.socket.write(frame.bytes);
    return frame.xid;
  }

  /**
   * Encodes a request frame and expects its reply, without sending: for tests that deliver the
   * bytes themselves (split, delayed or concatenated).
   */
  encode(req: Request, xid?: number): { xid: number; bytes: Buffer } {
    const w = new JuteWriter();
    const at = w.startFrame();
    const usedXid = xid ?? this.defaultXid(req.type);
    writeRequestHeader(w, { xid: usedXid, type: req.type });
    writeRequest(w, req);
    w.finishFrame(at);
    this.track(usedXid, req.type);
    return { xid: usedXid, bytes: w.toBuffer() };
  }

  /** Sends a header with any opcode and an arbitrary body, for unknown or malformed requests. */
  sendOpcode(type: number, body: Buffer = Buffer.alloc(0), xid = this.nextXid++): number {
    const w = new JuteWriter();
    const at = w.startFrame();
    writeRequestHeader(w, { xid, type });
    w.finishFrame(at);
    const header = w.toBuffer();
    header.writeInt32BE(header.length - 4 + body.length, 0);
    this.track(xid, type);
    this.socket.write(Buffer.concat([header, body]));
    return xid;
  }

  /** Sends and waits for the reply carrying that xid (or the connection closing). */
  async call(req: Request, xid?: number, timeoutMs = DEFAULT_WAIT_MS): Promise<ReplyEntry> {
    const from = this.transcript.length;
    const used = this.send(req, xid);
    return this.waitReply(used, from, timeoutMs);
  }

  async waitReply(xid: number, fromIndex = 0, timeoutMs = DEFAULT_WAIT_MS): Promise<ReplyEntry> {
    // A close that happened before fromIndex still means no reply can come.
    const entry = await this.waitFor(
      (e) => (e.kind === "reply" && e.xid === xid) || e.kind === "closed",
      timeoutMs,
      this.closed ? 0 : fromIndex,
    );
    if (entry.kind !== "reply")
      throw new Error(`${this.label}: connection closed before reply to xid ${xid}`);
    return entry;
  }

  /** Resolves with the first entry at or after `fromIndex` that matches. */
  waitFor(
    match: (e: TranscriptEntry) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
    fromIndex = 0,
  ): Promise<TranscriptEntry> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = fromIndex; i < this.transcript.length; i++) {
          const e = this.transcript[i]!;
          if (match(e)) {
            resolve(e);
            return true;
          }
        }
        return false;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `${this.label}: timed out after ${timeoutMs} ms; transcript: ${summarise(this.transcript)}`,
          ),
        );
      }, timeoutMs);
      const waiter = () => {
        if (check()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
        }
      };
      this.waiters.push(waiter);
    });
  }

  async waitClosed(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    await this.waitFor((e) => e.kind === "closed", timeoutMs);
  }

  /** Waits until nothing new arrived for `quietMs`; for asserting that no frame comes. */
  async settle(quietMs = 150): Promise<void> {
    let seen = -1;
    while (seen !== this.transcript.length) {
      seen = this.transcript.length;
      await new Promise((r) => setTimeout(r, quietMs));
    }
  }

  events(fromIndex = 0): EventEntry[] {
    return this.transcript.slice(fromIndex).filter((e): e is EventEntry => e.kind === "event");
  }

  /** The highest zxid seen in reply headers, as a reconnecting client would track it. */
  lastZxid(): number {
    let max = 0;
    for (const e of this.transcript) if (e.kind === "reply" && e.zxid > max) max = e.zxid;
    return max;
  }

  /** Sends closeSession and waits for the server to close the socket. */
  async closeSession(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    if (this.closed) return;
    this.send({ type: OpCode.closeSession });
    await this.waitClosed(timeoutMs);
  }

  /** Drops the TCP connection without closing the session. */
  destroy(): void {
    this.socket.destroy();
  }

  private defaultXid(type: number): number {
    if (type === OpCode.ping) return Xid.ping;
    if (type === OpCode.auth) return Xid.auth;
    return this.nextXid++;
  }

  private track(xid: number, type: number): void {
    const list = this.pending.get(xid);
    if (list) list.push(type);
    else this.pending.set(xid, [type]);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private onData(chunk: Buffer): void {
    try {
      this.decoder.push(chunk, (body) => this.onFrame(body));
    } catch (e) {
      this.transcript.push({ kind: "undecodable", hex: chunk.toString("hex"), error: String(e) });
      this.socket.destroy();
    }
    this.wake();
  }

  private onFrame(body: Buffer): void {
    if (!this.handshakeDone) {
      this.handshakeDone = true;
      try {
        const response = readConnectResponse(new JuteReader(body));
        this.session = response;
        this.transcript.push({ kind: "connect", response, sizeBytes: body.length });
      } catch (e) {
        this.transcript.push({ kind: "undecodable", hex: body.toString("hex"), error: String(e) });
      }
      return;
    }
    const r = new JuteReader(body);
    let header: { xid: number; zxid: number; err: number };
    try {
      header = readReplyHeader(r);
    } catch (e) {
      this.transcript.push({ kind: "undecodable", hex: body.toString("hex"), error: String(e) });
      return;
    }
    if (header.xid === Xid.notification) {
      try {
        const ev = readWatcherEvent(r);
        this.transcript.push({ kind: "event", zxid: header.zxid, ...ev });
      } catch (e) {
        this.transcript.push({ kind: "undecodable", hex: body.toString("hex"), error: String(e) });
      }
      return;
    }
    const queue = this.pending.get(header.xid);
    const op = queue?.shift();
    if (queue && queue.length === 0) this.pending.delete(header.xid);
    const entry: ReplyEntry = { kind: "reply", ...header, op };
    if (header.err === 0 && op !== undefined) {
      try {
        const decoded = decodeBody(op, r);
        if (decoded !== undefined) entry.body = decoded;
      } catch (e) {
        entry.decodeError = String(e);
      }
    }
    if (r.remaining > 0) entry.extraHex = body.subarray(r.offset).toString("hex");
    this.transcript.push(entry);
  }
}

function decodeBody(op: number, r: JuteReader): ReplyBody | undefined {
  switch (op) {
    case OpCode.create:
    case OpCode.sync:
      return { path: r.readPath() };
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return { path: r.readPath(), stat: readStat(r) };
    case OpCode.exists:
    case OpCode.setData:
    case OpCode.setACL:
      return { stat: readStat(r) };
    case OpCode.getData:
    case OpCode.reconfig:
      return { data: r.readBuffer(), stat: readStat(r) };
    case OpCode.getACL:
      return { acl: readAclList(r), stat: readStat(r) };
    case OpCode.getChildren:
      return { children: r.readStringVector() ?? [] };
    case OpCode.getChildren2:
      return { children: r.readStringVector() ?? [], stat: readStat(r) };
    case OpCode.multi:
    case OpCode.multiRead:
      return { results: readMultiResponse(r) };
    case OpCode.getAllChildrenNumber:
      return { totalNumber: r.readInt() };
    case OpCode.getEphemerals:
      return { ephemerals: r.readStringVector() ?? [] };
    case OpCode.whoAmI:
      return { clientInfo: r.readVector(readClientInfo) ?? [] };
    case OpCode.addWatch:
      return { errField: r.readInt() };
    case OpCode.sasl:
      return { token: r.readBuffer() };
    default:
      return undefined;
  }
}

function summarise(transcript: readonly TranscriptEntry[]): string {
  return JSON.stringify(transcript.slice(-8), (_k, v) =>
    typeof v === "bigint"
      ? `0x${v.toString(16)}`
      : v instanceof Uint8Array
        ? Buffer.from(v).toString("hex")
        : v,
  );
}
