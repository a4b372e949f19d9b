// A leader reads a learner's missing txns back from its log files for a DIFF, within ZooKeeper's
// bound (snapshotSizeFactor times the newest snapshot's size), on a real log and snapshot store.
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LogReadBackLimits, readLogBack } from "../../src/quorum/log-read-back.js";
import { SnapshotStore, TxnLog } from "../../src/storage/index.js";
import { captureLogger, payloadFor, tempDir, zxid } from "../storage/helpers.js";

const PAYLOAD_BYTES = 100;
const TXNS = 30;

let dir: string;
let cleanup: () => Promise<void>;
let log: TxnLog;
let snapshots: SnapshotStore;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("log-read-back"));
  log = await TxnLog.open(join(dir, "log"), {
    preAllocSizeBytes: 4096,
    forceSync: true,
    logger: captureLogger(),
  });
  // Three segments, so that a read crosses files.
  for (let c = 1; c <= TXNS; c++) {
    await log.append(zxid(1, c), payloadFor(zxid(1, c), PAYLOAD_BYTES));
    if (c % 10 === 0) await log.roll();
  }
  snapshots = await SnapshotStore.open(join(dir, "snap"), { logger: captureLogger() });
});

afterEach(async () => {
  await log.close();
  await cleanup();
});

/** A snapshot file of about `bytes` (the reader only looks at the newest one's size). */
async function snapshotOf(bytes: number, at = zxid(1, 2)): Promise<number> {
  const name = await snapshots.write(at, [Buffer.alloc(bytes, 1)]);
  return (await snapshots.list()).find((s) => s.name === name)!.sizeBytes;
}

const generous: LogReadBackLimits = { snapshotSizeFactor: 0.33, maxBytes: 64 * 1024 * 1024 };

describe("reading a learner's txns back from the log files", () => {
  it("gives the records from the learner's own last zxid through the one asked for, across segments", async () => {
    await snapshotOf(100_000);
    const entries = await readLogBack(log, snapshots, zxid(1, 5), zxid(1, 25), generous);
    expect(entries?.map((e) => e.zxid)).toEqual(Array.from({ length: 21 }, (_, i) => zxid(1, 5 + i)));
    for (const e of entries!)
      expect(Buffer.from(e.payload).equals(payloadFor(e.zxid, PAYLOAD_BYTES))).toBe(true);
    expect(entries!.every((e) => e.config === undefined)).toBe(true);
  });

  it("gives null when the learner's last zxid is not a record of the log", async () => {
    await snapshotOf(100_000);
    // Past the end, and a zxid of an epoch this log never had.
    expect(await readLogBack(log, snapshots, zxid(1, TXNS + 1), zxid(1, TXNS + 5), generous)).toBeNull();
    expect(await readLogBack(log, snapshots, zxid(2, 1), zxid(2, 3), generous)).toBeNull();
    // Purged: the first segment is gone once a snapshot covers it.
    await log.dropSegmentsThrough(zxid(1, 12));
    expect(await readLogBack(log, snapshots, zxid(1, 3), zxid(1, 25), generous)).toBeNull();
    expect((await readLogBack(log, snapshots, zxid(1, 11), zxid(1, 12), generous))?.length).toBe(2);
  });

  it("gives null past snapshotSizeFactor times the newest snapshot, or past maxBytes", async () => {
    // 21 records of 100 bytes: 2,100 bytes of payload.
    const size = await snapshotOf(5_000);
    expect(size).toBeGreaterThan(5_000);
    expect(
      await readLogBack(log, snapshots, zxid(1, 5), zxid(1, 25), { ...generous, snapshotSizeFactor: 0.33 }),
    ).toBeNull();
    expect(
      (await readLogBack(log, snapshots, zxid(1, 5), zxid(1, 25), { ...generous, snapshotSizeFactor: 0.5 }))
        ?.length,
    ).toBe(21);
    expect(
      await readLogBack(log, snapshots, zxid(1, 5), zxid(1, 25), { snapshotSizeFactor: 1, maxBytes: 2_000 }),
    ).toBeNull();
    // Only the newest snapshot counts.
    await snapshotOf(1_000, zxid(1, 20));
    expect(
      await readLogBack(log, snapshots, zxid(1, 5), zxid(1, 25), { ...generous, snapshotSizeFactor: 0.5 }),
    ).toBeNull();
  });

  it("gives null with a negative factor (ZooKeeper's off switch)", async () => {
    await snapshotOf(100_000);
    expect(
      await readLogBack(log, snapshots, zxid(1, 5), zxid(1, 6), { ...generous, snapshotSizeFactor: -1 }),
    ).toBeNull();
    expect((await readLogBack(log, snapshots, zxid(1, 5), zxid(1, 6), generous))?.length).toBe(2);
  });

  it("is bounded by maxBytes alone when the snapshot bound is zero (no snapshot yet, or a factor of 0)", async () => {
    const limits = { snapshotSizeFactor: 0.33, maxBytes: 2_500 };
    expect((await readLogBack(log, snapshots, zxid(1, 5), zxid(1, 25), limits))?.length).toBe(21);
    expect(await readLogBack(log, snapshots, zxid(1, 1), zxid(1, 30), limits)).toBeNull();
    await snapshotOf(100_000);
    expect(
      (await readLogBack(log, snapshots, zxid(1, 5), zxid(1, 25), { ...limits, snapshotSizeFactor: 0 }))
        ?.length,
    ).toBe(21);
  });
});
