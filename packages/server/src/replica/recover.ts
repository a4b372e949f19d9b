// Start-up: rebuilds the replicated state from the newest valid snapshot plus the txn log after
// it. Standalone, every logged txn was committed and is applied now; in an ensemble the log's
// tail may never have been committed, so it is handed to ZAB, which commits or truncates it.

import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ServerConfig } from "../config/index.js";
import type { Logger } from "../logger.js";
import { logEntryOf } from "../quorum/log-entry.js";
import { decodeTxn } from "../request/index.js";
import { DataDirLock } from "../storage/data-dir-lock.js";
import { recoverStorage, type SnapshotStore, type StorageLogger, type TxnLog } from "../storage/index.js";
import type { LogEntry } from "../zab/messages.js";
import type { ReplicaState } from "./replica-state.js";

export interface DataDirs {
  /** dataDir/version-2: snapshots and ZAB's epoch files, as in ZooKeeper. */
  snapshotDir: string;
  /** dataLogDir/version-2 (dataDir when dataLogDir is not set): the txn log. */
  txnLogDir: string;
}

export function dataDirsOf(config: Pick<ServerConfig, "dataDir" | "dataLogDir">): DataDirs {
  return {
    snapshotDir: join(resolve(config.dataDir), "version-2"),
    txnLogDir: join(resolve(config.dataLogDir || config.dataDir), "version-2"),
  };
}

export interface RecoveredStorage {
  /** Held until the server stops: no second server may write these directories meanwhile. */
  lock: DataDirLock;
  txnLog: TxnLog;
  snapshots: SnapshotStore;
  /** zxid of the state loaded from the snapshot (and, standalone, the log). */
  snapshotZxid: number;
  /** Replicated mode: durable log entries after the snapshot, for ZAB to commit or truncate. */
  logEntries: LogEntry[];
}

export function storageLogger(log: Logger): StorageLogger {
  return {
    info: (o, m) => log.info(o, m),
    warn: (o, m) => log.warn(o, m),
    error: (o, m) => log.error(o, m),
  };
}

export async function recoverReplica(
  config: ServerConfig,
  dirs: DataDirs,
  state: ReplicaState,
  log: Logger,
): Promise<RecoveredStorage> {
  mkdirSync(dirs.snapshotDir, { recursive: true });
  mkdirSync(dirs.txnLogDir, { recursive: true });
  const lock = DataDirLock.acquire([dirs.snapshotDir, dirs.txnLogDir]);
  try {
    return await recoverLocked(config, dirs, state, log, lock);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function recoverLocked(
  config: ServerConfig,
  dirs: DataDirs,
  state: ReplicaState,
  log: Logger,
  lock: DataDirLock,
): Promise<RecoveredStorage> {
  const logEntries: LogEntry[] = [];
  const recovered = await recoverStorage(
    dirs.snapshotDir,
    dirs.txnLogDir,
    {
      // Chunk by chunk, each checked as read; the state is replaced only once all were read (the
      // trailer is checked after the last), so a snapshot found damaged part-way changes nothing.
      loadSnapshot: (chunks) => state.loadSnapshotStream(chunks),
      applyTxn: (zxid, payload) => {
        if (!config.standalone) {
          // Possibly never committed: ZAB decides, and commits it (or truncates it) later.
          logEntries.push(logEntryOf(zxid, Buffer.from(payload)));
          return;
        }
        const txn = decodeTxn(payload);
        if (txn.zxid !== zxid) throw new Error(`txn log record ${zxid} holds txn ${txn.zxid}`);
        state.sm.apply(txn);
      },
    },
    {
      preAllocSizeBytes: config.preAllocSizeKb * 1024,
      forceSync: config.forceSync,
      txnLogDirectWrites: config.txnLogDirectWrites,
      txnLogZeroAhead: config.txnLogZeroAhead,
      snapshotZeroAhead: config.snapshotZeroAhead,
      logger: storageLogger(log.child({ part: "storage" })),
    },
  );
  // Sessions survive a restart; their timeouts start again from now, as in ZooKeeper.
  state.trackAllSessions(Date.now());
  if (!config.forceSync) log.warn("forceSync=no: acknowledged writes can be lost on power failure");
  log.info(
    {
      lastZxid: `0x${state.lastZxid.toString(16)}`,
      sessions: state.sessions.size,
      replayed: recovered.replayedTxns,
    },
    "data loaded",
  );
  return {
    lock,
    txnLog: recovered.log,
    snapshots: recovered.snapshots,
    snapshotZxid: state.lastZxid,
    logEntries,
  };
}
