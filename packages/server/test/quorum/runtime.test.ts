// The quorum runtime's effect executor against a real txn log and epoch files, with a
// one-voter ensemble so the core elects itself without a network: epochs are durable before the
// server serves, a commit is applied only once its entry is on disk, and a restart rebuilds the
// same history (re-committed from the log, never from memory).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { ServerConfig } from "../../src/config/index.js";
import { type QuorumHost, QuorumRuntime, quorumTiming } from "../../src/quorum/runtime.js";
import { readEpochFile, SnapshotStore, TxnLog } from "../../src/storage/index.js";
import type { LogEntry } from "../../src/zab/messages.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const config = {
  myid: 1,
  servers: new Map([
    [1, { id: 1, host: "127.0.0.1", peerPort: 23990, electionPort: 23991, role: "participant" }],
  ]),
  tickTimeMs: 200,
  initLimit: 10,
  syncLimit: 5,
  commitLogCount: 500,
  quorumListenOnAllIPs: false,
} as unknown as ServerConfig;

const settle = () => new Promise((r) => setTimeout(r, 5));

async function boot(dir: string, host: Partial<QuorumHost>, serverConfig: ServerConfig = config) {
  const txnLog = await TxnLog.open(join(dir, "log"), { preAllocSizeBytes: 0, forceSync: true });
  const snapshots = await SnapshotStore.open(join(dir, "snap"));
  const logEntries: LogEntry[] = [];
  for await (const r of txnLog.readFrom(0))
    logEntries.push({ zxid: r.zxid, payload: new Uint8Array(r.payload) });
  const fullHost: QuorumHost = {
    applyCommitted: () => {},
    snapshotAt: () => ({ chunks: () => [][Symbol.iterator](), release: () => {} }),
    loadSnapshot: () => {},
    onRoleChange: () => {},
    onForwarded: () => {},
    onSessionTouches: () => {},
    onRevalidate: () => {},
    onRevalidated: () => {},
    onSyncDone: () => {},
    onConfigActivated: () => {},
    storageFailed: (err) => {
      throw err;
    },
    ...host,
  };
  const rt = new QuorumRuntime({
    config: serverConfig,
    log: pino({ level: "silent" }),
    host: fullHost,
    txnLog,
    snapshots,
    epochDir: dir,
    snapshotZxid: 0,
    logEntries,
  });
  // No start(): the transport stays unbound; ticks are driven here (the one-voter ensemble elects
  // itself; a test with more voters drives its own election).
  for (let i = 0; i < 40 && !rt.isLeader && serverConfig === config; i++) {
    rt.step({ type: "tick" });
    await settle();
  }
  return { rt, txnLog };
}

