/*
 * What a write into the page cache costs on this machine, against one around it:
 * `node --import tsx packages/server/test/storage/bench-page-cache.ts [dir] [fileMB=1000]`.
 * Not part of the test suite. It writes about 6 × fileMB to `dir` (give one on the file system
 * under test; default a new temp directory, deleted at the end).
 *
 * 1. New files of fileMB, kept until the end: system CPU per file. Pages the kernel freed moments
 *    ago come back cheap; once those are used up, every new page is one the guest has not touched
 *    lately (docs/benchmarks.md, sixteenth round of issue 14).
 * 2. One file written twice: the second pass reuses its cached pages.
 * 3. The txn log's two segment writers (storage/segment-writer.ts), alternating: 10,000 O_DSYNC
 *    writes of 33 KB (30 records of 1.1 KB) each into a preallocated file. CPU is the process's,
 *    the thread pool's included.
 */
import { closeSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stderrLogger } from "../../src/storage/logger.js";
import { DirectWindowSource, openSegmentWriter } from "../../src/storage/segment-writer.js";

const dir = process.argv[2] ?? (await mkdtemp(join(tmpdir(), "paddock-page-cache-")));
const fileMB = Number(process.argv[3] ?? 1000);
const MB = 1024 * 1024;
const LOG_LIKE_WRITES = 10_000;
const LOG_LIKE_BATCH_BYTES = 30 * 1100;
const LOG_LIKE_BYTES = LOG_LIKE_WRITES * LOG_LIKE_BATCH_BYTES;

function timed(label: string, bytes: number, run: () => void): void {
  const cpu = process.cpuUsage();
  const startedMs = performance.now();
  run();
  const { system, user } = process.cpuUsage(cpu);
  const wallMs = performance.now() - startedMs;
  console.log(
    `${label}: ${(bytes / MB).toFixed(0)} MiB, system ${(system / 1000).toFixed(0)} ms, user ${(user / 1000).toFixed(0)} ms, wall ${wallMs.toFixed(0)} ms, ${(bytes / MB / (system / 1e6)).toFixed(0)} MiB per system-CPU second`,
  );
}

function writeFile(path: string, flags: string, mb: number): void {
  const piece = Buffer.alloc(MB, 7);
  const fd = openSync(path, flags);
  for (let i = 0; i < mb; i++) writeSync(fd, piece, 0, MB, i * MB);
  closeSync(fd);
}

async function timedAsync(label: string, bytes: number, run: () => Promise<void>): Promise<void> {
  const cpu = process.cpuUsage();
  const startedMs = performance.now();
  await run();
  const { system, user } = process.cpuUsage(cpu);
  const wallMs = performance.now() - startedMs;
  console.log(
    `${label}: ${(bytes / MB).toFixed(0)} MiB, system ${(system / 1000).toFixed(0)} ms, user ${(user / 1000).toFixed(0)} ms, wall ${wallMs.toFixed(0)} ms (all threads)`,
  );
}

/** The txn log's own segment writers (segment-writer.ts) on a preallocated file, one batch at a time. */
async function logLike(
  path: string,
  window: Buffer | undefined,
): Promise<{ direct: boolean; bytes: number }> {
  const fd = openSync(path, "w");
  ftruncateSync(fd, 512 * MB);
  closeSync(fd);
  const writer = await openSegmentWriter(path, 0, {
    dsync: true,
    window,
    zeroAhead: false,
    logger: stderrLogger,
  });
  const batch = Buffer.alloc(LOG_LIKE_BATCH_BYTES, 9);
  let end = 0;
  try {
    for (let i = 0; i < LOG_LIKE_WRITES; i++) {
      await writer.write(batch, end);
      end += batch.length;
    }
  } finally {
    await writer.close();
  }
  return { direct: writer.direct, bytes: end };
}

try {
  for (let k = 0; k < 4; k++)
    timed(`new file ${k + 1}`, fileMB * MB, () => writeFile(join(dir, `new-${k}`), "w", fileMB));
  const again = Math.min(200, fileMB);
  timed("a file, first pass", again * MB, () => writeFile(join(dir, "again"), "w", again));
  timed("the same file, second pass", again * MB, () => writeFile(join(dir, "again"), "r+", again));
  const window = await new DirectWindowSource(dir).get();
  if (window === undefined) throw new Error(`${dir}: this file system does not take O_DIRECT`);
  for (let k = 0; k < 3; k++) {
    for (const direct of [false, true]) {
      const label = `log-like, ${direct ? "O_DIRECT" : "through the cache"}`;
      await timedAsync(label, LOG_LIKE_BYTES, async () => {
        const wrote = await logLike(join(dir, `log-${k}-${direct}`), direct ? window : undefined);
        if (wrote.direct !== direct) throw new Error(`${label}: the writer was not the one asked for`);
        if (wrote.bytes !== LOG_LIKE_BYTES)
          throw new Error(`wrote ${wrote.bytes} bytes, not ${LOG_LIKE_BYTES}`);
      });
    }
  }
} finally {
  if (process.argv[2] === undefined) await rm(dir, { recursive: true, force: true });
}
