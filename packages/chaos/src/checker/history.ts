// The shape of a recorded operation. Times are milliseconds on one monotonic clock (the runner's
// performance.now()), so invocation/completion order across clients is real-time order.

/** ok: took effect and was acknowledged; fail: definitely did not take effect; unknown: either. */
export type Outcome = "ok" | "fail" | "unknown";

export interface RegisterOp {
  kind: "register";
  id: number;
  client: number;
  key: string;
  /** read returns `value`; write sets `value`; cas sets `value` if the register held `expected`. */
  type: "read" | "write" | "cas";
  value: string | null;
  expected?: string | null;
  invokeMs: number;
  /** Absent while in flight; an unknown op keeps the time the client gave up, for the record only. */
  completeMs?: number;
  outcome: Outcome;
  error?: string;
}

export interface AppendOp {
  kind: "append";
  id: number;
  client: number;
  /** The unique payload written into the sequential znode. */
  element: string;
  invokeMs: number;
  completeMs?: number;
  outcome: Outcome;
  error?: string;
}

/** A candidate's claim of leadership: it read the candidate list and found its znode lowest. */
export interface LeaderClaim {
  kind: "leader";
  id: number;
  client: number;
  /** Candidate session (hex) and its znode's sequence number. */
  session: string;
  seq: number;
  /** The getChildren that showed the candidate first: its invocation and completion. */
  invokeMs: number;
  completeMs: number;
  outcome: "ok";
}

/** A fault being applied or healed, for unavailability windows. */
export interface FaultEvent {
  kind: "fault";
  id: number;
  name: string;
  phase: "start" | "heal";
  target: string;
  atMs: number;
  /** When the fault was in place (the kills done, the network cut); `atMs` is when it began. */
  appliedMs?: number;
}

/**
 * A plain getData from a client that accepts read-only servers (canBeReadOnly): no sync first,
 * since a read-only server refuses sync. `readOnly` says whether the connection was read-only.
 */
export interface ReadOnlyRead {
  kind: "ro-read";
  id: number;
  client: number;
  key: string;
  value: string | null;
  readOnly: boolean;
  invokeMs: number;
  completeMs?: number;
  outcome: Outcome;
  error?: string;
}

export type HistoryEntry = RegisterOp | AppendOp | LeaderClaim | FaultEvent | ReadOnlyRead;
