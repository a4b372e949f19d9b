import { describe, expect, it } from "vitest";
import { LogRateLimit } from "../../src/net/log-rate-limit.js";

describe("LogRateLimit", () => {
  it("lets a burst through, then one line per interval that counts what it dropped", () => {
    const limit = new LogRateLimit(3, 1000, 0);
    expect([limit.take(0), limit.take(1), limit.take(2)]).toEqual([0, 0, 0]);
    for (let i = 0; i < 50; i++) expect(limit.take(10 + i)).toBeUndefined();
    expect(limit.take(999)).toBeUndefined();
    expect(limit.take(1000)).toBe(51);
    expect(limit.take(1001)).toBeUndefined();
    // A quiet spell refills the burst, no further than the burst.
    expect(limit.take(60_000)).toBe(1);
    expect([limit.take(60_001), limit.take(60_002), limit.take(60_003)]).toEqual([0, 0, undefined]);
  });
});
