import { readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StorageCorruptionError, StorageGapError } from "../../src/storage/errors.js";
import type { RecoveryHooks } from "../../src/storage/recovery.js";
import { recover, recoverStorage } from "../../src/storage/recovery.js";
import { SnapshotStore } from "../../src/storage/snapshots.js";
import { TxnLog } from "../../src/storage/txn-log.js";
import { captureLogger, fileSystemTakesDirect, tempDir, zxid } from "./helpers.js";

let root: string;
let dataDir: string;
let logDir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir: root, cleanup } = await tempDir("recovery"));
  dataDir = join(root, "data");
  logDir = join(root, "log");
});
afterEach(async () => {
  await cleanup();
});

/** A toy state machine: the list of txn payloads applied, in order. */
class ListState {
  items: string[] = [];
  /** Snapshots loaded to the end, and every snapshot whose load was started. */
  loads: string[] = [];
  attempts: string[] = [];
  hooks(): RecoveryHooks {
    return {
      // As the real loaders: the state is replaced only once every chunk was read.
      loadSnapshot: async (chunks, snap) => {
        this.attempts.push(snap.name);
        const items: string[] = [];
        for await (const c of chunks) items.push(c.toString());
        this.loads.push(snap.name);
        this.items = items;
      },
      applyTxn: (z, payload) => {
        this.items.push(payload.toString());
        expect(payload.toString()).toBe(`t${z % 2 ** 32}`);
      },
    };
  }
}

const expected = (n: number): string[] => Array.from({ length: n }, (_, i) => `t${i + 1}`);

/** Txns 1..total in epoch 1; a snapshot after each zxid in `snapAt`, a roll after each snapshot. */
async function buildHistory(total: number, snapAt: number[]) {
  const log = await TxnLog.open(logDir, {
    preAllocSizeBytes: 8192,
    forceSync: true,
    logger: captureLogger(),
  });
  const store = await SnapshotStore.open(dataDir, { logDir, logger: captureLogger() });
  for (let c = 1; c <= total; c++) {
    await log.append(zxid(1, c), Buffer.from(`t${c}`));
    if (snapAt.includes(c)) {
      await store.write(
        zxid(1, c),
        expected(c).map((s) => Buffer.from(s)),
      );
      await log.roll();
    }
  }
  await log.close();
  return store;
}

async function corruptSnapshot(counter: number): Promise<string> {
  const path = join(dataDir, `snapshot.${zxid(1, counter).toString(16)}`);
  const bytes = await readFile(path);
  bytes[40] = bytes[40]! ^ 0x04;
  await writeFile(path, bytes);
  return path;
}

