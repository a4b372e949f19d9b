// Snapshots, off the request path: after a randomised number of applied txns (so the members
// of an ensemble do not all snapshot at once, as in ZooKeeper) the state is captured through a
// copy-on-write view, the log rolls to a new segment, and the snapshot is serialised and written
// chunk by chunk in the background while requests go on.

import { randomInt } from "node:crypto";
import type { Logger } from "../logger.js";
import type { ReplicaState } from "../replica/replica-state.js";
import type { SnapshotStore, TxnLog } from "../storage/index.js";

export class Snapshotter {
  private txnsSinceSnapshot = 0;
  private snapshotAfterTxns: number;
  private inProgress = false;
  /** Longest synchronous pause taken to open a snapshot view, for the storage benchmark. */
  lastPauseMs = 0;
  /** Told the ms each snapshot took, view to renamed file (ZooKeeper's snapshottime). */
  onWritten: ((ms: number) => void) | undefined;

  constructor(
    private readonly state: ReplicaState,
    private readonly snapCount: number,
    private readonly store: SnapshotStore,
    private readonly txnLog: TxnLog,
    private readonly log: Logger,
  ) {
    this.snapshotAfterTxns = this.nextSnapshotPoint();
  }

  /** One more txn applied: snapshot when enough have been. */
  applied(): void {
    this.txnsSinceSnapshot++;
    if (this.txnsSinceSnapshot < this.snapshotAfterTxns || this.inProgress) return;
    void this.takeSnapshot();
  }

  /** The state was replaced by a snapshot that is on disk already. */
  restarted(): void {
    this.txnsSinceSnapshot = 0;
  }

  async takeSnapshot(): Promise<string | undefined> {
    if (this.inProgress) return undefined;
    this.inProgress = true;
    this.txnsSinceSnapshot = 0;
    this.snapshotAfterTxns = this.nextSnapshotPoint();
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

  private nextSnapshotPoint(): number {
    const half = Math.max(1, Math.floor(this.snapCount / 2));
    return half + randomInt(half);
  }
}
