import { constants as fsConstants } from "node:fs";
import {
  copyFile,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  truncate,
  unlink,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { crc32, crc32Fallback } from "../../src/storage/crc32.js";
import { StorageCorruptionError, StorageGapError } from "../../src/storage/errors.js";
import {
  decodeRecordHeader,
  encodeRecord,
  encodeSegmentHeader,
  LOG_HEADER_BYTES,
  RECORD_HEADER_BYTES,
  recordCrc,
} from "../../src/storage/format.js";
import type { TxnLogOptions } from "../../src/storage/txn-log.js";
import { TxnLog } from "../../src/storage/txn-log.js";
import { captureLogger, payloadFor, randomBuffer, randomInt, rng, tempDir, zxid } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("txnlog"));
});
afterEach(async () => {
  await cleanup();
});

const opts = (extra: Partial<TxnLogOptions> = {}): TxnLogOptions => ({
  preAllocSizeBytes: 4096,
  forceSync: true,
  logger: captureLogger(),
  ...extra,
});

async function readAll(log: TxnLog, from = 0): Promise<{ zxid: number; payload: Buffer }[]> {
  const out: { zxid: number; payload: Buffer }[] = [];
  for await (const r of log.readFrom(from)) out.push(r);
  return out;
}

/** Appends zxids epoch 1 counters [from, to] with payloads of payloadFor(z, len(z)). */
async function fill(
  log: TxnLog,
  from: number,
  to: number,
  len = (c: number) => (c * 13) % 97,
): Promise<void> {
  const pending: Promise<void>[] = [];
  for (let c = from; c <= to; c++) pending.push(log.append(zxid(1, c), payloadFor(zxid(1, c), len(c))));
  await Promise.all(pending);
}

describe("framing", () => {
  it("round-trips records and rejects any changed byte through the CRC", () => {
    const next = rng(1);
    for (let i = 0; i < 200; i++) {
      const z = randomInt(next, 1, 2 ** 40);
      const payload = randomBuffer(next, randomInt(next, 0, 300));
      const rec = encodeRecord(z, payload);
      const h = decodeRecordHeader(rec);
      if (typeof h === "string") throw new Error(h);
      expect(h.zxid).toBe(z);
      expect(h.length).toBe(payload.length);
      expect(rec.subarray(RECORD_HEADER_BYTES).equals(payload)).toBe(true);
      const flipped = Buffer.from(rec);
      const at = randomInt(next, 0, rec.length);
      flipped[at] = flipped[at]! ^ (1 << randomInt(next, 0, 8));
      const fh = decodeRecordHeader(flipped);
      // Accepted would mean: the frame still fits and its CRC still matches.
      const accepted =
        typeof fh !== "string" &&
        RECORD_HEADER_BYTES + fh.length === flipped.length &&
        recordCrc(flipped, flipped.subarray(RECORD_HEADER_BYTES)) === fh.crc;
      expect(accepted).toBe(false);
    }
  });

  it("table CRC matches the native one", () => {
    const next = rng(2);
    for (let i = 0; i < 50; i++) {
      const buf = randomBuffer(next, randomInt(next, 0, 2000));
      expect(crc32Fallback(buf, 123)).toBe(crc32(buf, 123));
    }
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
  });
});

