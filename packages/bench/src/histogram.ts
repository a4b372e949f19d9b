/**
 * A log-linear latency histogram in the spirit of HdrHistogram: values (integer microseconds)
 * below 2·S land in exact buckets; above that, each power-of-two range is split into S linear
 * sub-buckets, so a reported percentile is within 1/S (0.4% for S = 256) of the recorded value.
 * Memory is fixed (about 50 KiB) no matter how many values are recorded.
 */
const SUB_BUCKET_BITS = 8;
const SUB_BUCKET_COUNT = 1 << SUB_BUCKET_BITS;
/** Values are clamped to 2^32 − 1 µs (about 71 minutes); nothing we measure comes close. */
const MAX_VALUE_US = 0xffff_ffff;
const BUCKET_COUNT = SUB_BUCKET_COUNT * (32 - SUB_BUCKET_BITS + 1);

export function bucketIndex(valueUs: number): number {
  if (valueUs < 2 * SUB_BUCKET_COUNT) return valueUs;
  const shift = 31 - Math.clz32(valueUs) - SUB_BUCKET_BITS;
  const sub = valueUs >>> shift;
  return SUB_BUCKET_COUNT * shift + sub;
}

/** The smallest and largest value that fall into a bucket. */
export function bucketRange(index: number): { lowUs: number; highUs: number } {
  if (index < 2 * SUB_BUCKET_COUNT) return { lowUs: index, highUs: index };
  const shift = Math.floor(index / SUB_BUCKET_COUNT) - 1;
  const sub = index - SUB_BUCKET_COUNT * shift;
  // Multiplication instead of << keeps values at 2^31 and above positive.
  const lowUs = sub * 2 ** shift;
  return { lowUs, highUs: lowUs + 2 ** shift - 1 };
}

export interface LatencySummaryMs {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKET_COUNT);
  private total = 0;
  private sumUs = 0;
  private minUs = Number.POSITIVE_INFINITY;
  private maxUs = 0;

  get count(): number {
    return this.total;
  }

  recordMs(latencyMs: number): void {
    this.recordUs(Math.round(latencyMs * 1000));
  }

  recordUs(valueUs: number): void {
    const v = valueUs <= 0 ? 0 : valueUs >= MAX_VALUE_US ? MAX_VALUE_US : Math.floor(valueUs);
    this.counts[bucketIndex(v)]! += 1;
    this.total += 1;
    this.sumUs += v;
    if (v < this.minUs) this.minUs = v;
    if (v > this.maxUs) this.maxUs = v;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKET_COUNT; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
    this.sumUs += other.sumUs;
    this.minUs = Math.min(this.minUs, other.minUs);
    this.maxUs = Math.max(this.maxUs, other.maxUs);
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sumUs = 0;
    this.minUs = Number.POSITIVE_INFINITY;
    this.maxUs = 0;
  }

  /**
   * The value at quantile q (0..1): the smallest recorded value v such that at least q of all
   * values are ≤ v, reported as its bucket's upper bound (never above the true maximum), which
   * is how HdrHistogram reports too: a percentile is never understated.
   */
  valueAtQuantileUs(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(Math.min(Math.max(q, 0), 1) * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.max(this.minUs, Math.min(bucketRange(i).highUs, this.maxUs));
    }
    return this.maxUs;
  }

  summary(): LatencySummaryMs {
    const ms = (us: number) => us / 1000;
    return {
      count: this.total,
      minMs: this.total === 0 ? 0 : ms(this.minUs),
      meanMs: this.total === 0 ? 0 : ms(this.sumUs / this.total),
      p50Ms: ms(this.valueAtQuantileUs(0.5)),
      p90Ms: ms(this.valueAtQuantileUs(0.9)),
      p99Ms: ms(this.valueAtQuantileUs(0.99)),
      p999Ms: ms(this.valueAtQuantileUs(0.999)),
      maxMs: ms(this.maxUs),
    };
  }
}
