import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { crc32Fallback } from "../../src/storage/crc32.js";
import { StorageCorruptionError } from "../../src/storage/errors.js";
import { startAutoPurge } from "../../src/storage/purge.js";
import { SnapshotStore } from "../../src/storage/snapshots.js";
import { TxnLog } from "../../src/storage/txn-log.js";
import {
  captureLogger,
  fileSystemTakesDirect,
  randomBuffer,
  randomInt,
  rng,
  tempDir,
  zxid,
} from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("snap"));
});
afterEach(async () => {
  await cleanup();
});

function chunksFor(seed: number, count: number): Buffer[] {
  const next = rng(seed);
  return Array.from({ length: count }, () => randomBuffer(next, randomInt(next, 1, 5000)));
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(c);
  return out;
}

/** Same chunk boundaries and bytes (vitest's deep equality is slow on many Buffers). */
function expectSameChunks(got: Buffer[], want: Buffer[]): void {
  expect(got.map((c) => c.length)).toEqual(want.map((c) => c.length));
  expect(Buffer.concat(got).equals(Buffer.concat(want))).toBe(true);
}

describe("SnapshotStore", () => {
  it("writes around the page cache by default only when the txn log is on another file system", async () => {
    expect((await SnapshotStore.open(join(dir, "a"), { logger: captureLogger() })).directWrites).toBe(false);
    const sameFs = await SnapshotStore.open(join(dir, "b"), {
      logger: captureLogger(),
      logDir: join(dir, "log"),
    });
    expect(sameFs.directWrites).toBe(false);
    // /dev/shm is a tmpfs on Linux: another file system than the test's temp dir.
    const shm = await mkdtemp("/dev/shm/paddock-snap-");
    try {
      expect((await stat(shm)).dev).not.toBe((await stat(dir)).dev);
      // The log's directory need not exist yet (a first start): its parent's file system counts.
      const otherFs = await SnapshotStore.open(join(dir, "c"), {
        logger: captureLogger(),
        logDir: join(shm, "version-2"),
      });
      expect(otherFs.directWrites).toBe(true);
      const forced = await SnapshotStore.open(join(dir, "d"), {
        logger: captureLogger(),
        logDir: shm,
        directWrites: false,
      });
      expect(forced.directWrites).toBe(false);
    } finally {
      await rm(shm, { recursive: true, force: true });
    }
  });

  it("writes the same file around the page cache as through it, large chunks and small", async () => {
    const next = rng(9);
    // Chunks of up to 600 KiB among small ones: through the cache the large ones go out uncopied.
    const chunks = Array.from({ length: 60 }, (_, i) =>
      randomBuffer(next, i % 7 === 0 ? randomInt(next, 200_000, 600_000) : randomInt(next, 1, 5000)),
    );
    const files: Buffer[] = [];
    for (const directWrites of [true, false]) {
      const sub = join(dir, String(directWrites));
      const store = await SnapshotStore.open(sub, { logger: captureLogger(), directWrites });
      const name = await store.write(zxid(3, 1), chunks, { durable: directWrites });
      expectSameChunks(await collect(store.load(name)), chunks);
      files.push(await readFile(join(sub, name)));
    }
    expect(files[0]!.equals(files[1]!)).toBe(true);
  });

  it("writes and loads chunks unchanged, from sync and async iterables, listing newest first", async () => {
    const store = await SnapshotStore.open(dir, { logger: captureLogger() });
    const a = chunksFor(1, 40);
    const b = chunksFor(2, 300);
    expect(await store.write(zxid(1, 5), a)).toBe("snapshot.100000005");
    async function* gen(): AsyncGenerator<Buffer> {
      for (const c of b) {
        yield c;
        yield Buffer.alloc(0); // empty chunks are dropped, not framed
      }
    }
    expect(await store.write(zxid(2, 0), gen())).toBe("snapshot.200000000");
    expect((await store.list()).map((s) => [s.name, s.zxid])).toEqual([
      ["snapshot.200000000", zxid(2, 0)],
      ["snapshot.100000005", zxid(1, 5)],
    ]);
    expectSameChunks(await collect(store.load("snapshot.100000005")), a);
    expectSameChunks(await collect(store.load("snapshot.200000000")), b);
    expect(await store.verify("snapshot.200000000")).toEqual({
      zxid: zxid(2, 0),
      chunkCount: 300,
      dataBytes: b.reduce((n, c) => n + c.length, 0),
    });
    expect(await store.write(zxid(3, 0), [])).toBe("snapshot.300000000");
    expect(await collect(store.load("snapshot.300000000"))).toEqual([]);
    expect((await readdir(dir)).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("writes the documented byte layout, each CRC as if computed directly, across write-buffer edges", async () => {
    // Big chunks (written straight from the producer's buffer) between runs of small ones (gathered
    // into the 1 MiB write buffer, some straddling its end): the file must not depend on the path.
    const next = rng(99);
    const sizes = [10, 1_048_576, 3, 700_000, 400_000, 5, 2_000_000];
    for (let i = 0; i < 600; i++) sizes.push(randomInt(next, 1, 9000));
    const chunks = sizes.map((n) => randomBuffer(next, n));
    const store = await SnapshotStore.open(dir, { logger: captureLogger() });
    // The producer reuses one buffer: the store must have taken each chunk's bytes before the next.
    const scratch = Buffer.alloc(2_000_000);
    function* reusing(): Generator<Buffer> {
      for (const c of chunks) {
        c.copy(scratch);
        yield scratch.subarray(0, c.length);
        scratch.fill(0xee);
      }
    }
    const name = await store.write(zxid(4, 9), reusing());
    const file = await readFile(join(dir, name));
    const want: Buffer[] = [];
    const head = Buffer.alloc(32);
    head.write("PDKS", 0, "latin1");
    head.writeUInt16BE(1, 4);
    head.writeUInt16BE(32, 6);
    head.writeUInt32BE(4, 8);
    head.writeUInt32BE(9, 12);
    head.writeUInt32BE(crc32Fallback(head.subarray(0, 28)), 28);
    want.push(head);
    for (const c of chunks) {
      const frame = Buffer.alloc(8);
      frame.writeUInt32BE(c.length, 0);
      frame.writeUInt32BE(crc32Fallback(Buffer.concat([frame.subarray(0, 4), c])), 4);
      want.push(frame, c);
    }
    const trailer = Buffer.alloc(32);
    trailer.writeUInt32BE(0xffffffff, 0);
    trailer.writeUInt32BE(crc32Fallback(Buffer.concat(chunks)), 4);
    trailer.writeUInt32BE(chunks.length, 12);
    const total = chunks.reduce((n, c) => n + c.length, 0);
    trailer.writeUInt32BE(Math.floor(total / 2 ** 32), 16);
    trailer.writeUInt32BE(total % 2 ** 32, 20);
    trailer.writeUInt32BE(crc32Fallback(trailer.subarray(0, 28)), 28);
    want.push(trailer);
    expect(file.length).toBe(want.reduce((n, b) => n + b.length, 0));
    expect(file.equals(Buffer.concat(want))).toBe(true);
    expectSameChunks(await collect(store.load(name)), chunks);
  });

  it("detects truncation at any point (seeded)", async () => {
    const store = await SnapshotStore.open(dir);
    const name = await store.write(7, chunksFor(3, 20));
    const path = join(dir, name);
    const full = await readFile(path);
    const next = rng(11);
    const cuts = [0, 1, 31, 32, 33, full.length - 32, full.length - 1];
    for (let i = 0; i < 40; i++) cuts.push(randomInt(next, 0, full.length));
    for (const cut of cuts) {
      await writeFile(path, full.subarray(0, cut));
      const err = await store.verify(name).catch((e: unknown) => e);
      expect(err, `cut at ${cut}`).toBeInstanceOf(StorageCorruptionError);
      expect((err as StorageCorruptionError).file).toBe(path);
      expect((err as StorageCorruptionError).offset).toBeLessThanOrEqual(cut);
    }
    // Extra bytes after the trailer are damage too.
    await writeFile(path, Buffer.concat([full, Buffer.alloc(1)]));
    await expect(store.verify(name)).rejects.toMatchObject({ reason: "bytes after the snapshot trailer" });
  });

  it("detects a flipped bit anywhere (seeded)", async () => {
    const store = await SnapshotStore.open(dir);
    const name = await store.write(9, chunksFor(4, 10));
    const path = join(dir, name);
    const full = await readFile(path);
    const next = rng(12);
    for (let i = 0; i < 60; i++) {
      const damaged = Buffer.from(full);
      const at = i < 32 ? i : randomInt(next, 0, full.length);
      damaged[at] = damaged[at]! ^ (1 << randomInt(next, 0, 8));
      await writeFile(path, damaged);
      await expect(store.verify(name), `flip at ${at}`).rejects.toBeInstanceOf(StorageCorruptionError);
    }
  });

  it("refuses a snapshot renamed to another zxid", async () => {
    const store = await SnapshotStore.open(dir);
    const name = await store.write(9, chunksFor(5, 3));
    await writeFile(join(dir, "snapshot.a"), await readFile(join(dir, name)));
    await expect(store.verify("snapshot.a")).rejects.toMatchObject({ offset: 8 });
  });

  it("leaves no file behind when the producer fails, and clears old temp files on open", async () => {
    const store = await SnapshotStore.open(dir);
    function* failing(): Generator<Buffer> {
      yield Buffer.from("partial");
      throw new Error("tree walk failed");
    }
    await expect(store.write(3, failing())).rejects.toThrow("tree walk failed");
    expect(await readdir(dir)).toEqual([]);
    await writeFile(join(dir, "snapshot.4.1234.tmp"), "crashed writer");
    const logger = captureLogger();
    await SnapshotStore.open(dir, { logger });
    expect(await readdir(dir)).toEqual([]);
    expect(logger.lines.map((l) => l.msg)).toEqual(["removed unfinished snapshot file"]);
  });

  it("paces a periodic snapshot on the log's file system, around the page cache; durable ones are not paced or around it", async () => {
    // Bytes of a file in the page cache, by util-linux's fincore (mincore(2) on a mapping).
    const cachedBytes = (path: string): number =>
      Number(execFileSync("fincore", ["--bytes", "--noheadings", "--output", "RES", path]).toString().trim());
    const store = await SnapshotStore.open(dir, { logger: captureLogger() });
    expect(store.directWrites).toBe(false);
    const chunks = Array.from({ length: 32 }, (_, i) => Buffer.alloc(128 * 1024, i)); // 4 MiB
    // Slow enough that a write at full speed beats it by far even on a busy 2-core machine (an
    // unpaced one onto zeros took 355 ms there once, while tests ran beside it).
    const maxBytesPerSecond = 4e6;
    let startedMs = performance.now();
    const paced = await store.write(zxid(1, 1), chunks, { durable: false, maxBytesPerSecond });
    const pacedMs = performance.now() - startedMs;
    // 4 MiB at 4 MB/s: 1,049 ms at the least.
    expect(pacedMs).toBeGreaterThanOrEqual(1000);
    expect(pacedMs).toBeLessThan(5000);
    if (await fileSystemTakesDirect(dir)) expect(cachedBytes(join(dir, paced))).toBe(0);
    expectSameChunks(await collect(store.load(paced)), chunks);
    // A durable snapshot (a SNAP from the leader, which the learner waits for) goes at full speed
    // through the cache; so does a periodic one with no rate when zeros ahead are turned off.
    const noZeros = await SnapshotStore.open(dir, { logger: captureLogger(), zeroAhead: false });
    for (const [s, z, opts] of [
      [store, zxid(1, 2), { durable: true, maxBytesPerSecond }],
      [noZeros, zxid(1, 3), { durable: false }],
    ] as const) {
      startedMs = performance.now();
      const name = await s.write(z, chunks, opts);
      expect(performance.now() - startedMs).toBeLessThan(pacedMs);
      expect(cachedBytes(join(dir, name))).toBeGreaterThan(4 * 1024 * 1024);
    }
    // By default a periodic one with no rate goes around the cache at full speed, onto zeros
    // written ahead through it (cut off at the end: the file is the snapshot and no more).
    startedMs = performance.now();
    const zeroed = await store.write(zxid(1, 4), chunks, { durable: false });
    expect(performance.now() - startedMs).toBeLessThan(pacedMs);
    if (await fileSystemTakesDirect(dir)) expect(cachedBytes(join(dir, zeroed))).toBe(0);
    expectSameChunks(await collect(store.load(zeroed)), chunks);
    expect((await stat(join(dir, zeroed))).blocks * 512).toBeLessThan(4.5 * 1024 * 1024);
  });

  it("writes in slices: the event loop keeps turning during a large snapshot", async () => {
    const store = await SnapshotStore.open(dir);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const chunk = Buffer.alloc(64 * 1024, 7);
    await store.write(
      1,
      Array.from({ length: 400 }, () => chunk),
    ); // 25 MiB
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
    expect((await stat(join(dir, "snapshot.1"))).size).toBeGreaterThan(25 * 1024 * 1024);
  });
});

describe("purge", () => {
  /** Six snapshots, with a log segment rolled after each, as a server would. */
  async function history() {
    const logger = captureLogger();
    const store = await SnapshotStore.open(dir, { logger });
    const log = await TxnLog.open(dir, { preAllocSizeBytes: 0, forceSync: true, logger });
    for (let s = 0; s < 6; s++) {
      for (let c = 1; c <= 5; c++) await log.append(zxid(1, s * 5 + c), Buffer.from(`txn ${s * 5 + c}`));
      await store.write(zxid(1, s * 5 + 3), [Buffer.from(`state at ${s * 5 + 3}`)]);
      await log.roll();
    }
    await log.append(zxid(1, 31), Buffer.from("txn 31"));
    return { store, log, logger };
  }

  it("keeps the newest N snapshots and the segments needed to replay after the oldest kept", async () => {
    const { store, log } = await history();
    expect(log.segmentNames().length).toBe(7);
    const result = await store.purge(3, log);
    // Kept snapshots: 28, 23, 18 (zxid counters). Segment 16..20 holds 18's successors.
    expect(result.deletedSnapshots.sort()).toEqual([
      "snapshot.100000003",
      "snapshot.100000008",
      "snapshot.10000000d",
    ]);
    expect(result.deletedSegments).toEqual(["log.100000001", "log.100000006", "log.10000000b"]);
    expect(log.baseZxid).toBe(zxid(1, 15));
    const replay: number[] = [];
    for await (const r of log.readFrom(zxid(1, 18))) replay.push(r.zxid % 2 ** 32);
    expect(replay).toEqual([19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);
    // Nothing more to do a second time.
    expect(await store.purge(3, log)).toEqual({ deletedSnapshots: [], deletedSegments: [] });
    await log.close();
    const reopened = await TxnLog.open(dir, { preAllocSizeBytes: 0, forceSync: true });
    expect(reopened.segmentNames()).toEqual(log.segmentNames());
    await reopened.close();
  });

  it("periodic (non-durable) snapshots skip fsync; purge syncs the snapshots it keeps before deleting any", async () => {
    const events: string[] = [];
    const store = await SnapshotStore.open(dir, {
      logger: captureLogger(),
      syncFile: async (fh) => {
        // Which file: the fd's target, named by the kernel.
        events.push(`sync ${(await readlink(`/proc/self/fd/${fh.fd}`)).split("/").pop()}`);
        await fh.sync();
      },
    });
    await store.write(zxid(1, 1), [Buffer.from("durable")]);
    expect(events).toEqual([expect.stringMatching(/^sync snapshot\.100000001\.[0-9a-f]+\.tmp$/)]);
    events.length = 0;
    for (let c = 2; c <= 5; c++)
      await store.write(zxid(1, c), [Buffer.from(`state ${c}`)], { durable: false });
    expect(events).toEqual([]);
    const result = await store.purge(3);
    expect(events).toEqual(["sync snapshot.100000005", "sync snapshot.100000004", "sync snapshot.100000003"]);
    expect(result.deletedSnapshots.sort()).toEqual(["snapshot.100000001", "snapshot.100000002"]);
    for (const s of await store.list()) expect(await store.verify(s.name)).toBeDefined();
  });

  it("flushes a large durable snapshot as it writes it, not only at the end", async () => {
    // Recorded with the file's size at each sync: a SNAP's 200 MB left dirty until one final
    // fsync made the txn logs of servers on the same disk wait ~100 ms behind it.
    const syncedAtBytes: number[] = [];
    const store = await SnapshotStore.open(dir, {
      logger: captureLogger(),
      syncFile: async (fh) => {
        syncedAtBytes.push((await fh.stat()).size);
        await fh.sync();
      },
    });
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const chunks = Array.from({ length: 20 }, () => chunk);
    await store.write(zxid(1, 1), chunks);
    expect(syncedAtBytes.length).toBe(3);
    expect(syncedAtBytes[0]).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    expect(syncedAtBytes[0]).toBeLessThan(10 * 1024 * 1024);
    expect(syncedAtBytes[2]).toBeGreaterThan(20 * 1024 * 1024);
    syncedAtBytes.length = 0;
    await store.write(zxid(1, 2), chunks, { durable: false });
    expect(syncedAtBytes).toEqual([]);
    const loaded = await collect(store.load("snapshot.100000001"));
    expect(Buffer.concat(loaded).equals(Buffer.concat(chunks))).toBe(true);
  });

  it("never keeps fewer than 3, and purges offline with the same rule", async () => {
    const { store, log, logger } = await history();
    await log.close();
    const result = await store.purge(1);
    expect(logger.lines.some((l) => l.msg.includes("below the minimum"))).toBe(true);
    expect(result.deletedSnapshots.length).toBe(3);
    expect(result.deletedSegments).toEqual(["log.100000001", "log.100000006", "log.10000000b"]);
    expect((await store.list()).length).toBe(3);
  });

  it("autopurge runs on its interval and is off at 0 hours", async () => {
    const { store, log, logger } = await history();
    const off = startAutoPurge(store, log, { snapRetainCount: 3, purgeIntervalHours: 0, logger });
    await new Promise((r) => setTimeout(r, 50));
    expect((await store.list()).length).toBe(6);
    off.stop();
    // 20 ms expressed in hours.
    const auto = startAutoPurge(store, log, {
      snapRetainCount: 3,
      purgeIntervalHours: 20 / 3_600_000,
      logger,
    });
    // A purge deletes the snapshots first and the log segments after them: wait for both.
    const purged = async () => (await store.list()).length <= 3 && log.segmentNames()[0] === "log.100000010";
    for (let i = 0; i < 100 && !(await purged()); i++) await new Promise((r) => setTimeout(r, 20));
    auto.stop();
    expect((await store.list()).length).toBe(3);
    expect(log.segmentNames()[0]).toBe("log.100000010");
    await log.close();
  });

  it("keeps every log segment while there are fewer snapshots than the retain count", async () => {
    const { store, log } = await history();
    expect(await store.purge(10, log)).toEqual({ deletedSnapshots: [], deletedSegments: [] });
    await log.close();
  });

  it("does not delete the segment holding the snapshot's successors even if it started earlier", async () => {
    const store = await SnapshotStore.open(dir);
    const log = await TxnLog.open(dir, { preAllocSizeBytes: 0, forceSync: true });
    for (let c = 1; c <= 10; c++) await log.append(c, Buffer.from("x"));
    for (const z of [2, 4, 6]) await store.write(z, [Buffer.from("s")]);
    await log.roll();
    await log.append(11, Buffer.from("y"));
    expect(await store.purge(3, log)).toEqual({ deletedSnapshots: [], deletedSegments: [] });
    await log.close();
    expect(log.segmentNames()).toEqual(["log.1", "log.b"]);
  });
});
