// What the lock-counter tests share (Curator's and kazoo's): a program that increments a counter
// znode under a client library's lock, from THREADS sessions PER_THREAD times each, reading the
// value and writing it back plus one without a version. It prints READY, `PROGRESS <n>` every 20
// increments and `DONE increments=<n> value=<v> errors=<e>`. At given counts a member of a
// 3-server ensemble is killed with SIGKILL and started again. The count ends right only if no two
// sessions ever held the lock together and every reader saw the last writer's value.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ensemble } from "./ensemble.js";
import type { LineProcess } from "./line-process.js";

export const THREADS = 4;
export const PER_THREAD = 100;

/** The schedule: the leader, a follower, then the new leader. */
const FAILURES: readonly { atProgress: number; which: "leader" | "follower" }[] = [
  { atProgress: 60, which: "leader" },
  { atProgress: 160, which: "follower" },
  { atProgress: 260, which: "leader" },
];

/** The suite: `start` launches the program against a connect string naming every member. */
export function describeLockCounterFailover(
  title: string,
  skip: boolean,
  start: (connectString: string) => LineProcess,
): void {
  describe.skipIf(skip)(title, () => {
    let ensemble: Ensemble;
    let program: LineProcess | undefined;

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

    it("loses no increment and never lets two sessions hold the lock", async () => {
      program = start(ensemble.nodes.map((n) => n.connectString).join(","));
      await program.waitFor(/^READY$/, 30_000);
      for (const f of FAILURES) await failAt(ensemble, program, f.atProgress, f.which);
      const done = await program.waitFor(/^DONE /, 120_000);
      const total = THREADS * PER_THREAD;
      expect(done).toBe(`DONE increments=${total} value=${total} errors=0`);
      expect(await program.exited).toBe(0);
    }, 300_000);
  });
}

/**
 * Waits for `PROGRESS <atProgress>`, kills the leader or a follower, starts it again once the
 * others serve, and waits for every member to serve and for the counter to move on: a run that
 * ended before the failure would test nothing, so it fails here instead.
 */
async function failAt(
  ensemble: Ensemble,
  program: LineProcess,
  atProgress: number,
  which: "leader" | "follower",
): Promise<void> {
  await program.waitFor(new RegExp(`^PROGRESS ${atProgress}$`), 60_000);
  const leader = await ensemble.waitForQuorum(30_000);
  const victim = which === "leader" ? leader : ensemble.nodes.find((n) => n.id !== leader)!.id;
  const linesAtKill = program.lines.length;
  await ensemble.kill(victim);
  await ensemble.waitForQuorum(30_000);
  ensemble.start(victim);
  await ensemble.waitForQuorum(30_000);
  await program.waitFor(/^PROGRESS \d+$/, 60_000, linesAtKill);
}
