// A follower or observer: discovery (FOLLOWERINFO / OBSERVERINFO, repeated until LEADERINFO;
// acceptedEpoch persisted; ACKEPOCH), sync (DIFF / TRUNC / SNAP and the entries after it),
// NEWLEADER (acked only once the synced history is durable and currentEpoch is written), then
// UPTODATE and broadcast: proposals acked once durable, commits (followers) or informs
// (observers) applied in order. Any loss of sync sends the server back to looking.

import { MAX_EARLY_FRAMES, takeInOrder } from "./channel.js";
import type { PeerCore } from "./core.js";
import type { ChannelBody, ChannelMessage, LogEntry, QuorumConfig, ServerState } from "./messages.js";
import type { LearnerState } from "./role-state.js";
import { ZabError } from "./types.js";
import { formatZxid, isContiguous, makeZxid } from "./zxid.js";

function learnerOf(core: PeerCore): LearnerState {
  const l = core.learner;
  core.invariant(l !== null, () => "learner step without learner state");
  return l;
}

export function becomeLearner(core: PeerCore, leaderSid: number): void {
  const asObserver = core.learnsAsObserver();
  core.role = asObserver ? "observing" : "following";
  core.leader = null;
  core.connCounter += 1;
  core.learner = {
    leader: leaderSid,
    asObserver,
    conn: core.connCounter,
    sendSeq: 0,
    recvSeq: 0,
    early: new Map(),
    phase: "discovery",
    lastHeardTick: core.nowTicks,
    newEpoch: 0,
    leaderCommit: core.log.lastCommitted,
    newLeaderTarget: 0,
    held: [],
    lastAckSent: -1,
    touches: new Map(),
    refusals: 0,
    lastRefusalTick: -1,
  };
  core.emitRole();
  sendToLeader(
    core,
    asObserver
      ? { type: "OBSERVERINFO", acceptedEpoch: core.acceptedEpoch }
      : { type: "FOLLOWERINFO", acceptedEpoch: core.acceptedEpoch },
  );
}

export function sendToLeader(core: PeerCore, body: ChannelBody): void {
  const l = core.learner;
  if (l === null) throw new ZabError("NOT_LEARNER", `server ${core.myId} is not following anyone`);
  if (body.type !== "FOLLOWERINFO" && body.type !== "OBSERVERINFO" && l.phase !== "broadcast") {
    if (body.type === "REQUEST" || body.type === "REVALIDATE" || body.type === "SYNC") {
      throw new ZabError("NOT_SERVING", `learner ${core.myId} is not serving yet`);
    }
  }
  l.sendSeq += 1;
  core.send(l.leader, { ...body, conn: l.conn, seq: l.sendSeq, term: l.newEpoch } as ChannelMessage);
}

export function requireServingLearner(core: PeerCore): LearnerState {
  const l = core.learner;
  if (l === null || l.phase !== "broadcast") {
    throw new ZabError("NOT_SERVING", `server ${core.myId} is not a serving learner`);
  }
  return l;
}

/**
 * How often the server we elected may say it does not lead before we look again. ZooKeeper's
 * learner tries to connect to the leader's quorum port five times (only a leading server
 * listens there), then goes back to LOOKING: the election may have ended with us following a
 * server that went on to follow someone else (it heard a better vote after we decided), or that
 * cannot be reached. Several tries, not one: a candidate that is still finalizing its own
 * decision says LOOKING for a moment before it leads.
 */
export const LEADER_CONNECT_TRIES = 5;

/**
 * In discovery, the server we elected told us its state (its election notification, sent in
 * answer to our FOLLOWERINFO or on its own) or could not be reached (`state` null). Anything
 * but LEADING counts as a failed connection attempt.
 */
export function onLeaderSignal(core: PeerCore, from: number, state: ServerState | null): void {
  const l = core.learner;
  if (l === null || l.leader !== from || l.phase !== "discovery") return;
  if (state === "LEADING") {
    l.refusals = 0;
    return;
  }
  // Answers to a FOLLOWERINFO and the candidate's own vote resends may come in the same tick:
  // one try per tick keeps the tries spread over time as ZooKeeper's retry delay does.
  if (l.lastRefusalTick === core.nowTicks) return;
  l.lastRefusalTick = core.nowTicks;
  l.refusals += 1;
  if (l.refusals >= LEADER_CONNECT_TRIES) {
    learnerLost(
      core,
      state === null
        ? `leader ${from} unreachable ${l.refusals} times`
        : `leader ${from} is not leading (${state}) after ${l.refusals} tries`,
    );
  }
}

