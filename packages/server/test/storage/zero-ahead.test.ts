// The direct log writer's zeros ahead of its records: they are real blocks on the file system
// (not a hole), they never land on records, they stay inside the file's preallocated size, and a
// sealed segment is cut back to its records with no zeros written after the cut.
import { type FileHandle, open, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIRECT_ALIGN_BYTES } from "../../src/storage/direct-io.js";
import {
  DirectWindowSource,
  openSegmentWriter,
  type SegmentWriter,
} from "../../src/storage/segment-writer.js";
import { TxnLog } from "../../src/storage/txn-log.js";
import { ZERO_AHEAD_BYTES, ZERO_CHUNK_BYTES, ZeroAhead } from "../../src/storage/zero-ahead.js";
import {
  captureLogger,
  fileSystemTakesDirect,
  payloadFor,
  randomBuffer,
  randomInt,
  rng,
  tempDir,
  zxid,
} from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("zero-ahead"));
});
afterEach(async () => {
  await cleanup();
});

const MiB = 1024 * 1024;
const HEADER = Buffer.from("a header of 13");

/** False where O_DIRECT is refused (then there is no direct writer to zero ahead of). */
async function directAvailable(): Promise<boolean> {
  if (await fileSystemTakesDirect(dir)) return true;
  // CI's /tmp takes O_DIRECT: there a refusal is a broken machine, not a reason to skip.
  expect(process.env.CI).not.toBe("true");
  return false;
}

/** A segment file with HEADER, its size preallocated to `sizeBytes` as the log does (a hole). */
async function segmentFile(name: string, sizeBytes: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, HEADER);
  const fh = await open(path, "r+");
  await fh.truncate(sizeBytes);
  await fh.close();
  return path;
}

async function writer(path: string, end: number, zeroAhead: boolean): Promise<SegmentWriter> {
  const window = await new DirectWindowSource(dir).get();
  const w = await openSegmentWriter(path, end, { dsync: true, window, zeroAhead, logger: captureLogger() });
  expect(w.direct).toBe(true);
  return w;
}

/** Bytes the file system has given the file: a hole has none. */
async function allocatedBytes(path: string): Promise<number> {
  return (await stat(path)).blocks * 512;
}

describe("zeros ahead of a direct segment writer", () => {
  it("gives the file real blocks up to two chunks past the records; a hole gets none", async () => {
    if (!(await directAvailable())) return;
    const results: Record<string, number> = {};
    for (const zeroAhead of [true, false]) {
      const path = await segmentFile(`log.${zeroAhead}`, 64 * MiB);
      const w = await writer(path, HEADER.length, zeroAhead);
      let end = HEADER.length;
      // 100 group commits of 33 KB: 3.3 MB of records.
      const batch = Buffer.alloc(33_000, 7);
      for (let i = 0; i < 100; i++) {
        await w.write(batch, end);
        end += batch.length;
      }
      await w.close();
      results[String(zeroAhead)] = await allocatedBytes(path);
      expect((await stat(path)).size).toBe(64 * MiB);
      const bytes = await readFile(path);
      expect(bytes.subarray(HEADER.length, end).every((b) => b === 7)).toBe(true);
      expect(bytes.subarray(end).every((b) => b === 0)).toBe(true);
    }
    const recordsBytes = HEADER.length + 100 * 33_000;
    // Without zeros ahead the file has about the records' blocks; with them, the chunks after too.
    expect(results.false).toBeLessThan(recordsBytes + MiB);
    expect(results.true).toBeGreaterThanOrEqual(recordsBytes + ZERO_AHEAD_BYTES - ZERO_CHUNK_BYTES);
    expect(results.true).toBeLessThanOrEqual(recordsBytes + ZERO_AHEAD_BYTES + ZERO_CHUNK_BYTES);
  });

  it("never writes zeros over records, nor past the file's size (seeded pieces, large ones overtaking a chunk)", async () => {
    if (!(await directAvailable())) return;
    const next = rng(0x2e40);
    // Smaller than the records will reach: the zeros must stop at the size, and the file must
    // grow only where the records do.
    const preallocated = 6 * MiB + 12_345;
    const path = await segmentFile("log.1", preallocated);
    const w = await writer(path, HEADER.length, true);
    const parts: Buffer[] = [];
    let end = HEADER.length;
    let fileEnd = preallocated;
    for (let i = 0; i < 160; i++) {
      // Mostly group-commit sizes; every 16th piece is larger than the 1 MiB window, so it is
      // written in several passes and runs into a chunk the zeroer may still be writing.
      const n = i % 16 === 15 ? randomInt(next, 1_100_000, 2_600_000) : randomInt(next, 1, 60_000);
      const part = randomBuffer(next, n);
      parts.push(part);
      const writtenTo = await w.write(part, end);
      end += n;
      fileEnd = Math.max(fileEnd, writtenTo);
      expect((await stat(path)).size).toBe(fileEnd);
    }
    await w.close();
    const bytes = await readFile(path);
    expect(bytes.length).toBe(fileEnd);
    expect(bytes.subarray(0, end).equals(Buffer.concat([HEADER, ...parts]))).toBe(true);
    expect(bytes.subarray(end).every((b) => b === 0)).toBe(true);
  });

  it("a writer reopened on a segment goes on zeroing ahead of where the records end", async () => {
    if (!(await directAvailable())) return;
    const path = await segmentFile("log.1", 64 * MiB);
    let w = await writer(path, HEADER.length, true);
    const piece = Buffer.alloc(40_000, 3);
    let end = HEADER.length;
    for (let i = 0; i < 10; i++) {
      await w.write(piece, end);
      end += piece.length;
    }
    await w.close();
    const afterFirst = await allocatedBytes(path);
    w = await writer(path, end, true);
    for (let i = 0; i < 10; i++) {
      await w.write(piece, end);
      end += piece.length;
    }
    await w.close();
    expect(await allocatedBytes(path)).toBeGreaterThan(afterFirst);
    const bytes = await readFile(path);
    expect(bytes.subarray(HEADER.length, end).every((b) => b === 3)).toBe(true);
    expect(bytes.subarray(end).every((b) => b === 0)).toBe(true);
  });
});

