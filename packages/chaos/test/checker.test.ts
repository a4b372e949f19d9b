import { describe, expect, it } from "vitest";
import type { AppendOp, LeaderClaim, RegisterOp } from "../src/index.js";
import { checkAppendSet, checkElection, checkRegisterKey, checkRegisters } from "../src/index.js";

let nextId = 0;
function op(
  client: number,
  type: RegisterOp["type"],
  value: string | null,
  invokeMs: number,
  completeMs: number | undefined,
  outcome: RegisterOp["outcome"] = "ok",
  expected?: string | null,
): RegisterOp {
  return {
    kind: "register",
    id: nextId++,
    client,
    key: "r",
    type,
    value,
    ...(expected === undefined ? {} : { expected }),
    invokeMs,
    ...(completeMs === undefined ? {} : { completeMs }),
    outcome,
  };
}
const w = (c: number, v: string, a: number, b: number | undefined, o: RegisterOp["outcome"] = "ok") =>
  op(c, "write", v, a, b, o);
const r = (c: number, v: string | null, a: number, b: number | undefined, o: RegisterOp["outcome"] = "ok") =>
  op(c, "read", v, a, b, o);
const cas = (
  c: number,
  from: string,
  to: string,
  a: number,
  b: number | undefined,
  o: RegisterOp["outcome"] = "ok",
) => op(c, "cas", to, a, b, o, from);
const verdict = (ops: RegisterOp[]) => checkRegisterKey("r", ops, { initial: "0" }).verdict;

describe("register linearizability", () => {
  it("accepts a sequential history", () => {
    expect(verdict([w(1, "a", 0, 1), r(1, "a", 2, 3), cas(1, "a", "b", 4, 5), r(2, "b", 6, 7)])).toBe(
      "linearizable",
    );
  });

  it("rejects a stale read after a completed write", () => {
    expect(verdict([w(1, "a", 0, 1), r(2, "0", 2, 3)])).toBe("not linearizable");
  });

  it("accepts either value for a read concurrent with a write", () => {
    expect(verdict([w(1, "a", 0, 10), r(2, "0", 2, 3)])).toBe("linearizable");
    expect(verdict([w(1, "a", 0, 10), r(2, "a", 2, 3)])).toBe("linearizable");
  });

  it("rejects a lost write: later reads see the older value", () => {
    expect(verdict([w(1, "a", 0, 1), w(2, "b", 2, 3), r(1, "a", 4, 5)])).toBe("not linearizable");
  });

  it("rejects an impossible order: two readers see two concurrent writes in opposite orders", () => {
    const h = [
      w(1, "a", 0, 100),
      w(2, "b", 0, 100),
      r(3, "a", 10, 11),
      r(3, "b", 12, 13),
      r(4, "b", 10, 11),
      r(4, "a", 12, 13),
    ];
    expect(verdict(h)).toBe("not linearizable");
  });

  it("rejects a read of a value never written", () => {
    expect(verdict([w(1, "a", 0, 1), r(2, "zz", 0, 5)])).toBe("not linearizable");
  });

  it("rejects two successful cas from the same value", () => {
    expect(verdict([cas(1, "0", "a", 0, 10), cas(2, "0", "b", 0, 10)])).toBe("not linearizable");
    // One of them failing is fine.
    expect(verdict([cas(1, "0", "a", 0, 10), cas(2, "0", "b", 0, 10, "fail")])).toBe("linearizable");
  });

  it("accepts valid concurrent histories where the order differs from invocation order", () => {
    const h = [
      w(1, "a", 0, 10),
      w(2, "b", 1, 9),
      r(3, "a", 11, 12),
      cas(3, "a", "c", 13, 20),
      r(1, "c", 21, 22),
    ];
    expect(verdict(h)).toBe("linearizable");
  });

  it("an unknown write may have taken effect, even long after it was abandoned", () => {
    const h = [w(1, "a", 0, undefined, "unknown"), r(2, "0", 5, 6), w(2, "b", 7, 8), r(2, "a", 50, 51)];
    expect(verdict(h)).toBe("linearizable");
  });

  it("an unknown write may also never have taken effect", () => {
    expect(verdict([w(1, "a", 0, 5, "unknown"), r(2, "0", 10, 11)])).toBe("linearizable");
  });

  it("an unknown write cannot take effect before it was invoked", () => {
    expect(verdict([r(2, "a", 0, 1), w(1, "a", 5, undefined, "unknown")])).toBe("not linearizable");
  });

  it("an unknown write takes effect at most once", () => {
    const h = [w(1, "a", 0, undefined, "unknown"), r(2, "a", 5, 6), w(2, "b", 7, 8), r(2, "a", 9, 10)];
    expect(verdict(h)).toBe("not linearizable");
  });

  it("a failed write never took effect", () => {
    expect(verdict([w(1, "a", 0, 1, "fail"), r(2, "a", 2, 3)])).toBe("not linearizable");
  });

  it("an unknown read constrains nothing", () => {
    expect(verdict([w(1, "a", 0, 1), r(2, "0", 2, undefined, "unknown")])).toBe("linearizable");
  });

  it("checks keys independently and reports the worst verdict", () => {
    const a = { ...w(1, "a", 0, 1), key: "x" };
    const b = { ...r(2, "0", 2, 3), key: "y" };
    const c = { ...r(2, "0", 2, 3), key: "x" };
    expect(checkRegisters([a, b], { initial: "0" }).verdict).toBe("linearizable");
    const bad = checkRegisters([a, b, c], { initial: "0" });
    expect(bad.verdict).toBe("not linearizable");
    expect(bad.keys.find((k) => k.key === "x")?.stuckAt?.candidates).toContain(c.id);
  });

  it("handles histories deeper than the call stack", () => {
    const h: RegisterOp[] = [];
    for (let i = 0; i < 30_000; i++) {
      h.push(w(1, `v${i}`, 4 * i, 4 * i + 1), r(2, `v${i}`, 4 * i + 2, 4 * i + 3));
    }
    expect(verdict(h)).toBe("linearizable");
    h.push(r(2, "v5", 200_000, 200_001));
    expect(verdict(h)).toBe("not linearizable");
  });

  it("gives up as inconclusive past the state bound", () => {
    const h: RegisterOp[] = [];
    for (let i = 0; i < 14; i++) h.push(w(i, `v${i}`, 0, 100));
    h.push(r(99, "nope", 0, 100));
    expect(checkRegisterKey("r", h, { initial: "0", maxStates: 500 }).verdict).toBe("inconclusive");
    expect(checkRegisterKey("r", h, { initial: "0" }).verdict).toBe("not linearizable");
  });

  it("accepts random histories generated from a real sequential execution (seeded)", () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    let mutatedRounds = 0;
    for (let round = 0; round < 30; round++) {
      // Linearization points on a timeline; each op's interval surrounds its point.
      let value: string | null = "0";
      const h: RegisterOp[] = [];
      const clientFree = new Array(5).fill(0);
      for (let t = 1; t < 200; t += 1 + Math.floor(rand() * 3)) {
        const c = Math.floor(rand() * 5);
        if (clientFree[c] > t) continue;
        const invoke = Math.max(clientFree[c], t - rand() * 5);
        const complete = t + rand() * 5;
        clientFree[c] = complete + 0.01;
        const pick = rand();
        const unknown = rand() < 0.1;
        if (pick < 0.4) h.push(r(c, value, invoke, complete));
        else if (pick < 0.7) {
          value = `w${t}`;
          h.push(w(c, value, invoke, unknown ? undefined : complete, unknown ? "unknown" : "ok"));
        } else {
          const expected: string | null = rand() < 0.7 ? value : "nope";
          if (expected === value) {
            value = `c${t}`;
            h.push(
              cas(
                c,
                expected ?? "",
                value,
                invoke,
                unknown ? undefined : complete,
                unknown ? "unknown" : "ok",
              ),
            );
          } else h.push(cas(c, "nope", `c${t}`, invoke, complete, "fail"));
        }
      }
      expect(verdict(h), `round ${round}`).toBe("linearizable");
      // Make one late read stale: it returns a value that was overwritten, by a write that
      // completed before the read began, after being written by one that completed earlier still.
      const writes = h.filter((o) => o.type !== "read" && o.outcome === "ok");
      const stale = h.find(
        (rd) =>
          rd.type === "read" &&
          writes.some(
            (b) =>
              b.completeMs! < rd.invokeMs &&
              writes.some((a) => a.completeMs! < b.invokeMs && a.value !== rd.value),
          ),
      );
      if (stale === undefined) continue;
      const b = writes.find(
        (x) =>
          x.completeMs! < stale.invokeMs &&
          writes.some((y) => y.completeMs! < x.invokeMs && y.value !== stale.value),
      )!;
      const a = writes.find((x) => x.completeMs! < b.invokeMs && x.value !== stale.value)!;
      const mutated = h.map((o) => (o === stale ? { ...o, value: a.value } : o));
      expect(verdict(mutated), `round ${round} mutated`).toBe("not linearizable");
      mutatedRounds++;
    }
    expect(mutatedRounds).toBeGreaterThan(20);
  });
});