/** The channel to the leader broke or the leader misbehaved: start over with an election. */
export function learnerLost(core: PeerCore, reason: string): void {
  core.note("warn", `leaving leader ${core.learner?.leader}: ${reason}`);
  core.transitions.startLooking();
}

export function onLearnerChannel(core: PeerCore, from: number, msg: ChannelMessage): void {
  const l = learnerOf(core);
  if (from !== l.leader || msg.conn !== l.conn) return;
  if (l.newEpoch !== 0 && msg.term !== l.newEpoch) return;
  if (l.newEpoch === 0 && msg.seq === 1 && msg.type === "LEADERINFO") {
    // A leader that failed and was re-elected may have answered this same connection in an
    // earlier term: frames of that term waiting behind the gap must not pass for this one's.
    for (const [seq, early] of l.early) if (early.term !== msg.term) l.early.delete(seq);
  }
  const ready = takeInOrder(l, msg);
  if (ready === "overflow") {
    learnerLost(core, `more than ${MAX_EARLY_FRAMES} frames wait behind a lost one`);
    return;
  }
  for (const m of ready) {
    if (core.learner !== l) return;
    l.lastHeardTick = core.nowTicks;
    dispatchLearner(core, m);
  }
}

function unexpected(core: PeerCore, l: LearnerState, msg: ChannelMessage): void {
  learnerLost(core, `unexpected ${msg.type} in ${l.phase}`);
}

