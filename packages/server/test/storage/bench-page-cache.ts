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
 * 3. A txn-log-like loop, through the cache and around it, alternating: 10,000 O_DSYNC writes of
 *    33 KB (30 records of 1.1 KB) into a preallocated file, the direct one from an aligned buffer
 *    with its partly filled last block rewritten, as storage/segment-writer.ts does.
 */
import { closeSync, constants, ftruncateSync, openSync, writeSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DIRECT_ALIGN_BYTES } from "../../src/storage/direct-io.js";

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

/** A window of `bytes` at an address O_DIRECT takes, found by trying (see direct-io.ts). */
function alignedWindow(bytes: number): Buffer {
  const raw = Buffer.alloc(bytes + DIRECT_ALIGN_BYTES);
  const probe = join(dir, "probe");
  const fd = openSync(probe, constants.O_RDWR | constants.O_CREAT | constants.O_DIRECT);
  try {
    for (let start = 0; start < DIRECT_ALIGN_BYTES; start += 8) {
      try {
        writeSync(fd, raw, start, DIRECT_ALIGN_BYTES, 0);
        return raw.subarray(start, start + bytes);
      } catch {}
    }
  } finally {
    closeSync(fd);
  }
  throw new Error("no aligned start found: does this file system take O_DIRECT?");
}

function logLike(path: string, direct: boolean, window: Buffer): number {
  const batch = Buffer.alloc(LOG_LIKE_BATCH_BYTES, 9);
  const fd = openSync(
    path,
    constants.O_RDWR | constants.O_CREAT | constants.O_DSYNC | (direct ? constants.O_DIRECT : 0),
  );
  ftruncateSync(fd, 512 * MB);
  let end = 0;
  for (let i = 0; i < LOG_LIKE_WRITES; i++) {
    if (!direct) {
      writeSync(fd, batch, 0, batch.length, end);
      end += batch.length;
      continue;
    }
    const tail = end % DIRECT_ALIGN_BYTES;
    batch.copy(window, tail);
    const filled = tail + batch.length;
    const length = Math.ceil(filled / DIRECT_ALIGN_BYTES) * DIRECT_ALIGN_BYTES;
    window.fill(0, filled, length);
    writeSync(fd, window, 0, length, end - tail);
    end += batch.length;
    const newTail = end % DIRECT_ALIGN_BYTES;
    window.copyWithin(0, filled - newTail, filled);
  }
  closeSync(fd);
  return end;
}

try {
  for (let k = 0; k < 4; k++)
    timed(`new file ${k + 1}`, fileMB * MB, () => writeFile(join(dir, `new-${k}`), "w", fileMB));
  const again = Math.min(200, fileMB);
  timed("a file, first pass", again * MB, () => writeFile(join(dir, "again"), "w", again));
  timed("the same file, second pass", again * MB, () => writeFile(join(dir, "again"), "r+", again));
  const window = alignedWindow(MB);
  for (let k = 0; k < 3; k++) {
    for (const direct of [false, true]) {
      let bytes = 0;
      timed(`log-like, ${direct ? "O_DIRECT" : "through the cache"}`, LOG_LIKE_BYTES, () => {
        bytes = logLike(join(dir, `log-${k}-${direct}`), direct, window);
      });
      if (bytes !== LOG_LIKE_BYTES) throw new Error(`wrote ${bytes} bytes, not ${LOG_LIKE_BYTES}`);
    }
  }
} finally {
  if (process.argv[2] === undefined) await rm(dir, { recursive: true, force: true });
}
