// Curator's DistributedBarrier: while the barrier node exists, waiters block; removing it lets
// them all through. (Every waiter watches the one node: releasing a barrier is meant to wake all.)
import { ErrorCode } from "@paddock/jute";
import { abortable, type WaitOptions, waitSignal } from "../abort.js";
import type { ZooKeeperClient } from "../client.js";
import { isZooKeeperError } from "../errors.js";
import { withRetry } from "../retry.js";
import { deleteGuaranteed, ensureParents } from "./protected-create.js";

export class DistributedBarrier {
  constructor(
    readonly client: ZooKeeperClient,
    readonly barrierPath: string,
  ) {}

  /** Raises the barrier (creates its node; parents as containers). */
  async setBarrier(): Promise<void> {
    await ensureParents(this.client, this.barrierPath);
    await withRetry(this.client.retryPolicy, async () => {
      try {
        await this.client.create(this.barrierPath);
      } catch (e) {
        if (!isZooKeeperError(e, ErrorCode.NodeExists)) throw e;
      }
    });
  }

  /** Removes the barrier; everyone waiting goes on. */
  removeBarrier(): Promise<void> {
    return deleteGuaranteed(this.client, this.barrierPath);
  }

  /** Waits while the barrier stands. */
  async waitOnBarrier(opts: WaitOptions = {}): Promise<void> {
    const wait = waitSignal(`barrier ${this.barrierPath}`, opts);
    try {
      for (;;) {
        let wake!: () => void;
        const woken = new Promise<void>((resolve) => {
          wake = resolve;
        });
        const stat = await withRetry(
          this.client.retryPolicy,
          () => this.client.exists(this.barrierPath, () => wake()),
          {
            signal: wait.signal,
          },
        );
        if (stat === null) return;
        await abortable(woken, wait.signal);
      }
    } finally {
      wait.dispose();
    }
  }
}