describe("TxnLog", () => {
  it("appends, reopens and reads back every record in order", async () => {
    let log = await TxnLog.open(dir, opts());
    await fill(log, 1, 300);
    expect(log.lastZxid).toBe(zxid(1, 300));
    await log.close();
    log = await TxnLog.open(dir, opts());
    expect(log.lastZxid).toBe(zxid(1, 300));
    const all = await readAll(log);
    expect(all.map((r) => r.zxid)).toEqual(Array.from({ length: 300 }, (_, i) => zxid(1, i + 1)));
    for (const r of all)
      expect(r.payload.equals(payloadFor(r.zxid, ((r.zxid % 2 ** 32) * 13) % 97))).toBe(true);
    expect((await readAll(log, zxid(1, 250))).map((r) => r.zxid)[0]).toBe(zxid(1, 251));
    await log.append(zxid(2, 1), Buffer.from("next epoch"));
    await log.close();
    expect(await readdir(dir)).toEqual(["log.100000001"]);
  });

  it("asserts strictly increasing zxids", async () => {
    const log = await TxnLog.open(dir, opts());
    await log.append(5, Buffer.from("a"));
    expect(() => log.append(5, Buffer.from("b"))).toThrow(/invariant/);
    expect(() => log.append(4, Buffer.from("b"))).toThrow(/invariant/);
    expect(() => log.append(0, Buffer.from("b"))).toThrow(RangeError);
    await log.close();
  });

  it("appendAll: one promise for a run of records, checked as a whole before any is queued", async () => {
    const log = await TxnLog.open(dir, opts());
    const records = [1, 2, 3].map((c) => ({ zxid: zxid(1, c), payload: payloadFor(zxid(1, c), c * 40) }));
    await log.appendAll(records);
    expect(log.lastZxid).toBe(zxid(1, 3));
    // A run out of order is refused whole: nothing of it reaches the log.
    expect(() =>
      log.appendAll([
        { zxid: zxid(1, 5), payload: Buffer.from("x") },
        { zxid: zxid(1, 4), payload: Buffer.from("y") },
      ]),
    ).toThrow(/invariant/);
    await log.appendAll([{ zxid: zxid(1, 4), payload: Buffer.from("four") }]);
    expect((await readAll(log)).map((r) => [r.zxid, r.payload.length])).toEqual([
      [zxid(1, 1), 40],
      [zxid(1, 2), 80],
      [zxid(1, 3), 120],
      [zxid(1, 4), 4],
    ]);
    await log.close();
  });

  it("preallocates in steps, as a hole, and treats the zero tail as the end of the log", async () => {
    const logger = captureLogger();
    let log = await TxnLog.open(dir, opts({ preAllocSizeBytes: 4096, logger }));
    await log.append(1, Buffer.alloc(100, 1));
    const path = join(dir, "log.1");
    expect((await stat(path)).size).toBe(4096);
    await fill(log, 2, 80, () => 100); // 80 * 116 + 32 bytes of records > 8192
    expect((await stat(path)).size).toBe(12288);
    await log.close();
    // The preallocated space is a hole (ZooKeeper pads its logs the same way): a step far larger
    // than the records takes no blocks beyond them. A file system without holes would show more.
    const big = join(dir, "big");
    let bigLog = await TxnLog.open(big, opts({ preAllocSizeBytes: 64 * 1024 * 1024, logger }));
    await fill(bigLog, 1, 10, () => 100);
    const bigPath = join(big, bigLog.segmentNames()[0]!);
    const bigStat = await stat(bigPath);
    expect(bigStat.size).toBe(64 * 1024 * 1024);
    expect(bigStat.blocks * 512).toBeLessThan(1024 * 1024);
    await bigLog.close();
    bigLog = await TxnLog.open(big, opts({ preAllocSizeBytes: 64 * 1024 * 1024, logger }));
    expect((await readAll(bigLog)).length).toBe(10);
    await bigLog.close();
    log = await TxnLog.open(dir, opts({ preAllocSizeBytes: 4096, logger }));
    expect(log.lastZxid).toBe(zxid(1, 80));
    expect(logger.lines.filter((l) => l.level !== "info")).toEqual([]);
    await log.append(zxid(1, 81), Buffer.from("after reopen"));
    await log.close();
    log = await TxnLog.open(dir, opts({ logger }));
    expect((await readAll(log)).length).toBe(81);
    await log.close();
  });

  it("group-commits concurrent appends: far fewer fsyncs than appends, none acknowledged early", async () => {
    // The fake fdatasync notes the highest zxid in the file when it starts; once it finishes,
    // everything up to that zxid is durable. An append resolving before that is acknowledged early.
    let durableZxid = 0;
    const datasync = async (fh: import("node:fs/promises").FileHandle) => {
      const { size } = await fh.stat();
      const bytes = Buffer.alloc(size);
      // A new segment's header is synced through a write-only handle; it holds no records.
      if (size > LOG_HEADER_BYTES) await fh.read(bytes, 0, size, 0);
      let seen = durableZxid;
      for (let off = LOG_HEADER_BYTES; off + RECORD_HEADER_BYTES <= size; ) {
        const h = decodeRecordHeader(bytes.subarray(off, off + RECORD_HEADER_BYTES));
        if (typeof h === "string") break;
        seen = Math.max(seen, h.zxid);
        off += RECORD_HEADER_BYTES + h.length;
      }
      await new Promise((r) => setTimeout(r, 5));
      await fh.datasync();
      durableZxid = Math.max(durableZxid, seen);
    };
    const log = await TxnLog.open(dir, opts({ datasync }));
    const n = 500;
    let early = 0;
    const waves: Promise<void>[] = [];
    for (let i = 1; i <= n; i++) {
      waves.push(
        log.append(i, payloadFor(i, 1024)).then(() => {
          if (durableZxid < i) early++;
        }),
      );
      // Spread the appends over several event-loop turns so batches form while fsyncs run.
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(waves);
    expect(early).toBe(0);
    const s = log.stats;
    expect(s.appends).toBe(n);
    expect(s.fsyncs).toBeLessThan(n / 10);
    expect(s.batches).toBeLessThan(n / 10);
    await log.close();
  });

  it("after a failed fdatasync rejects the batch and every later operation", async () => {
    let calls = 0;
    const logger = captureLogger();
    const datasync = async (fh: import("node:fs/promises").FileHandle) => {
      if (++calls === 3) throw Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
      await fh.datasync();
    };
    const log = await TxnLog.open(dir, opts({ datasync, logger }));
    await log.append(1, Buffer.from("a")); // segment header sync + record sync
    const failed = [log.append(2, Buffer.from("b")), log.append(3, Buffer.from("c"))];
    const results = await Promise.allSettled(failed);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    await expect(log.append(4, Buffer.from("d"))).rejects.toThrow(/EIO/);
    await expect(log.roll()).rejects.toThrow(/EIO/);
    expect(log.lastZxid).toBe(1);
    expect(logger.lines.some((l) => l.level === "error")).toBe(true);
    await log.close(); // releases, does not throw
    // What reached the disk is still a valid log.
    const reopened = await TxnLog.open(dir, opts());
    expect((await readAll(reopened))[0]?.zxid).toBe(1);
    await reopened.close();
  });

  it("bounds one group commit by maxBatchBytes", async () => {
    const log = await TxnLog.open(dir, opts({ maxBatchBytes: 4096 }));
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append(i + 1, payloadFor(i + 1, 1000))));
    // 1016-byte records: four fit in 4096 bytes, so at least 25 batches.
    expect(log.stats.batches).toBeGreaterThanOrEqual(25);
    expect((await readAll(log)).length).toBe(100);
    await log.close();
  });

  it("writes records through an O_DSYNC handle by default, one durable write per batch", async () => {
    const log = await TxnLog.open(dir, opts());
    await Promise.all(Array.from({ length: 40 }, (_, i) => log.append(i + 1, payloadFor(i + 1, 300))));
    await fill(log, 41, 45);
    const segment = join(dir, log.segmentNames()[0]!);
    // Every open handle on the segment, with its open(2) flags from /proc (octal, as the kernel prints).
    const handles: number[] = [];
    for (const fd of await readdir("/proc/self/fd")) {
      const target = await readlink(join("/proc/self/fd", fd)).catch(() => "");
      if (target !== segment) continue;
      const info = await readFile(join("/proc/self/fdinfo", fd), "utf8").catch(() => "");
      const flags = /^flags:\s+([0-7]+)/m.exec(info);
      if (flags !== null) handles.push(Number.parseInt(flags[1]!, 8));
    }
    // One handle, O_DSYNC, for the records: preallocation only extends the file, which needs no
    // handle of its own. A direct writer has one more, through the cache and without O_DSYNC, for
    // the zeros it keeps ahead of the records (zero-ahead.ts).
    expect(handles.filter((f) => (f & fsConstants.O_DSYNC) !== 0)).toHaveLength(1);
    const oDirect = (fsConstants as { O_DIRECT?: number }).O_DIRECT ?? 0;
    const others = handles.filter((f) => (f & fsConstants.O_DSYNC) === 0);
    expect(others).toHaveLength(log.writesDirect ? 1 : 0);
    for (const f of others) expect(f & oDirect).toBe(0);
    const { appends, batches, fsyncs } = log.stats;
    expect(appends).toBe(45);
    // The new segment's header was made durable on its own, before the first batch.
    expect(fsyncs).toBe(batches + 1);
    expect(log.fsyncTimeMs.count).toBe(batches);
    expect(log.batchSize).toMatchObject({ count: batches, sum: 45 });
    expect(log.batchSize.max).toBeGreaterThan(1);
    await log.close();
    expect((await readAll(await TxnLog.open(dir, opts()))).length).toBe(45);
  });

  it("skips fdatasync entirely with forceSync=false", async () => {
    const log = await TxnLog.open(dir, opts({ forceSync: false }));
    await fill(log, 1, 50);
    expect(log.stats.fsyncs).toBe(0);
    await log.close();
  });

  it("rolls segments, chains them, and refuses a missing middle segment", async () => {
    let log = await TxnLog.open(dir, opts());
    await fill(log, 1, 10);
    await log.roll();
    await fill(log, 11, 20);
    await log.roll();
    await fill(log, 21, 30);
    expect(log.segmentNames()).toEqual(["log.100000001", "log.10000000b", "log.100000015"]);
    await log.close();
    // A sealed segment loses its zero tail.
    const sealed = await stat(join(dir, "log.100000001"));
    expect(sealed.size % 4096).not.toBe(0);
    log = await TxnLog.open(dir, opts());
    expect((await readAll(log)).length).toBe(30);
    await log.close();

    await unlink(join(dir, "log.10000000b"));
    const err = await TxnLog.open(dir, opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageGapError);
    expect((err as StorageGapError).file).toBe(join(dir, "log.100000015"));
    expect((err as Error).message).toMatch(/log\.100000001 ends at 0x10000000a/);
  });

  it("truncateAfter removes later records and segments, and appending resumes", async () => {
    let log = await TxnLog.open(dir, opts());
    await fill(log, 1, 10);
    await log.roll();
    await fill(log, 11, 20);
    await log.roll();
    await fill(log, 21, 30);
    await log.truncateAfter(zxid(1, 15));
    expect(log.lastZxid).toBe(zxid(1, 15));
    expect(log.segmentNames()).toEqual(["log.100000001", "log.10000000b"]);
    expect((await readAll(log)).map((r) => r.zxid % 2 ** 32)).toEqual(
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
    expect(() => log.append(zxid(1, 15), Buffer.from("x"))).toThrow(/invariant/);
    await log.append(zxid(2, 1), Buffer.from("new history"));
    await log.close();

    log = await TxnLog.open(dir, opts());
    const all = await readAll(log);
    expect(all.length).toBe(16);
    expect(all.at(-1)!.payload.toString()).toBe("new history");
    // Appends queued before the truncation are written, then cut; queued after it, they stay.
    const a = log.append(zxid(2, 2), Buffer.from("doomed"));
    const t = log.truncateAfter(zxid(2, 1));
    const b = log.append(zxid(2, 2), Buffer.from("kept"));
    await Promise.all([a, t, b]);
    expect((await readAll(log, zxid(2, 1))).map((r) => r.payload.toString())).toEqual(["kept"]);
    await log.truncateAfter(0);
    expect(log.lastZxid).toBe(0);
    expect(await readdir(dir)).toEqual([]);
    await log.append(zxid(3, 1), Buffer.from("fresh"));
    await log.close();
    log = await TxnLog.open(dir, opts());
    expect((await readAll(log)).map((r) => r.zxid)).toEqual([zxid(3, 1)]);
    await log.close();
  });

  it("resetTo drops the log and starts its history after the given zxid", async () => {
    let log = await TxnLog.open(dir, opts());
    await fill(log, 1, 5);
    await log.resetTo(zxid(4, 0));
    expect(log.baseZxid).toBe(zxid(4, 0));
    await log.append(zxid(4, 1), Buffer.from("after snap"));
    await log.close();
    log = await TxnLog.open(dir, opts());
    expect(log.baseZxid).toBe(zxid(4, 0));
    await expect(readAll(log, zxid(1, 2))).rejects.toBeInstanceOf(StorageGapError);
    expect((await readAll(log, zxid(4, 0))).length).toBe(1);
    await log.close();
  });

  it("removes an empty last segment left by a crash right after creation", async () => {
    const logger = captureLogger();
    let log = await TxnLog.open(dir, opts());
    await fill(log, 1, 3);
    await log.close();
    await writeFile(
      join(dir, "log.100000004"),
      encodeSegmentHeader({ firstZxid: zxid(1, 4), prevZxid: zxid(1, 3) }),
    );
    await writeFile(join(dir, "log.100000009.tmp"), "half");
    log = await TxnLog.open(dir, opts({ logger }));
    expect(log.segmentNames()).toEqual(["log.100000001"]);
    expect(await readdir(dir)).toEqual(["log.100000001"]);
    expect(logger.lines.some((l) => l.msg === "removed empty last segment")).toBe(true);
    await log.close();
  });
});