function append(element: string, outcome: AppendOp["outcome"]): AppendOp {
  return { kind: "append", id: nextId++, client: 1, element, invokeMs: 0, completeMs: 1, outcome };
}

describe("append set", () => {
  const h = [append("a", "ok"), append("b", "ok"), append("c", "unknown"), append("d", "fail")];
  it("accepts every acknowledged element present, unknown ones either way", () => {
    expect(checkAppendSet(h, ["a", "b"]).valid).toBe(true);
    const r = checkAppendSet(h, ["a", "b", "c"]);
    expect(r.valid).toBe(true);
    expect(r.unknownPresent).toBe(1);
  });
  it("rejects a lost acknowledged append", () => {
    expect(checkAppendSet(h, ["a", "c"]).lost).toEqual(["b"]);
  });
  it("rejects duplicates, phantoms and failed appends that happened", () => {
    const r = checkAppendSet(h, ["a", "b", "b", "zz", "d"]);
    expect(r.valid).toBe(false);
    expect(r.duplicated).toEqual(["b"]);
    expect(r.phantom).toEqual(["zz"]);
    expect(r.failedButPresent).toEqual(["d"]);
  });
});

function claim(session: string, seq: number, invokeMs: number, completeMs: number): LeaderClaim {
  return { kind: "leader", id: nextId++, client: 1, session, seq, invokeMs, completeMs, outcome: "ok" };
}

describe("election", () => {
  it("accepts leadership moving forward, and overlapping claims from concurrent views", () => {
    expect(checkElection([claim("s1", 1, 0, 1), claim("s2", 2, 5, 6), claim("s2", 2, 9, 10)]).valid).toBe(
      true,
    );
    expect(checkElection([claim("s2", 2, 0, 10), claim("s1", 1, 5, 6)]).valid).toBe(true);
  });
  it("rejects two sessions claiming the same znode", () => {
    expect(checkElection([claim("s1", 1, 0, 1), claim("s2", 1, 5, 6)]).valid).toBe(false);
  });
  it("rejects leadership moving back to a lower znode", () => {
    const r = checkElection([claim("s2", 2, 0, 1), claim("s1", 1, 5, 6)]);
    expect(r.valid).toBe(false);
    expect(r.violations[0]).toMatch(/higher seq 2/);
  });
});
