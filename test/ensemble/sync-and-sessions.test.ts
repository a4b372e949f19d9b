// Catch-up and sessions across a real 3-server ensemble: a follower that missed more writes than
// the leader keeps in memory is brought up to date by snapshot; sessions held on a follower stay
// alive through its touches and expire on the leader once their client vanishes.
import { CreateMode, ZooKeeperClient } from "@paddock/client";
import { OpCode, Perms } from "@paddock/jute";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ensemble } from "../support/ensemble.js";
import { RawClient } from "../support/raw-client.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function client(connectString: string, sessionTimeoutMs = 4000): Promise<ZooKeeperClient> {
  const c = new ZooKeeperClient({
    connectString,
    reconnectDelayMs: 50,
    connectTimeoutMs: 15_000,
    sessionTimeoutMs,
  });
  await c.connect();
  return c;
}

describe("3-server ensemble: catch-up and sessions", () => {
  let ens: Ensemble;

  beforeAll(async () => {
    ens = await Ensemble.create({ size: 3 });
    ens.startAll();
    await ens.waitForQuorum();
  });

  afterAll(async () => {
    await ens?.destroy();
  });

  it("a follower that missed thousands of writes catches up (snapshot from the leader)", {
    timeout: 60_000,
  }, async () => {
    const leader = await ens.waitForQuorum();
    const [lagging, other] = ens.nodes.filter((n) => n.id !== leader);
    await ens.kill(lagging!.id);
    const c = await client(`${ens.node(leader).connectString},${other!.connectString}`);
    await c.create("/bulk");
    const total = 3000;
    for (let i = 0; i < total; i += 200) {
      await Promise.all(Array.from({ length: 200 }, (_, k) => c.create(`/bulk/n${i + k}`, "x")));
    }
    await c.close();
    ens.start(lagging!.id);
    await ens.waitForQuorum();
    const onLagging = await client(lagging!.connectString);
    await onLagging.sync("/bulk");
    expect((await onLagging.getChildren("/bulk")).length).toBe(total);
    await onLagging.create("/bulk/after-catch-up");
    await onLagging.close();
    expect(ens.output(lagging!.id)).toMatch(/snapshot from the leader installed/);
  });

  it("a session on a follower outlives its timeout while active, and expires everywhere once its client vanishes", {
    timeout: 40_000,
  }, async () => {
    const leader = await ens.waitForQuorum();
    const follower = ens.nodes.find((n) => n.id !== leader)!;
    // Active client on a follower, 1 s session (the minimum is 2 ticks = 400 ms).
    const active = await client(follower.connectString, 1000);
    await active.create("/alive", "", { mode: CreateMode.Ephemeral });
    // A client that disappears without closing its session.
    const raw = await RawClient.open("127.0.0.1", follower.clientPort, { timeOutMs: 1000 });
    const reply = await raw.call({
      type: OpCode.create,
      path: "/doomed",
      data: Buffer.from("x"),
      acl: [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }],
      flags: 1, // ephemeral
    });
    expect(reply.err).toBe(0);
    raw.destroy();
    const onLeader = await client(ens.node(leader).connectString, 4000);
    expect(await onLeader.exists("/doomed")).not.toBeNull();
    await sleep(3000);
    await onLeader.sync("/");
    expect(await onLeader.exists("/doomed")).toBeNull();
    const stat = await onLeader.exists("/alive");
    expect(stat?.ephemeralOwner).toBe(active.sessionId);
    await active.close();
    await onLeader.sync("/");
    expect(await onLeader.exists("/alive")).toBeNull();
    await onLeader.close();
  });
});
