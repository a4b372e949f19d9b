// Append-set and leader-election checks over a recorded history.
import type { AppendOp, LeaderClaim } from "./history.js";

export interface AppendSetResult {
  valid: boolean;
  acknowledged: number;
  present: number;
  /** Acknowledged appends missing from the final read. */
  lost: string[];
  /** Elements present more than once. */
  duplicated: string[];
  /** Elements present that no client ever tried to append. */
  phantom: string[];
  /** Elements present although their append definitely failed. */
  failedButPresent: string[];
  /** Unknown-outcome appends that turned out to have happened. */
  unknownPresent: number;
}

/** `finalElements`: every element read back at the end (one entry per znode, duplicates kept). */
export function checkAppendSet(
  history: readonly AppendOp[],
  finalElements: readonly string[],
): AppendSetResult {
  const byElement = new Map<string, AppendOp>();
  for (const op of history) byElement.set(op.element, op);
  const counts = new Map<string, number>();
  for (const e of finalElements) counts.set(e, (counts.get(e) ?? 0) + 1);
  const lost: string[] = [];
  const failedButPresent: string[] = [];
  let acknowledged = 0;
  let unknownPresent = 0;
  for (const op of history) {
    const present = counts.has(op.element);
    if (op.outcome === "ok") {
      acknowledged++;
      if (!present) lost.push(op.element);
    } else if (op.outcome === "fail") {
      if (present) failedButPresent.push(op.element);
    } else if (present) {
      unknownPresent++;
    }
  }
  const duplicated = [...counts].filter(([, c]) => c > 1).map(([e]) => e);
  const phantom = [...counts.keys()].filter((e) => !byElement.has(e));
  return {
    valid: lost.length + duplicated.length + phantom.length + failedButPresent.length === 0,
    acknowledged,
    present: finalElements.length,
    lost,
    duplicated,
    phantom,
    failedButPresent,
    unknownPresent,
  };
}

export interface ElectionResult {
  valid: boolean;
  claims: number;
  /** Distinct leader znodes that were claimed. */
  terms: number;
  violations: string[];
}

/**
 * At most one leader per leader znode, and leadership only moves forward: the leader is the
 * lowest live candidate znode, deleted znodes never return and new ones get higher sequence
 * numbers, so a claim on a lower znode that began after a claim on a higher one had completed
 * means two leaders were elected from inconsistent views.
 */
export function checkElection(claims: readonly LeaderClaim[]): ElectionResult {
  const violations: string[] = [];
  const owner = new Map<number, string>();
  for (const c of claims) {
    const o = owner.get(c.seq);
    if (o === undefined) owner.set(c.seq, c.session);
    else if (o !== c.session) violations.push(`znode seq ${c.seq} claimed by sessions ${o} and ${c.session}`);
  }
  const sorted = [...claims].sort((a, b) => a.completeMs - b.completeMs);
  for (const later of claims) {
    for (const earlier of sorted) {
      if (earlier.completeMs >= later.invokeMs) break;
      if (earlier.seq > later.seq) {
        violations.push(
          `claim ${later.id} on seq ${later.seq} began at ${later.invokeMs.toFixed(1)} ms, after claim ${earlier.id} on higher seq ${earlier.seq} completed at ${earlier.completeMs.toFixed(1)} ms`,
        );
        break;
      }
    }
  }
  return { valid: violations.length === 0, claims: claims.length, terms: owner.size, violations };
}
