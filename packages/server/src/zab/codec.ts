// PeerMessage <-> protobuf bytes through proto/peer.proto (a PeerFrame, or a PeerBatch of them
// (frame-batch.ts), per WebSocket frame).
// The .proto is loaded at run time from a path the caller gives, so bundling does not need to
// know where the repository keeps it.

import type protobuf from "protobufjs";
import { lazyModule } from "../lazy-module.js";
import { encodeBatch, isBatch, splitBatch } from "./frame-batch.js";
import { decodeHot, encodeHot } from "./hot-codec.js";
import type { PeerMessage } from "./messages.js";
import { validatePeerMessage } from "./validate.js";

/** protobufjs is only needed in an ensemble: a standalone server never loads it. */
const protobufjs = lazyModule<typeof protobuf>("protobufjs", () => require("protobufjs"));

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
  /**
   * Throws on malformed input, and on a message with a field out of range (validate.ts); callers
   * treat that as a broken peer, never as a crash.
   */
  decode(bytes: Uint8Array): PeerMessage;
  /** Encoded PeerFrames as one WebSocket frame: the frame itself if only one, else a PeerBatch. */
  encodeFrames(frames: readonly Uint8Array[]): Uint8Array;
  /**
   * Every message of one WebSocket frame (a PeerFrame or a PeerBatch), in order. All or nothing:
   * throws, as decode does, if any of them is malformed or out of range.
   */
  decodeFrames(bytes: Uint8Array): PeerMessage[];
  /** The oneof fields PeerFrame declares (for the test that keeps TS and .proto in step). */
  bodyFields(): string[];
}

/** `hotPath: false` leaves every message to protobufjs (for the test that compares the two). */
export function loadPeerCodec(protoPath: string, opts: { hotPath?: boolean } = {}): PeerCodec {
  const hotPath = opts.hotPath ?? true;
  const root = protobufjs().loadSync(protoPath);
  const Frame = root.lookupType("paddock.peer.v1.PeerFrame");
  const toWire = new Map<string, (v: Record<string, unknown>) => Record<string, unknown>>();
  const fromWire = new Map<string, (m: Record<string, unknown>) => Record<string, unknown>>();
  for (const field of Frame.oneofs.body?.fieldsArray ?? []) {
    field.resolve();
    const type = field.resolvedType;
    if (!(type instanceof protobufjs().Type))
      throw new Error(`peer.proto: body field ${field.name} is not a message`);
    toWire.set(field.name, messageToWire(type));
    fromWire.set(field.name, messageFromWire(type));
  }
  const codec: PeerCodec = {
    encode(msg) {
      const hot = hotPath ? encodeHot(msg) : undefined;
      if (hot !== undefined) return hot;
      const { type, ...rest } = msg;
      const { conn, seq, term, ...body } = rest as { conn?: number; seq?: number; term?: number } & Record<
        string,
        unknown
      >;
      const field = BODY_FIELD[type];
      // A plain object in the generated encoder's shape; no fromObject pass over it.
      const frame = { conn: conn ?? 0, seq: seq ?? 0, term: term ?? 0, [field]: toWire.get(field)!(body) };
      return Frame.encode(frame).finish();
    },
    decode(bytes) {
      const hot = hotPath ? decodeHot(bytes) : undefined;
      if (hot !== undefined) {
        validatePeerMessage(hot);
        return hot;
      }
      const frame = Frame.decode(bytes) as unknown as Record<string, unknown>;
      // protobufjs's virtual oneof property: the name of the body field present, if any.
      const field = frame.body;
      const type = typeof field === "string" ? TYPE_OF_FIELD.get(field) : undefined;
      if (type === undefined || typeof field !== "string") throw new Error("peer frame without a body");
      const body = fromWire.get(field)!(frame[field] as Record<string, unknown>);
      const msg = (type === "NOTIFICATION"
        ? { type, ...body }
        : {
            type,
            conn: longToNumber(frame.conn),
            seq: longToNumber(frame.seq),
            term: longToNumber(frame.term),
            ...body,
          }) as unknown as PeerMessage;
      validatePeerMessage(msg);
      return msg;
    },
    encodeFrames(frames) {
      if (frames.length === 1) return frames[0]!;
      return encodeBatch(frames);
    },
    decodeFrames(bytes) {
      if (!isBatch(bytes)) return [codec.decode(bytes)];
      return splitBatch(bytes).map((frame) => codec.decode(frame));
    },
    bodyFields() {
      return Frame.oneofs.body?.fieldsArray.map((f) => f.name) ?? [];
    },
  };
  return codec;
}

