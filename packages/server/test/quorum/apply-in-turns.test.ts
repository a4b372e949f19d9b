// Committed entries applied over several turns of the event loop when one batch outlasts a
// turn's budget (quorum/apply-in-turns.ts), in order, with the loop free in between.
import { describe, expect, it } from "vitest";
import { applyInTurns } from "../../src/quorum/apply-in-turns.js";
import type { LogEntry } from "../../src/zab/messages.js";

const entriesOf = (count: number, payloadBytes: number): LogEntry[] =>
  Array.from({ length: count }, (_, i) => ({ zxid: i + 1, payload: new Uint8Array(payloadBytes) }));

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Stands in for applying a heavy txn (a multi of many creates).
  }
}

describe("applying committed entries in turns", () => {
  it("applies a short batch in one call, in this turn", () => {
    const entries = entriesOf(10, 100);
    const runs: (readonly LogEntry[])[] = [];
    expect(
      applyInTurns(
        entries,
        (run) => runs.push(run),
        () => false,
      ),
    ).toBeUndefined();
    expect(runs).toEqual([entries]);
    expect(runs[0]).toBe(entries);
  });

  it("goes on over later turns once the budget is spent, in order, and the loop runs in between", async () => {
    // Entries of 64 KiB: the clock is read after each one.
    const entries = entriesOf(30, 64 * 1024);
    const applied: number[] = [];
    let timerFiredAfter = -1;
    setTimeout(() => {
      timerFiredAfter = applied.length;
    }, 0);
    const done = applyInTurns(
      entries,
      (run) => {
        for (const e of run) {
          busyFor(2);
          applied.push(e.zxid);
        }
      },
      () => false,
      5,
    );
    expect(done).toBeInstanceOf(Promise);
    expect(applied.length).toBeGreaterThan(0);
    expect(applied.length).toBeLessThan(entries.length);
    await done;
    expect(applied).toEqual(entries.map((e) => e.zxid));
    // The timer ran while entries were still waiting: the loop was not held for the whole batch.
    expect(timerFiredAfter).toBeGreaterThan(0);
    expect(timerFiredAfter).toBeLessThan(entries.length);
  });

  it("groups small entries between clock reads, and a throw in a later turn rejects", async () => {
    const entries = entriesOf(200, 10);
    const runLengths: number[] = [];
    const done = applyInTurns(
      entries,
      (run) => {
        runLengths.push(run.length);
        busyFor(3);
        if (runLengths.length === 3) throw new Error("apply failed");
      },
      () => false,
      2,
    );
    expect(runLengths).toEqual([64]);
    await expect(done).rejects.toThrow("apply failed");
    expect(runLengths).toEqual([64, 64, 64]);
  });

  it("stops early once the server stops", async () => {
    const entries = entriesOf(20, 64 * 1024);
    let count = 0;
    let stopped = false;
    const done = applyInTurns(
      entries,
      () => {
        busyFor(2);
        if (++count === 3) stopped = true;
      },
      () => stopped,
      1,
    );
    await done;
    expect(count).toBe(3);
  });
});
