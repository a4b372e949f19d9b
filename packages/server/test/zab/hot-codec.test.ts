// The hand-written path for PROPOSAL, ACK, COMMIT and REQUEST must read and write exactly what
// protobufjs does with proto/peer.proto: the same bytes out, the same message (or the same
// refusal) in, including for damaged frames, which it hands to protobufjs.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadPeerCodec } from "../../src/zab/codec.js";
import { decodeHot, encodeHot } from "../../src/zab/hot-codec.js";
import type { PeerMessage } from "../../src/zab/index.js";
import { makeZxid } from "../../src/zab/index.js";
import { rng } from "../storage/helpers.js";

const proto = fileURLToPath(new URL("../../../../proto/peer.proto", import.meta.url));
const general = loadPeerCodec(proto, { hotPath: false });
const fast = loadPeerCodec(proto);

function payload(rnd: () => number): Uint8Array {
  const n = rnd() < 0.1 ? 0 : Math.floor(rnd() * (rnd() < 0.03 ? 20_000 : 1_200));
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

function bigish(rnd: () => number): number {
  const r = rnd();
  if (r < 0.2) return 0;
  if (r < 0.4) return Math.floor(rnd() * 200);
  if (r < 0.7) return makeZxid(Math.floor(rnd() * 1000), Math.floor(rnd() * 2 ** 32));
  return Math.floor(rnd() * Number.MAX_SAFE_INTEGER);
}

function hotMessage(rnd: () => number): PeerMessage {
  const head = { conn: bigish(rnd), seq: bigish(rnd), term: Math.floor(rnd() * 5000) };
  const zxid = makeZxid(Math.floor(rnd() * 1000), Math.floor(rnd() * 2 ** 32));
  switch (Math.floor(rnd() * 4)) {
    case 0: {
      const entries = Array.from({ length: Math.floor(rnd() * 5) }, (_, i) => ({
        zxid: zxid + i,
        payload: payload(rnd),
        config: null,
      }));
      return { type: "PROPOSAL", ...head, entries };
    }
    case 1:
      return { type: "ACK", ...head, zxid };
    case 2:
      return { type: "COMMIT", ...head, zxid, designatedLeader: rnd() < 0.5 ? 0 : 1 + Math.floor(rnd() * 9) };
    default:
      return { type: "REQUEST", ...head, payload: payload(rnd) };
  }
}

function outcome(codec: typeof general, bytes: Uint8Array): unknown {
  try {
    return codec.decode(bytes);
  } catch (err) {
    return { refused: (err as Error).name };
  }
}

describe("hot peer codec", () => {
  it("writes the bytes protobufjs writes and reads them back as protobufjs does (seeded)", () => {
    const rnd = rng(20261204);
    for (let i = 0; i < 1_000; i++) {
      const msg = hotMessage(rnd);
      const mine = encodeHot(msg);
      expect(mine).toBeDefined();
      expect(Buffer.compare(mine!, general.encode(msg))).toBe(0);
      expect(decodeHot(mine!)).toEqual(general.decode(mine!));
      expect(decodeHot(general.encode(msg))).toEqual(general.decode(general.encode(msg)));
      expect(fast.decode(mine!)).toEqual(msg);
    }
  });

  it("leaves other messages, reconfig entries and numbers past 2^53 to protobufjs", () => {
    const config = { version: makeZxid(2, 1), voters: [1, 2, 3], observers: [], members: new Uint8Array(0) };
    const reconfig: PeerMessage = {
      type: "PROPOSAL",
      conn: 1,
      seq: 2,
      term: 2,
      entries: [{ zxid: makeZxid(2, 1), payload: new Uint8Array([1]), config }],
    };
    expect(encodeHot(reconfig)).toBeUndefined();
    expect(decodeHot(general.encode(reconfig))).toBeUndefined();
    expect(fast.decode(fast.encode(reconfig))).toEqual(reconfig);
    const ping: PeerMessage = { type: "PING", conn: 1, seq: 3, term: 2, touches: [] };
    expect(encodeHot(ping)).toBeUndefined();
    expect(decodeHot(general.encode(ping))).toBeUndefined();
    // conn = 2^63 as a 10-byte varint: protobufjs decides what that means, not the fast path.
    const huge = new Uint8Array([
      0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0xaa, 0x01, 0x00,
    ]);
    expect(decodeHot(huge)).toBeUndefined();
    expect(outcome(fast, huge)).toEqual(outcome(general, huge));
  });

  it("treats damaged frames exactly as protobufjs does (seeded mutations)", () => {
    const rnd = rng(7);
    for (let i = 0; i < 3_000; i++) {
      const bytes = Uint8Array.from(general.encode(hotMessage(rnd)));
      const cut = rnd() < 0.3 ? bytes.subarray(0, Math.floor(rnd() * bytes.length)) : bytes;
      for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
        if (cut.length > 0 && rnd() < 0.8)
          cut[Math.floor(rnd() * Math.min(cut.length, 40))] = Math.floor(rnd() * 256);
      }
      const a = outcome(fast, cut);
      const b = outcome(general, cut);
      expect(a).toEqual(b);
    }
  });
});
