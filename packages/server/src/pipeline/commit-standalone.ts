// Standalone commit: a txn is committed once it is durable in the txn log. The log gathers the
// appends of one turn of the event loop into one write and one fdatasync (group commit); txns
// are applied strictly in zxid order, each only once it and every txn before it are on disk, so
// nothing is visible to readers or answered before it would survive a crash.

import { encodeTxn, type Txn } from "../request/index.js";
import type { TxnLog, TxnRecord } from "../storage/index.js";
import type { Committer } from "./committer.js";

export class StandaloneCommitter implements Committer {
  private lastProposedZxid: number;
  /** Txns handed to the log, in zxid order, not yet applied. */
  private readonly inFlight: Txn[] = [];
  /** The highest zxid the log has made durable (everything up to it is on disk). */
  private durableZxid: number;
  /**
   * Records submitted in this synchronous run, handed to the log together from a microtask: one
   * promise per batch instead of a promise, its callbacks and a one-record array per txn. The
   * log groups a turn's appends into one write and one fdatasync either way.
   */
  private unsentRecords: TxnRecord[] = [];

  constructor(
    private readonly txnLog: TxnLog,
    /** zxid of the recovered state: the next txn gets the one after. */
    appliedZxid: number,
    private readonly apply: (txn: Txn) => void,
    /** The log refused a write: serving on could acknowledge writes a restart would lose. */
    private readonly storageFailed: (err: unknown) => void,
  ) {
    this.lastProposedZxid = appliedZxid;
    this.durableZxid = appliedZxid;
  }

  nextZxid(): number {
    this.lastProposedZxid++;
    return this.lastProposedZxid;
  }

  submit(txn: Txn): void {
    this.inFlight.push(txn);
    this.unsentRecords.push({ zxid: txn.zxid, payload: encodeTxn(txn) });
    if (this.unsentRecords.length === 1) queueMicrotask(this.sendRecords);
  }

  private readonly sendRecords = (): void => {
    const records = this.unsentRecords;
    this.unsentRecords = [];
    const lastZxid = records[records.length - 1]!.zxid;
    this.txnLog.appendAll(records).then(
      () => {
        if (lastZxid > this.durableZxid) this.durableZxid = lastZxid;
        this.applyDurable();
      },
      (err: unknown) => this.storageFailed(err),
    );
  };

  /** Applies, in zxid order, every txn at the head of the queue that is on disk. */
  private applyDurable(): void {
    while (this.inFlight.length > 0 && this.inFlight[0]!.zxid <= this.durableZxid) {
      this.apply(this.inFlight.shift()!);
    }
  }
}