describe("recover", () => {
  it("starts empty on empty directories", async () => {
    const s = new ListState();
    expect(await recover(dataDir, logDir, s.hooks(), { logger: captureLogger() })).toBe(0);
    expect(s.items).toEqual([]);
  });

  it("replays the whole log when there is no snapshot", async () => {
    await buildHistory(40, []);
    const s = new ListState();
    expect(await recover(dataDir, logDir, s.hooks(), { logger: captureLogger() })).toBe(zxid(1, 40));
    expect(s.items).toEqual(expected(40));
  });

  it("loads the newest snapshot and replays only the txns after it", async () => {
    await buildHistory(50, [10, 20, 30]);
    const s = new ListState();
    const result = await recoverStorage(dataDir, logDir, s.hooks(), { logger: captureLogger() });
    expect(result.lastZxid).toBe(zxid(1, 50));
    expect(result.snapshot?.name).toBe("snapshot.10000001e");
    expect(result.replayedTxns).toBe(20);
    expect(s.items).toEqual(expected(50));
    // The returned log continues where recovery stopped.
    await result.log.append(zxid(1, 51), Buffer.from("t51"));
    await result.log.close();
    const again = new ListState();
    expect(await recover(dataDir, logDir, again.hooks(), { logger: captureLogger() })).toBe(zxid(1, 51));
    expect(again.items).toEqual(expected(51));
  });

  it("hands the txn log its writer choice: through the page cache when asked, around it by default where allowed", async () => {
    await buildHistory(5, []);
    for (const txnLogDirectWrites of [false, undefined]) {
      const s = new ListState();
      const result = await recoverStorage(dataDir, logDir, s.hooks(), {
        logger: captureLogger(),
        txnLogDirectWrites,
      });
      expect(result.log.writesDirect).toBe(
        txnLogDirectWrites !== false && (await fileSystemTakesDirect(logDir)),
      );
      await result.log.close();
    }
  });

  it("falls back to an older snapshot when the newest is damaged and the log covers the gap", async () => {
    await buildHistory(50, [10, 20, 30]);
    await corruptSnapshot(30);
    const logger = captureLogger();
    const s = new ListState();
    expect(await recover(dataDir, logDir, s.hooks(), { logger })).toBe(zxid(1, 50));
    expect(s.loads).toEqual(["snapshot.100000014"]);
    expect(s.items).toEqual(expected(50));
    expect(logger.lines.find((l) => l.msg === "snapshot failed its checks")?.fields.file).toBe(
      join(dataDir, "snapshot.10000001e"),
    );
    // Two damaged: fall back further; all three: rebuild from the whole log (it starts at 0).
    await corruptSnapshot(20);
    const s2 = new ListState();
    await recover(dataDir, logDir, s2.hooks(), { logger });
    expect(s2.loads).toEqual(["snapshot.10000000a"]);
    expect(s2.items).toEqual(expected(50));
    await corruptSnapshot(10);
    const s3 = new ListState();
    await recover(dataDir, logDir, s3.hooks(), { logger });
    expect(s3.loads).toEqual([]);
    expect(s3.items).toEqual(expected(50));
  });

  it("loads each snapshot in one checked pass: damage found after some chunks falls back, state untouched", async () => {
    await buildHistory(50, [10, 20, 30]);
    const path = join(dataDir, "snapshot.10000001e");
    const bytes = await readFile(path);
    // Chunk 30 ("t30") is the last: t1..t9 take 8 + 2 bytes, t10..t29 8 + 3; flip its last byte,
    // so 29 chunks reach the loader before the damage shows.
    const last = 32 + 9 * 10 + 20 * 11 + 8 + 2;
    bytes[last] = bytes[last]! ^ 0x20;
    await writeFile(path, bytes);
    const logger = captureLogger();
    const s = new ListState();
    const result = await recoverStorage(dataDir, logDir, s.hooks(), { logger });
    expect(result.snapshot?.name).toBe("snapshot.100000014");
    expect(result.replayedTxns).toBe(30);
    expect(s.attempts).toEqual(["snapshot.10000001e", "snapshot.100000014"]);
    expect(s.loads).toEqual(["snapshot.100000014"]);
    expect(s.items).toEqual(expected(50));
    expect(logger.lines.find((l) => l.msg === "snapshot failed its checks")?.fields).toMatchObject({
      file: path,
      offset: last - 10,
    });
    await result.log.close();
    // A snapshot cut short (no trailer) is damage found at the very end of the pass.
    await writeFile(path, (await readFile(path)).subarray(0, last - 10));
    await writeFile(
      join(dataDir, "snapshot.100000014"),
      (await readFile(join(dataDir, "snapshot.100000014"))).subarray(0, -32),
    );
    const s2 = new ListState();
    expect(await recover(dataDir, logDir, s2.hooks(), { logger: captureLogger() })).toBe(zxid(1, 50));
    expect(s2.attempts).toEqual(["snapshot.10000001e", "snapshot.100000014", "snapshot.10000000a"]);
    expect(s2.loads).toEqual(["snapshot.10000000a"]);
    expect(s2.items).toEqual(expected(50));
  });

  it("stops, not falls back, when the loader rejects a snapshot whose checksums hold", async () => {
    await buildHistory(30, [10, 20]);
    const hooks = new ListState().hooks();
    const err = await recoverStorage(
      dataDir,
      logDir,
      {
        ...hooks,
        loadSnapshot: async (chunks) => {
          for await (const _ of chunks) throw new Error("malformed node record");
        },
      },
      { logger: captureLogger() },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toBe("malformed node record");
  });

  it("does not read log segments the snapshot covers: damage there only matters to a fallback", async () => {
    await buildHistory(50, [10, 20, 30]);
    // Segments: 1..10, 11..20, 21..30, 31..50. Damage a record in each of the first two.
    for (const name of ["log.100000001", "log.10000000b"]) {
      const path = join(logDir, name);
      const bytes = await readFile(path);
      bytes[32 + 16] = bytes[32 + 16]! ^ 0x01;
      await writeFile(path, bytes);
    }
    const s = new ListState();
    expect(await recover(dataDir, logDir, s.hooks(), { logger: captureLogger() })).toBe(zxid(1, 50));
    expect(s.loads).toEqual(["snapshot.10000001e"]);
    expect(s.items).toEqual(expected(50));
    // Snapshot 30 damaged: snapshot 20 needs only txns 21.., in an intact segment.
    await corruptSnapshot(30);
    const s2 = new ListState();
    expect(await recover(dataDir, logDir, s2.hooks(), { logger: captureLogger() })).toBe(zxid(1, 50));
    expect(s2.loads).toEqual(["snapshot.100000014"]);
    expect(s2.items).toEqual(expected(50));
    // Snapshot 20 damaged too: snapshot 10 needs txns 11..20, from the damaged segment: refused.
    await corruptSnapshot(20);
    const err = await recover(dataDir, logDir, new ListState().hooks(), { logger: captureLogger() }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageCorruptionError);
    expect(err).toMatchObject({ file: join(logDir, "log.10000000b"), offset: 32 });
  });

  it("refuses a fallback across a segment cut short, though its header-only open could not tell", async () => {
    await buildHistory(50, [10, 20, 30]);
    // Drop t20 from the end of the segment 11..20 (each record 16 + 3 bytes).
    const path = join(logDir, "log.10000000b");
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 19));
    const s = new ListState();
    expect(await recover(dataDir, logDir, s.hooks(), { logger: captureLogger() })).toBe(zxid(1, 50));
    await corruptSnapshot(30);
    await corruptSnapshot(20);
    const err = await recover(dataDir, logDir, new ListState().hooks(), { logger: captureLogger() }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageGapError);
    expect((err as StorageGapError).file).toBe(path);
  });

  it("stops with the damaged snapshot's name when the log no longer covers the gap", async () => {
    const store = await buildHistory(50, [10, 20, 30]);
    // Keeps snapshots 10, 20, 30; the segment of txns 1..10 goes (snapshot 10 covers it).
    expect((await store.purge(3)).deletedSegments).toEqual(["log.100000001"]);
    await corruptSnapshot(30);
    await corruptSnapshot(20);
    // Snapshot 10 is intact and the log still bridges 10 -> 50.
    const s = new ListState();
    expect(await recover(dataDir, logDir, s.hooks(), { logger: captureLogger() })).toBe(zxid(1, 50));
    expect(s.loads).toEqual(["snapshot.10000000a"]);
    // Remove the segment after 10 as well: now nothing bridges 10 -> 30.
    await unlink(join(logDir, "log.10000000b"));
    const err = await recover(dataDir, logDir, new ListState().hooks(), { logger: captureLogger() }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageCorruptionError);
    expect((err as StorageCorruptionError).file).toBe(join(dataDir, "snapshot.10000001e"));
  });

  it("refuses to rebuild from an empty log when a damaged snapshot held more", async () => {
    const store = await SnapshotStore.open(dataDir);
    await store.write(zxid(1, 5), [Buffer.from("t1")]);
    await corruptSnapshot(5);
    await expect(
      recover(dataDir, logDir, new ListState().hooks(), { logger: captureLogger() }),
    ).rejects.toMatchObject({ file: join(dataDir, "snapshot.100000005") });
  });

  it("restarts a log that is behind the snapshot, so no older snapshot is replayed across the hole", async () => {
    const log = await TxnLog.open(logDir, { preAllocSizeBytes: 0, forceSync: true, logger: captureLogger() });
    for (let c = 1; c <= 10; c++) await log.append(zxid(1, c), Buffer.from(`t${c}`));
    await log.close();
    const store = await SnapshotStore.open(dataDir, { logger: captureLogger() });
    await store.write(
      zxid(1, 5),
      expected(5).map((x) => Buffer.from(x)),
    );
    // Installed from a leader: txns 11..20 never reached this log.
    await store.write(
      zxid(1, 20),
      expected(20).map((x) => Buffer.from(x)),
    );
    const logger = captureLogger();
    const s = new ListState();
    const result = await recoverStorage(dataDir, logDir, s.hooks(), { logger });
    expect(result.lastZxid).toBe(zxid(1, 20));
    expect(result.log.baseZxid).toBe(zxid(1, 20));
    expect(logger.lines.some((l) => l.msg.startsWith("snapshot is ahead of the txn log"))).toBe(true);
    await result.log.append(zxid(1, 21), Buffer.from("t21"));
    await result.log.close();
    // With snapshot 20 damaged, snapshot 5 + log would skip 11..20: refuse instead.
    await corruptSnapshot(20);
    await expect(recover(dataDir, logDir, new ListState().hooks(), { logger })).rejects.toMatchObject({
      file: join(dataDir, "snapshot.100000014"),
    });
  });

  it("stops when log segments before the replay point are missing", async () => {
    await buildHistory(30, [10]);
    await unlink(join(dataDir, "snapshot.10000000a"));
    await unlink(join(logDir, "log.100000001"));
    const err = await recover(dataDir, logDir, new ListState().hooks(), { logger: captureLogger() }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageGapError);
    expect((err as StorageGapError).file).toBe(join(logDir, "log.10000000b"));
  });

  it("cuts a torn log tail and recovers everything before it", async () => {
    await buildHistory(12, [5]);
    const path = join(logDir, "log.100000006");
    const bytes = await readFile(path);
    // Records t6..t9 take 16 + 2 bytes, t10..t12 16 + 3; garble the last two bytes of t12 as a
    // torn write would.
    const end = 32 + 4 * 18 + 3 * 19;
    bytes[end - 1] = 0x55;
    bytes[end - 2] = 0x55;
    await writeFile(path, bytes);
    const logger = captureLogger();
    const s = new ListState();
    expect(await recover(dataDir, logDir, s.hooks(), { logger })).toBe(zxid(1, 11));
    expect(s.items).toEqual(expected(11));
    expect(logger.lines.find((l) => l.msg === "truncated torn tail of the txn log")?.fields).toMatchObject({
      file: path,
      offset: end - 19,
    });
  });

  it("refuses a corrupt record in the middle of the log", async () => {
    await buildHistory(12, [5]);
    const path = join(logDir, "log.100000006");
    const bytes = await readFile(path);
    bytes[32 + 18 + 17] = bytes[32 + 18 + 17]! ^ 1;
    await writeFile(path, bytes);
    await expect(
      recover(dataDir, logDir, new ListState().hooks(), { logger: captureLogger() }),
    ).rejects.toMatchObject({
      file: path,
      offset: 32 + 18,
    });
  });
});
