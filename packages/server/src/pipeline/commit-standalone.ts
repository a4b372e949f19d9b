// Standalone commit: a txn is committed once it is durable in the txn log. The log gathers the
// appends of one turn of the event loop into one write and one fdatasync (group commit); txns
// are applied strictly in zxid order, each only once it and every txn before it are on disk, so
// nothing is visible to readers or answered before it would survive a crash.

import { encodeTxn, type Txn } from "../request/index.js";
import type { TxnLog } from "../storage/index.js";
import type { Committer } from "./committer.js";

/** A txn on its way to disk. */
interface InFlightTxn {
  txn: Txn;
  durable: boolean;
}

export class StandaloneCommitter implements Committer {
  private lastProposedZxid: number;
  /** Txns handed to the log, in zxid order, not yet applied. */
  private readonly inFlight: InFlightTxn[] = [];

  constructor(
    private readonly txnLog: TxnLog,
    /** zxid of the recovered state: the next txn gets the one after. */
    appliedZxid: number,
    private readonly apply: (txn: Txn) => void,
    /** The log refused a write: serving on could acknowledge writes a restart would lose. */
    private readonly storageFailed: (err: unknown) => void,
  ) {
    this.lastProposedZxid = appliedZxid;
  }

  nextZxid(): number {
    this.lastProposedZxid++;
    return this.lastProposedZxid;
  }

  submit(txn: Txn): void {
    const entry: InFlightTxn = { txn, durable: false };
    this.inFlight.push(entry);
    this.txnLog.append(txn.zxid, encodeTxn(txn)).then(
      () => {
        entry.durable = true;
        this.applyDurable();
      },
      (err: unknown) => this.storageFailed(err),
    );
  }

  /** Applies, in zxid order, every txn at the head of the queue that is on disk. */
  private applyDurable(): void {
    while (this.inFlight.length > 0 && this.inFlight[0]!.durable) {
      this.apply(this.inFlight.shift()!.txn);
    }
  }
}
