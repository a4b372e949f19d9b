// The four messages on every write's path (PROPOSAL, ACK, COMMIT, REQUEST), written and read by
// hand in exactly proto/peer.proto's wire format: protobufjs's reflection-driven objects cost more
// per write than the rest of a frame's handling. Anything this file does not recognise (another
// message, a reconfig entry, a field it does not expect, a number past 2^53) is left to the
// protobufjs codec, so both read the same bytes the same way.

import type { Ack, Commit, LogEntry, PeerMessage, Proposal, RequestMsg } from "./messages.js";

// PeerFrame fields (proto/peer.proto).
const CONN = 1;
const SEQ = 2;
const TERM = 3;
const PROPOSAL = 20;
const ACK = 21;
const COMMIT = 22;
const REQUEST = 24;

const VARINT = 0;
const LEN = 2;

const TWO_32 = 0x1_0000_0000;

/** Bytes a protobuf varint of `n` (a non-negative integer up to 2^53) takes. */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

function tagSize(field: number): number {
  return varintSize(field << 3);
}

/** Writes `n` (a non-negative integer up to 2^53) as a protobuf varint at `at`; returns the end. */
export function writeVarint(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80;
    n = n >= TWO_32 ? Math.floor(n / 0x80) : n >>> 7;
  }
  out[at++] = n;
  return at;
}

/** Encodes into a buffer sized beforehand: every size is computed first, then bytes written once. */
class Out {
  at = 0;
  constructor(readonly bytes: Uint8Array) {}

  uintField(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, VARINT);
    this.varint(v);
  }

  varint(n: number): void {
    this.at = writeVarint(this.bytes, this.at, n);
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  bytesField(field: number, v: Uint8Array): void {
    if (v.length === 0) return;
    this.tag(field, LEN);
    this.varint(v.length);
    this.bytes.set(v, this.at);
    this.at += v.length;
  }
}

// Like protobufjs, a scalar field holding its proto3 default (0, empty bytes) is not written.

function uintFieldSize(field: number, v: number): number {
  return v === 0 ? 0 : tagSize(field) + varintSize(v);
}

function bytesFieldSize(field: number, length: number): number {
  return length === 0 ? 0 : lenFieldSize(field, length);
}

/** An embedded message: written even when empty (it says which oneof member is set). */
function lenFieldSize(field: number, length: number): number {
  return tagSize(field) + varintSize(length) + length;
}

/** The body's bytes inside its PeerFrame field, or undefined for a message this file leaves alone. */
function bodySize(msg: PeerMessage): number | undefined {
  switch (msg.type) {
    case "PROPOSAL": {
      let size = 0;
      for (const e of msg.entries) {
        if (e.config !== undefined && e.config !== null) return undefined;
        size += lenFieldSize(1, entrySize(e));
      }
      return size;
    }
    case "ACK":
      return uintFieldSize(1, msg.zxid);
    case "COMMIT":
      return uintFieldSize(1, msg.zxid) + uintFieldSize(2, msg.designatedLeader ?? 0);
    case "REQUEST":
      return bytesFieldSize(1, msg.payload.length);
    default:
      return undefined;
  }
}

function entrySize(e: LogEntry): number {
  return uintFieldSize(1, e.zxid) + bytesFieldSize(2, e.payload.length);
}

const FIELD_OF: Partial<Record<PeerMessage["type"], number>> = { PROPOSAL, ACK, COMMIT, REQUEST };

function isWireInteger(v: number | undefined): boolean {
  return v === undefined || (Number.isSafeInteger(v) && v >= 0);
}

/**
 * The PeerFrame bytes of a hot message, byte for byte as protobufjs writes them, or undefined when
 * the message is not one this file handles.
 */
export function encodeHot(msg: PeerMessage): Uint8Array | undefined {
  const field = FIELD_OF[msg.type];
  if (field === undefined) return undefined;
  const body = bodySize(msg);
  if (body === undefined) return undefined;
  const m = msg as HotMessage;
  const conn = m.conn ?? 0;
  const seq = m.seq ?? 0;
  const term = m.term ?? 0;
  if (!isWireInteger(conn) || !isWireInteger(seq) || !isWireInteger(term)) return undefined;
  if (msg.type === "PROPOSAL" && !msg.entries.every((e) => isWireInteger(e.zxid))) return undefined;
  if ((msg.type === "ACK" || msg.type === "COMMIT") && !isWireInteger(msg.zxid)) return undefined;
  if (msg.type === "COMMIT" && !isWireInteger(msg.designatedLeader)) return undefined;
  const size =
    uintFieldSize(CONN, conn) +
    uintFieldSize(SEQ, seq) +
    uintFieldSize(TERM, term) +
    lenFieldSize(field, body);
  // From Node's pool: an ArrayBuffer of its own per ACK or COMMIT costs more than encoding it,
  // mostly in the garbage collector.
  const out = new Out(Buffer.allocUnsafe(size));
  out.uintField(CONN, conn);
  out.uintField(SEQ, seq);
  out.uintField(TERM, term);
  out.tag(field, LEN);
  out.varint(body);
  switch (msg.type) {
    case "PROPOSAL":
      for (const e of msg.entries) {
        out.tag(1, LEN);
        out.varint(entrySize(e));
        out.uintField(1, e.zxid);
        out.bytesField(2, e.payload);
      }
      break;
    case "ACK":
      out.uintField(1, msg.zxid);
      break;
    case "COMMIT":
      out.uintField(1, msg.zxid);
      out.uintField(2, msg.designatedLeader ?? 0);
      break;
    case "REQUEST":
      out.bytesField(1, msg.payload);
      break;
  }
  if (out.at !== size) throw new Error(`hot codec: wrote ${out.at} of ${size} bytes`);
  return out.bytes;
}

