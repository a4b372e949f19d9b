export type { ACL, ClientInfo, Id, OpResult, Stat } from "@paddock/jute";
export {
  AddWatchMode,
  CreateMode,
  ErrorCode,
  EventType,
  KeeperState,
  OpCode,
  Perms,
  WatcherType,
} from "@paddock/jute";
export type { WaitOptions } from "./abort.js";
export { isAbortError, WaitTimeoutError } from "./abort.js";
export { CREATOR_ALL_ACL, digestId, OPEN_ACL_UNSAFE, permsToString, READ_ACL_UNSAFE } from "./acl.js";
export { ZooKeeperClient } from "./client.js";
export type {
  ClientState,
  CreateOptions,
  Logger,
  RawReply,
  ZooKeeperClientEvents,
  ZooKeeperClientOptions,
} from "./client-options.js";
export type { HostPort, ParsedConnectString } from "./connect-string.js";
export { DEFAULT_PORT, parseConnectString } from "./connect-string.js";
export type { ConnectionState, ConnectionStateChange } from "./connection-tracker.js";
export type { Data } from "./data.js";
export { clientHostsOfConfig, EnsembleTracker } from "./ensemble-tracker.js";
export * from "./errors.js";
export { fourLetterWord } from "./four-letter.js";
export { HostProvider } from "./host-provider.js";
export { parentPath, prependChroot, stripChroot, validatePath } from "./paths.js";
export * from "./recipes/index.js";
export type { ExponentialBackoffOptions, RetryOptions, RetryPolicy } from "./retry.js";
export {
  ExponentialBackoffRetry,
  RetryForever,
  RetryNTimes,
  RetryOneTime,
  RetryUntilElapsed,
  withRetry,
} from "./retry.js";
export { StatsTrack } from "./stats-track.js";
export type { MultiReadOp, Op } from "./transaction.js";
export { Ops, Transaction } from "./transaction.js";
export type { WatchedEvent, Watcher, WatchSnapshot } from "./watches.js";
export { WatchManager } from "./watches.js";