describe("TxnLog with zeros ahead", () => {
  it("cuts a sealed segment back to its records, with no zeros written after the cut", async () => {
    if (!(await directAvailable())) return;
    const log = await TxnLog.open(dir, {
      preAllocSizeBytes: 64 * MiB,
      forceSync: true,
      logger: captureLogger(),
    });
    expect(log.writesDirect).toBe(false);
    let z = 0;
    for (let b = 0; b < 20; b++) {
      const records = [];
      for (let i = 0; i < 30; i++) {
        z++;
        records.push({ zxid: zxid(1, z), payload: payloadFor(z, 1000) });
      }
      await log.appendAll(records);
    }
    expect(log.writesDirect).toBe(true);
    // Rolled right after a write: the zeroer has a chunk in flight past the records.
    await log.roll();
    await log.append(zxid(1, ++z), payloadFor(z, 1000));
    const [first] = (await readdir(dir)).filter((n) => n.startsWith("log.")).sort();
    const sealed = join(dir, first!);
    const sealedSize = (await stat(sealed)).size;
    // A sealed segment holds its records only: nothing past them, not even the zero tail.
    expect(sealedSize).toBeLessThan(20 * 30 * 1100 + DIRECT_ALIGN_BYTES);
    expect(await allocatedBytes(sealed)).toBeLessThan(sealedSize + 2 * DIRECT_ALIGN_BYTES + 64 * 1024);
    const read = [];
    for await (const r of log.readFrom(0)) read.push(r);
    await log.close();
    expect(read.map((r) => r.zxid)).toEqual(Array.from({ length: z }, (_, i) => zxid(1, i + 1)));
    for (const r of read) expect(r.payload.equals(payloadFor(r.zxid - zxid(1, 0), 1000))).toBe(true);
  });
});

describe("a zero chunk that fails", () => {
  /** A handle whose writes fail with `code`; the size is far ahead, as preallocation leaves it. */
  function failingHandle(code: string): { fh: FileHandle; writes: () => number } {
    let writes = 0;
    const fh = {
      stat: async () => ({ size: 64 * MiB }),
      write: async () => {
        writes++;
        throw Object.assign(new Error(`${code}: simulated`), { code });
      },
      datasync: async () => {},
      close: async () => {},
    } as unknown as FileHandle;
    return { fh, writes: () => writes };
  }

  it("on a full disk stops the zeros with a warning, and the records go on", async () => {
    const logger = captureLogger();
    const { fh, writes } = failingHandle("ENOSPC");
    const zeros = ZeroAhead.onHandle(fh, "log.1", 4096, logger);
    zeros.afterWrite(4096);
    await zeros.beforeWrite(8 * MiB);
    zeros.afterWrite(8 * MiB);
    await zeros.beforeWrite(9 * MiB);
    expect(writes()).toBe(1);
    expect(logger.lines.filter((l) => l.level === "warn").map((l) => l.msg)).toEqual([
      "stopped writing zeros ahead: the disk is full",
    ]);
    await zeros.close();
  });

  it("on any other error fails the next record write", async () => {
    const { fh } = failingHandle("EIO");
    const zeros = ZeroAhead.onHandle(fh, "log.1", 4096, captureLogger());
    zeros.afterWrite(4096);
    await expect(zeros.beforeWrite(8192)).rejects.toThrow(/EIO/);
    await zeros.close();
  });
});
