// Apache Curator's InterProcessMutex guarding a counter (test/interop/java/CuratorLockCounter.java)
// on a 3-server Paddock ensemble while its leader is killed twice and a follower once, each with
// SIGKILL and started again. Four sessions spread over the members read the counter and write it
// back plus one, without versions, under the lock: the final value equals the number of
// increments only if no two of them ever held the lock together and every reader saw the last
// writer's value, across every failover.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ensemble } from "../support/ensemble.js";
import { type CuratorPeer, skipWithoutCurator, startCuratorPeer } from "./curator-peer.js";

const skipCurator = skipWithoutCurator();

const THREADS = 4;
const PER_THREAD = 100;

describe.skipIf(skipCurator)("Curator's lock across failovers", () => {
  let ensemble: Ensemble;
  let program: CuratorPeer | undefined;

  beforeAll(async () => {
    // A 1 s tick lets sessions ask for 20 s, longer than any failover here.
    ensemble = await Ensemble.create({ size: 3, tickTimeMs: 1000 });
    ensemble.startAll();
    await ensemble.waitForQuorum(30_000);
  }, 60_000);

  afterAll(async () => {
    program?.kill();
    await program?.exited;
    await ensemble?.destroy();
  });

  /** Kills `which` once the counter reached `progress`, and starts it again once the rest serve. */
  async function failAt(progress: number, which: "leader" | "follower"): Promise<void> {
    await program!.waitFor(new RegExp(`^PROGRESS ${progress}$`), 60_000);
    const leader = await ensemble.waitForQuorum(30_000);
    const victim = which === "leader" ? leader : ensemble.nodes.find((n) => n.id !== leader)!.id;
    const linesAtKill = program!.lines.length;
    await ensemble.kill(victim);
    await ensemble.waitForQuorum(30_000);
    ensemble.start(victim);
    await ensemble.waitForQuorum(30_000);
    // The work went on after this failure: the run did not end before it.
    await program!.waitFor(/^PROGRESS \d+$/, 60_000, linesAtKill);
  }

  it("loses no increment and never lets two sessions hold the lock", async () => {
    const connect = ensemble.nodes.map((n) => n.connectString).join(",");
    program = startCuratorPeer([connect, "/curator-failover", String(THREADS), String(PER_THREAD)], {
      mainClass: "CuratorLockCounter",
    });
    await program.waitFor(/^READY$/, 30_000);
    await failAt(60, "leader");
    await failAt(160, "follower");
    await failAt(260, "leader");
    const done = await program.waitFor(/^DONE /, 120_000);
    const total = THREADS * PER_THREAD;
    expect(done).toBe(`DONE increments=${total} value=${total} errors=0`);
    expect(await program.exited).toBe(0);
  }, 300_000);
});
