import { join } from "node:path";
import { assertStorage, StorageCorruptionError, StorageGapError } from "./errors.js";
import { assertNoZooKeeperData } from "./foreign-data.js";
import { zxidHex } from "./format.js";
import type { StorageLogger } from "./logger.js";
import { stderrLogger } from "./logger.js";
import type { SnapshotInfo } from "./snapshots.js";
import { SnapshotStore } from "./snapshots.js";
import { TxnLog } from "./txn-log.js";

export interface RecoveryHooks {
  /**
   * Replace the state with the snapshot's chunks, in written order. Each chunk is checked before
   * it is handed over, the file as a whole (trailer) only after the last one: iterating may throw
   * StorageCorruptionError after some chunks, so the state must change only once the iteration
   * has completed. Recovery then tries an older snapshot.
   */
  loadSnapshot(chunks: AsyncIterable<Buffer>, snapshot: SnapshotInfo): Promise<void> | void;
  /** Apply one logged txn; called in zxid order, only for zxids after the loaded snapshot. */
  applyTxn(zxid: number, payload: Buffer): Promise<void> | void;
}

export interface RecoveryOptions {
  preAllocSizeBytes?: number;
  forceSync?: boolean;
  /** TxnLogOptions.directWrites. */
  txnLogDirectWrites?: boolean;
  /** TxnLogOptions.zeroAhead. */
  txnLogZeroAhead?: boolean;
  /** SnapshotStoreOptions.zeroAhead. */
  snapshotZeroAhead?: boolean;
  logger?: StorageLogger;
}

export interface RecoveryResult {
  /** zxid of the last txn in the recovered state. */
  lastZxid: number;
  /** The snapshot loaded, or undefined when the state was rebuilt from the log alone. */
  snapshot: SnapshotInfo | undefined;
  replayedTxns: number;
  /** Open and ready for appends after lastZxid. */
  log: TxnLog;
  snapshots: SnapshotStore;
}

/**
 * Rebuilds state from `dataDir` (snapshots) and `dataLogDir` (txn log):
 * 0. refuse Apache ZooKeeper's files (same names, other format) before touching anything;
 * 1. open the log (torn tail cut off; damage or a missing segment throws). Segments wholly at or
 *    below the newest snapshot's zxid are taken from their headers, as ZooKeeper reads only the
 *    log after its snapshot: their records are checked only if a fallback replays them;
 * 2. load the newest snapshot, checking it as it is read (one pass); if it proves damaged, load
 *    an older one, but only when the log holds every txn from it up to the damaged snapshot's
 *    zxid (nothing the damaged one held is lost);
 * 3. with no usable snapshot at all, replay the log from zxid 0 if it starts there (same rule);
 * 4. replay the log after the loaded snapshot, checking every record read.
 * Anything else throws, naming the file: the server must not serve a tree built from damage.
 */
