/*
 * What a durable log write costs the device, by what lies under it:
 * `node --import tsx packages/server/test/storage/bench-log-device.ts [dir] [writers=3] [writeKB=64] [writes=1500]`.
 * Not part of the test suite. Give `dir` on the file system under test (default a new temp
 * directory, deleted at the end); it needs writers × writes × writeKB of space, twice.
 *
 * Each writer appends `writes` blocks of writeKB to its own file with O_DIRECT | O_DSYNC, as the
 * txn log's direct writer does, all writers at once (a 3-server ensemble on one disk), in three
 * layouts, alternating, twice:
 * - hole: the file cut to length with ftruncate first, as the log preallocates (and ZooKeeper
 *   pads). Each write allocates its blocks, and O_DSYNC then waits for ext4's journal to commit
 *   that allocation; the writers' commits queue on one journal.
 * - written: the file written and fsynced first, so each write lands on blocks it already has.
 * - zero-ahead: a hole, with 1 MiB of zeros written (O_DIRECT | O_DSYNC) 2 MiB ahead of the
 *   records, one chunk at a time, and a record write waiting for the chunk it lands in.
 * - zero-ahead-cached-flush: the same zeros without O_DSYNC: their blocks' allocation is
 *   committed by the records' own O_DSYNC writes, whose flush also waits for the zeros.
 * Prints, per writer, the write latency and the elapsed time per record (which includes waits
 * for zeros). docs/benchmarks.md, eighteenth round of issue 14, has this machine's figures.
 */
import { constants, type FileHandle, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alignedWindow } from "../../src/storage/direct-io.js";

const dir = process.argv[2] ?? (await mkdtemp(join(tmpdir(), "paddock-log-device-")));
const writers = Number(process.argv[3] ?? 3);
const writeBytes = Number(process.argv[4] ?? 64) * 1024;
const writes = Number(process.argv[5] ?? 1500);
const MiB = 1024 * 1024;
const BULK_CHUNK_BYTES = 8 * MiB;
const chunkBytes = (layout: Layout) =>
  layout === "zero-ahead-bulk" || layout === "zero-ahead-buffered" ? BULK_CHUNK_BYTES : MiB;
const fileBytes = writes * writeBytes + 3 * BULK_CHUNK_BYTES;

type Layout =
  | "hole"
  | "written"
  | "zero-ahead"
  | "zero-ahead-cached-flush"
  | "zero-ahead-bulk"
  | "zero-ahead-buffered";
const zeroesAhead = (layout: Layout) => layout.startsWith("zero-ahead");

async function prepare(path: string, layout: Layout): Promise<void> {
  const fh = await open(path, "w");
  try {
    if (layout === "written") {
      const zeros = Buffer.alloc(MiB);
      for (let at = 0; at < fileBytes; at += zeros.length) await fh.write(zeros, 0, zeros.length, at);
    } else {
      await fh.truncate(fileBytes);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function openDirect(path: string, dsync: boolean): Promise<FileHandle> {
  return open(path, constants.O_RDWR | constants.O_DIRECT | (dsync ? constants.O_DSYNC : 0));
}

interface WriterResult {
  latenciesMs: number[];
  elapsedMs: number;
  zeroWrites: number;
}

async function runWriter(path: string, layout: Layout): Promise<WriterResult> {
  await prepare(path, layout);
  const fh = await openDirect(path, true);
  const zeroFh =
    layout === "zero-ahead-buffered"
      ? await open(path, constants.O_RDWR)
      : await openDirect(path, layout === "zero-ahead");
  try {
    const records = await alignedWindow(fh, writeBytes, 0);
    if (records === undefined) throw new Error(`${dir} refuses O_DIRECT`);
    records.fill(7);
    const zeroChunkBytes = chunkBytes(layout);
    const zeroAheadBytes = 2 * zeroChunkBytes;
    const zeros = (await alignedWindow(zeroFh, zeroChunkBytes, 0)) ?? Buffer.alloc(zeroChunkBytes);
    zeros.fill(0);
    let zeroedTo = 0;
    let zeroWrites = 0;
    let zeroing: Promise<void> | undefined;
    const zeroNext = async (): Promise<void> => {
      await zeroFh.write(zeros, 0, zeroChunkBytes, zeroedTo);
      if (layout === "zero-ahead-bulk" || layout === "zero-ahead-buffered") await zeroFh.datasync();
      zeroedTo += zeroChunkBytes;
      zeroWrites++;
    };
    if (zeroesAhead(layout)) while (zeroedTo < zeroAheadBytes) await zeroNext();
    const latenciesMs: number[] = [];
    const startedMs = performance.now();
    for (let i = 0; i < writes; i++) {
      const at = i * writeBytes;
      if (zeroesAhead(layout)) {
        if (zeroing === undefined && zeroedTo < at + writeBytes + zeroAheadBytes) {
          zeroing = zeroNext().finally(() => {
            zeroing = undefined;
          });
        }
        while (zeroedTo < at + writeBytes) await zeroing;
      }
      const t = performance.now();
      await fh.write(records, 0, writeBytes, at);
      latenciesMs.push(performance.now() - t);
    }
    const elapsedMs = performance.now() - startedMs;
    await zeroing;
    return { latenciesMs, elapsedMs, zeroWrites };
  } finally {
    await fh.close();
    await zeroFh.close();
    await rm(path, { force: true });
  }
}

function describe(r: WriterResult): string {
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2);
  const meanMs = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return (
    `per record ${(r.elapsedMs / writes).toFixed(2)} ms; write mean ${meanMs.toFixed(2)}, p50 ${at(0.5)}, ` +
    `p90 ${at(0.9)}, p99 ${at(0.99)} ms` +
    (r.zeroWrites > 0 ? `; ${r.zeroWrites} zero chunks` : "")
  );
}

try {
  console.log(`${writers} writers × ${writes} writes of ${writeBytes / 1024} KiB in ${dir}`);
  for (let pass = 1; pass <= 2; pass++) {
    for (const layout of [
      "hole",
      "written",
      "zero-ahead",
      "zero-ahead-cached-flush",
      "zero-ahead-bulk",
      "zero-ahead-buffered",
    ] as const) {
      const results = await Promise.all(
        Array.from({ length: writers }, (_, w) => runWriter(join(dir, `writer-${w}.log`), layout)),
      );
      for (const r of results) console.log(`${layout}: ${describe(r)}`);
    }
  }
} finally {
  if (process.argv[2] === undefined) await rm(dir, { recursive: true, force: true });
}
