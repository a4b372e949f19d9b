import { describe, expect, it } from "vitest";
import { bucketIndex, bucketRange, LatencyHistogram } from "../src/histogram.js";
import { SeededRandom } from "../src/rng.js";

/** The exact quantile by the same definition the histogram uses: smallest v with ≥ q·n values ≤ v. */
function exactQuantile(sorted: number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

describe("bucket layout", () => {
  it("keeps values below 512 µs exact", () => {
    for (let v = 0; v < 512; v++) {
      expect(bucketIndex(v)).toBe(v);
      expect(bucketRange(v)).toEqual({ lowUs: v, highUs: v });
    }
  });

  it("places every value in a bucket whose range contains it, with contiguous, ordered buckets", () => {
    const probes = [
      512,
      513,
      1023,
      1024,
      1025,
      4095,
      4096,
      65_535,
      65_536,
      1_000_000,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 - 1,
    ];
    for (const v of probes) {
      const { lowUs, highUs } = bucketRange(bucketIndex(v));
      expect(lowUs).toBeLessThanOrEqual(v);
      expect(highUs).toBeGreaterThanOrEqual(v);
      // Relative width stays under 1/256.
      expect((highUs - lowUs) / lowUs).toBeLessThan(1 / 256);
    }
    let previousHigh = -1;
    const gaps: number[] = [];
    for (let i = 0; i <= bucketIndex(2 ** 32 - 1); i++) {
      const { lowUs, highUs } = bucketRange(i);
      if (lowUs !== previousHigh + 1 || bucketIndex(lowUs) !== i || bucketIndex(highUs) !== i) gaps.push(i);
      previousHigh = highUs;
    }
    expect(gaps).toEqual([]);
    expect(previousHigh).toBe(2 ** 32 - 1);
  });
});

describe("LatencyHistogram", () => {
  it("reports zeros when empty", () => {
    const s = new LatencyHistogram().summary();
    expect(s).toEqual({ count: 0, minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 });
  });

  it("gives exact percentiles for small values", () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 100; v++) h.recordUs(v);
    expect(h.valueAtQuantileUs(0.5)).toBe(50);
    expect(h.valueAtQuantileUs(0.9)).toBe(90);
    expect(h.valueAtQuantileUs(0.99)).toBe(99);
    expect(h.valueAtQuantileUs(0.999)).toBe(100);
    expect(h.valueAtQuantileUs(1)).toBe(100);
    expect(h.valueAtQuantileUs(0)).toBe(1);
    const s = h.summary();
    expect(s.count).toBe(100);
    expect(s.minMs).toBe(0.001);
    expect(s.maxMs).toBe(0.1);
    expect(s.meanMs).toBeCloseTo(0.0505, 6);
  });

  it("stays within 1/256 of exact quantiles over a wide, skewed distribution", () => {
    const rng = new SeededRandom(42);
    const h = new LatencyHistogram();
    const values: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      // Log-uniform between 1 µs and ~10 s, like latencies with a long tail.
      const v = Math.floor(Math.exp(rng.nextFloat() * Math.log(10_000_000)));
      values.push(v);
      h.recordUs(v);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 0.9999]) {
      const exact = exactQuantile(values, q);
      const reported = h.valueAtQuantileUs(q);
      // Never understated, overstated by less than one bucket width.
      expect(reported).toBeGreaterThanOrEqual(exact);
      expect(reported).toBeLessThanOrEqual(exact + Math.max(0, exact / 256));
    }
    expect(h.summary().maxMs).toBe(values.at(-1)! / 1000);
  });

  it("converts milliseconds, clamps negatives and huge values", () => {
    const h = new LatencyHistogram();
    h.recordMs(1.2345);
    expect(h.valueAtQuantileUs(1)).toBe(1235);
    h.recordUs(-5);
    expect(h.summary().minMs).toBe(0);
    h.recordUs(1e12);
    expect(h.summary().maxMs).toBe((2 ** 32 - 1) / 1000);
  });

  it("merges and resets", () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let v = 1; v <= 50; v++) a.recordUs(v);
    for (let v = 51; v <= 100; v++) b.recordUs(v);
    a.merge(b);
    expect(a.count).toBe(100);
    expect(a.valueAtQuantileUs(0.5)).toBe(50);
    expect(a.summary().minMs).toBe(0.001);
    expect(a.summary().maxMs).toBe(0.1);
    a.reset();
    expect(a.count).toBe(0);
    expect(a.valueAtQuantileUs(0.5)).toBe(0);
  });
});

describe("SeededRandom", () => {
  it("is reproducible per seed and spreads over the range", () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const seqA = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(seqA);
    const counts = new Array(10).fill(0);
    const r = new SeededRandom(0);
    for (let i = 0; i < 100_000; i++) counts[r.nextInt(10)] += 1;
    for (const n of counts) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });
});
