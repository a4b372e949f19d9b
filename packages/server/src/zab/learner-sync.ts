// The sync of one learner once its epoch is acked: DIFF when its last zxid is in our history,
// TRUNC to the last zxid both histories share, a DIFF from the log files when its last zxid is
// older than the entries in memory (the runtime reads them back: readLog / logRead), else SNAP;
// then the entries in memory it lacks and NEWLEADER, after which it gets live traffic.

import type { PeerCore } from "./core.js";
import { leaderOf, sendEntries, sendToLearner } from "./leader-channel.js";
import type { LogEntry } from "./messages.js";
import type { LearnerSession } from "./role-state.js";
import { epochOf, formatZxid, isContiguous, makeZxid } from "./zxid.js";

/**
 * Queue the catch-up stream for one learner and register it for live traffic in the same
 * step, so nothing proposed meanwhile can fall in between. A learner whose last txn is older
 * than the entries kept in memory waits while the runtime reads the txns it lacks back from the
 * log files (ZooKeeper's DIFF from its txn log); onLogRead finishes its sync.
 */
export function syncLearner(core: PeerCore, s: LearnerSession): void {
  const log = core.log;
  const peerLast = s.peerLastZxid;
  if (peerLast === core.lastZxid() || log.hasZxid(peerLast)) {
    sendToLearner(core, s, { type: "DIFF", committedZxid: log.lastCommitted });
    finishSync(core, s, peerLast);
    return;
  }
  const truncTo = commonPrefixEnd(core, s);
  if (truncTo !== null) {
    sendToLearner(core, s, { type: "TRUNC", truncZxid: truncTo, committedZxid: log.lastCommitted });
    finishSync(core, s, truncTo);
    return;
  }
  if (peerLast > 0 && peerLast < log.baseZxid) {
    s.phase = "readingLog";
    // Through what is committed now rather than the base alone: the base moves on with every
    // commit while the read runs, and the entries in memory past it must still join up.
    core.effects.push({
      kind: "readLog",
      to: s.sid,
      conn: s.conn,
      fromZxid: peerLast,
      throughZxid: log.lastCommitted,
    });
    return;
  }
  sendSnap(core, s);
}

/**
 * The runtime's answer to a readLog effect: the durable records from the learner's last zxid
 * on, or null when they could not be read whole or were too large to be worth a DIFF.
 */
export function onLogRead(
  core: PeerCore,
  peer: number,
  conn: number,
  entries: readonly LogEntry[] | null,
): void {
  const L = core.leader;
  // A new election, or a new connection from that learner, has made the read moot.
  if (L === null || L.phase === "discovery") return;
  const s = L.learners.get(peer);
  if (s === undefined || s.conn !== conn || s.phase !== "readingLog") return;
  const older = entries === null ? null : entriesUpToBase(core, s.peerLastZxid, entries);
  if (older === null) {
    sendSnap(core, s);
    return;
  }
  const base = core.log.baseZxid;
  sendToLearner(core, s, { type: "DIFF", committedZxid: core.log.lastCommitted });
  sendEntries(core, s, older, "PROPOSAL");
  finishSync(core, s, base);
}

/**
 * The records after `peerLast` up to the log's base, or null when they do not start at
 * `peerLast` itself (its txn is not in our history) or stop short of the base (the entries in
 * memory, which start after it, would not join up).
 */
function entriesUpToBase(core: PeerCore, peerLast: number, entries: readonly LogEntry[]): LogEntry[] | null {
  const base = core.log.baseZxid;
  const first = entries[0];
  const last = entries[entries.length - 1];
  if (first === undefined || last === undefined || first.zxid !== peerLast || last.zxid < base) return null;
  for (let i = 1; i < entries.length; i++) {
    core.invariant(
      isContiguous(entries[i - 1]!.zxid, entries[i]!.zxid),
      () =>
        `log read back has a hole: ${formatZxid(entries[i]!.zxid)} after ${formatZxid(entries[i - 1]!.zxid)}`,
    );
  }
  return entries.filter((e) => e.zxid > peerLast && e.zxid <= base);
}

function sendSnap(core: PeerCore, s: LearnerSession): void {
  const log = core.log;
  core.invariant(log.lastCommitted >= log.baseZxid, () => "applied state is older than the log base");
  s.sendSeq += 1;
  core.effects.push({
    kind: "sendSnapshot",
    to: s.sid,
    msg: {
      type: "SNAP",
      snapshotZxid: log.lastCommitted,
      conn: s.conn,
      seq: s.sendSeq,
      term: leaderOf(core).epoch,
      config: core.members.active,
    },
  });
  finishSync(core, s, log.lastCommitted);
}

/** The entries in memory after `from`, then NEWLEADER; live traffic follows from here on. */
function finishSync(core: PeerCore, s: LearnerSession, from: number): void {
  const last = core.lastZxid();
  sendEntries(core, s, core.log.entriesBetween(from, last), "PROPOSAL");
  sendToLearner(core, s, { type: "NEWLEADER", epoch: leaderOf(core).epoch });
  s.syncedToZxid = last;
  s.phase = "syncSent";
}

/**
 * The last zxid both histories certainly share, or null when only a SNAP can help. Every txn of
 * epoch e came from e's single leader, and a log holding any txn of e equals that leader's log
 * up to its last txn of e; so for the newest epoch both logs hold, the smaller of the two
 * last-of-epoch zxids is an exact common prefix. Truncating there drops only txns we lack,
 * which are uncommitted, so a committed txn never leaves a learner's disk even briefly.
 */
function commonPrefixEnd(core: PeerCore, s: LearnerSession): number | null {
  const log = core.log;
  const base = log.baseZxid;
  for (const peerEnd of s.peerEpochEnds) {
    if (peerEnd <= base) break;
    const epoch = epochOf(peerEnd);
    const i = log.indexAfter(makeZxid(epoch + 1, 0) - 1) - 1;
    const mine = log.entries[i];
    if (mine !== undefined && epochOf(mine.zxid) === epoch) return Math.min(peerEnd, mine.zxid);
  }
  const committed = s.peerCommittedZxid;
  // Committed prefixes agree everywhere, so the learner's applied point is common too.
  if (committed >= base && committed <= s.peerLastZxid && log.hasZxid(committed)) return committed;
  return null;
}
