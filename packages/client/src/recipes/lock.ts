import type { ZooKeeperClient } from "../client.js";
import { SequentialQueue } from "./queue.js";

export class LockTimeoutError extends Error {
  override name = "LockTimeoutError";
}

/**
 * A mutual-exclusion lock built like the election: waiters queue as ephemeral-sequential znodes
 * and each watches only its predecessor. Not re-entrant; one acquire() per instance at a time.
 */
export class DistributedLock {
  private queue: SequentialQueue | undefined;
  private held = false;

  constructor(
    readonly client: ZooKeeperClient,
    readonly dir: string,
  ) {}

  get isHeld(): boolean {
    return this.held;
  }

  get path(): string | undefined {
    return this.queue?.path;
  }

  /** Resolves once the lock is ours; rejects (and leaves the queue) after `timeoutMs`. */
  async acquire(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.queue !== undefined) throw new Error("acquire() while already holding or waiting");
    let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
    const done = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const queue = new SequentialQueue(
      this.client,
      this.dir,
      "lock",
      "",
      (status) => {
        if (status.state === "head") {
          this.held = true;
          settle?.resolve();
        }
      },
      (reason) => {
        this.held = false;
        settle?.reject(new Error(`lock lost: ${reason}`));
      },
      (err) => settle?.reject(err),
    );
    this.queue = queue;
    const timer =
      timeoutMs === Number.POSITIVE_INFINITY
        ? undefined
        : setTimeout(
            () => settle?.reject(new LockTimeoutError(`lock ${this.dir} not acquired in ${timeoutMs} ms`)),
            timeoutMs,
          );
    try {
      await queue.join();
      await done;
    } catch (e) {
      this.queue = undefined;
      this.held = false;
      await queue.leave();
      throw e;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  async release(): Promise<void> {
    const queue = this.queue;
    this.queue = undefined;
    this.held = false;
    await queue?.leave();
  }
}
