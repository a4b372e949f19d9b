import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { encodeSnapChunkFrame } from "../../src/net/snapshot-stream.js";
import { BODY_FIELD, loadPeerCodec } from "../../src/zab/codec.js";
import type { PeerMessage } from "../../src/zab/index.js";
import { makeZxid } from "../../src/zab/index.js";
import { MAX_PEER_EPOCH, PeerMessageError, validatePeerMessage } from "../../src/zab/validate.js";

const codec = loadPeerCodec(fileURLToPath(new URL("../../../../proto/peer.proto", import.meta.url)));

// An absent config decodes as null (proto3: an unset message field).
const entry = (epoch: number, counter: number, text: string) => ({
  zxid: makeZxid(epoch, counter),
  payload: new TextEncoder().encode(text),
  config: null,
});
// proto3 bytes decode to empty when absent, so every sample config states its members.
const config = {
  version: makeZxid(7, 3),
  voters: [1, 2, 5],
  observers: [4],
  members: new TextEncoder().encode("server.1=a:1:2:participant"),
};

// One sample per message type; the mapped type makes a forgotten type a compile error.
const samples: { [K in PeerMessage["type"]]: Extract<PeerMessage, { type: K }> } = {
  NOTIFICATION: {
    type: "NOTIFICATION",
    state: "FOLLOWING",
    vote: { leader: 3, zxid: makeZxid(7, 12), peerEpoch: 7 },
    round: 4,
    config,
    pendingConfig: null,
  },
  FOLLOWERINFO: { type: "FOLLOWERINFO", conn: 2 ** 40 + 1, seq: 1, term: 0, acceptedEpoch: 6 },
  OBSERVERINFO: { type: "OBSERVERINFO", conn: 9, seq: 1, term: 0, acceptedEpoch: 0 },
  LEADERINFO: { type: "LEADERINFO", conn: 9, seq: 1, term: 8, newEpoch: MAX_PEER_EPOCH },
  ACKEPOCH: {
    type: "ACKEPOCH",
    conn: 9,
    seq: 2,
    term: 8,
    currentEpoch: 5,
    lastZxid: makeZxid(5, 3),
    committedZxid: makeZxid(5, 1),
    epochEnds: [makeZxid(5, 3), makeZxid(4, 9)],
    alreadyAccepted: true,
  },
  DIFF: { type: "DIFF", conn: 9, seq: 2, term: 8, committedZxid: makeZxid(5, 3) },
  TRUNC: {
    type: "TRUNC",
    conn: 9,
    seq: 2,
    term: 8,
    truncZxid: makeZxid(4, 9),
    committedZxid: makeZxid(4, 2),
  },
  SNAP: {
    type: "SNAP",
    conn: 9,
    seq: 2,
    term: 8,
    snapshotZxid: makeZxid(5, 3),
    snapshot: new Uint8Array([0, 1, 255]),
    config: { version: 0, voters: [1, 2, 3], observers: [], members: new Uint8Array(0) },
  },
  NEWLEADER: { type: "NEWLEADER", conn: 9, seq: 3, term: 8, epoch: 8 },
  UPTODATE: { type: "UPTODATE", conn: 9, seq: 4, term: 8 },
  PROPOSAL: {
    type: "PROPOSAL",
    conn: 9,
    seq: 5,
    term: 8,
    entries: [
      entry(8, 1, "a"),
      {
        ...entry(8, 2, "reconfig"),
        config: { ...config, version: makeZxid(8, 2), members: new TextEncoder().encode("server.1=a:1:2") },
      },
    ],
  },
  ACK: { type: "ACK", conn: 9, seq: 3, term: 8, zxid: makeZxid(8, 0) },
  COMMIT: { type: "COMMIT", conn: 9, seq: 6, term: 8, zxid: makeZxid(8, 2), designatedLeader: 5 },
  INFORM: { type: "INFORM", conn: 9, seq: 6, term: 8, entries: [entry(8, 1, "")], designatedLeader: 0 },
  REQUEST: { type: "REQUEST", conn: 9, seq: 4, term: 8, payload: new Uint8Array([1, 2, 3]) },
  PING: {
    type: "PING",
    conn: 9,
    seq: 7,
    term: 8,
    touches: [{ sessionId: 0x0300_0000_0000_0001n, timeoutMs: 30_000 }],
  },
  REVALIDATE: {
    type: "REVALIDATE",
    conn: 9,
    seq: 8,
    term: 8,
    sessionId: 0xffff_ffff_ffff_fffen,
    timeoutMs: 4000,
    valid: true,
  },
  SYNC: { type: "SYNC", conn: 9, seq: 9, term: 8, requestId: 77 },
};