/** Thrown inside the reader for anything the fast path does not handle; never escapes decodeHot. */
const NOT_HOT = Symbol("not hot");

class In {
  at: number;
  constructor(
    readonly bytes: Uint8Array,
    from: number,
    readonly end: number,
  ) {
    this.at = from;
  }

  /** A varint up to 2^53 - 1; larger ones (and malformed ones) go to the general decoder. */
  varint(): number {
    const b = this.bytes;
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.at >= this.end) throw NOT_HOT;
      const byte = b[this.at++]!;
      n += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (n > Number.MAX_SAFE_INTEGER) throw NOT_HOT;
        return n;
      }
      scale *= 0x80;
    }
    throw NOT_HOT;
  }

  /** A length-delimited field's [start, end) within the input. */
  len(): [number, number] {
    const length = this.varint();
    if (length > this.end - this.at) throw NOT_HOT;
    const start = this.at;
    this.at += length;
    return [start, this.at];
  }
}

/**
 * A hot message decoded from its PeerFrame bytes, or undefined for anything else (the caller then
 * decodes it the general way). Bytes fields are views into `bytes` (frameView).
 */
export function decodeHot(bytes: Uint8Array): PeerMessage | undefined {
  try {
    return readFrame(bytes);
  } catch (err) {
    if (err === NOT_HOT) return undefined;
    throw err;
  }
}

type HotMessage = Proposal | Ack | Commit | RequestMsg;

function readFrame(bytes: Uint8Array): HotMessage {
  const r = new In(bytes, 0, bytes.length);
  let conn = 0;
  let seq = 0;
  let term = 0;
  let msg: HotMessage | undefined;
  while (r.at < r.end) {
    const tag = r.varint();
    if (tag === ((CONN << 3) | VARINT)) conn = r.varint();
    else if (tag === ((SEQ << 3) | VARINT)) seq = r.varint();
    else if (tag === ((TERM << 3) | VARINT)) term = r.varint();
    else if (msg === undefined && (tag & 7) === LEN) {
      const [start, end] = r.len();
      msg = readBody(tag >>> 3, new In(bytes, start, end));
    } else throw NOT_HOT;
  }
  if (msg === undefined) throw NOT_HOT;
  msg.conn = conn;
  msg.seq = seq;
  msg.term = term;
  return msg;
}

function readBody(field: number, r: In): HotMessage {
  switch (field) {
    case PROPOSAL: {
      const entries: LogEntry[] = [];
      while (r.at < r.end) {
        if (r.varint() !== ((1 << 3) | LEN)) throw NOT_HOT;
        const [start, end] = r.len();
        entries.push(readEntry(new In(r.bytes, start, end)));
      }
      return { type: "PROPOSAL", entries } as Proposal;
    }
    case ACK:
    case COMMIT: {
      let zxid = 0;
      let designatedLeader = 0;
      while (r.at < r.end) {
        const tag = r.varint();
        if (tag === ((1 << 3) | VARINT)) zxid = r.varint();
        else if (tag === ((2 << 3) | VARINT) && field === COMMIT) designatedLeader = r.varint();
        else throw NOT_HOT;
      }
      return field === ACK
        ? ({ type: "ACK", zxid } as Ack)
        : ({ type: "COMMIT", zxid, designatedLeader } as Commit);
    }
    case REQUEST: {
      let payload: Uint8Array = new Uint8Array(0);
      while (r.at < r.end) {
        if (r.varint() !== ((1 << 3) | LEN)) throw NOT_HOT;
        const [start, end] = r.len();
        payload = frameView(r.bytes, start, end);
      }
      return { type: "REQUEST", payload } as RequestMsg;
    }
    default:
      throw NOT_HOT;
  }
}

/**
 * A view of bytes inside the frame, typed as the general decoder types bytes (a plain
 * Uint8Array). No copy: a copy per payload was most of a follower's garbage. What a view keeps
 * alive is the socket read that brought the frame, and the entries of one frame are trimmed
 * from the log together, so what stays alive is about what the log holds anyway.
 */
function frameView(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start);
}

function readEntry(r: In): LogEntry {
  let zxid = 0;
  let payload: Uint8Array = new Uint8Array(0);
  while (r.at < r.end) {
    const tag = r.varint();
    if (tag === ((1 << 3) | VARINT)) zxid = r.varint();
    else if (tag === ((2 << 3) | LEN)) {
      const [start, end] = r.len();
      payload = frameView(r.bytes, start, end);
    } else throw NOT_HOT;
  }
  return { zxid, payload, config: null } as unknown as LogEntry;
}
