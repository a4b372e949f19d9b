import { open, readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { StorageCorruptionError } from "./errors.js";
import { decodeSegmentHeader, LOG_HEADER_BYTES, LOG_PREFIX, zxidFromFileName } from "./format.js";
import { fsyncDir } from "./fs-util.js";
import type { StorageLogger } from "./logger.js";
import { stderrLogger } from "./logger.js";
import type { PurgeResult, SnapshotStore } from "./snapshots.js";
import type { TxnLog } from "./txn-log.js";

/**
 * Deletes, oldest first, the segments in `logDir` whose records are all at or below `zxid`,
 * judged by the next segment's header (its prev zxid is this one's last zxid). For a log no
 * process has open; with an open TxnLog use `dropSegmentsThrough`.
 */
export async function purgeSegmentsOffline(logDir: string, zxid: number): Promise<string[]> {
  const segs: { name: string; first: number }[] = [];
  for (const name of await readdir(logDir)) {
    const first = zxidFromFileName(LOG_PREFIX, name);
    if (first !== undefined) segs.push({ name, first });
  }
  segs.sort((a, b) => a.first - b.first);
  const dropped: string[] = [];
  for (let i = 0; i + 1 < segs.length; i++) {
    const nextPath = join(logDir, segs[i + 1]!.name);
    const fh = await open(nextPath, "r");
    let prevZxid: number;
    try {
      const buf = Buffer.alloc(LOG_HEADER_BYTES);
      const { bytesRead } = await fh.read(buf, 0, LOG_HEADER_BYTES, 0);
      const header = decodeSegmentHeader(buf.subarray(0, bytesRead));
      if (typeof header === "string")
        throw new StorageCorruptionError(nextPath, 0, `segment header: ${header}`);
      prevZxid = header.prevZxid;
    } finally {
      await fh.close();
    }
    if (prevZxid > zxid) break;
    await unlink(join(logDir, segs[i]!.name));
    dropped.push(segs[i]!.name);
  }
  if (dropped.length > 0) await fsyncDir(logDir);
  return dropped;
}

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
