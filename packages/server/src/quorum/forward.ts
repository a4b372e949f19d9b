// The payload of a REQUEST frame: a client write a learner hands to the leader. Opaque to ZAB;
// jute-encoded because the raw request body already is, and the leader decodes it itself (an
// undecodable body still becomes an error txn there, as on a standalone server).

import { type Id, JuteReader, JuteWriter } from "@paddock/jute";

export type Forwarded =
  | {
      kind: "request";
      sessionId: bigint;
      xid: number;
      opcode: number;
      /** The connection's identities, for ACL checks on the leader. */
      identities: readonly Id[];
      /** The request body after its header, exactly as the client sent it. */
      body: Buffer;
    }
  | { kind: "createSession"; sessionId: bigint; timeoutMs: number; passwd: Buffer };

const REQUEST = 1;
const CREATE_SESSION = 2;
/** Several forwarded payloads of one turn in one REQUEST: [int 3][int n][buffer payload]... */
const BATCH = 3;
/** More per REQUEST than a learner could gather in one turn; a bound for the decoder. */
const MAX_BATCH = 1 << 20;

export function encodeForwarded(f: Forwarded): Buffer {
  const w = new JuteWriter(64 + (f.kind === "request" ? f.body.length : 0));
  if (f.kind === "request") {
    w.writeInt(REQUEST).writeBigLong(f.sessionId).writeInt(f.xid).writeInt(f.opcode);
    w.writeInt(f.identities.length);
    for (const id of f.identities) w.writeString(id.scheme).writeString(id.id);
    w.writeBuffer(f.body);
  } else {
    w.writeInt(CREATE_SESSION).writeBigLong(f.sessionId).writeInt(f.timeoutMs).writeBuffer(f.passwd);
  }
  // The writer is this call's own: its bytes need no second copy.
  return w.view();
}

/** The payloads (each from encodeForwarded) as one REQUEST payload; a single one is sent as it is. */
export function encodeForwardedBatch(payloads: readonly Uint8Array[]): Uint8Array {
  if (payloads.length === 1) return payloads[0]!;
  let bytes = 8;
  for (const p of payloads) bytes += 4 + p.length;
  const w = new JuteWriter(bytes);
  w.writeInt(BATCH).writeInt(payloads.length);
  for (const p of payloads) w.writeBuffer(Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  return w.view();
}

/**
 * The forwarded payloads a REQUEST carries, in order (views into `bytes`): itself, or the parts
 * of a batch. Throws on a malformed batch; a malformed part is only found by decodeForwarded.
 */
export function splitForwarded(bytes: Uint8Array): Uint8Array[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 4 || buf.readInt32BE(0) !== BATCH) return [bytes];
  const r = new JuteReader(buf);
  r.readInt();
  const n = r.readInt();
  if (n < 0 || n > MAX_BATCH) throw new RangeError(`forwarded batch of ${n} requests`);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const len = r.readInt();
    if (len < 0 || len > r.remaining) throw new RangeError("forwarded batch: part runs past the end");
    parts.push(buf.subarray(r.offset, r.offset + len));
    r.offset += len;
  }
  if (r.remaining !== 0) throw new RangeError("forwarded batch: bytes after the last part");
  return parts;
}

/** Throws JuteDecodeError on malformed input; the caller drops such a frame. */
export function decodeForwarded(bytes: Uint8Array): Forwarded {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new JuteReader(buf);
  const kind = r.readInt();
  const sessionId = r.readBigLong();
  if (kind === CREATE_SESSION) {
    const timeoutMs = r.readInt();
    return { kind: "createSession", sessionId, timeoutMs, passwd: r.readBuffer() ?? Buffer.alloc(0) };
  }
  if (kind !== REQUEST) throw new RangeError(`unknown forwarded kind ${kind}`);
  const xid = r.readInt();
  const opcode = r.readInt();
  const n = r.readInt();
  if (n < 0 || n > 1024) throw new RangeError(`forwarded request with ${n} identities`);
  const identities: Id[] = [];
  for (let i = 0; i < n; i++) identities.push({ scheme: r.readString() ?? "", id: r.readString() ?? "" });
  // A view: the body is decoded (its data copied out) before the frame holding it is dropped.
  return { kind: "request", sessionId, xid, opcode, identities, body: r.readBufferView() ?? Buffer.alloc(0) };
}
