import { describe, expect, it } from "vitest";
import { CounterMetric } from "../../src/metrics/server-metrics.js";
import { OutstandingLimit } from "../../src/net/outstanding-limit.js";

describe("OutstandingLimit", () => {
  it("is reached at the limit and wakes the paused connections once below it", () => {
    const reachedCount = new CounterMetric("global_outstanding_limit_reached");
    const limit = new OutstandingLimit(2, reachedCount);
    const woken: string[] = [];
    const a = { updateBackpressure: () => woken.push("a") };
    const b = { updateBackpressure: () => woken.push("b") };
    limit.add();
    expect(limit.reached).toBe(false);
    limit.add();
    expect(limit.reached).toBe(true);
    expect(reachedCount.value).toBe(1);
    limit.wait(a);
    limit.wait(b);
    limit.forget(b);
    limit.release();
    expect(woken).toEqual(["a"]);
    expect(limit.outstanding).toBe(1);
    limit.add();
    expect(reachedCount.value).toBe(2);
    limit.release();
    limit.release();
    expect(() => limit.release()).toThrow(/below 0/);
  });
});
