export type {
  AppendOp,
  FaultEvent,
  HistoryEntry,
  LeaderClaim,
  Outcome,
  ReadOnlyRead,
  RegisterOp,
} from "./history.js";
export type { KeyResult, LinearizabilityOptions, LinearizabilityResult } from "./linearizability.js";
export { checkRegisterKey, checkRegisters } from "./linearizability.js";
export type { ReadOnlyResult } from "./read-only.js";
export { checkReadOnlyReads, writesWithoutQuorum } from "./read-only.js";
export type { AppendSetResult, ElectionResult } from "./sets.js";
export { checkAppendSet, checkElection } from "./sets.js";
