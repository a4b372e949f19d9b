// Re-checks a history saved by a run (JSON lines) without an ensemble.
import { readFileSync } from "node:fs";
import type { AppendOp, HistoryEntry, LeaderClaim, ReadOnlyRead, RegisterOp } from "./checker/history.js";
import { checkRegisters } from "./checker/linearizability.js";
import { checkReadOnlyReads, writesWithoutQuorum } from "./checker/read-only.js";
import { checkAppendSet, checkElection } from "./checker/sets.js";
import { buildChecks, type ChaosReport, countOps, unavailabilityWindows } from "./report.js";
import { REGISTER_INITIAL } from "./workload.js";

export function recheckHistoryFile(file: string): ChaosReport {
  const history: HistoryEntry[] = [];
  let finalSet: string[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const e = JSON.parse(line) as HistoryEntry | { kind: "final-set"; elements: string[] };
    if (e.kind === "final-set") finalSet = e.elements;
    else history.push(e);
  }
  const times = history.map((e) => (e.kind === "fault" ? e.atMs : (e.completeMs ?? e.invokeMs)));
  const startMs = Math.min(...times);
  const endMs = Math.max(...times);
  const faults = history.filter((e) => e.kind === "fault");
  const lastHealMs = faults.at(-1)?.atMs ?? startMs;
  const registerOps = history.filter((e): e is RegisterOp => e.kind === "register");
  const partial: Omit<ChaosReport, "checks"> = {
    target: "history",
    nodes: 0,
    fault: faults[0]?.name ?? "none",
    seed: 0,
    durationMs: endMs - startMs,
    ops: countOps(history),
    windows: unavailabilityWindows(history, endMs),
    register: checkRegisters(registerOps, { initial: REGISTER_INITIAL }),
    appends: checkAppendSet(
      history.filter((e): e is AppendOp => e.kind === "append"),
      finalSet,
    ),
    election: checkElection(history.filter((e): e is LeaderClaim => e.kind === "leader")),
    readOnly: checkReadOnlyReads(
      history.filter((e): e is ReadOnlyRead => e.kind === "ro-read"),
      registerOps,
      REGISTER_INITIAL,
    ),
    writesWithoutQuorum: writesWithoutQuorum(history),
    recovered: history.some(
      (e) =>
        (e.kind === "append" || (e.kind === "register" && e.type !== "read")) &&
        e.outcome === "ok" &&
        e.invokeMs >= lastHealMs,
    ),
    historyFile: file,
  };
  return { ...partial, checks: buildChecks(partial) };
}