describe("TxnLog recovery of damaged segments", () => {
  /** Builds a one-segment log of records 1..count and returns its bytes and record offsets. */
  async function buildLog(count: number, preAllocSizeBytes: number, len: (i: number) => number) {
    const src = join(dir, `src-${preAllocSizeBytes}`);
    const log = await TxnLog.open(src, opts({ preAllocSizeBytes }));
    const offsets: number[] = [];
    let off = LOG_HEADER_BYTES;
    for (let i = 1; i <= count; i++) {
      offsets.push(off);
      off += RECORD_HEADER_BYTES + len(i);
      await log.append(i, payloadFor(i, len(i)));
    }
    await log.close();
    return { bytes: await readFile(join(src, "log.1")), offsets, end: off };
  }

  async function openVariant(name: string, bytes: Buffer, logger = captureLogger()) {
    const d = join(dir, name);
    await mkdir(d, { recursive: true });
    await writeFile(join(d, "log.1"), bytes);
    // Detection does not depend on fsync; skipping it keeps hundreds of variants fast.
    const log = await TxnLog.open(d, opts({ logger, forceSync: false }));
    return { log, logger, path: join(d, "log.1"), d };
  }

  it("cuts a torn last record at every byte position, with a log line (seeded)", async () => {
    const next = rng(42);
    for (const preAlloc of [0, 4096]) {
      const { bytes, offsets, end } = await buildLog(5, preAlloc, (i) => (i === 5 ? 45 : 20));
      const last = offsets[4]!;
      for (let p = last; p < end; p++) {
        const variants: [string, Buffer][] = [
          // The write stopped at p: zeros (preallocated) or nothing (file ends) after it.
          ["zeros", Buffer.concat([bytes.subarray(0, p), Buffer.alloc(bytes.length - p)])],
          ["short", bytes.subarray(0, p)],
          // Sectors reached the disk out of order: bytes after p hold junk.
          ["junk", Buffer.concat([bytes.subarray(0, p), randomBuffer(next, end - p), bytes.subarray(end)])],
        ];
        for (const [kind, variant] of variants) {
          const { log, logger, path, d } = await openVariant(`torn-${preAlloc}-${p}-${kind}`, variant);
          const recs = await readAll(log);
          expect(
            recs.map((r) => r.zxid),
            `${kind} at ${p}`,
          ).toEqual([1, 2, 3, 4]);
          const torn = logger.lines.filter((l) => l.msg === "truncated torn tail of the txn log");
          const damagedBytes = !variant.subarray(last).equals(Buffer.alloc(variant.length - last));
          expect(torn.length, `${kind} at ${p}`).toBe(damagedBytes ? 1 : 0);
          if (damagedBytes) {
            expect(torn[0]!.fields).toMatchObject({ file: path, offset: last });
            expect((await stat(path)).size).toBe(last);
          }
          // The log keeps working after the cut.
          await log.append(5, Buffer.from("rewritten"));
          await log.close();
          const again = await TxnLog.open(d, opts({ forceSync: false }));
          expect((await readAll(again)).map((r) => r.payload.toString()).at(-1)).toBe("rewritten");
          await again.close();
        }
      }
    }
  });

  it("judges a torn tail quickly even in front of a large zero-filled tail", async () => {
    const { bytes, offsets } = await buildLog(5, 0, () => 100);
    const damaged = Buffer.from(bytes);
    damaged[offsets[4]! + 50] = damaged[offsets[4]! + 50]! ^ 1;
    const logger = captureLogger();
    const d = join(dir, "big-tail");
    await mkdir(d);
    await writeFile(join(d, "log.1"), damaged);
    await truncate(join(d, "log.1"), 64 * 1024 * 1024); // reads as zeros
    const t0 = performance.now();
    const log = await TxnLog.open(d, opts({ logger, forceSync: false }));
    // A per-offset scan of the 64 MiB tail took over a minute; the backwards memcmp takes well under a second.
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(log.lastZxid).toBe(4);
    expect(logger.lines.find((l) => l.msg === "truncated torn tail of the txn log")?.fields).toMatchObject({
      offset: offsets[4],
      damagedBytes: 116,
    });
    await log.close();
  });

  it("refuses corruption in the middle, naming file and record offset, for every field", async () => {
    const next = rng(7);
    const { bytes, offsets } = await buildLog(12, 4096, () => 40);
    const regions: [string, number, number][] = [
      ["length", 0, 4],
      ["crc", 4, 8],
      ["zxid", 8, 16],
      ["payload", 16, 56],
    ];
    for (const victim of [0, 3, 10]) {
      for (const [field, from, to] of regions) {
        for (let k = 0; k < 3; k++) {
          const damaged = Buffer.from(bytes);
          const at = offsets[victim]! + randomInt(next, from, to);
          damaged[at] = damaged[at]! ^ (1 << randomInt(next, 0, 8));
          const d = join(dir, `mid-${victim}-${field}-${k}`);
          await mkdir(d);
          await writeFile(join(d, "log.1"), damaged);
          const err = await TxnLog.open(d, opts()).catch((e: unknown) => e);
          expect(err, `${field} of record ${victim}`).toBeInstanceOf(StorageCorruptionError);
          const e = err as StorageCorruptionError;
          expect(e.file).toBe(join(d, "log.1"));
          expect(e.offset).toBe(offsets[victim]);
          expect(e.message).toContain(join(d, "log.1"));
          expect(e.message).toContain(`offset ${offsets[victim]}`);
          // Nothing was cut off the damaged file.
          expect((await readFile(join(d, "log.1"))).equals(damaged)).toBe(true);
        }
      }
    }
  });

  it("refuses damage at the end of a sealed (non-last) segment", async () => {
    const log = await TxnLog.open(dir, opts());
    await fill(log, 1, 5, () => 30);
    await log.roll();
    await fill(log, 6, 8);
    await log.close();
    const first = join(dir, "log.100000001");
    const bytes = await readFile(first);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x10;
    await writeFile(first, bytes);
    const err = await TxnLog.open(dir, opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageCorruptionError);
    expect((err as StorageCorruptionError).file).toBe(first);
    expect((err as StorageCorruptionError).offset).toBe(LOG_HEADER_BYTES + 4 * 46);
  });

  it("headersOnlyThroughZxid: covered segments open from headers; their records are checked when read", async () => {
    const build = async () => {
      const log = await TxnLog.open(dir, opts());
      await fill(log, 1, 5, () => 30);
      await log.roll();
      await fill(log, 6, 10, () => 30);
      await log.roll();
      await fill(log, 11, 12);
      await log.close();
    };
    await build();
    const first = join(dir, "log.100000001");
    const bytes = await readFile(first);
    // Record 3's payload (records are 16 + 30 bytes).
    bytes[LOG_HEADER_BYTES + 2 * 46 + 20] = bytes[LOG_HEADER_BYTES + 2 * 46 + 20]! ^ 0x10;
    await writeFile(first, bytes);
    // Checked at open by default.
    await expect(TxnLog.open(dir, opts())).rejects.toBeInstanceOf(StorageCorruptionError);
    // Covered by a snapshot at 1:5 (or anything up to 1:9): opened, ranges from the headers.
    for (const through of [zxid(1, 5), zxid(1, 9)]) {
      const log = await TxnLog.open(dir, opts({ headersOnlyThroughZxid: through }));
      expect(log.segmentNames()).toEqual(["log.100000001", "log.100000006", "log.10000000b"]);
      expect([log.baseZxid, log.lastZxid]).toEqual([0, zxid(1, 12)]);
      expect((await readAll(log, zxid(1, 5))).map((r) => r.zxid % 2 ** 32)).toEqual([6, 7, 8, 9, 10, 11, 12]);
      // Reading the covered segment finds the damage, naming file and record offset.
      const err = await readAll(log, 0).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageCorruptionError);
      expect(err).toMatchObject({ file: first, offset: LOG_HEADER_BYTES + 2 * 46 });
      // So does a truncation into it, before it cuts anything.
      await expect(log.truncateAfter(zxid(1, 4))).rejects.toBeInstanceOf(StorageCorruptionError);
      await log.close().catch(() => {});
      expect((await readFile(first)).equals(bytes)).toBe(true);
      expect((await readdir(dir)).sort()).toEqual(["log.100000001", "log.100000006", "log.10000000b"]);
    }
    // A snapshot at 1:4 does not cover record 5: the damaged segment is scanned and refused.
    await expect(TxnLog.open(dir, opts({ headersOnlyThroughZxid: zxid(1, 4) }))).rejects.toBeInstanceOf(
      StorageCorruptionError,
    );

    // An intact covered segment truncates as before (checked first), and a covered segment that
    // lost its last record is a gap once read.
    await rm(dir, { recursive: true });
    await build();
    let log = await TxnLog.open(dir, opts({ headersOnlyThroughZxid: zxid(1, 10) }));
    await log.truncateAfter(zxid(1, 7));
    expect(log.segmentNames()).toEqual(["log.100000001", "log.100000006"]);
    expect((await readAll(log)).map((r) => r.zxid % 2 ** 32)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await log.close();
    await rm(dir, { recursive: true });
    await build();
    const second = join(dir, "log.100000006");
    await writeFile(second, (await readFile(second)).subarray(0, LOG_HEADER_BYTES + 4 * 46));
    log = await TxnLog.open(dir, opts({ headersOnlyThroughZxid: zxid(1, 10) }));
    const gap = await readAll(log).catch((e: unknown) => e);
    expect(gap).toBeInstanceOf(StorageGapError);
    expect((gap as StorageGapError).file).toBe(second);
    await log.close();
  });

  it("refuses a damaged segment header and a file whose name disagrees with it", async () => {
    const log = await TxnLog.open(dir, opts());
    await fill(log, 1, 3);
    await log.close();
    const path = join(dir, "log.100000001");
    await copyFile(path, join(dir, "backup"));
    const bytes = await readFile(path);
    bytes[10] = bytes[10]! ^ 1;
    await writeFile(path, bytes);
    await expect(TxnLog.open(dir, opts())).rejects.toMatchObject({ file: path, offset: 0 });
    await unlink(path);
    await copyFile(join(dir, "backup"), join(dir, "log.100000002"));
    await unlink(join(dir, "backup"));
    await expect(TxnLog.open(dir, opts())).rejects.toMatchObject({
      file: join(dir, "log.100000002"),
      offset: 8,
    });
  });

  it("keeps refusing after a torn tail was seen in a shortened file plus a later valid record", async () => {
    const { bytes, offsets, end } = await buildLog(6, 0, () => 30);
    // Record 4 lost a byte in the middle but records 5 and 6 are intact: not a torn tail.
    const damaged = Buffer.from(bytes);
    damaged[offsets[3]! + 20] = damaged[offsets[3]! + 20]! ^ 0xff;
    const d = join(dir, "tail-mid");
    await mkdir(d);
    await writeFile(join(d, "log.1"), damaged.subarray(0, end));
    await expect(TxnLog.open(d, opts())).rejects.toMatchObject({ offset: offsets[3] });
    await truncate(join(d, "log.1"), offsets[5]! + 10);
    await expect(TxnLog.open(d, opts())).rejects.toMatchObject({ offset: offsets[3] });
  });
});
