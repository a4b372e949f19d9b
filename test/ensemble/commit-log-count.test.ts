// commitLogCount is how many committed proposals the leader keeps in memory to bring a returning
// follower up to date by DIFF (ZooKeeper's committedLog). A follower that missed more than that
// is sent a SNAP. The leader's mntr counts both (diff_count, snap_count).
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

/** Kills a follower, makes `writes` creates without it, restarts it; the leader's count deltas. */
async function missWrites(ens: Ensemble, writes: number): Promise<{ diff: number; snap: number }> {
  const leader = await ens.waitForQuorum();
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

  it("with commitLogCount=500 (ZooKeeper's default and least), the same follower gets a SNAP", {
    timeout: 60_000,
  }, async () => {
    ens = await Ensemble.create({ size: 3, extraCfg: ["commitLogCount=500"] });
    ens.startAll();
    expect(await missWrites(ens, 1000)).toEqual({ diff: 0, snap: 1 });
  });
});
