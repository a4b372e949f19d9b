import { describe, expect, it } from "vitest";
import type { FaultEvent, HistoryEntry, ReadOnlyRead, RegisterOp } from "../src/checker/history.js";
import { checkReadOnlyReads, writesWithoutQuorum } from "../src/checker/read-only.js";

const write = (id: number, value: string, outcome: RegisterOp["outcome"], invokeMs = 0): RegisterOp => ({
  kind: "register",
  id,
  client: 0,
  key: "k",
  type: "write",
  value,
  invokeMs,
  completeMs: invokeMs + 1,
  outcome,
});
const read = (id: number, value: string | null, readOnly = true, completeMs = 100): ReadOnlyRead => ({
  kind: "ro-read",
  id,
  client: 9,
  key: "k",
  value,
  readOnly,
  invokeMs: completeMs - 1,
  completeMs,
  outcome: "ok",
});

describe("read-only reads", () => {
  it("accepts the initial value and values of acknowledged or unknown writes", () => {
    const ops = [write(1, "a", "ok"), write(2, "b", "unknown")];
    const r = checkReadOnlyReads([read(10, "init"), read(11, "a"), read(12, "b", false)], ops, "init");
    expect(r).toEqual({ reads: 3, servedReadOnly: 2, violations: [] });
  });

  it("rejects a value never written, one whose write failed, and one read before its write began", () => {
    const ops = [write(1, "a", "fail"), write(2, "late", "ok", 500)];
    const r = checkReadOnlyReads([read(10, "x"), read(11, "a"), read(12, "late")], ops, "init");
    expect(r.violations).toHaveLength(3);
    expect(r.violations[0]).toMatch(/never written/);
    expect(r.violations[1]).toMatch(/failed/);
    expect(r.violations[2]).toMatch(/before its write/);
  });
});

describe("writes without a quorum", () => {
  const fault = (phase: "start" | "heal", atMs: number, appliedMs?: number): FaultEvent => ({
    kind: "fault",
    id: 0,
    name: "kill-all-but-one",
    phase,
    target: "kill -9 all but node 2",
    atMs,
    ...(appliedMs === undefined ? {} : { appliedMs }),
  });

  it("flags a write invoked after the kills and acknowledged before the heal, nothing else", () => {
    const history: HistoryEntry[] = [
      write(1, "before", "ok", 95), // invoked before the kills were done: may have committed
      fault("start", 90, 100),
      write(2, "during", "ok", 150),
      write(3, "tried", "unknown", 160),
      fault("heal", 300),
      write(4, "after", "ok", 300), // acknowledged after the heal
    ];
    expect(writesWithoutQuorum(history)).toEqual(['register 2 acknowledged during "kill -9 all but node 2"']);
  });
});
