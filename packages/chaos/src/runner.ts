import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import type { AppendOp, FaultEvent, LeaderClaim, ReadOnlyRead, RegisterOp } from "./checker/history.js";
import { checkRegisters } from "./checker/linearizability.js";
import { checkReadOnlyReads, writesWithoutQuorum } from "./checker/read-only.js";
import { checkAppendSet, checkElection } from "./checker/sets.js";
import { Nemesis } from "./nemesis.js";
import { buildChecks, type ChaosReport, countOps, unavailabilityWindows } from "./report.js";
import { seededRandom } from "./rng.js";
import type { FaultName, Target } from "./targets/target.js";
import { REGISTER_INITIAL, Workload } from "./workload.js";

export interface ChaosOptions {
  fault: FaultName;
  durationMs: number;
  seed: number;
  clients?: number;
  /** Sessions that accept read-only servers and only read (0 by default). */
  readOnlyClients?: number;
  registerKeys?: number;
  faultMs?: number;
  quietMs?: number;
  /** Where to write the history as JSON lines. */
  historyFile?: string;
  maxSearchStates?: number;
  /** Parent znode for the run's data (default /chaos). */
  root?: string;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the workload against an already started target while the nemesis works, then checks. */
export async function runChaos(target: Target, opts: ChaosOptions): Promise<ChaosReport> {
  if (!target.supports(opts.fault)) {
    throw new Error(`fault ${opts.fault} is not supported by the ${target.name} target`);
  }
  const random = seededRandom(opts.seed);
  await target.waitForQuorum(60_000);
  const workload = new Workload({
    connectString: target.connectString,
    clients: opts.clients ?? 4,
    readOnlyClients: opts.readOnlyClients ?? 0,
    registerKeys: opts.registerKeys ?? 3,
    random,
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.root ? { root: opts.root } : {}),
  });
  await workload.setup();
  const nemesis = new Nemesis(target, {
    fault: opts.fault,
    random: seededRandom(opts.seed ^ 0x5bd1e995),
    faultMs: opts.faultMs ?? 2500,
    quietMs: opts.quietMs ?? 1500,
    record: (e) => workload.record<FaultEvent>(e),
    ...(opts.log ? { log: opts.log } : {}),
  });
  const startMs = performance.now();
  workload.start();
  nemesis.start();
  await sleep(opts.durationMs);
  await nemesis.stop();
  // A little fault-free load at the end shows whether the ensemble recovered.
  await target.waitForQuorum(60_000).catch((e: Error) => opts.log?.(e.message));
  const lastHealMs = performance.now();
  await sleep(1500);
  await workload.stop();
  const endMs = performance.now();

  const history = workload.history;
  const registerOps = history.filter((e): e is RegisterOp => e.kind === "register");
  const appendOps = history.filter((e): e is AppendOp => e.kind === "append");
  const claims = history.filter((e): e is LeaderClaim => e.kind === "leader");
  const roReads = history.filter((e): e is ReadOnlyRead => e.kind === "ro-read");
  const finalSet = await workload.readFinalSet();
  // Saved before checking, so a checker failure still leaves the history to look at.
  if (opts.historyFile !== undefined) {
    const lines = history.map((e) => JSON.stringify(e));
    lines.push(JSON.stringify({ kind: "final-set", elements: finalSet }));
    writeFileSync(opts.historyFile, `${lines.join("\n")}\n`);
  }
  const recovered = history.some(
    (e) =>
      (e.kind === "append" || (e.kind === "register" && e.type !== "read")) &&
      e.outcome === "ok" &&
      e.invokeMs >= lastHealMs,
  );
  const partial: Omit<ChaosReport, "checks"> = {
    target: target.name,
    nodes: target.size,
    fault: opts.fault,
    seed: opts.seed,
    durationMs: endMs - startMs,
    ops: countOps(history),
    windows: unavailabilityWindows(history, lastHealMs),
    register: checkRegisters(registerOps, {
      initial: REGISTER_INITIAL,
      ...(opts.maxSearchStates === undefined ? {} : { maxStates: opts.maxSearchStates }),
    }),
    appends: checkAppendSet(appendOps, finalSet),
    election: checkElection(claims),
    readOnly: checkReadOnlyReads(roReads, registerOps, REGISTER_INITIAL),
    writesWithoutQuorum: writesWithoutQuorum(history),
    recovered,
    ...(opts.historyFile === undefined ? {} : { historyFile: opts.historyFile }),
  };
  return { ...partial, checks: buildChecks(partial) };
}
