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
      identities: Id[];
      /** The request body after its header, exactly as the client sent it. */
      body: Buffer;
    }
  | { kind: "createSession"; sessionId: bigint; timeoutMs: number; passwd: Buffer };

const REQUEST = 1;
const CREATE_SESSION = 2;

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
  return w.toBuffer();
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
  return { kind: "request", sessionId, xid, opcode, identities, body: r.readBuffer() ?? Buffer.alloc(0) };
}
