// Snapshots, off the request path: after a randomised number of applied txns, or of txn log
// bytes (so the members of an ensemble do not all snapshot at once, as in ZooKeeper) the state is
// captured through a copy-on-write view, the log rolls to a new segment, and the snapshot is
// serialised and written chunk by chunk in the background while requests go on.
//
// The trigger is ZooKeeper's (SyncRequestProcessor): more than snapCount/2 + rand(snapCount/2)
// txns, or more than snapSizeLimitInKb/2 + rand(snapSizeLimitInKb/2) KiB of log, since the last
// trigger. A trigger that finds the previous snapshot still being written skips this one, as
// ZooKeeper's "Too busy to snap, skipping" does, instead of starting another the moment the first
// ends: under a write rate the disk cannot keep up with, snapshots would otherwise run back to
// back and take the disk from the log.

import { randomInt } from "node:crypto";
import type { ServerConfig } from "../config/index.js";
import type { Logger } from "../logger.js";
import type { ReplicaState } from "../replica/replica-state.js";
import type { SnapshotStore, TxnLog } from "../storage/index.js";

/**
 * When to snapshot: ZooKeeper's snapCount and snapSizeLimitInKb (0 or less turns size off); and
 * how fast to write one, in MB/s (0: unpaced, SnapshotStore.write).
 */
export type SnapshotPolicy = Pick<ServerConfig, "snapCount" | "snapSizeLimitInKb" | "snapshotWriteRateMBps">;

export class Snapshotter {
  private txnsSinceTrigger = 0;
  private snapshotAfterTxns = 0;
  /** txnLog.bytesWritten at the last trigger. */
  private logBytesAtTrigger = 0;
  private snapshotAfterLogBytes = 0;
  private inProgress = false;
  /** Triggers that found a snapshot still being written. */
  skipped = 0;
  /** Longest synchronous pause taken to open a snapshot view, for the storage benchmark. */
  lastPauseMs = 0;
  /** Told the ms each snapshot took, view to renamed file (ZooKeeper's snapshottime). */
  onWritten: ((ms: number) => void) | undefined;

  constructor(
    private readonly state: ReplicaState,
    private readonly policy: SnapshotPolicy,
    private readonly store: SnapshotStore,
    private readonly txnLog: TxnLog,
    private readonly log: Logger,
  ) {
    this.resetTrigger();
  }

  /** One more txn applied: snapshot when enough txns, or log bytes, have been since the last. */
  applied(): void {
    this.txnsSinceTrigger++;
    if (this.txnsSinceTrigger <= this.snapshotAfterTxns) {
      if (this.snapshotAfterLogBytes <= 0) return;
      if (this.txnLog.bytesWritten - this.logBytesAtTrigger <= this.snapshotAfterLogBytes) return;
    }
    this.resetTrigger();
    if (this.inProgress) {
      this.skipped++;
      this.log.warn("Too busy to snap, skipping");
      // The log still rolls, as ZooKeeper's does, so segments stay as short as the trigger.
      this.txnLog.roll().catch((err: unknown) => this.log.error({ err }, "txn log roll failed"));
      return;
    }
    void this.takeSnapshot();
  }

  /** The state was replaced by a snapshot that is on disk already. */
  restarted(): void {
    this.resetTrigger();
  }

  async takeSnapshot(): Promise<string | undefined> {
    if (this.inProgress) return undefined;
    this.inProgress = true;
    const zxid = this.state.lastZxid;
    const startedMs = performance.now();
    const view = this.state.sm.snapshotView();
    this.lastPauseMs = performance.now() - startedMs;
    try {
      await this.txnLog.roll();
      // Not fsynced, as in ZooKeeper: the log holds every txn in it until a purge, which makes
      // the snapshots it keeps durable first (SnapshotStore.write).
      // The store is done with each chunk before it pulls the next, so one buffer serves them all.
      const name = await this.store.write(zxid, view.chunks(undefined, { borrowed: true }), {
        durable: false,
        maxBytesPerSecond: this.policy.snapshotWriteRateMBps * 1e6,
      });
      this.onWritten?.(Math.round(performance.now() - startedMs));
      this.log.info(
        {
          snapshot: name,
          zxid: `0x${zxid.toString(16)}`,
          pauseMs: Math.round(this.lastPauseMs * 10) / 10,
        },
        "snapshot written",
      );
      return name;
    } catch (err) {
      this.log.error({ err }, "snapshot failed; the txn log still holds everything");
      return undefined;
    } finally {
      // Until released, every mutation of a node the view has not read copies it.
      view.release();
      this.inProgress = false;
    }
  }

  /** Counts from now, to new random points (ZooKeeper's resetSnapshotStats). */
  private resetTrigger(): void {
    this.txnsSinceTrigger = 0;
    this.logBytesAtTrigger = this.txnLog.bytesWritten;
    const half = Math.max(1, Math.floor(this.policy.snapCount / 2));
    this.snapshotAfterTxns = half + randomInt(half);
    const halfBytes = Math.floor((this.policy.snapSizeLimitInKb * 1024) / 2);
    // randomInt takes ranges below 2^48; a limit that large is as good as no limit.
    this.snapshotAfterLogBytes = halfBytes <= 0 ? 0 : halfBytes + randomInt(Math.min(halfBytes, 2 ** 47));
  }
}
