// A push-to-pull channel: callbacks (watch events, connection states, cache changes) push
// values, a `for await` loop pulls them. Values are buffered until pulled, so a slow consumer
// misses nothing; the loop ends when the producer ends the channel, fails it, or the consumer's
// signal aborts (then it throws the signal's reason).
import { abortReason } from "./abort.js";

type Waiter<T> = { resolve(r: IteratorResult<T>): void; reject(e: unknown): void };

export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;
  private readonly onAbort = () => this.fail(abortReason(this.signal as AbortSignal));

  /** `onClose` runs once when the channel ends for any reason (to unregister the producer). */
  constructor(
    private readonly signal?: AbortSignal,
    private onClose?: () => void,
  ) {
    if (signal?.aborted) this.onAbort();
    else signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  get closed(): boolean {
    return this.ended || this.failure !== undefined;
  }

  push(value: T): void {
    if (this.closed) return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter.resolve({ value, done: false });
    else this.buffer.push(value);
  }

  /** Ends the loop after the buffered values. */
  end(): void {
    if (this.closed) return;
    this.ended = true;
    this.cleanup();
    for (const w of this.waiters.splice(0)) w.resolve({ value: undefined, done: true });
  }

  /** Ends the loop with `error`, thrown after the buffered values. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = { error };
    this.cleanup();
    for (const w of this.waiters.splice(0)) w.reject(error);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift() as T, done: false });
    if (this.failure !== undefined) return Promise.reject(this.failure.error);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Called by `break` or `return` in a for-await loop. */
  return(): Promise<IteratorResult<T>> {
    this.buffer.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private cleanup(): void {
    this.signal?.removeEventListener("abort", this.onAbort);
    const onClose = this.onClose;
    this.onClose = undefined;
    onClose?.();
  }
}
