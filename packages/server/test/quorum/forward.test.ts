// The REQUEST payload a learner sends its leader: one forwarded write, or a turn's writes batched.
import { describe, expect, it } from "vitest";
import {
  decodeForwarded,
  encodeForwarded,
  encodeForwardedBatch,
  type Forwarded,
  splitForwarded,
} from "../../src/quorum/forward.js";

const writes: Forwarded[] = [
  {
    kind: "request",
    sessionId: 0x0100_0000_0000_0007n,
    xid: 12,
    opcode: 5,
    identities: [{ scheme: "digest", id: "bob:x" }],
    body: Buffer.from("set body"),
  },
  {
    kind: "createSession",
    sessionId: 0x0200_0000_0000_0001n,
    timeoutMs: 30_000,
    passwd: Buffer.alloc(16, 3),
  },
  { kind: "request", sessionId: 7n, xid: 13, opcode: -11, identities: [], body: Buffer.alloc(0) },
];

describe("forwarded request payloads", () => {
  it("a single write travels as itself, several as one batch, split back in order", () => {
    const payloads = writes.map(encodeForwarded);
    expect(encodeForwardedBatch([payloads[0]!])).toBe(payloads[0]);
    expect(splitForwarded(payloads[1]!)).toEqual([payloads[1]]);
    const parts = splitForwarded(encodeForwardedBatch(payloads));
    expect(parts.map((p) => Buffer.from(p))).toEqual(payloads);
    expect(parts.map(decodeForwarded)).toEqual(writes);
  });

  it("refuses a malformed batch", () => {
    const batch = Buffer.from(encodeForwardedBatch(writes.map(encodeForwarded)));
    expect(() => splitForwarded(batch.subarray(0, batch.length - 1))).toThrow(/past the end/);
    expect(() => splitForwarded(Buffer.concat([batch, Buffer.from([0])]))).toThrow(/after the last part/);
    const negative = Buffer.from(batch);
    negative.writeInt32BE(-1, 4);
    expect(() => splitForwarded(negative)).toThrow(/batch of -1/);
  });
});
