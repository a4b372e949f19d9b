// Linearizability of a set of independent registers (one per key), by a Wing & Gong style search
// with memoisation of (linearized set, register value) as Lowe describes. Each key is checked on
// its own: linearizability is compositional, and the per-key searches are much smaller.
import type { RegisterOp } from "./history.js";

export interface LinearizabilityOptions {
  /** Value of every register before the history (the runner creates the znodes first). */
  initial: string | null;
  /** Search states per key before giving up with "inconclusive". */
  maxStates?: number;
}

export interface KeyResult {
  key: string;
  verdict: "linearizable" | "not linearizable" | "inconclusive";
  /** Operations the search considered (ok ones plus unknown writes). */
  ops: number;
  statesVisited: number;
  /** When not linearizable: the ops no order could place after the longest valid prefix found. */
  stuckAt?: { prefix: number[]; value: string | null; candidates: number[] };
}

export interface LinearizabilityResult {
  verdict: "linearizable" | "not linearizable" | "inconclusive";
  keys: KeyResult[];
}

interface SearchOp {
  op: RegisterOp;
  invokeMs: number;
  /** Infinity for an unknown outcome: it may take effect at any time after its invocation. */
  completeMs: number;
  required: boolean;
}

function apply(op: RegisterOp, value: string | null): { ok: boolean; next: string | null } {
  switch (op.type) {
    case "read":
      return { ok: op.value === value, next: value };
    case "write":
      return { ok: true, next: op.value };
    case "cas":
      return op.expected === value ? { ok: true, next: op.value } : { ok: false, next: value };
  }
}

/**
 * Which recorded ops constrain the search. A failed op took no effect and is dropped (a failed
 * cas would also say the value differed, which only adds constraints we can afford to ignore).
 * An unknown read observed nothing. An unknown write or cas may or may not have happened.
 */
function searchOps(ops: readonly RegisterOp[]): SearchOp[] {
  const out: SearchOp[] = [];
  for (const op of ops) {
    if (op.outcome === "fail") continue;
    if (op.outcome === "unknown") {
      if (op.type === "read") continue;
      out.push({ op, invokeMs: op.invokeMs, completeMs: Number.POSITIVE_INFINITY, required: false });
      continue;
    }
    if (op.completeMs === undefined) throw new Error(`op ${op.id} is ok but has no completion time`);
    out.push({ op, invokeMs: op.invokeMs, completeMs: op.completeMs, required: true });
  }
  out.sort((a, b) => a.invokeMs - b.invokeMs || a.op.id - b.op.id);
  return out;
}

export function checkRegisterKey(
  key: string,
  history: readonly RegisterOp[],
  opts: LinearizabilityOptions,
): KeyResult {
  const ops = searchOps(history);
  const n = ops.length;
  const maxStates = opts.maxStates ?? 2_000_000;
  const done = new Uint8Array(n);
  const words = new Uint32Array(Math.ceil(n / 32) || 1);
  const seen = new Set<string>();
  let requiredLeft = ops.filter((o) => o.required).length;
  let visited = 0;
  let exhausted = false;
  const order: number[] = [];
  let best: KeyResult["stuckAt"] = { prefix: [], value: opts.initial, candidates: [] };

  const memoKey = (value: string | null): string => {
    let s = "";
    for (const w of words) s += `${w.toString(36)},`;
    return `${s}|${value === null ? "\u0000" : value}`;
  };
  const mark = (i: number, on: boolean) => {
    done[i] = on ? 1 : 0;
    const w = i >>> 5;
    words[w] = on ? words[w]! | (1 << (i & 31)) : words[w]! & ~(1 << (i & 31));
  };

  // Depth-first; recursion depth is bounded by the number of ops of one key.
  const search = (value: string | null): boolean => {
    if (requiredLeft === 0) return true;
    const k = memoKey(value);
    if (seen.has(k)) return false;
    if (visited >= maxStates) {
      exhausted = true;
      return false;
    }
    seen.add(k);
    visited++;
    // An op can come next only if it was invoked before every pending op's completion.
    let horizonMs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++)
      if (done[i] === 0 && ops[i]!.completeMs < horizonMs) horizonMs = ops[i]!.completeMs;
    const candidates: number[] = [];
    for (let i = 0; i < n; i++) {
      const o = ops[i]!;
      if (o.invokeMs > horizonMs) break;
      if (done[i] === 1) continue;
      candidates.push(i);
      const r = apply(o.op, value);
      if (!r.ok) continue;
      mark(i, true);
      order.push(i);
      if (o.required) requiredLeft--;
      const found = search(r.next);
      if (o.required) requiredLeft++;
      order.pop();
      mark(i, false);
      if (found) return true;
      if (exhausted) return false;
    }
    if (order.length >= best!.prefix.length) {
      best = {
        prefix: order.map((i) => ops[i]!.op.id),
        value,
        candidates: candidates.map((i) => ops[i]!.op.id),
      };
    }
    return false;
  };

  const ok = search(opts.initial);
  const base = { key, ops: n, statesVisited: visited };
  if (ok) return { ...base, verdict: "linearizable" };
  if (exhausted) return { ...base, verdict: "inconclusive" };
  return { ...base, verdict: "not linearizable", stuckAt: best };
}

export function checkRegisters(
  history: readonly RegisterOp[],
  opts: LinearizabilityOptions,
): LinearizabilityResult {
  const byKey = new Map<string, RegisterOp[]>();
  for (const op of history) {
    const list = byKey.get(op.key);
    if (list === undefined) byKey.set(op.key, [op]);
    else list.push(op);
  }
  const keys = [...byKey]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, ops]) => checkRegisterKey(k, ops, opts));
  const verdict = keys.some((k) => k.verdict === "not linearizable")
    ? "not linearizable"
    : keys.some((k) => k.verdict === "inconclusive")
      ? "inconclusive"
      : "linearizable";
  return { verdict, keys };
}
