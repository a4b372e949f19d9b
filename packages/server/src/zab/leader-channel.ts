// What the leader sends one learner: frames on their numbered channel (channel.ts), and runs of
// log entries as PROPOSAL or INFORM batches that stay within the peer frame limit. Shared by the
// leader's roles (leader.ts) and the sync of each learner (learner-sync.ts).

import type { PeerCore } from "./core.js";
import { entryRunEnd } from "./log.js";
import type { ChannelBody, ChannelMessage, LogEntry } from "./messages.js";
import type { LeaderState, LearnerSession } from "./role-state.js";

export function leaderOf(core: PeerCore): LeaderState {
  const L = core.leader;
  core.invariant(L !== null, () => "leader step without leader state");
  return L;
}

export function sendToLearner(core: PeerCore, s: LearnerSession, body: ChannelBody): void {
  s.sendSeq += 1;
  core.send(s.sid, { ...body, conn: s.conn, seq: s.sendSeq, term: leaderOf(core).epoch } as ChannelMessage);
}

export function sendEntries(
  core: PeerCore,
  s: LearnerSession,
  entries: LogEntry[],
  type: "PROPOSAL" | "INFORM",
  designated = 0,
): void {
  const maxEntries = core.config.maxBatchEntries;
  // A batch closes once its payloads reach maxBatchBytes: with one more txn at most, it stays
  // within the peer frame limit, which the runtime sizes from this bound.
  const maxBytes = core.config.maxBatchBytes ?? Number.POSITIVE_INFINITY;
  let start = 0;
  while (start < entries.length) {
    const end = entryRunEnd(entries, start, maxEntries, maxBytes);
    const batch = entries.slice(start, end);
    if (type === "INFORM") sendToLearner(core, s, { type, entries: batch, designatedLeader: designated });
    else sendToLearner(core, s, { type, entries: batch });
    start = end;
  }
}
