// PeerMessage <-> protobuf bytes through proto/peer.proto (one PeerFrame per WebSocket frame).
// The .proto is loaded at run time from a path the caller gives, so bundling does not need to
// know where the repository keeps it.

import protobuf from "protobufjs";
import type { PeerMessage } from "./messages.js";

/** The PeerFrame oneof field carrying each message type. */
export const BODY_FIELD: Readonly<Record<PeerMessage["type"], string>> = {
  NOTIFICATION: "notification",
  FOLLOWERINFO: "followerInfo",
  OBSERVERINFO: "observerInfo",
  LEADERINFO: "leaderInfo",
  ACKEPOCH: "ackEpoch",
  DIFF: "diff",
  TRUNC: "trunc",
  SNAP: "snap",
  NEWLEADER: "newLeader",
  UPTODATE: "upToDate",
  PROPOSAL: "proposal",
  ACK: "ack",
  COMMIT: "commit",
  INFORM: "inform",
  REQUEST: "request",
  PING: "ping",
  REVALIDATE: "revalidate",
  SYNC: "sync",
};

const TYPE_OF_FIELD = new Map(Object.entries(BODY_FIELD).map(([type, field]) => [field, type]));

export interface PeerCodec {
  encode(msg: PeerMessage): Uint8Array;
  /** Throws on malformed input; callers treat that as a broken peer, never as a crash. */
  decode(bytes: Uint8Array): PeerMessage;
  /** The oneof fields PeerFrame declares (for the test that keeps TS and .proto in step). */
  bodyFields(): string[];
}

export function loadPeerCodec(protoPath: string): PeerCodec {
  const root = protobuf.loadSync(protoPath);
  const Frame = root.lookupType("paddock.peer.v1.PeerFrame");
  return {
    encode(msg) {
      const { type, ...rest } = msg;
      const { conn, seq, term, ...body } = rest as { conn?: number; seq?: number; term?: number } & Record<
        string,
        unknown
      >;
      const frame = { conn: conn ?? 0, seq: seq ?? 0, term: term ?? 0, [BODY_FIELD[type]]: toWire(body) };
      return Frame.encode(Frame.fromObject(frame)).finish();
    },
    decode(bytes) {
      const obj = Frame.toObject(Frame.decode(bytes), {
        longs: String,
        enums: String,
        defaults: true,
        arrays: true,
        oneofs: true,
      }) as Record<string, unknown>;
      const field = obj.body;
      const type = typeof field === "string" ? TYPE_OF_FIELD.get(field) : undefined;
      if (type === undefined || typeof field !== "string") throw new Error("peer frame without a body");
      const body = fromWire(obj[field]) as Record<string, unknown>;
      if (type === "NOTIFICATION") return { type, ...body } as unknown as PeerMessage;
      return {
        type,
        conn: Number(obj.conn),
        seq: Number(obj.seq),
        term: Number(obj.term),
        ...body,
      } as unknown as PeerMessage;
    },
    bodyFields() {
      return Frame.oneofs.body?.fieldsArray.map((f) => f.name) ?? [];
    },
  };
}

/** bigint session ids travel as decimal strings through protobufjs's fixed64. */
function toWire(v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map(toWire);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWire(x)]));
  }
  return v;
}

/** 64-bit fields come back as strings: session ids become bigint, the rest (zxids...) numbers. */
function fromWire(v: unknown, key = ""): unknown {
  if (typeof v === "string" && /^-?\d+$/.test(v)) return key === "sessionId" ? BigInt(v) : Number(v);
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (Array.isArray(v)) return v.map((x) => fromWire(x, key));
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromWire(x, k)]));
  }
  return v;
}
