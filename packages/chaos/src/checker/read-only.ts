// Checks for what a cut-off server may do: read-only reads return only values that were
// committed or may have been, and nobody acknowledges a write while no quorum exists.
import type { FaultEvent, HistoryEntry, ReadOnlyRead, RegisterOp } from "./history.js";

export interface ReadOnlyResult {
  reads: number;
  /** Reads answered on a read-only connection. */
  servedReadOnly: number;
  violations: string[];
}

/**
 * Every value a read-only read returned is the initial value or the value of a write (or cas)
 * on that key that was acknowledged or may have taken effect; never a value never written, nor
 * one whose write definitely failed. Values are unique per write, so this is exact about where
 * a value came from. (Read-only reads are not linearizable: a cut-off server serves a prefix.)
 */
export function checkReadOnlyReads(
  reads: readonly ReadOnlyRead[],
  registerOps: readonly RegisterOp[],
  initial: string,
): ReadOnlyResult {
  const written = new Map<string, Map<string, RegisterOp>>();
  for (const op of registerOps) {
    if (op.type === "read" || op.value === null) continue;
    const byValue = written.get(op.key) ?? new Map<string, RegisterOp>();
    byValue.set(op.value, op);
    written.set(op.key, byValue);
  }
  const violations: string[] = [];
  let servedReadOnly = 0;
  let ok = 0;
  for (const r of reads) {
    if (r.outcome !== "ok") continue;
    ok++;
    if (r.readOnly) servedReadOnly++;
    if (r.value === initial) continue;
    const w = r.value === null ? undefined : written.get(r.key)?.get(r.value);
    if (w === undefined) violations.push(`read ${r.id} of ${r.key} returned ${r.value}, never written`);
    else if (w.outcome === "fail")
      violations.push(`read ${r.id} of ${r.key} returned ${r.value}, whose write ${w.id} failed`);
    else if (r.completeMs !== undefined && r.completeMs < w.invokeMs) {
      violations.push(`read ${r.id} of ${r.key} returned ${r.value} before its write ${w.id} began`);
    }
  }
  return { reads: ok, servedReadOnly, violations };
}

/**
 * While a kill-all-but-one fault holds, no quorum exists anywhere: a write invoked after the
 * fault was in place and acknowledged before it was healed was acknowledged by a minority.
 */
export function writesWithoutQuorum(history: readonly HistoryEntry[]): string[] {
  const outages: { fromMs: number; toMs: number; target: string }[] = [];
  let open: FaultEvent | undefined;
  for (const e of history) {
    if (e.kind !== "fault" || e.name !== "kill-all-but-one") continue;
    if (e.phase === "start") open = e;
    else if (open !== undefined) {
      outages.push({ fromMs: open.appliedMs ?? open.atMs, toMs: e.atMs, target: open.target });
      open = undefined;
    }
  }
  const out: string[] = [];
  for (const e of history) {
    const isWrite = (e.kind === "register" && e.type !== "read") || e.kind === "append";
    if (!isWrite || e.outcome !== "ok" || e.completeMs === undefined) continue;
    for (const o of outages) {
      if (e.invokeMs >= o.fromMs && e.completeMs <= o.toMs) {
        out.push(`${e.kind} ${e.id} acknowledged during "${o.target}"`);
      }
    }
  }
  return out;
}
