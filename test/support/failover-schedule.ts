// Clients nobody here wrote, run through failures (Curator's and kazoo's failover tests): each
// program works against a 3-server ensemble, printing READY, `PROGRESS <n>` as it goes and one
// `DONE ...` line at the end. At 60, 160 and 260 the leader, then a follower, then the new leader
// is killed with SIGKILL and started again once the others serve. The DONE line must be the one
// expected, and the program must exit 0.
//
// The lock counters: THREADS sessions increment a counter znode PER_THREAD times each under a
// library's lock, reading the value and writing it back plus one without a version. The count
// ends right only if no two sessions ever held the lock together and every reader saw the last
// writer's value.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ensemble } from "./ensemble.js";
import type { LineProcess } from "./line-process.js";

export const THREADS = 4;
export const PER_THREAD = 100;
/** The DONE line of a lock counter that lost nothing. */
export const LOCK_COUNTER_DONE = `DONE increments=${THREADS * PER_THREAD} value=${THREADS * PER_THREAD} errors=0`;

/** The schedule: the leader, a follower, then the new leader. */
const FAILURES: readonly { atProgress: number; which: "leader" | "follower" }[] = [
  { atProgress: 60, which: "leader" },
  { atProgress: 160, which: "follower" },
  { atProgress: 260, which: "leader" },
];

export interface FailoverCase {
  /** What the program must do, as the test's name. */
  name: string;
  /** Launches the program against a connect string naming every member. */
  start: (connectString: string) => LineProcess;
  /** The DONE line it must print. */
  done: string;
}

/**
 * One ensemble for the suite; each case runs through the whole schedule in turn. `skip` is for a
 * client library missing outside CI: callers decide it with checks that throw when CI=true.
 */
export function describeThroughFailovers(title: string, skip: boolean, cases: readonly FailoverCase[]): void {
  describe.skipIf(skip)(title, () => {
    let ensemble: Ensemble;
    const programs: LineProcess[] = [];

    beforeAll(async () => {
      // A 1 s tick lets sessions ask for 20 s, longer than any failover here.
      ensemble = await Ensemble.create({ size: 3, tickTimeMs: 1000 });
      ensemble.startAll();
      await ensemble.waitForQuorum(30_000);
    }, 60_000);

    afterAll(async () => {
      for (const p of programs) p.kill();
      await Promise.all(programs.map((p) => p.exited));
      await ensemble?.destroy();
    });

    for (const c of cases) {
      it(c.name, async () => {
        const program = c.start(ensemble.nodes.map((n) => n.connectString).join(","));
        programs.push(program);
        await program.waitFor(/^READY$/, 30_000);
        for (const f of FAILURES) await failAt(ensemble, program, f.atProgress, f.which);
        expect(await program.waitFor(/^DONE /, 120_000)).toBe(c.done);
        expect(await program.exited).toBe(0);
      }, 300_000);
    }
  });
}

/**
 * Waits for `PROGRESS <atProgress>`, kills the leader or a follower, starts it again once the
 * others serve, and waits for every member to serve and for the program to move on: a run that
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