describe("QuorumRuntime effect executor", () => {
  it("serves only after durable epochs; applies a commit only once its entry is on disk; restarts from the log", async () => {
    const dir = mkdtempSync(join(tmpdir(), "paddock-runtime-"));
    dirs.push(dir);
    const applied: number[] = [];
    let roleSeenWithEpoch: number | undefined;
    const first = await boot(dir, {
      onRoleChange: (c) => {
        if (c.serving) roleSeenWithEpoch = readEpochFile(join(dir, "currentEpoch"));
      },
      applyCommitted: (entries) => {
        for (const e of entries) {
          // The log reports durable records only: the entry must already be among them.
          expect(first.txnLog.lastZxid).toBeGreaterThanOrEqual(e.zxid);
          applied.push(e.zxid);
        }
      },
    });
    const { rt, txnLog } = first;
    expect(rt.isLeader).toBe(true);
    expect(roleSeenWithEpoch).toBe(1);
    expect(readEpochFile(join(dir, "acceptedEpoch"))).toBe(1);
    expect(rt.nextZxid(0)).toBe(2 ** 32 + 1);
    rt.step({ type: "propose", payloads: [new Uint8Array([1]), new Uint8Array([2])] });
    rt.step({ type: "propose", payloads: [new Uint8Array([3])] });
    for (let i = 0; i < 200 && applied.length < 3; i++) await settle();
    expect(applied).toEqual([2 ** 32 + 1, 2 ** 32 + 2, 2 ** 32 + 3]);
    await rt.stop();
    await txnLog.close();

    // Restart: the logged entries come back through the core and are committed again, in order.
    const again: number[] = [];
    const second = await boot(dir, {
      applyCommitted: (entries) => {
        for (const e of entries) again.push(e.zxid);
      },
    });
    expect(second.rt.isLeader).toBe(true);
    expect(again).toEqual([2 ** 32 + 1, 2 ** 32 + 2, 2 ** 32 + 3]);
    expect(readEpochFile(join(dir, "currentEpoch"))).toBe(2);
    expect(second.rt.nextZxid(0)).toBe(2 * 2 ** 32 + 1);
    await second.rt.stop();
    await second.txnLog.close();
  });

  it("keeps initLimit and syncLimit in tickTime units whatever the tick length", () => {
    const t = quorumTiming({ tickTimeMs: 2000, initLimit: 10, syncLimit: 5, commitLogCount: 500 });
    expect(t.tickMs).toBe(50);
    expect(t.zab.initLimitTicks * t.tickMs).toBe(20_000);
    expect(t.zab.syncLimitTicks * t.tickMs).toBe(10_000);
    const odd = quorumTiming({ tickTimeMs: 30, initLimit: 3, syncLimit: 2, commitLogCount: 500 });
    expect(odd.zab.syncLimitTicks * odd.tickMs).toBe(60);
  });

  it("keeps commitLogCount committed proposals in memory for DIFF, as ZooKeeper's committedLog", () => {
    expect(
      quorumTiming({ tickTimeMs: 2000, initLimit: 10, syncLimit: 5, commitLogCount: 500 }).zab.maxLogEntries,
    ).toBe(500);
    expect(
      quorumTiming({ tickTimeMs: 2000, initLimit: 10, syncLimit: 5, commitLogCount: 37 }).zab.maxLogEntries,
    ).toBe(37);
    // A count that is not one would make ZAB trim its log at random: refused, not passed on.
    for (const bad of [Number.NaN, -1, 2.5]) {
      expect(() =>
        quorumTiming({ tickTimeMs: 2000, initLimit: 10, syncLimit: 5, commitLogCount: bad }),
      ).toThrow(RangeError);
    }
  });

  it("turns a FOLLOWERINFO it had no link for into a failed try, and looks again after a few", async () => {
    const dir = mkdtempSync(join(tmpdir(), "paddock-runtime-"));
    dirs.push(dir);
    const servers = new Map(
      [1, 2, 3].map((id) => [
        id,
        {
          id,
          host: "127.0.0.1",
          peerPort: 23990 + 2 * id,
          electionPort: 23991 + 2 * id,
          role: "participant",
        },
      ]),
    );
    // initLimit far away: only the dropped FOLLOWERINFOs can send the learner back to looking.
    const three = { ...config, servers, initLimit: 1000 } as unknown as ServerConfig;
    const roles: string[] = [];
    const { rt, txnLog } = await boot(dir, { onRoleChange: (c) => roles.push(c.role) }, three);
    // 2's vote reaches us (3's does not): we decide for 2 and try to follow it, with no link to it.
    const vote = { leader: 2, zxid: 0, peerEpoch: 0 };
    rt.step({ type: "message", from: 2, msg: { type: "NOTIFICATION", state: "LOOKING", vote, round: 1 } });
    for (let i = 0; i < 3 && rt.role !== "following"; i++) rt.step({ type: "tick" });
    expect(rt.role).toBe("following");
    for (let i = 0; i < 20 && rt.role === "following"; i++) {
      rt.step({ type: "tick" });
      await settle();
    }
    expect(rt.role).toBe("looking");
    expect(roles).toContain("following");
    await rt.stop();
    await txnLog.close();
  });
});
