// zoo.cfg keys of storage: where the data goes, how the txn log is written, when snapshots are
// taken and old files purged.

import type { KeyTable } from "./known-key.js";
import {
  anyInt,
  doubleAtMostElse,
  int,
  intRaisedTo,
  long,
  text,
  type ValueType,
  yesNo,
} from "./value-types.js";

/** Not clamped to >= 0 with an error: ZooKeeper treats any value <= 0 as "off". */
const purgeIntervalHours: ValueType<number> = { read: (e, cx) => Math.max(0, anyInt.read(e, cx)) };

export const STORAGE_KEYS = {
  dataDir: {
    key: "dataDir",
    origin: "zoo.cfg",
    type: text,
    default: "",
    usedBy: "replica/recover.ts (snapshots), storage/data-dir-lock.ts; required",
  },
  dataLogDir: {
    key: "dataLogDir",
    origin: "zoo.cfg",
    type: text,
    default: "",
    usedBy: "replica/recover.ts (txn log); dataDir when absent",
  },
  autopurgeSnapRetainCount: {
    key: "autopurge.snapRetainCount",
    origin: "zoo.cfg",
    type: intRaisedTo(3),
    default: 3,
    usedBy: "storage/purge.ts (autopurge)",
  },
  autopurgePurgeIntervalHours: {
    key: "autopurge.purgeInterval",
    origin: "zoo.cfg",
    type: purgeIntervalHours,
    default: 0,
    usedBy: "storage/purge.ts (autopurge)",
  },
  snapCount: {
    key: "snapCount",
    origin: "system property",
    type: intRaisedTo(2),
    default: 100000,
    usedBy: "maintenance/snapshotter.ts",
  },
  snapSizeLimitInKb: {
    key: "snapSizeLimitInKb",
    origin: "system property",
    type: long(Number.MIN_SAFE_INTEGER),
    default: 4194304,
    usedBy: "maintenance/snapshotter.ts",
  },
  snapshotWriteRateMBps: {
    key: "paddock.snapshotWriteRateMBps",
    origin: "paddock",
    type: int(0),
    default: 0,
    usedBy: "storage/snapshots.ts",
  },
  txnLogDirectWrites: {
    key: "paddock.txnLogDirectWrites",
    origin: "paddock",
    type: yesNo,
    default: true,
    usedBy: "storage/segment-writer.ts (with forceSync)",
  },
  txnLogZeroAhead: {
    key: "paddock.txnLogZeroAhead",
    origin: "paddock",
    type: yesNo,
    default: true,
    usedBy: "storage/zero-ahead.ts (with the direct log writer)",
  },
  snapshotZeroAhead: {
    key: "paddock.snapshotZeroAhead",
    origin: "paddock",
    type: yesNo,
    default: true,
    usedBy: "storage/snapshots.ts (periodic snapshots on the log's file system)",
  },
  commitLogCount: {
    key: "commitLogCount",
    origin: "system property",
    // ZooKeeper raises a smaller count to its default, 500, with a warning.
    type: intRaisedTo(500),
    // ZooKeeper's is 500. Older txns are read back from the log files for a DIFF only up to
    // snapshotSizeFactor times the newest snapshot, little on a small tree: a larger window in
    // memory (about 2 MB at 1 KiB per txn) keeps a follower that was away a little longer on
    // DIFF there too.
    default: 2000,
    usedBy: "quorum/runtime.ts (committed proposals kept in memory for DIFF)",
  },
  snapshotSizeFactor: {
    key: "snapshotSizeFactor",
    origin: "system property",
    // As in ZooKeeper, a factor above 1 falls back to the default.
    type: doubleAtMostElse(1, 0.33),
    default: 0.33,
    usedBy: "quorum/log-read-back.ts (a DIFF from the txn log, bounded by the newest snapshot)",
  },
  preAllocSizeKb: {
    key: "preAllocSize",
    origin: "system property",
    type: long(1),
    default: 65536,
    usedBy: "replica/recover.ts (txn log segments)",
  },
  fsyncWarningThresholdMs: {
    key: "fsync.warningthresholdms",
    origin: "system property",
    type: long(0),
    default: 1000,
  },
  forceSync: {
    key: "forceSync",
    origin: "system property",
    type: yesNo,
    default: true,
    usedBy: "storage/txn-log.ts",
  },
} satisfies KeyTable;
