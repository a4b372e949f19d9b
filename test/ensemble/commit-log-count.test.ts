// commitLogCount is how many committed proposals the leader keeps in memory to bring a returning
// follower up to date by DIFF (ZooKeeper's committedLog). A follower that missed more than that
// is sent the txns it lacks from the leader's txn log files, still a DIFF, while they come to less
// than snapshotSizeFactor times the newest snapshot's size; otherwise, or with a negative factor,
// a SNAP. The leader's mntr counts both (diff_count, snap_count).
import { ZooKeeperClient } from "@paddock/client";
import { afterEach, describe, expect, it } from "vitest";
import { Ensemble } from "../support/ensemble.js";
import { fourLetterWord } from "../support/process.js";

async function syncCounts(ens: Ensemble, id: number): Promise<{ diff: number; snap: number }> {
  const mntr = await fourLetterWord("127.0.0.1", ens.node(id).clientPort, "mntr", 2000);
  const value = (key: string): number => {
    const line = mntr.split("\n").find((l) => l.startsWith(`zk_${key}\t`));
    if (line === undefined) throw new Error(`mntr has no zk_${key}:\n${mntr}`);
    return Number(line.slice(line.indexOf("\t") + 1));
  };
  return { diff: value("diff_count"), snap: value("snap_count") };
}

/**
 * Kills a follower, makes `writes` creates without it, restarts it; the leader's count deltas.
 * `beforeKill` writes what the whole ensemble has first.
 */
async function missWrites(
  ens: Ensemble,
  writes: number,
  beforeKill?: (c: ZooKeeperClient) => Promise<void>,
): Promise<{ diff: number; snap: number }> {
  const leader = await ens.waitForQuorum();
  if (beforeKill !== undefined) {
    const c = new ZooKeeperClient({ connectString: ens.node(leader).connectString });
    await c.connect();
    await beforeKill(c);
    await c.close();
  }
  const [away, other] = ens.nodes.filter((n) => n.id !== leader);
  await ens.kill(away!.id);
  const before = await syncCounts(ens, leader);
  const c = new ZooKeeperClient({
    connectString: `${ens.node(leader).connectString},${other!.connectString}`,
  });
  await c.connect();
  await c.create("/missed");
  await Promise.all(Array.from({ length: writes - 1 }, (_, i) => c.create(`/missed/n${i}`)));
  await c.close();
  ens.start(away!.id);
  await ens.waitForQuorum();
  const back = new ZooKeeperClient({ connectString: away!.connectString, connectTimeoutMs: 15_000 });
  await back.connect();
  await back.sync("/missed");
  expect((await back.getChildren("/missed")).length).toBe(writes - 1);
  await back.close();
  const after = await syncCounts(ens, leader);
  return { diff: after.diff - before.diff, snap: after.snap - before.snap };
}

describe("commitLogCount on a 3-server ensemble", () => {
  let ens: Ensemble | undefined;
  afterEach(async () => {
    await ens?.destroy();
    ens = undefined;
  });

  it("by default a follower that missed 1,000 writes is brought up to date by DIFF", {
    timeout: 60_000,
  }, async () => {
    ens = await Ensemble.create({ size: 3 });
    ens.startAll();
    expect(await missWrites(ens, 1000)).toEqual({ diff: 1, snap: 0 });
  });

  it("with commitLogCount=500 (ZooKeeper's default and least) and reading the log off, the same follower gets a SNAP", {
    timeout: 60_000,
  }, async () => {
    ens = await Ensemble.create({ size: 3, extraCfg: ["commitLogCount=500", "snapshotSizeFactor=-1"] });
    ens.startAll();
    expect(await missWrites(ens, 1000)).toEqual({ diff: 0, snap: 1 });
  });

  it("with commitLogCount=500, the same follower gets a DIFF read back from the leader's txn log", {
    timeout: 90_000,
  }, async () => {
    // A snapshot is taken 500-1000 txns in, after the large znodes: a third of its size is far
    // more than the 1,000 small creates the follower misses, so reading them back pays.
    ens = await Ensemble.create({ size: 3, extraCfg: ["commitLogCount=500", "snapCount=1000"] });
    ens.startAll();
    const large = Buffer.alloc(512 * 1024, 7);
    const counts = await missWrites(ens, 1000, async (c) => {
      await c.create("/large");
      for (let i = 0; i < 8; i++) await c.create(`/large/n${i}`, large);
      await Promise.all(Array.from({ length: 1000 }, (_, i) => c.create(`/large/pad${i}`)));
    });
    expect(counts).toEqual({ diff: 1, snap: 0 });
  });
});
