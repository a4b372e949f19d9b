// A txn log record as ZAB holds it. ZAB tells a reconfig entry apart by the config it carries,
// which the record's bytes alone do not give it: whoever turns records read from disk into log
// entries (recovery at start, a leader reading txns back for a learner's DIFF) sets it again.

import { reconfigOf } from "../request/index.js";
import type { ReconfigTxn } from "../request/txn.js";
import type { LogEntry, QuorumConfig } from "../zab/messages.js";

/** `payload` becomes the entry's own: pass a copy when the reader reuses its buffer. */
export function logEntryOf(zxid: number, payload: Buffer): LogEntry {
  const reconfig = reconfigOf(payload);
  return reconfig === undefined ? { zxid, payload } : { zxid, payload, config: zabConfigOf(zxid, reconfig) };
}

/** The config a reconfig entry proposes, as ZAB knows it: its zxid is its version. */
function zabConfigOf(zxid: number, txn: ReconfigTxn): QuorumConfig {
  return { version: zxid, voters: txn.voters, observers: txn.observers, members: txn.data };
}
