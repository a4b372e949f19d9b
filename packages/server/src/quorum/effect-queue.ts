// Runs ZAB effects strictly in order. Most effects complete synchronously; the few that must be
// durable before anything after them happens (epoch files, truncation, snapshot install) return
// a promise, and the queue waits for it before touching the next effect. Effects produced while
// waiting (by inputs that keep arriving) line up behind.

export type EffectRunner<E> = (effect: E) => void | Promise<void>;

export class EffectQueue<E> {
  private readonly queue: E[] = [];
  private running = false;
  private failed = false;

  constructor(
    private readonly run: EffectRunner<E>,
    /** A runner threw or rejected: the server can no longer keep ZAB's promises. */
    private readonly onFailure: (err: unknown, effect: E) => void,
  ) {}

  get length(): number {
    return this.queue.length;
  }

  get busy(): boolean {
    return this.running;
  }

  push(effects: readonly E[]): void {
    if (this.failed) return;
    for (const e of effects) this.queue.push(e);
    if (!this.running) this.drain();
  }

  private drain(): void {
    this.running = true;
    while (this.queue.length > 0) {
      const effect = this.queue.shift()!;
      let pending: void | Promise<void>;
      try {
        pending = this.run(effect);
      } catch (err) {
        this.fail(err, effect);
        return;
      }
      if (pending instanceof Promise) {
        pending.then(
          () => this.drain(),
          (err: unknown) => this.fail(err, effect),
        );
        return;
      }
    }
    this.running = false;
  }

  private fail(err: unknown, effect: E): void {
    this.failed = true;
    this.running = false;
    this.queue.length = 0;
    this.onFailure(err, effect);
  }
}
