// A learner that missed more txns than the leader keeps in memory (commitLogCount) is sent the
// ones it lacks from the leader's txn log files, as ZooKeeper's leader does, rather than the
// whole tree: a follower back from a restart under load catches up with a DIFF. ZooKeeper's
// bound applies: the txns read back must come to less than snapshotSizeFactor times the newest
// snapshot's size (a negative factor turns this off), beyond which a SNAP is the cheaper way.
// ZooKeeper measures the log files the txns are in, preallocated space included (64 MiB each by
// default), which keeps it from reading back at all below a snapshot of about 200 MB; this
// counts the txns' own bytes, what the DIFF carries. They also stay under half the peer link's
// send queue bound, since a DIFF is queued on the link at once rather than streamed like a SNAP.

import type { SnapshotStore, TxnLog } from "../storage/index.js";
import type { LogEntry } from "../zab/messages.js";
import { logEntryOf } from "./log-entry.js";

export interface LogReadBackLimits {
  /** ZooKeeper's snapshotSizeFactor: negative disables reading back. */
  snapshotSizeFactor: number;
  /** Most bytes of txns a DIFF may carry whatever the snapshot's size. */
  maxBytes: number;
}

/**
 * The durable records from `fromZxid` (included) through `throughZxid`, or null when
 * `fromZxid`'s own record is not in the log or the records pass the limit. Read errors (a
 * segment purged or truncated under the reader) reject; the caller answers null for them too.
 */
export async function readLogBack(
  log: TxnLog,
  snapshots: SnapshotStore,
  fromZxid: number,
  throughZxid: number,
  limits: LogReadBackLimits,
): Promise<LogEntry[] | null> {
  if (limits.snapshotSizeFactor < 0 || fromZxid <= log.baseZxid) return null;
  const newest = (await snapshots.list())[0];
  const bySnapshotBytes = (newest?.sizeBytes ?? 0) * limits.snapshotSizeFactor;
  // As in ZooKeeper, a bound of zero (a factor of 0, or no snapshot yet) is none; the link's stays.
  const limitBytes = bySnapshotBytes > 0 ? Math.min(limits.maxBytes, bySnapshotBytes) : limits.maxBytes;
  const entries: LogEntry[] = [];
  let bytes = 0;
  // readFrom yields the records after its argument: one zxid lower includes fromZxid's own.
  for await (const rec of log.readFrom(fromZxid - 1)) {
    if (entries.length === 0 && rec.zxid !== fromZxid) return null;
    if (rec.zxid > throughZxid) break;
    bytes += rec.payload.length;
    if (bytes > limitBytes) return null;
    entries.push(logEntryOf(rec.zxid, Buffer.from(rec.payload)));
  }
  return entries.length === 0 ? null : entries;
}
