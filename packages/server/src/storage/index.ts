export { DataDirLock, DataDirLockedError, LOCK_FILE_NAME } from "./data-dir-lock.js";
export { readEpochFile, writeEpochFileAtomic } from "./epoch-file.js";
export { StorageCorruptionError, StorageGapError } from "./errors.js";
export type { ZooKeeperFile } from "./foreign-data.js";
export {
  assertNoZooKeeperData,
  findZooKeeperFiles,
  ZK_LOG_MAGIC,
  ZK_SNAP_MAGIC,
  ZooKeeperDataError,
} from "./foreign-data.js";
export type { InspectIo } from "./inspect.js";
export { main as inspectMain } from "./inspect.js";
export type { StorageLogger } from "./logger.js";
export type { AutoPurge, AutoPurgeOptions } from "./purge.js";
export { startAutoPurge } from "./purge.js";
export type { RecoveryHooks, RecoveryOptions, RecoveryResult } from "./recovery.js";
export { recover, recoverStorage } from "./recovery.js";
export { purgeSegmentsOffline } from "./segment-purge.js";
export type { PurgeResult, SnapshotInfo, SnapshotStoreOptions, SnapshotSummary } from "./snapshots.js";
export { MIN_SNAP_RETAIN_COUNT, SnapshotStore } from "./snapshots.js";
export type { SummaryStat, TxnLogOptions, TxnLogStats, TxnRecord } from "./txn-log.js";
export { TxnLog } from "./txn-log.js";