describe("peer.proto codec", () => {
  it("declares exactly the message types the state machine speaks, plus the transport's SNAP pieces", () => {
    // snapChunk is read and written by net/snapshot-stream.ts, never by ZAB.
    expect(codec.bodyFields().sort()).toEqual([...Object.values(BODY_FIELD), "snapChunk"].sort());
  });

  it("refuses a SNAP piece as a ZAB message (the transport reads those)", () => {
    expect(() => codec.decode(encodeSnapChunkFrame(Buffer.from("abc")))).toThrow(/without a body/);
  });

  for (const msg of Object.values(samples)) {
    it(`round-trips ${msg.type}`, () => {
      const bytes = codec.encode(msg);
      expect(bytes.length).toBeGreaterThan(0);
      expect(codec.decode(bytes)).toEqual(msg);
    });
  }

  it("carries one message as a bare PeerFrame and several as a PeerBatch, in order", () => {
    const all = Object.values(samples) as PeerMessage[];
    const encoded = all.map((m) => codec.encode(m));
    // Every PeerFrame starts with a varint field: never the batch's tag.
    for (const bytes of encoded) expect(bytes[0]).not.toBe(0x0a);
    expect(codec.encodeFrames([encoded[0]!])).toBe(encoded[0]);
    expect(codec.decodeFrames(encoded[3]!)).toEqual([all[3]]);
    const batch = codec.encodeFrames(encoded);
    expect(batch[0]).toBe(0x0a);
    expect(codec.decodeFrames(batch)).toEqual(all);
    // A frame over 127 bytes needs a two-byte length.
    const big: PeerMessage = { ...samples.REQUEST, payload: new Uint8Array(300).fill(7) };
    expect(codec.decodeFrames(codec.encodeFrames([codec.encode(big), encoded[1]!]))).toEqual([big, all[1]]);
  });

  it("refuses a malformed PeerBatch as a whole", () => {
    const a = codec.encode(samples.ACK);
    const b = codec.encode(samples.COMMIT);
    const batch = codec.encodeFrames([a, b]);
    expect(() => codec.decodeFrames(batch.subarray(0, batch.length - 1))).toThrow(/past the end/);
    expect(() => codec.decodeFrames(Uint8Array.of(0x0a))).toThrow(/truncated length/);
    expect(() => codec.decodeFrames(Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0x7f))).toThrow(/32 bits/);
    expect(() => codec.decodeFrames(Uint8Array.of(...batch, 0x12, 0x00))).toThrow(/unexpected tag/);
    // A well-framed batch with one message out of range: nothing of it is delivered.
    const bad = codec.encode({ ...samples.FOLLOWERINFO, acceptedEpoch: 2 ** 21 - 1 });
    expect(() => codec.decodeFrames(codec.encodeFrames([a, bad]))).toThrow(/out of range/);
  });

  it("rejects a frame without a body", () => {
    expect(() => codec.decode(new Uint8Array([0x08, 0x01]))).toThrow(/without a body/);
  });

  // Each of these once crashed a server (ZAB invariants, a TypeError); now the frame is refused
  // at decoding, which closes that link and nothing else.
  const refused: [string, Record<string, unknown>, RegExp][] = [
    [
      "a notification without a vote",
      { type: "NOTIFICATION", state: "LOOKING", vote: null, round: 1 },
      /NOTIFICATION: no vote/,
    ],
    [
      "a FOLLOWERINFO whose epoch the zxid could not hold",
      { type: "FOLLOWERINFO", conn: 1, seq: 1, term: 0, acceptedEpoch: 2 ** 21 - 1 },
      /acceptedEpoch 2097151 is out of range/,
    ],
    [
      "a FOLLOWERINFO with an epoch near the limit",
      { type: "FOLLOWERINFO", conn: 1, seq: 1, term: 0, acceptedEpoch: 2 ** 21 - 2 },
      /out of range/,
    ],
    [
      "a vote with a zxid from an impossible epoch",
      {
        type: "NOTIFICATION",
        state: "LOOKING",
        vote: { leader: 1, zxid: 2 ** 53 - 1, peerEpoch: 1 },
        round: 1,
      },
      /vote zxid .* epoch out of range/,
    ],
    [
      "a notification whose config names a server twice",
      {
        type: "NOTIFICATION",
        state: "LOOKING",
        vote: { leader: 1, zxid: 1, peerEpoch: 1 },
        round: 1,
        config: { version: 0x100000001, voters: [1, 2, 2], observers: [] },
      },
      /names server 2 twice/,
    ],
    [
      "a PROPOSAL with entries out of order",
      {
        type: "PROPOSAL",
        conn: 1,
        seq: 2,
        term: 3,
        entries: [
          { zxid: 0x300000002, payload: new Uint8Array([1]) },
          { zxid: 0x300000001, payload: new Uint8Array([2]) },
        ],
      },
      /not in zxid order/,
    ],
    [
      "an ACKEPOCH with too many epoch ends",
      {
        type: "ACKEPOCH",
        conn: 1,
        seq: 2,
        term: 3,
        currentEpoch: 2,
        lastZxid: 0x200000005,
        committedZxid: 0x200000004,
        epochEnds: Array.from({ length: 40 }, (_, i) => i),
        alreadyAccepted: false,
      },
      /epochEnds/,
    ],
  ];
  for (const [what, msg, error] of refused) {
    it(`refuses ${what}`, () => {
      expect(() => codec.decode(codec.encode(msg as unknown as PeerMessage))).toThrow(error);
      expect(() => validatePeerMessage(msg as unknown as PeerMessage)).toThrow(PeerMessageError);
    });
  }
});