export async function recoverStorage(
  dataDir: string,
  dataLogDir: string,
  hooks: RecoveryHooks,
  opts: RecoveryOptions = {},
): Promise<RecoveryResult> {
  const logger = opts.logger ?? stderrLogger;
  assertNoZooKeeperData(dataDir, dataLogDir);
  const snapshots = await SnapshotStore.open(dataDir, {
    logger,
    logDir: dataLogDir,
    zeroAhead: opts.snapshotZeroAhead,
  });
  const candidates = await snapshots.list();
  const log = await TxnLog.open(dataLogDir, {
    preAllocSizeBytes: opts.preAllocSizeBytes ?? 64 * 1024 * 1024,
    forceSync: opts.forceSync ?? true,
    directWrites: opts.txnLogDirectWrites,
    zeroAhead: opts.txnLogZeroAhead,
    logger,
    headersOnlyThroughZxid: candidates[0]?.zxid,
  });
  try {
    const firstSegment = log.segmentNames()[0];
    const logFile = firstSegment !== undefined ? join(dataLogDir, firstSegment) : dataLogDir;
    let chosen: SnapshotInfo | undefined;
    let firstDamage: { snap: SnapshotInfo; err: StorageCorruptionError } | undefined;
    for (const snap of candidates) {
      if (firstDamage !== undefined && !logCovers(log, snap.zxid, firstDamage.snap.zxid)) break;
      // Only damage found by the checked reader means "try an older snapshot"; anything the
      // loader itself throws (a malformed but checksum-valid snapshot) stops recovery.
      let damage: StorageCorruptionError | undefined;
      let readToEnd = false;
      const source = snapshots.load(snap.name);
      const checked = (async function* (): AsyncGenerator<Buffer> {
        try {
          yield* source;
          readToEnd = true;
        } catch (err) {
          if (err instanceof StorageCorruptionError) damage = err;
          throw err;
        }
      })();
      try {
        await hooks.loadSnapshot(checked, snap);
      } catch (err) {
        if (damage === undefined || err !== damage) throw err;
        logger.error(
          { file: damage.file, offset: damage.offset, reason: damage.reason },
          "snapshot failed its checks",
        );
        firstDamage ??= { snap, err: damage };
        continue;
      }
      if (damage !== undefined) {
        // The loader swallowed the reader's error: it did not see the whole snapshot.
        throw damage;
      }
      // The trailer is checked after the last chunk: a loader that stopped early never saw it.
      assertStorage(readToEnd, `snapshot loader returned before reading all of ${snap.name}`);
      chosen = snap;
      break;
    }
    if (chosen === undefined && firstDamage !== undefined) {
      // Rebuilding from nothing is a fallback like any other: only if the log holds everything.
      if (!logCovers(log, 0, firstDamage.snap.zxid)) throw firstDamage.err;
      logger.warn(
        { damaged: firstDamage.snap.name },
        "no usable snapshot; rebuilding from the whole txn log",
      );
    } else if (chosen !== undefined && firstDamage !== undefined) {
      logger.warn(
        { damaged: firstDamage.snap.name, using: chosen.name },
        "falling back to an older snapshot; the txn log covers the gap",
      );
    }
    const fromZxid = chosen?.zxid ?? 0;
    if (log.segmentNames().length > 0 && log.baseZxid > fromZxid) {
      throw new StorageGapError(
        logFile,
        `txn log starts after ${zxidHex(log.baseZxid)} but the state to replay onto is at ${zxidHex(fromZxid)}: log segments are missing`,
      );
    }
    if (chosen !== undefined && log.lastZxid < chosen.zxid) {
      // The snapshot is ahead of the log (installed from a leader, or forceSync was off). Txns
      // appended from here would follow a hole in the log; restarting the log at the snapshot
      // makes sure no older snapshot is ever replayed across that hole.
      logger.warn(
        { snapshot: chosen.name, logLastZxid: zxidHex(log.lastZxid), dropped: log.segmentNames() },
        "snapshot is ahead of the txn log; restarting the log after it",
      );
      await log.resetTo(chosen.zxid);
    }
    let lastZxid = fromZxid;
    let replayedTxns = 0;
    if (log.lastZxid > fromZxid) {
      for await (const rec of log.readFrom(fromZxid)) {
        await hooks.applyTxn(rec.zxid, rec.payload);
        lastZxid = rec.zxid;
        replayedTxns++;
      }
    }
    logger.info(
      { snapshot: chosen?.name ?? null, replayedTxns, lastZxid: zxidHex(lastZxid) },
      "storage recovered",
    );
    return { lastZxid, snapshot: chosen, replayedTxns, log, snapshots };
  } catch (err) {
    await log.close().catch(() => {});
    throw err;
  }
}

/** The log can bring state at `fromZxid` up to at least `toZxid`. */
function logCovers(log: TxnLog, fromZxid: number, toZxid: number): boolean {
  return log.segmentNames().length > 0 && log.baseZxid <= fromZxid && log.lastZxid >= toZxid;
}

/** recoverStorage for callers that only need the last zxid; the log is closed again. */
export async function recover(
  dataDir: string,
  dataLogDir: string,
  hooks: RecoveryHooks,
  opts: RecoveryOptions = {},
): Promise<number> {
  const result = await recoverStorage(dataDir, dataLogDir, hooks, opts);
  await result.log.close();
  return result.lastZxid;
}
