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
  const seen = new Set<string>();
  let requiredLeft = ops.filter((o) => o.required).length;
  let visited = 0;
  let exhausted = false;
  const order: number[] = [];
  let best: KeyResult["stuckAt"] = { prefix: [], value: opts.initial, candidates: [] };

  // The linearized set is memoised by a 64-bit Zobrist hash kept up to date as ops are marked,
  // so a lookup costs O(1) rather than O(ops). Two sets colliding would wrongly prune one
  // branch; at a million states the odds are about 1 in 10^7.
  const zobrist = new Uint32Array(2 * n);
  let x = 0x9e3779b9;
  for (let i = 0; i < zobrist.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    zobrist[i] = x >>> 0;
  }
  let h1 = 0;
  let h2 = 0;
  const memoKey = (value: string | null): string =>
    `${h1.toString(36)}.${h2.toString(36)}|${value === null ? "\u0000" : value}`;
  const mark = (i: number, on: boolean) => {
    done[i] = on ? 1 : 0;
    h1 = (h1 ^ zobrist[2 * i]!) >>> 0;
    h2 = (h2 ^ zobrist[2 * i + 1]!) >>> 0;
  };

  interface Frame {
    value: string | null;
    candidates: number[];
    pos: number;
    /** Every op before `lo` is linearized in this frame. */
    lo: number;
    /** The op applied to reach this frame, undone when it is left. */
    via: number;
  }

  // An op can come next only if it was invoked before every pending op's completion. Ops are
  // sorted by invocation and completion follows invocation, so the scan stops at the first op
  // invoked after the earliest pending completion seen so far.
  const frameFor = (value: string | null, fromLo: number, via: number): Frame => {
    let lo = fromLo;
    while (lo < n && done[lo] === 1) lo++;
    let horizonMs = Number.POSITIVE_INFINITY;
    const found: number[] = [];
    for (let i = lo; i < n; i++) {
      const o = ops[i]!;
      if (o.invokeMs > horizonMs) break;
      if (done[i] === 1) continue;
      if (o.completeMs < horizonMs) horizonMs = o.completeMs;
      found.push(i);
    }
    return { value, candidates: found.filter((i) => ops[i]!.invokeMs <= horizonMs), pos: 0, lo, via };
  };

  const setDone = (i: number, on: boolean) => {
    mark(i, on);
    if (ops[i]!.required) requiredLeft += on ? -1 : 1;
    if (on) order.push(i);
    else order.pop();
  };

  // Depth-first with an explicit stack: a history can be deeper than the JS call stack.
  const search = (): boolean => {
    if (requiredLeft === 0) return true;
    seen.add(memoKey(opts.initial));
    visited++;
    const stack: Frame[] = [frameFor(opts.initial, 0, -1)];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      if (frame.pos < frame.candidates.length) {
        const i = frame.candidates[frame.pos++]!;
        const r = apply(ops[i]!.op, frame.value);
        if (!r.ok) continue;
        setDone(i, true);
        if (requiredLeft === 0) return true;
        const k = memoKey(r.next);
        if (seen.has(k)) {
          setDone(i, false);
          continue;
        }
        if (visited >= maxStates) {
          exhausted = true;
          return false;
        }
        seen.add(k);
        visited++;
        stack.push(frameFor(r.next, frame.lo, i));
        continue;
      }
      if (order.length > best!.prefix.length || best!.candidates.length === 0) {
        best = {
          prefix: order.map((j) => ops[j]!.op.id),
          value: frame.value,
          candidates: frame.candidates.map((j) => ops[j]!.op.id),
        };
      }
      stack.pop();
      if (frame.via >= 0) setDone(frame.via, false);
    }
    return false;
  };

  const ok = search();
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
