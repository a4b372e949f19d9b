// The hand-off from the prepare stage to whatever makes a txn committed: the local txn log when
// standalone, ZAB's quorum when leading. Either way the txn comes back, in zxid order, to the
// apply stage, and only once it is durable (standalone) or committed by a quorum (ensemble).

import type { Txn } from "../request/index.js";

export interface Committer {
  /** The zxid the next prepared txn must carry. */
  nextZxid(): number;
  /** Hands over a prepared txn; txns must be submitted in zxid order. */
  submit(txn: Txn): void;
}
