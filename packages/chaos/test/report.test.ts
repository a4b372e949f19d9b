import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "../src/index.js";
import { unavailabilityWindows } from "../src/index.js";
import { buildChecks, countOps, formatReport } from "../src/report.js";

const ack = (id: number, completeMs: number, outcome: "ok" | "unknown" = "ok"): HistoryEntry => ({
  kind: "append",
  id,
  client: 0,
  element: `e${id}`,
  invokeMs: completeMs - 1,
  completeMs,
  outcome,
});

describe("report", () => {
  it("measures, per fault, the longest stretch without an acknowledged write", () => {
    const h: HistoryEntry[] = [
      ack(1, 100),
      { kind: "fault", id: 2, name: "kill-leader", phase: "start", target: "kill -9 node 1", atMs: 150 },
      ack(3, 160),
      ack(4, 900, "unknown"),
      ack(5, 1400),
      ack(6, 1500),
      { kind: "fault", id: 7, name: "kill-leader", phase: "heal", target: "kill -9 node 1", atMs: 1600 },
      { kind: "fault", id: 8, name: "kill-leader", phase: "start", target: "kill -9 node 2", atMs: 2000 },
      ack(9, 2100),
    ];
    expect(unavailabilityWindows(h, 3000).map((w) => w.unavailableMs)).toEqual([1240, 900]);
    expect(countOps(h)).toEqual({ append: { ok: 5, fail: 0, unknown: 1 } });
  });

  it("ends with the N passed, M failed line", () => {
    const partial = {
      target: "processes",
      nodes: 3,
      fault: "kill-leader",
      seed: 1,
      durationMs: 1000,
      ops: {},
      windows: [],
      register: { verdict: "not linearizable" as const, keys: [] },
      appends: {
        valid: true,
        acknowledged: 1,
        present: 1,
        lost: [],
        duplicated: [],
        phantom: [],
        failedButPresent: [],
        unknownPresent: 0,
      },
      election: { valid: true, claims: 1, terms: 1, violations: [] },
      readOnly: { reads: 3, servedReadOnly: 2, violations: [] },
      writesWithoutQuorum: ['append 7 acknowledged during "kill -9 all but node 1"'],
      recovered: true,
    };
    const text = formatReport({ ...partial, checks: buildChecks(partial) });
    expect(text.split("\n").at(-1)).toBe("5 passed, 2 failed");
    expect(text).toContain("FAIL no write acknowledged without a quorum");
    expect(text).toContain("FAIL register linearizable");
  });
});
