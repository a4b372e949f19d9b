// One randomized simulator run per seed: a chaos phase with every fault, then a calm phase in
// which the ensemble must recover (liveness) and agree on everything committed (safety).

import { SimulationError, Simulator } from "./simulator.js";

/** Ticks of faults per seed; longer sweeps may raise it with SIM_CHAOS_TICKS. */
export const CHAOS_TICKS = Number(process.env.SIM_CHAOS_TICKS ?? 200);

export function shapeOf(seed: number): { voters: number; observers: number } {
  switch (seed % 4) {
    case 0:
      return { voters: 3, observers: 0 };
    case 1:
      return { voters: 5, observers: 0 };
    case 2:
      return { voters: 3, observers: 1 };
    default:
      return { voters: 5, observers: 2 };
  }
}

/**
 * Reconfig runs: the shape plus spare servers, and random membership changes mixed into the
 * faults. A seed replays with SIM_MODE=reconfig.
 */
export function reconfigShapeOf(seed: number): { voters: number; observers: number; spares: number } {
  switch (seed % 4) {
    case 0:
      return { voters: 3, observers: 0, spares: 2 };
    case 1:
      return { voters: 5, observers: 0, spares: 1 };
    case 2:
      return { voters: 3, observers: 1, spares: 1 };
    default:
      return { voters: 1, observers: 1, spares: 3 };
  }
}

export type RunMode = "plain" | "reconfig";

/** The trace of the latest run (filled only when tracing), kept even when the run throws. */
export let lastTrace: string[] = [];
/** The latest run's simulator, for post-mortems. */
export let lastSim: Simulator | null = null;

/** One randomized run: a chaos phase, then a calm phase in which the ensemble must recover. */
export function runSeed(
  seed: number,
  trace = false,
  onRecovered?: (sim: Simulator) => void,
  mode: RunMode = "plain",
): Simulator {
  const sim = new Simulator({
    seed,
    ...(mode === "reconfig" ? { ...reconfigShapeOf(seed), reconfigEveryMean: 250 } : shapeOf(seed)),
    trace,
    faults: {
      minDelay: 1,
      maxDelay: 6,
      slowRate: 0.02,
      slowDelay: 40,
      dropRate: 0.002,
      dupRate: 0.01,
      fsyncMaxDelay: 8,
      logReadDeclineRate: 0.3,
      chaosEveryMean: 120,
    },
    proposeEveryMean: 20,
    compactEveryMean: 300,
    timing: { maxLogEntries: 24 },
  });
  lastTrace = sim.trace;
  lastSim = sim;
  sim.runTicks(CHAOS_TICKS);
  sim.stopRandomActivity();
  sim.heal();
  sim.setFaults({ dropRate: 0, dupRate: 0, slowRate: 0 });
  // An operator restarts what a reconfig stopped: a later config may name it again.
  for (const id of sim.allIds()) {
    if (sim.status(id)?.removed) sim.crash(id);
    sim.restart(id);
  }
  // A write proposed just as its leader is being deposed may be lost (it was never committed);
  // so retry on the then-current leader, within one overall budget.
  let converged = false;
  const deadlineTicks = 200;
  const startTick = sim.now;
  let marker = "";
  for (let attempt = 1; !converged && sim.now - startTick < deadlineTicks * 10; attempt++) {
    // A server stopped by a config that a later one names again waits for an operator.
    const restartRemovedMembers = () => {
      for (const id of sim.memberIds()) {
        if (sim.status(id)?.removed) {
          sim.crash(id);
          sim.restart(id);
        }
      }
    };
    const stable = () => {
      restartRemovedMembers();
      return sim.stableLeader() !== null;
    };
    if (!sim.runUntilTrue(stable, deadlineTicks)) break;
    const leader = sim.stableLeader()!;
    if (attempt === 1) onRecovered?.(sim);
    marker = `final-${attempt}`;
    sim.propose(leader, marker);
    const everyoneHasIt = () =>
      sim
        .memberIds()
        .every(
          (id) =>
            sim.server(id).applied.length === sim.committed.length && sim.appliedTexts(id).includes(marker),
        );
    converged = sim.runUntilTrue(everyoneHasIt, 40);
  }
  if (!converged) {
    throw new SimulationError(
      seed,
      sim.now,
      `no convergence ${deadlineTicks} ticks after healing everything`,
      sim.replayEnv,
    );
  }
  for (const id of sim.memberIds()) {
    if (sim.server(id).applied.length !== sim.committed.length) {
      throw new SimulationError(
        seed,
        sim.now,
        `s${id} applied ${sim.server(id).applied.length} of ${sim.committed.length}`,
        sim.replayEnv,
      );
    }
  }
  sim.checkDurability();
  return sim;
}
