// Cancellation for every wait the client and its recipes offer: an AbortSignal, a timeout, or
// both. An aborted wait rejects with the signal's reason (an AbortError DOMException unless the
// caller gave another); a wait that runs out of time rejects with WaitTimeoutError.

/** Options every waiting call accepts. */
export interface WaitOptions {
  /** Gives up when this signal aborts, rejecting with its reason. */
  signal?: AbortSignal;
  /** Gives up after this many milliseconds, rejecting with WaitTimeoutError. */
  timeoutMs?: number;
}

/** A wait that ran out of `timeoutMs`. */
export class WaitTimeoutError extends Error {
  override name = "WaitTimeoutError";
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`${what}: not done within ${timeoutMs} ms`);
  }
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** True for what an aborted wait rejects with (the default AbortError or the signal's reason). */
export function isAbortError(e: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted && e === signal.reason) return true;
  return e instanceof Error && e.name === "AbortError";
}

/**
 * One signal for a wait: aborts when the caller's signal does, or with WaitTimeoutError after
 * `timeoutMs`. `dispose` clears the timer and the listener; call it when the wait is over.
 */
export function waitSignal(what: string, opts: WaitOptions = {}): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const outer = opts.signal;
  const onAbort = () => controller.abort(abortReason(outer as AbortSignal));
  if (outer?.aborted) onAbort();
  else outer?.addEventListener("abort", onAbort, { once: true });
  const timeoutMs = opts.timeoutMs;
  const timer =
    timeoutMs === undefined || timeoutMs === Number.POSITIVE_INFINITY
      ? undefined
      : setTimeout(() => controller.abort(new WaitTimeoutError(what, timeoutMs)), Math.max(0, timeoutMs));
  return {
    signal: controller.signal,
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    },
  };
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Settles like `promise`, or rejects when `signal` aborts first. The operation behind the
 * promise is not undone; callers clean up after it themselves.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/**
 * A promise with its resolvers, settled at most once, that can wait with a signal. The building
 * block of the recipes' waits ("until my predecessor is gone", "until the barrier is removed").
 */
export class Latch {
  private resolveFn!: () => void;
  readonly promise: Promise<void>;
  private done = false;

  constructor() {
    this.promise = new Promise((resolve) => {
      this.resolveFn = resolve;
    });
  }

  get isOpen(): boolean {
    return this.done;
  }

  open(): void {
    if (this.done) return;
    this.done = true;
    this.resolveFn();
  }

  wait(signal?: AbortSignal): Promise<void> {
    return abortable(this.promise, signal);
  }
}
