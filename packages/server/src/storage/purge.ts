// autopurge (autopurge.snapRetainCount / autopurge.purgeInterval): a timer that keeps the newest
// snapshots and the log they need, as ZooKeeper's DatadirCleanupManager does.

import type { StorageLogger } from "./logger.js";
import { stderrLogger } from "./logger.js";
import type { PurgeResult, SnapshotStore } from "./snapshots.js";
import type { TxnLog } from "./txn-log.js";

export interface AutoPurgeOptions {
  /** autopurge.snapRetainCount; values below 3 are raised to 3. */
  snapRetainCount: number;
  /** autopurge.purgeInterval in hours; 0 turns autopurge off. */
  purgeIntervalHours: number;
  logger?: StorageLogger;
}

export interface AutoPurge {
  stop(): void;
  /** Runs one purge now (also what the timer calls); skipped while one is running. */
  runOnce(): Promise<PurgeResult | undefined>;
}

/** Purges on a timer that does not keep the process alive. */
export function startAutoPurge(
  store: SnapshotStore,
  log: TxnLog | undefined,
  opts: AutoPurgeOptions,
): AutoPurge {
  const logger = opts.logger ?? stderrLogger;
  if (!(opts.purgeIntervalHours >= 0)) {
    throw new RangeError(`purgeInterval must be >= 0 hours, got ${opts.purgeIntervalHours}`);
  }
  let running = false;
  const runOnce = async (): Promise<PurgeResult | undefined> => {
    if (running) return undefined;
    running = true;
    try {
      return await store.purge(opts.snapRetainCount, log);
    } finally {
      running = false;
    }
  };
  if (opts.purgeIntervalHours === 0) return { stop() {}, runOnce };
  const timer = setInterval(() => {
    runOnce().catch((err: unknown) => {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, "autopurge failed");
    });
  }, opts.purgeIntervalHours * 3_600_000);
  timer.unref();
  return { stop: () => clearInterval(timer), runOnce };
}