// Converters between the TypeScript messages and protobufjs's objects, built once per message
// type from the .proto: 64-bit integers are numbers in TypeScript (zxids, epochs: below 2^53)
// except fixed64 session ids (bigint, unsigned); enums are their names; absent fields decode to
// proto3 defaults.

type Convert = (v: unknown) => unknown;

interface Long {
  low: number;
  high: number;
  toNumber(): number;
}

function longToNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (v !== null && typeof v === "object" && "toNumber" in v) return (v as Long).toNumber();
  throw new Error(`peer frame: expected an integer, got ${typeof v}`);
}

function longToUnsignedBigInt(v: unknown): bigint {
  if (typeof v === "number") return BigInt(v);
  if (v !== null && typeof v === "object" && "low" in v) {
    const l = v as Long;
    return (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  }
  throw new Error(`peer frame: expected a 64-bit integer, got ${typeof v}`);
}

function fieldsOf(type: protobuf.Type): protobuf.Field[] {
  for (const f of type.fieldsArray) f.resolve();
  return type.fieldsArray;
}

function messageToWire(type: protobuf.Type): (v: Record<string, unknown>) => Record<string, unknown> {
  let fields: { name: string; convert: Convert | undefined; repeated: boolean }[] | undefined;
  return (v) => {
    fields ??= fieldsOf(type).map((f) => ({ name: f.name, convert: valueToWire(f), repeated: f.repeated }));
    const out: Record<string, unknown> = {};
    for (const { name, convert, repeated } of fields) {
      const x = v[name];
      if (x === undefined || x === null) continue;
      if (convert === undefined) out[name] = x;
      else out[name] = repeated ? (x as unknown[]).map(convert) : convert(x);
    }
    return out;
  };
}

function valueToWire(f: protobuf.Field): Convert | undefined {
  const t = f.resolvedType;
  if (t instanceof protobufjs().Type) {
    const nested = messageToWire(t);
    return (x) => nested(x as Record<string, unknown>);
  }
  if (t instanceof protobufjs().Enum) {
    const values = t.values;
    return (x) => (typeof x === "string" ? values[x] : x);
  }
  // protobufjs parses a decimal string into a 64-bit value exactly.
  if (f.type === "fixed64") return (x) => (typeof x === "bigint" ? x.toString() : x);
  return undefined;
}

function messageFromWire(type: protobuf.Type): (m: Record<string, unknown>) => Record<string, unknown> {
  let fields: { name: string; convert: Convert; repeated: boolean; message: boolean }[] | undefined;
  return (m) => {
    fields ??= fieldsOf(type).map((f) => ({
      name: f.name,
      convert: valueFromWire(f),
      repeated: f.repeated,
      message: f.resolvedType instanceof protobufjs().Type,
    }));
    const out: Record<string, unknown> = {};
    for (const { name, convert, repeated, message } of fields) {
      // Absent scalars read as the prototype's proto3 default; absent messages as null.
      const x = m?.[name];
      if (repeated) out[name] = Array.isArray(x) ? x.map(convert) : [];
      else if (message) out[name] = x === undefined || x === null ? null : convert(x);
      else out[name] = convert(x);
    }
    return out;
  };
}

function valueFromWire(f: protobuf.Field): Convert {
  const t = f.resolvedType;
  if (t instanceof protobufjs().Type) {
    const nested = messageFromWire(t);
    return (x) => nested(x as Record<string, unknown>);
  }
  if (t instanceof protobufjs().Enum) {
    const names = t.valuesById;
    return (x) => names[x as number] ?? x;
  }
  switch (f.type) {
    case "fixed64":
      return longToUnsignedBigInt;
    case "uint64":
    case "int64":
    case "sint64":
    case "sfixed64":
      return longToNumber;
    case "bytes":
      // A copy: the decoded bytes are a view into the whole frame, which should not be kept alive.
      return (x) => new Uint8Array(x as Uint8Array);
    default:
      return (x) => x;
  }
}