function dispatchLearner(core: PeerCore, msg: ChannelMessage): void {
  const l = learnerOf(core);
  if (l.phase === "newLeaderPending") {
    const t = msg.type;
    if (t === "PROPOSAL" || t === "INFORM" || t === "COMMIT" || t === "UPTODATE" || t === "SYNC") {
      l.held.push(msg);
      return;
    }
  }
  switch (msg.type) {
    case "LEADERINFO": {
      if (l.phase !== "discovery" || msg.newEpoch < core.acceptedEpoch) {
        learnerLost(core, `LEADERINFO(${msg.newEpoch}) in ${l.phase}, acceptedEpoch ${core.acceptedEpoch}`);
        return;
      }
      const alreadyAccepted = msg.newEpoch === core.acceptedEpoch;
      if (!alreadyAccepted) {
        core.acceptedEpoch = msg.newEpoch;
        core.emitEpochs();
      }
      l.newEpoch = msg.newEpoch;
      l.phase = "sync";
      core.emitRole();
      sendToLeader(core, {
        type: "ACKEPOCH",
        currentEpoch: core.currentEpoch,
        lastZxid: core.lastZxid(),
        committedZxid: core.log.lastCommitted,
        epochEnds: core.log.epochEnds(),
        alreadyAccepted,
      });
      return;
    }
    case "DIFF":
      if (l.phase !== "sync") {
        unexpected(core, l, msg);
        return;
      }
      l.leaderCommit = Math.max(l.leaderCommit, msg.committedZxid);
      l.phase = "syncEntries";
      applyLeaderCommits(core, 0);
      return;
    case "TRUNC":
      if (l.phase !== "sync") {
        unexpected(core, l, msg);
        return;
      }
      truncateTo(core, msg.truncZxid);
      l.leaderCommit = Math.max(l.leaderCommit, msg.committedZxid);
      l.phase = "syncEntries";
      applyLeaderCommits(core, 0);
      return;
    case "SNAP":
      if (l.phase !== "sync") {
        unexpected(core, l, msg);
        return;
      }
      core.log.resetToSnapshot(msg.snapshotZxid);
      l.leaderCommit = msg.snapshotZxid;
      core.effects.push({ kind: "installSnapshot", zxid: msg.snapshotZxid, snapshot: msg.snapshot });
      core.refreshPending();
      l.phase = "syncEntries";
      // The snapshot is the state as of the leader's active config: take it over with it.
      if (msg.config && msg.config.version > core.members.active.version) {
        const prev = core.members.active;
        core.activateConfig(msg.config, `with the SNAP at ${formatZxid(msg.snapshotZxid)}`);
        afterActivation(core, l, prev, 0);
      }
      return;
    case "PROPOSAL":
      if (l.phase !== "syncEntries" && !(l.phase === "synced" || l.phase === "broadcast")) {
        unexpected(core, l, msg);
        return;
      }
      if (l.asObserver && l.phase !== "syncEntries") {
        unexpected(core, l, msg);
        return;
      }
      if (!acceptEntries(core, msg.entries)) return;
      applyLeaderCommits(core, 0);
      return;
    case "INFORM": {
      if (!l.asObserver || (l.phase !== "synced" && l.phase !== "broadcast")) {
        unexpected(core, l, msg);
        return;
      }
      const log = core.log;
      const fresh = msg.entries.filter((e) => e.zxid > core.lastZxid());
      for (const e of msg.entries) {
        if (e.zxid <= core.lastZxid() && !log.hasZxid(e.zxid) && e.zxid > log.baseZxid) {
          unexpected(core, l, msg);
          return;
        }
      }
      if (!acceptEntries(core, fresh)) return;
      const lastInformed = msg.entries[msg.entries.length - 1];
      if (lastInformed !== undefined) l.leaderCommit = Math.max(l.leaderCommit, lastInformed.zxid);
      applyLeaderCommits(core, msg.designatedLeader ?? 0);
      return;
    }
    case "NEWLEADER":
      if (l.phase !== "syncEntries" || msg.epoch !== l.newEpoch) {
        unexpected(core, l, msg);
        return;
      }
      l.newLeaderTarget = core.lastZxid();
      l.phase = "newLeaderPending";
      maybeFinishNewLeader(core);
      return;
    case "COMMIT":
      if (l.asObserver || msg.zxid > core.lastZxid()) {
        unexpected(core, l, msg);
        return;
      }
      l.leaderCommit = Math.max(l.leaderCommit, msg.zxid);
      applyLeaderCommits(core, msg.designatedLeader ?? 0);
      return;
    case "UPTODATE": {
      if (l.phase !== "synced") {
        unexpected(core, l, msg);
        return;
      }
      l.phase = "broadcast";
      const e = core.election;
      e.currentVote = { leader: l.leader, zxid: e.currentVote.zxid, peerEpoch: l.newEpoch };
      core.emitRole();
      return;
    }
    case "PING": {
      const touches = [...l.touches].map(([sessionId, timeoutMs]) => ({ sessionId, timeoutMs }));
      l.touches.clear();
      l.sendSeq += 1;
      core.send(l.leader, { type: "PING", touches, conn: l.conn, seq: l.sendSeq, term: l.newEpoch });
      return;
    }
    case "REVALIDATE":
      core.effects.push({ kind: "revalidated", sessionId: msg.sessionId, valid: msg.valid });
      return;
    case "SYNC":
      core.effects.push({ kind: "syncDone", requestId: msg.requestId });
      return;
    default:
      unexpected(core, l, msg);
  }
}

/** Appends entries that must continue our log exactly; a hole means we lost sync. */
function acceptEntries(core: PeerCore, entries: LogEntry[]): boolean {
  let prev = core.lastZxid();
  for (const e of entries) {
    if (!isContiguous(prev, e.zxid)) {
      learnerLost(core, `hole: ${formatZxid(e.zxid)} after ${formatZxid(prev)}`);
      return false;
    }
    prev = e.zxid;
  }
  core.appendLocal(entries);
  return true;
}

function truncateTo(core: PeerCore, z: number): void {
  const log = core.log;
  core.invariant(
    z >= log.lastCommitted,
    () => `TRUNC to ${formatZxid(z)} would drop committed txns (committed ${formatZxid(log.lastCommitted)})`,
  );
  core.invariant(log.hasZxid(z), () => `TRUNC to ${formatZxid(z)}, which is not in our log`);
  log.truncateAfter(z);
  core.effects.push({ kind: "truncate", toZxid: z });
  core.refreshPending();
}

