import { describe, expect, it } from "vitest";
import { formatZxid } from "../../src/zab/index.js";
import { lastSim, lastTrace, runSeed } from "./random-run.js";
import type { Simulator } from "./simulator.js";

// `SEED=123 npx vitest run packages/server/test/zab` replays one seed with a trace;
// `SIM_SEEDS=100000` runs a longer sweep. The shape of the cluster is derived from the seed, so
// the seed alone reproduces a run.
const ONE_SEED = process.env.SEED === undefined ? null : Number(process.env.SEED);
const SWEEP = Number(process.env.SIM_SEEDS ?? 2000);
const FIRST = Number(process.env.SIM_FIRST_SEED ?? 1);
describe("ZAB simulator", () => {
  if (ONE_SEED !== null) {
    it(`seed ${ONE_SEED}`, () => {
      let sim: Simulator;
      try {
        sim = runSeed(ONE_SEED, true);
      } catch (err) {
        console.log(lastTrace.slice(-Number(process.env.TRACE_LINES ?? 80)).join("\n"));
        const sim = lastSim;
        if (sim !== null) {
          for (const id of sim.allIds()) {
            const st = sim.status(id);
            console.log(
              `s${id}`,
              st === null
                ? "down"
                : `${st.role} leader=${st.leader} epoch=${st.epoch} serving=${st.serving} accepted=${st.acceptedEpoch} ` +
                    `current=${st.currentEpoch} last=${formatZxid(st.lastZxid)} committed=${formatZxid(st.lastCommitted)} ` +
                    `durable=${formatZxid(st.durableZxid)} applied=${sim.server(id).applied.length}/${sim.committed.length}`,
            );
          }
        }
        throw err;
      }
      console.log(sim.trace.slice(-60).join("\n"));
      console.log(sim.stats);
    });
    return;
  }

  it(`survives ${SWEEP} random seeds`, async () => {
    const started = performance.now();
    const totals = {
      events: 0,
      commits: 0,
      crashes: 0,
      partitions: 0,
      diff: 0,
      trunc: 0,
      snap: 0,
      establishments: 0,
    };
    for (let seed = FIRST; seed < FIRST + SWEEP; seed++) {
      // Long sweeps must let the worker answer vitest's RPC, or it reports a timeout error.
      if ((seed - FIRST) % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
      const sim = runSeed(seed);
      totals.events += sim.stats.events;
      totals.commits += sim.committed.length;
      totals.crashes += sim.stats.crashes;
      totals.partitions += sim.stats.partitions;
      totals.diff += sim.stats.diff;
      totals.trunc += sim.stats.trunc;
      totals.snap += sim.stats.snap;
      totals.establishments += sim.stats.establishments;
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `zab sim: ${SWEEP} seeds in ${seconds.toFixed(1)} s (${(SWEEP / seconds).toFixed(0)} seeds/s)`,
      totals,
    );
    // The fault model must actually exercise every sync path, or the sweep proves little.
    expect(totals.trunc).toBeGreaterThan(0);
    expect(totals.snap).toBeGreaterThan(0);
    expect(totals.diff).toBeGreaterThan(0);
    expect(totals.commits).toBeGreaterThan(SWEEP * 10);
  }, 3_600_000);
});
