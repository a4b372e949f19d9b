export { compareVotes, quorumSize, sameVote } from "./election.js";
export type * from "./messages.js";
export { ZabPeer } from "./peer.js";
export type { Effect, PersistedState, Role, ZabConfig, ZabErrorCode, ZabInput, ZabStatus } from "./types.js";
export { DEFAULT_TIMING, ZabError } from "./types.js";
export {
  COUNTER_EXHAUSTED,
  COUNTER_SPAN,
  counterOf,
  EPOCH_LIMIT,
  epochOf,
  formatZxid,
  isContiguous,
  makeZxid,
} from "./zxid.js";