/** Applies what the leader says is committed; `designated` as on COMMIT / INFORM. */
function applyLeaderCommits(core: PeerCore, designated: number): void {
  const l = learnerOf(core);
  const prev = core.members.active;
  core.commitUpTo(l.leaderCommit);
  if (core.members.active !== prev) afterActivation(core, l, prev, designated);
}

/**
 * A config became active while we learn from `l.leader`. Removed: stop. The leader no longer a
 * voter: it handed over, so lead if we are the designated leader, else follow that one, with no
 * election (ZooKeeper's COMMITANDACTIVATE); the new leader's discovery still makes a quorum of
 * the new config promise its epoch. Our own kind changed (observer <-> follower): reconnect as
 * the other kind. A non-voting follower that became a voter keeps its connection: the leader
 * counts its acks from the moment its own log has the new config.
 */
function afterActivation(core: PeerCore, l: LearnerState, prev: QuorumConfig, designated: number): void {
  if (core.learner !== l) return;
  if (core.removedSince(prev)) {
    core.stopRemoved();
    return;
  }
  const active = core.members.active;
  if (!active.voters.includes(l.leader)) {
    // What we answer looking servers with: the next leader, not the one that left.
    if (designated !== 0) {
      core.election.currentVote = { leader: designated, zxid: core.lastZxid(), peerEpoch: core.currentEpoch };
    }
    if (designated === core.myId && core.canVote()) {
      core.note("info", `leader ${l.leader} handed leadership to us`);
      core.transitions.becomeLeader();
    } else if (designated !== 0 && active.voters.includes(designated)) {
      core.note("info", `leader ${l.leader} handed leadership to ${designated}`);
      core.transitions.becomeLearner(designated);
    } else {
      learnerLost(core, `leader ${l.leader} is not a voter of the active config`);
    }
    return;
  }
  if (core.learnsAsObserver() !== l.asObserver) {
    core.note("info", `reconnecting to ${l.leader} as ${l.asObserver ? "a follower" : "an observer"}`);
    core.transitions.becomeLearner(l.leader);
  }
}

export function maybeFinishNewLeader(core: PeerCore): void {
  const l = core.learner;
  if (l === null || l.phase !== "newLeaderPending") return;
  if (core.log.snapshotPending !== null || core.log.durableZxid < l.newLeaderTarget) return;
  // History durable first, then currentEpoch, then the ACK (ZOOKEEPER-3911 / -4643).
  core.currentEpoch = l.newEpoch;
  core.emitEpochs();
  l.phase = "synced";
  l.lastAckSent = l.newLeaderTarget;
  sendToLeader(core, { type: "ACK", zxid: makeZxid(l.newEpoch, 0) });
  const held = l.held;
  l.held = [];
  for (const m of held) {
    if (core.learner !== l) return;
    dispatchLearner(core, m);
  }
  maybeSendAck(core);
}

export function maybeSendAck(core: PeerCore): void {
  const l = core.learner;
  if (l === null || l.asObserver) return;
  if (l.phase !== "synced" && l.phase !== "broadcast") return;
  if (core.log.durableZxid > l.lastAckSent) {
    l.lastAckSent = core.log.durableZxid;
    sendToLeader(core, { type: "ACK", zxid: core.log.durableZxid });
  }
}

export function learnerTick(core: PeerCore): void {
  const l = learnerOf(core);
  if (l.phase === "discovery" && core.nowTicks % core.config.electionResendTicks === 0) {
    // The leader may have decided after our first FOLLOWERINFO reached it (it ignores learners
    // while LOOKING): repeat it on the same connection; a duplicate is harmless.
    core.send(l.leader, {
      ...(l.asObserver
        ? { type: "OBSERVERINFO" as const, acceptedEpoch: core.acceptedEpoch }
        : { type: "FOLLOWERINFO" as const, acceptedEpoch: core.acceptedEpoch }),
      conn: l.conn,
      seq: 1,
      term: 0,
    });
  }
  const limit = l.phase === "broadcast" ? core.config.syncLimitTicks : core.config.initLimitTicks;
  if (core.nowTicks - l.lastHeardTick > limit) learnerLost(core, `silent for ${limit} ticks in ${l.phase}`);
}
