// 5 voters + 1 observer, and a longer leader-kill soak. Slow on a 2-core machine, so only with
// PADDOCK_ENSEMBLE_5=1 (rounds: PADDOCK_SOAK_ROUNDS, default 8).
import { ZooKeeperClient } from "@paddock/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ensemble } from "../support/ensemble.js";

const ENABLED = process.env.PADDOCK_ENSEMBLE_5 === "1";
const ROUNDS = Number(process.env.PADDOCK_SOAK_ROUNDS ?? 8);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function client(connectString: string): Promise<ZooKeeperClient> {
  const c = new ZooKeeperClient({ connectString, reconnectDelayMs: 50, connectTimeoutMs: 20_000 });
  await c.connect();
  return c;
}

describe.skipIf(!ENABLED)("5 voters + 1 observer", () => {
  let ens: Ensemble;

  beforeAll(async () => {
    ens = await Ensemble.create({ size: 6, observers: 1 });
    ens.startAll();
  });

  afterAll(async () => {
    await ens?.destroy();
  });

  it("serves with one leader, four followers and an observer; writes through the observer", {
    timeout: 40_000,
  }, async () => {
    await ens.waitForQuorum(30_000);
    const modes = [...(await ens.modes()).values()].sort();
    expect(modes).toEqual(["follower", "follower", "follower", "follower", "leader", "observer"]);
    const c = await client(ens.node(6).connectString);
    await c.create("/obs", "via observer");
    await c.create("/soak");
    await c.close();
    const other = await client(ens.node(1).connectString);
    await other.sync("/obs");
    expect((await other.getData("/obs")).data?.toString()).toBe("via observer");
    await other.close();
  });

  it(`survives ${ROUNDS} leader kills under write load without losing an acknowledged write`, {
    timeout: ROUNDS * 30_000,
  }, async () => {
    const windowsMs: number[] = [];
    const acked: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const leader = await ens.waitForQuorum(30_000);
      const rest = ens.nodes.filter((n) => n.id !== leader).map((n) => n.connectString);
      const clients = await Promise.all(
        [0, 1, 2, 3].map((i) => client([...rest.slice(i), ...rest.slice(0, i)].join(","))),
      );
      let stopping = false;
      const acks: { sentMs: number; ackMs: number }[] = [];
      const loops = clients.map(async (c, w) => {
        for (let n = 0; !stopping; n++) {
          const path = `/soak/r${round}-${w}-${n}`;
          const sentMs = Date.now();
          try {
            await c.create(path);
            acked.push(path);
            acks.push({ sentMs, ackMs: Date.now() });
          } catch {
            await sleep(20);
          }
        }
      });
      await sleep(400);
      const killedAtMs = Date.now();
      await ens.kill(leader);
      const end = Date.now() + 20_000;
      while (Date.now() < end && !acks.some((a) => a.sentMs > killedAtMs)) await sleep(10);
      const first = acks.find((a) => a.sentMs > killedAtMs);
      stopping = true;
      await Promise.all(loops);
      await Promise.all(clients.map((c) => c.close()));
      expect(first, `round ${round}: no write after the kill`).toBeDefined();
      windowsMs.push(first!.ackMs - killedAtMs);
      ens.start(leader);
    }
    await ens.waitForQuorum(30_000);
    const c = await client(ens.connectString);
    await c.sync("/soak");
    const present = new Set((await c.getChildren("/soak")).map((name) => `/soak/${name}`));
    await c.close();
    const missing = acked.filter((p) => !present.has(p));
    const sorted = [...windowsMs].sort((a, b) => a - b);
    console.log(
      `5+1 soak: ${ROUNDS} leader kills, ${acked.length} acked writes; failover windows ${sorted.join(", ")} ms; median ${sorted[Math.floor(sorted.length / 2)]} ms, worst ${sorted.at(-1)} ms`,
    );
    expect(missing).toEqual([]);
    expect(sorted.at(-1)!).toBeLessThan(10_000);
  });

  it("keeps serving with two voters down and stops with three", { timeout: 60_000 }, async () => {
    const leader = await ens.waitForQuorum(30_000);
    const voters = ens.nodes.filter((n) => n.id <= 5 && n.id !== leader).map((n) => n.id);
    await ens.kill(voters[0]!);
    await ens.kill(voters[1]!);
    const c = await client(ens.node(leader).connectString);
    await c.create("/three-of-five");
    await c.close();
    await ens.kill(voters[2]!);
    const end = Date.now() + 10_000;
    while (Date.now() < end && (await ens.mode(leader)) !== "not serving") await sleep(100);
    expect(await ens.mode(leader)).toBe("not serving");
    for (const id of voters) ens.start(id);
    await ens.waitForQuorum(30_000);
  });
});
