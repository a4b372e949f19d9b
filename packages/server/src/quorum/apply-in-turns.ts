// Committed entries are applied in order, and usually all at once: a commit carries the few txns
// a quorum just acknowledged. A server that commits the log it restored at start, or a learner
// that commits a DIFF of many txns, can be handed seconds of work in one batch (300k creates took
// 4.7 s); done in one turn of the event loop, that starves its peer links past their liveness
// timeout and they are dropped, sync and all (docs/benchmarks.md, "DIFF from the txn log"). So a
// batch that outlasts one turn's budget goes on in the next turns, and the caller (the effect
// queue) holds every later effect until it is done: nothing after a commit sees the state
// before it.

import { entryRunEnd } from "../zab/log.js";
import type { LogEntry } from "../zab/messages.js";

/** Most time one turn of the event loop spends applying entries (ms). */
const APPLY_TURN_BUDGET_MS = 20;
/** The clock is read after this many payload bytes of entries (a txn's cost follows its size)... */
const CHECK_EVERY_BYTES = 64 * 1024;
/** ...or this many entries, whichever comes first. */
const CHECK_EVERY_ENTRIES = 64;

/**
 * Applies `entries` in order with `apply`, a run of entries per call. Returns nothing when all
 * were applied in this turn, else a promise settled once the rest were, over later turns; one
 * that rejects if `apply` throws. `stopped` ends the work early (the server is shutting down).
 */
export function applyInTurns(
  entries: readonly LogEntry[],
  apply: (run: readonly LogEntry[]) => void,
  stopped: () => boolean,
  budgetMs = APPLY_TURN_BUDGET_MS,
): void | Promise<void> {
  let next = applyForOneTurn(entries, 0, apply, budgetMs);
  if (next === entries.length) return;
  return new Promise<void>((resolve, reject) => {
    const turn = () => {
      try {
        if (!stopped()) next = applyForOneTurn(entries, next, apply, budgetMs);
        if (stopped() || next === entries.length) resolve();
        else setImmediate(turn);
      } catch (err) {
        reject(err);
      }
    };
    setImmediate(turn);
  });
}

/** Applies runs from `from` until the budget is spent; the index of the first entry left. */
function applyForOneTurn(
  entries: readonly LogEntry[],
  from: number,
  apply: (run: readonly LogEntry[]) => void,
  budgetMs: number,
): number {
  const deadline = performance.now() + budgetMs;
  let next = from;
  while (next < entries.length) {
    const end = entryRunEnd(entries, next, CHECK_EVERY_ENTRIES, CHECK_EVERY_BYTES);
    apply(next === 0 && end === entries.length ? entries : entries.slice(next, end));
    next = end;
    if (performance.now() >= deadline) break;
  }
  return next;
}
