import { describe, expect, it } from "vitest";
import {
  CONTAINER_EPHEMERAL_OWNER,
  initialSessionId,
  isReservedSessionId,
  negotiateTimeoutMs,
  SessionIdGenerator,
  STANDALONE_SESSION_SERVER_ID,
} from "../../src/session/session-id.js";

const hex = (id: bigint) => BigInt.asUintN(64, id).toString(16);

describe("session ids", () => {
  it("reproduces the layout of ids observed on a standalone ZooKeeper", () => {
    // 0x1000003f5c20000 was allocated by server 1 with clock bits 0x3f5c2.
    expect(hex(initialSessionId(STANDALONE_SESSION_SERVER_ID, 0x3f5c2))).toBe("1000003f5c20000");
  });

  it("keeps only the low 40 bits of the clock under the server byte", () => {
    const clockMs = 0xab_3456789abc; // 48 bits: the top 8 must vanish
    expect(hex(initialSessionId(7, clockMs))).toBe("73456789abc0000");
    expect(hex(initialSessionId(200, 1))).toBe("c800000000010000");
    expect(initialSessionId(200, 1)).toBeLessThan(0n); // signed like Java's long
  });

  it("counts up by one per session", () => {
    const g = new SessionIdGenerator(3, 0x1000);
    expect([g.next(), g.next(), g.next()].map(hex)).toEqual([
      "300000010000000",
      "300000010000001",
      "300000010000002",
    ]);
  });

  it("skips 0 and the container marker, and rejects the TTL server byte", () => {
    expect(new SessionIdGenerator(0, 0).next()).toBe(1n);
    const g = new SessionIdGenerator(128, 0);
    expect(initialSessionId(128, 0)).toBe(CONTAINER_EPHEMERAL_OWNER);
    expect(hex(g.next())).toBe("8000000000000001");
    expect(() => new SessionIdGenerator(255, 0)).toThrow(RangeError);
    expect(() => new SessionIdGenerator(-1, 0)).toThrow(RangeError);
    expect(isReservedSessionId(BigInt.asIntN(64, 0xff00000000001234n))).toBe(true);
    expect(isReservedSessionId(0x100n)).toBe(false);
  });

  it("wraps inside the server's 56 bits instead of changing the server byte", () => {
    const g = new SessionIdGenerator(2, 0xff_ffffffff);
    for (let i = 0; i < 0xffff; i++) g.next();
    expect(hex(g.next())).toBe("2ffffffffffffff");
    expect(hex(g.next())).toBe("200000000000000");
  });
});

describe("negotiateTimeoutMs", () => {
  it("clamps into [min, max] like ZooKeeper (observed 1000→4000, 100000→40000)", () => {
    expect(negotiateTimeoutMs(1000, 4000, 40000)).toBe(4000);
    expect(negotiateTimeoutMs(100_000, 4000, 40000)).toBe(40000);
    expect(negotiateTimeoutMs(10_000, 4000, 40000)).toBe(10_000);
    expect(negotiateTimeoutMs(-5, 4000, 40000)).toBe(4000);
  });
});
