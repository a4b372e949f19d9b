// Retry policies, as Curator has them: after a retryable failure (ConnectionLoss,
// OperationTimeout, SessionMoved) a policy says how long to wait before the next attempt, or
// that it is time to give up. Every policy is bounded by a number of retries or by elapsed time.
import { sleep, throwIfAborted } from "./abort.js";
import { isRetryableError } from "./errors.js";

export interface RetryPolicy {
  /**
   * Milliseconds to wait before retry number `retryCount` (0 for the first retry), or undefined
   * to give up. `elapsedMs` is the time since the first attempt started.
   */
  delayBeforeRetryMs(retryCount: number, elapsedMs: number): number | undefined;
}

/** Curator caps the doubling at 2^29 so the shift cannot overflow. */
const MAX_DOUBLINGS = 29;

export interface ExponentialBackoffOptions {
  /** The unit of every sleep; the first retry sleeps 1-2 units. Default 100. */
  baseSleepMs?: number;
  /** Give up after this many retries. Default 10 (at most 29). */
  maxRetries?: number;
  /** No single sleep is longer than this. Default 30000. */
  maxSleepMs?: number;
  /** Floats in [0, 1), Math.random by default: the jitter. */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter: retry n sleeps baseSleepMs times a random whole number in
 * [1, 2^(n+1)), capped at maxSleepMs, so clients that failed together do not retry together.
 */
export class ExponentialBackoffRetry implements RetryPolicy {
  readonly baseSleepMs: number;
  readonly maxRetries: number;
  readonly maxSleepMs: number;
  private readonly random: () => number;

  constructor(opts: ExponentialBackoffOptions = {}) {
    this.baseSleepMs = opts.baseSleepMs ?? 100;
    this.maxRetries = Math.min(opts.maxRetries ?? 10, MAX_DOUBLINGS);
    this.maxSleepMs = opts.maxSleepMs ?? 30_000;
    this.random = opts.random ?? Math.random;
    if (this.baseSleepMs <= 0 || this.maxRetries < 0 || this.maxSleepMs <= 0) {
      throw new RangeError(
        "ExponentialBackoffRetry: baseSleepMs and maxSleepMs must be > 0, maxRetries >= 0",
      );
    }
  }

  delayBeforeRetryMs(retryCount: number): number | undefined {
    if (retryCount >= this.maxRetries) return undefined;
    const span = 2 ** (Math.min(retryCount, MAX_DOUBLINGS) + 1);
    const units = Math.max(1, Math.floor(this.random() * span));
    return Math.min(this.baseSleepMs * units, this.maxSleepMs);
  }
}

/** Retries `n` times, `sleepMs` apart. */
export class RetryNTimes implements RetryPolicy {
  constructor(
    readonly n: number,
    readonly sleepMs: number,
  ) {}

  delayBeforeRetryMs(retryCount: number): number | undefined {
    return retryCount < this.n ? this.sleepMs : undefined;
  }
}

/** Retries once after `sleepMs`. */
export class RetryOneTime extends RetryNTimes {
  constructor(sleepMs: number) {
    super(1, sleepMs);
  }
}

/** Retries every `sleepMs` until `maxElapsedMs` have passed since the first attempt. */
export class RetryUntilElapsed implements RetryPolicy {
  constructor(
    readonly maxElapsedMs: number,
    readonly sleepMs: number,
  ) {}

  delayBeforeRetryMs(_retryCount: number, elapsedMs: number): number | undefined {
    if (elapsedMs >= this.maxElapsedMs) return undefined;
    return Math.min(this.sleepMs, this.maxElapsedMs - elapsedMs);
  }
}

/** Retries every `sleepMs` for as long as it takes; bound it with an AbortSignal. */
export class RetryForever implements RetryPolicy {
  constructor(readonly sleepMs: number) {}

  delayBeforeRetryMs(): number {
    return this.sleepMs;
  }
}

export interface RetryOptions {
  signal?: AbortSignal;
  /** Which failures are worth another attempt. Default: isRetryableError. */
  isRetryable?: (e: unknown) => boolean;
}

/**
 * Runs `attempt` until it succeeds, fails with an error that is not retryable, or the policy
 * gives up (then the last error is thrown). `attempt` must be safe to repeat.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  attempt: () => Promise<T>,
  opts: RetryOptions = {},
): Promise<T> {
  const isRetryable = opts.isRetryable ?? isRetryableError;
  const startMs = Date.now();
  for (let retryCount = 0; ; retryCount++) {
    throwIfAborted(opts.signal);
    try {
      return await attempt();
    } catch (e) {
      if (!isRetryable(e)) throw e;
      const delayMs = policy.delayBeforeRetryMs(retryCount, Date.now() - startMs);
      if (delayMs === undefined) throw e;
      await sleep(delayMs, opts.signal);
    }
  }
}
