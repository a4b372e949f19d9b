// Bounds how often one source (a client connection) can make the server log the same kind of
// warning: a burst, then one line per interval, each saying how many were dropped since the
// last. A fuzzer or a broken client sending malformed requests in a loop otherwise writes a log
// line per request (127k lines, 22 MB, in one fuzz run).

export class LogRateLimit {
  private tokens: number;
  private lastRefillMs: number;
  private suppressed = 0;

  constructor(
    private readonly burst = 5,
    /** One more line is allowed per this many milliseconds once the burst is spent. */
    private readonly refillEveryMs = 10_000,
    nowMs = Date.now(),
  ) {
    this.tokens = burst;
    this.lastRefillMs = nowMs;
  }

  /**
   * Whether to log now: undefined to drop the line, otherwise how many lines were dropped
   * since the last one logged (0 when none), to be reported with it.
   */
  take(nowMs = Date.now()): number | undefined {
    const refills = Math.floor((nowMs - this.lastRefillMs) / this.refillEveryMs);
    if (refills > 0) {
      this.tokens = Math.min(this.burst, this.tokens + refills);
      this.lastRefillMs += refills * this.refillEveryMs;
    }
    if (this.tokens === 0) {
      this.suppressed++;
      return undefined;
    }
    this.tokens--;
    const dropped = this.suppressed;
    this.suppressed = 0;
    return dropped;
  }
}
