import type { AppendOp, FaultEvent, HistoryEntry, RegisterOp } from "./checker/history.js";
import type { LinearizabilityResult } from "./checker/linearizability.js";
import type { ReadOnlyResult } from "./checker/read-only.js";
import type { AppendSetResult, ElectionResult } from "./checker/sets.js";

export interface FaultWindow {
  target: string;
  startMs: number;
  /** Longest stretch, from the fault until writes flowed again, with no acknowledged write. */
  unavailableMs: number;
}

export interface ChaosReport {
  target: string;
  nodes: number;
  fault: string;
  seed: number;
  durationMs: number;
  ops: Record<string, { ok: number; fail: number; unknown: number }>;
  windows: FaultWindow[];
  register: LinearizabilityResult;
  appends: AppendSetResult;
  election: ElectionResult;
  /** Reads of the read-only clients (none unless asked for). */
  readOnly: ReadOnlyResult;
  /** Writes acknowledged while no quorum existed (kill-all-but-one). */
  writesWithoutQuorum: string[];
  recovered: boolean;
  checks: { name: string; passed: boolean; detail: string }[];
  historyFile?: string;
}

/**
 * For each fault, the longest gap between consecutive acknowledged writes (register writes and
 * cas, appends), from the fault's start until the next fault starts (or the run ends).
 */
export function unavailabilityWindows(history: readonly HistoryEntry[], endMs: number): FaultWindow[] {
  const acks = history
    .filter(
      (e): e is RegisterOp | AppendOp => (e.kind === "register" && e.type !== "read") || e.kind === "append",
    )
    .filter((e) => e.outcome === "ok" && e.completeMs !== undefined)
    .map((e) => e.completeMs!)
    .sort((a, b) => a - b);
  const starts = history.filter((e): e is FaultEvent => e.kind === "fault" && e.phase === "start");
  return starts.map((f, i) => {
    const untilMs = starts[i + 1]?.atMs ?? endMs;
    let prev = f.atMs;
    let longest = 0;
    for (const t of acks) {
      if (t <= f.atMs) continue;
      if (t > untilMs) break;
      longest = Math.max(longest, t - prev);
      prev = t;
    }
    longest = Math.max(longest, untilMs - prev);
    return { target: f.target, startMs: f.atMs, unavailableMs: Math.round(longest) };
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)]!;
}

export function countOps(history: readonly HistoryEntry[]): ChaosReport["ops"] {
  const out: ChaosReport["ops"] = {};
  for (const e of history) {
    if (e.kind === "fault") continue;
    const name =
      e.kind === "register"
        ? `register ${e.type}`
        : e.kind === "append"
          ? "append"
          : e.kind === "ro-read"
            ? "read (ro client)"
            : "leader claim";
    const row = out[name] ?? { ok: 0, fail: 0, unknown: 0 };
    row[e.outcome]++;
    out[name] = row;
  }
  return out;
}

export function buildChecks(r: Omit<ChaosReport, "checks">): ChaosReport["checks"] {
  const lin = r.register;
  const bad = lin.keys.filter((k) => k.verdict !== "linearizable");
  return [
    {
      name: "register linearizable",
      passed: lin.verdict === "linearizable",
      detail:
        bad.length === 0
          ? `${lin.keys.length} keys, ${lin.keys.reduce((s, k) => s + k.ops, 0)} ops, ${lin.keys.reduce((s, k) => s + k.statesVisited, 0)} states`
          : bad.map((k) => `${k.key}: ${k.verdict} ${JSON.stringify(k.stuckAt ?? {})}`).join("; "),
    },
    {
      name: "no acknowledged append lost",
      passed: r.appends.lost.length === 0,
      detail: `${r.appends.acknowledged} acknowledged, ${r.appends.present} present, lost ${JSON.stringify(r.appends.lost.slice(0, 10))}`,
    },
    {
      name: "no duplicate or phantom element",
      passed:
        r.appends.duplicated.length + r.appends.phantom.length + r.appends.failedButPresent.length === 0,
      detail: `duplicates ${r.appends.duplicated.length}, phantoms ${r.appends.phantom.length}, failed-but-present ${r.appends.failedButPresent.length}, unknown-present ${r.appends.unknownPresent}`,
    },
    {
      name: "at most one leader per leader znode",
      passed: r.election.valid,
      detail: `${r.election.claims} claims over ${r.election.terms} leader znodes${r.election.violations.length > 0 ? `: ${r.election.violations.slice(0, 3).join("; ")}` : ""}`,
    },
    {
      name: "read-only clients read only written values",
      passed: r.readOnly.violations.length === 0,
      detail: `${r.readOnly.reads} reads, ${r.readOnly.servedReadOnly} by a read-only server${r.readOnly.violations.length > 0 ? `: ${r.readOnly.violations.slice(0, 3).join("; ")}` : ""}`,
    },
    {
      name: "no write acknowledged without a quorum",
      passed: r.writesWithoutQuorum.length === 0,
      detail:
        r.writesWithoutQuorum.length === 0
          ? "none"
          : `${r.writesWithoutQuorum.length}: ${r.writesWithoutQuorum.slice(0, 3).join("; ")}`,
    },
    {
      name: "writes succeed after the last heal",
      passed: r.recovered,
      detail: r.recovered ? "yes" : "no acknowledged write after the final heal",
    },
  ];
}

export function formatReport(r: ChaosReport): string {
  const lines: string[] = [];
  lines.push(
    `paddock-chaos: ${r.fault} on ${r.nodes} ${r.target}, seed ${r.seed}, ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  lines.push("operations (ok / fail / unknown):");
  for (const [name, c] of Object.entries(r.ops))
    lines.push(`  ${name.padEnd(16)} ${c.ok} / ${c.fail} / ${c.unknown}`);
  const ws = r.windows.map((w) => w.unavailableMs);
  lines.push(
    `faults: ${r.windows.length}; write unavailability per fault: median ${median(ws)} ms, worst ${ws.length === 0 ? 0 : Math.max(...ws)} ms`,
  );
  for (const w of r.windows) lines.push(`  ${w.target.padEnd(24)} ${w.unavailableMs} ms`);
  for (const c of r.checks) lines.push(`${c.passed ? "PASS" : "FAIL"} ${c.name} (${c.detail})`);
  if (r.historyFile !== undefined) lines.push(`history: ${r.historyFile}`);
  const passed = r.checks.filter((c) => c.passed).length;
  lines.push(`${passed} passed, ${r.checks.length - passed} failed`);
  return lines.join("\n");
}
