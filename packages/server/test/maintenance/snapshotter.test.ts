// When periodic snapshots are taken: ZooKeeper's trigger (a random point between snapCount/2 and
// snapCount txns, or between snapSizeLimitInKb/2 and snapSizeLimitInKb of log), and its habit of
// skipping a trigger that finds the previous snapshot still being written. Real txn log and
// snapshot store in a temp dir; the txns are real creates applied to a real state machine.

import { Writable } from "node:stream";
import { OpCode } from "@paddock/jute";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type SnapshotPolicy, Snapshotter } from "../../src/maintenance/snapshotter.js";
import { ReplicaState } from "../../src/replica/replica-state.js";
import { SnapshotStore, TxnLog } from "../../src/storage/index.js";
import { Driver, OPEN } from "../request/helpers.js";
import { tempDir } from "../storage/helpers.js";

interface Rig {
  snapshotter: Snapshotter;
  store: SnapshotStore;
  log: TxnLog;
  warnings: string[];
  /** Applies one create of `valueBytes` (logged first, as the servers do) and tells the snapshotter. */
  write(valueBytes?: number): Promise<void>;
  /** Queues one create's log record and applies it, without telling the snapshotter. */
  logAndApply(valueBytes?: number): Promise<void>;
  /** Resolves when the snapshot in progress (if any) has been written. */
  written(): Promise<void>;
}

let dir: string;
let cleanup: () => Promise<void>;
let open: TxnLog[] = [];

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("snapshotter"));
  open = [];
});

afterEach(async () => {
  for (const log of open) await log.close();
  await cleanup();
});

async function rig(trigger: Omit<SnapshotPolicy, "snapshotWriteRateMBps">): Promise<Rig> {
  const log = await TxnLog.open(dir, { preAllocSizeBytes: 0, forceSync: false });
  open.push(log);
  const store = await SnapshotStore.open(dir);
  const state = new ReplicaState(
    { extendedTypesEnabled: false, skipAcl: false, superDigest: undefined },
    2000,
    0,
  );
  const driver = new Driver(state.sm);
  const warnings: string[] = [];
  const sink = new Writable({
    write(line: Buffer, _enc, done) {
      const entry = JSON.parse(line.toString()) as { level: number; msg: string };
      if (entry.level === 40) warnings.push(entry.msg);
      done();
    },
  });
  const snapshotter = new Snapshotter(
    state,
    { ...trigger, snapshotWriteRateMBps: 0 },
    store,
    log,
    pino({ level: "info" }, sink),
  );
  let pending: { resolve: () => void; promise: Promise<void> } | undefined;
  snapshotter.onWritten = () => pending?.resolve();
  const session = driver.session(1n);
  let n = 0;
  const logAndApply = (valueBytes = 10): Promise<void> => {
    const req = {
      type: OpCode.create as const,
      path: `/n${n++}`,
      data: Buffer.alloc(valueBytes),
      acl: OPEN,
      flags: 0,
    };
    const txn = driver.prepare(req, driver.ctx(session));
    const durable = log.append(txn.zxid, Buffer.alloc(valueBytes + 40));
    driver.applyTxn(txn, OpCode.create);
    return durable;
  };
  return {
    snapshotter,
    store,
    log,
    warnings,
    logAndApply,
    async write(valueBytes = 10) {
      await logAndApply(valueBytes);
      if (pending === undefined) {
        let resolve = () => {};
        const promise = new Promise<void>((r) => {
          resolve = r;
        });
        pending = { resolve, promise };
      }
      snapshotter.applied();
    },
    async written() {
      if (pending !== undefined) {
        const timeout = new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("no snapshot was written within 5 s")), 5000).unref(),
        );
        await Promise.race([pending.promise, timeout]);
      }
      pending = undefined;
    },
  };
}

async function snapshotCount(store: SnapshotStore): Promise<number> {
  return (await store.list()).length;
}

describe("Snapshotter trigger", () => {
  it("snapshots after more than snapCount/2 and at most snapCount txns", async () => {
    const r = await rig({ snapCount: 10, snapSizeLimitInKb: 4194304 });
    for (let i = 0; i < 5; i++) await r.write();
    expect(await snapshotCount(r.store)).toBe(0);
    for (let i = 0; i < 5; i++) await r.write();
    await r.written();
    // The next trigger needs at least 6 more txns, so the ten made exactly one.
    expect(await snapshotCount(r.store)).toBe(1);
  });

  it("snapshots after more than snapSizeLimitInKb/2 and at most snapSizeLimitInKb of log", async () => {
    // 4 KiB: the trigger lies between 2,048 and 4,096 log bytes; each record here is 1,080.
    const r = await rig({ snapCount: 1_000_000, snapSizeLimitInKb: 4 });
    await r.write(1024);
    expect(await snapshotCount(r.store)).toBe(0);
    for (let i = 0; i < 3; i++) await r.write(1024);
    await r.written();
    expect(await snapshotCount(r.store)).toBe(1);
  });

  it.each([0, -1])(
    "turns the size trigger off for a limit of %i, as ZooKeeper does",
    async (snapSizeLimitInKb) => {
      const r = await rig({ snapCount: 1_000_000, snapSizeLimitInKb });
      for (let i = 0; i < 20; i++) await r.write(1024);
      expect(await snapshotCount(r.store)).toBe(0);
      expect(r.snapshotter.skipped).toBe(0);
    },
  );

  it("skips a trigger that finds the last snapshot still being written, and counts afresh", async () => {
    // snapCount 2: every second txn triggers.
    const r = await rig({ snapCount: 2, snapSizeLimitInKb: 4194304 });
    await r.write();
    await r.write();
    expect(r.log.segmentNames()).toHaveLength(1);
    // The snapshot just started (its roll queued) is still being written, with no I/O done yet,
    // when one more txn is logged and the next trigger comes.
    const extraLogged = r.logAndApply();
    r.snapshotter.applied();
    r.snapshotter.applied();
    expect(r.snapshotter.skipped).toBe(1);
    expect(r.warnings).toContain("Too busy to snap, skipping");
    await extraLogged;
    await r.written();
    expect(await snapshotCount(r.store)).toBe(1);
    // Counting restarted at the skip: one more txn is not yet a trigger (the old code snapshotted
    // at once here, having kept counting while busy), the second is.
    await r.write();
    expect(await snapshotCount(r.store)).toBe(1);
    // The skipped trigger still rolled the log, as ZooKeeper's does: the snapshot's roll put the
    // extra txn in a second segment, the skip's put this one in a third.
    expect(r.log.segmentNames()).toHaveLength(3);
    await r.write();
    await r.written();
    expect(await snapshotCount(r.store)).toBe(2);
  });
});
