// The leader: discovery (a quorum of FOLLOWERINFO -> a new epoch, persisted before any
// LEADERINFO), epoch acks (a quorum of fresh ACKEPOCH, then currentEpoch), sync of each learner
// (learner-sync.ts), establishment on a quorum of NEWLEADER acks, then broadcast: proposals,
// commit on a quorum of durable acks, INFORM to observers, syncs, pings, and stepping down
// without a quorum.

import { takeInOrder } from "./channel.js";
import type { PeerCore } from "./core.js";
import { leaderOf, sendEntries, sendToLearner } from "./leader-channel.js";
import { syncLearner } from "./learner-sync.js";
import { formatConfig, validateConfig } from "./membership.js";
import type {
  AckEpoch,
  ChannelMessage,
  FollowerInfo,
  LogEntry,
  ObserverInfo,
  QuorumConfig,
} from "./messages.js";
import { FORWARDING, type LeaderState, type LearnerSession } from "./role-state.js";
import { ZabError } from "./types.js";
import { COUNTER_EXHAUSTED, counterOf, EPOCH_LIMIT, epochOf, formatZxid, makeZxid } from "./zxid.js";

export function becomeLeader(core: PeerCore): void {
  core.invariant(core.canVote(), () => "only a voter can lead");
  core.role = "leading";
  core.learner = null;
  core.leader = {
    phase: "discovery",
    phaseStartTick: core.nowTicks,
    epoch: 0,
    summaryEpoch: core.currentEpoch,
    summaryZxid: core.lastZxid(),
    infoEpochs: new Map([[core.myId, core.acceptedEpoch]]),
    epochAcks: new Set(),
    newLeaderAcks: new Set(),
    learners: new Map(),
    lastConn: new Map(),
    lastPingTick: core.nowTicks,
    pendingSyncs: [],
    localSyncs: [],
  };
  core.emitRole();
  maybeChooseEpoch(core);
}

function maybeChooseEpoch(core: PeerCore): void {
  const L = leaderOf(core);
  if (L.phase !== "discovery" || !core.members.isQuorum(L.infoEpochs.keys())) return;
  let maxAccepted = 0;
  for (const e of L.infoEpochs.values()) maxAccepted = Math.max(maxAccepted, e);
  const epoch = maxAccepted + 1;
  core.invariant(epoch < EPOCH_LIMIT, () => `epoch ${epoch} does not fit a zxid`);
  core.invariant(
    epoch > core.acceptedEpoch,
    () => `new epoch ${epoch} <= acceptedEpoch ${core.acceptedEpoch}`,
  );
  // Persist before any LEADERINFO leaves (ZOOKEEPER-1291): a restarted leader must not reuse it.
  core.acceptedEpoch = epoch;
  core.emitEpochs();
  L.epoch = epoch;
  L.phase = "epochAck";
  L.phaseStartTick = core.nowTicks;
  L.epochAcks.add(core.myId);
  core.emitRole();
  for (const s of L.learners.values()) {
    if (s.phase === "info") sendLeaderInfo(core, s);
  }
  maybeEpochQuorum(core);
}

function sendLeaderInfo(core: PeerCore, s: LearnerSession): void {
  sendToLearner(core, s, { type: "LEADERINFO", newEpoch: leaderOf(core).epoch });
  s.phase = "leaderInfoSent";
}

function maybeEpochQuorum(core: PeerCore): void {
  const L = leaderOf(core);
  if (L.phase !== "epochAck" || !core.members.isQuorum(L.epochAcks)) return;
  core.currentEpoch = L.epoch;
  core.emitEpochs();
  L.phase = "newLeaderAck";
  L.phaseStartTick = core.nowTicks;
  for (const s of L.learners.values()) {
    if (s.phase === "epochAcked") syncLearner(core, s);
  }
  maybeSelfNewLeaderAck(core);
  maybeEstablish(core);
}

/** Our own NEWLEADER ack: once our whole history is durable. */
export function maybeSelfNewLeaderAck(core: PeerCore): void {
  const L = core.leader;
  if (L === null || L.phase !== "newLeaderAck" || L.newLeaderAcks.has(core.myId)) return;
  if (core.log.snapshotPending === null && core.log.durableZxid >= core.lastZxid())
    L.newLeaderAcks.add(core.myId);
}

export function maybeEstablish(core: PeerCore): void {
  const L = core.leader;
  if (L === null || L.phase !== "newLeaderAck" || !core.members.isQuorum(L.newLeaderAcks)) return;
  L.phase = "broadcast";
  L.phaseStartTick = core.nowTicks;
  L.lastPingTick = core.nowTicks;
  const e = core.election;
  e.currentVote = { leader: core.myId, zxid: e.currentVote.zxid, peerEpoch: L.epoch };
  // Our whole history is now on a quorum (they acked NEWLEADER), so all of it is committed.
  // That may activate a pending config without us in it: then we have handed over already.
  advanceCommit(core, core.lastZxid());
  if (core.leader !== L) return;
  for (const s of L.learners.values()) {
    if (s.phase === "synced") {
      sendToLearner(core, s, { type: "UPTODATE" });
      s.phase = "uptodate";
    }
  }
  core.emitRole();
  tryCommit(core);
}

function onFollowerInfo(core: PeerCore, from: number, msg: FollowerInfo | ObserverInfo): void {
  const L = leaderOf(core);
  // Any server may learn from us: one the configs do not name yet syncs as a non-voting
  // follower (a server about to be added by a reconfig); acks count only per config.
  const observer = msg.type === "OBSERVERINFO";
  if (msg.seq !== 1) return;
  // A connection id is used once: after we drop a session, late or repeated FOLLOWERINFOs on
  // that connection must not revive it with fresh sequence numbers the learner would take
  // for duplicates. The learner times out and opens a new connection instead.
  if (msg.conn <= (L.lastConn.get(from) ?? -1)) return;
  L.lastConn.set(from, msg.conn);
  const s: LearnerSession = {
    sid: from,
    observer,
    conn: msg.conn,
    sendSeq: 0,
    recvSeq: 1,
    early: new Map(),
    phase: "info",
    lastHeardTick: core.nowTicks,
    peerLastZxid: 0,
    peerCommittedZxid: 0,
    peerEpochEnds: [],
    ackedZxid: -1,
    syncedToZxid: -1,
  };
  L.learners.set(from, s);
  if (L.phase === "discovery") {
    L.infoEpochs.set(from, msg.acceptedEpoch);
    maybeChooseEpoch(core);
  } else if (msg.acceptedEpoch > L.epoch) {
    // It promised a later epoch (to a leader attempt that failed) and will refuse ours for
    // ever; only a new election, whose epoch exceeds that promise, can bring it back.
    core.note(
      "warn",
      `server ${from} accepted epoch ${msg.acceptedEpoch} > ours (${L.epoch}): stepping down`,
    );
    core.transitions.startLooking();
  } else {
    sendLeaderInfo(core, s);
  }
}

export function dropLearner(core: PeerCore, s: LearnerSession): void {
  const L = leaderOf(core);
  if (L.learners.get(s.sid) === s) L.learners.delete(s.sid);
}

export function onLeaderChannel(core: PeerCore, from: number, msg: ChannelMessage): void {
  const L = leaderOf(core);
  if (msg.type === "FOLLOWERINFO" || msg.type === "OBSERVERINFO") {
    onFollowerInfo(core, from, msg);
    return;
  }
  const s = L.learners.get(from);
  if (s === undefined || msg.conn !== s.conn || msg.term !== L.epoch) return;
  const ready = takeInOrder(s, msg);
  if (ready === "overflow") {
    dropLearner(core, s);
    return;
  }
  for (const m of ready) {
    if (core.leader !== L || L.learners.get(from) !== s) return;
    s.lastHeardTick = core.nowTicks;
    dispatchLeader(core, s, m);
  }
}

function dispatchLeader(core: PeerCore, s: LearnerSession, msg: ChannelMessage): void {
  const L = leaderOf(core);
  const from = s.sid;
  switch (msg.type) {
    case "ACKEPOCH":
      onAckEpoch(core, s, msg);
      return;
    case "ACK":
      onAck(core, s, msg.zxid);
      return;
    case "PING":
      if (msg.touches.length > 0) core.effects.push({ kind: "sessionTouches", from, touches: msg.touches });
      return;
    case "REQUEST":
      core.effects.push({ kind: "request", from, payload: msg.payload });
      return;
    case "REVALIDATE":
      core.effects.push({ kind: "revalidate", from, sessionId: msg.sessionId, timeoutMs: msg.timeoutMs });
      return;
    case "SYNC":
      if (L.phase === "broadcast" && core.lastZxid() > core.log.lastCommitted) {
        L.pendingSyncs.push({ sid: from, conn: s.conn, requestId: msg.requestId, zxid: core.lastZxid() });
      } else {
        sendToLearner(core, s, { type: "SYNC", requestId: msg.requestId });
      }
      return;
    default:
      // A learner sent a leader-only message: its channel is not the one we think it is.
      dropLearner(core, s);
  }
}

function onAckEpoch(core: PeerCore, s: LearnerSession, msg: AckEpoch): void {
  const L = leaderOf(core);
  if (s.phase !== "leaderInfoSent") {
    dropLearner(core, s);
    return;
  }
  const ahead =
    msg.currentEpoch > L.summaryEpoch ||
    (msg.currentEpoch === L.summaryEpoch && msg.lastZxid > L.summaryZxid);
  // Only an ack that could still count matters: once a quorum of epoch acks is in, any txn a
  // late voter has beyond our history was never on a quorum, so it is simply truncated.
  if (ahead && !s.observer && core.members.isVoter(s.sid) && L.phase === "epochAck") {
    core.note(
      "warn",
      `voter ${s.sid} is ahead of us (epoch ${msg.currentEpoch}, ${formatZxid(msg.lastZxid)})`,
    );
    // A voter has history we lack, possibly committed txns: we must not lead. Stepping down
    // lets its vote win the next round.
    core.transitions.startLooking();
    return;
  }
  s.peerLastZxid = msg.lastZxid;
  s.peerCommittedZxid = msg.committedZxid;
  s.peerEpochEnds = msg.epochEnds;
  s.phase = "epochAcked";
  if (!msg.alreadyAccepted) L.epochAcks.add(s.sid);
  if (L.phase === "epochAck") maybeEpochQuorum(core);
  else if (L.phase !== "discovery") syncLearner(core, s);
}

function onAck(core: PeerCore, s: LearnerSession, zxid: number): void {
  const L = leaderOf(core);
  if (zxid === makeZxid(L.epoch, 0)) {
    if (s.phase !== "syncSent") {
      dropLearner(core, s);
      return;
    }
    s.phase = "synced";
    s.ackedZxid = Math.max(s.ackedZxid, s.syncedToZxid);
    L.newLeaderAcks.add(s.sid);
    if (L.phase === "newLeaderAck") {
      maybeEstablish(core);
    } else if (L.phase === "broadcast") {
      sendToLearner(core, s, { type: "UPTODATE" });
      s.phase = "uptodate";
      tryCommit(core);
    }
    return;
  }
  if (s.phase !== "synced" && s.phase !== "uptodate") {
    dropLearner(core, s);
    return;
  }
  if (s.observer) return;
  s.ackedZxid = Math.max(s.ackedZxid, zxid);
  tryCommit(core);
}

/** Commit the longest prefix that a quorum of voters (us included) has durably logged. */
export function tryCommit(core: PeerCore): void {
  const L = core.leader;
  if (L === null || L.phase !== "broadcast") return;
  const acked = new Map<number, number>([[core.myId, core.log.durableZxid]]);
  for (const s of L.learners.values()) {
    if (!s.observer && (s.phase === "synced" || s.phase === "uptodate")) acked.set(s.sid, s.ackedZxid);
  }
  const onQuorum = core.members.quorumAcked(acked);
  if (onQuorum === undefined) return;
  const quorumZxid = Math.min(onQuorum, core.lastZxid());
  if (quorumZxid <= core.log.lastCommitted) return;
  // Counted again the other way round (who holds it), so a broken quorum computation stops the
  // step that would commit without a quorum rather than surfacing later as a lost txn.
  const holders = core.log.durableZxid >= quorumZxid ? [core.myId] : [];
  for (const s of L.learners.values()) {
    if (!s.observer && (s.phase === "synced" || s.phase === "uptodate") && s.ackedZxid >= quorumZxid) {
      holders.push(s.sid);
    }
  }
  core.invariant(
    core.members.isCommitQuorum(holders, quorumZxid),
    () => `commit of ${formatZxid(quorumZxid)} held by ${core.members.describeCount(holders)} only`,
  );
  advanceCommit(core, quorumZxid);
}

function advanceCommit(core: PeerCore, z: number): void {
  const L = leaderOf(core);
  const prevConfig = core.members.active;
  const entries = core.commitUpTo(z);
  if (entries.length === 0) return;
  const committed = core.log.lastCommitted;
  const active = core.members.active;
  const handOver = active !== prevConfig && !active.voters.includes(core.myId);
  const designated = handOver ? designatedLeader(core, active) : 0;
  for (const s of L.learners.values()) {
    if (!FORWARDING.has(s.phase)) continue;
    if (s.observer) sendEntries(core, s, entries, "INFORM", designated);
    else sendToLearner(core, s, { type: "COMMIT", zxid: committed, designatedLeader: designated });
  }
  if (L.pendingSyncs.length > 0) {
    const still: typeof L.pendingSyncs = [];
    for (const p of L.pendingSyncs) {
      if (p.zxid > committed) {
        still.push(p);
        continue;
      }
      const s = L.learners.get(p.sid);
      if (s !== undefined && s.conn === p.conn)
        sendToLearner(core, s, { type: "SYNC", requestId: p.requestId });
    }
    L.pendingSyncs = still;
  }
  if (L.localSyncs.length > 0) {
    const still: typeof L.localSyncs = [];
    for (const p of L.localSyncs) {
      if (p.zxid > committed) still.push(p);
      else core.effects.push({ kind: "syncDone", requestId: p.requestId });
    }
    L.localSyncs = still;
  }
  if (handOver) {
    handOverLeadership(core, prevConfig, designated);
    return;
  }
  if (active !== prevConfig) {
    // Servers the new config removed stop on this COMMIT: forget them now, so the next
    // reconfig does not count them as in sync.
    for (const s of [...L.learners.values()]) {
      const named = active.voters.includes(s.sid) || active.observers.includes(s.sid);
      const wasNamed = prevConfig.voters.includes(s.sid) || prevConfig.observers.includes(s.sid);
      if (wasNamed && !named) dropLearner(core, s);
    }
  }
}

/**
 * Who leads once a config without us is active (ZooKeeper's designated leader): the voter of
 * the new config that durably acked the most, of those whose ack covers the reconfig entry; it
 * holds every committed txn. 0 when none is in sync (the others then elect).
 */
function designatedLeader(core: PeerCore, config: QuorumConfig): number {
  const L = leaderOf(core);
  let best: LearnerSession | null = null;
  for (const s of L.learners.values()) {
    if (s.observer || (s.phase !== "synced" && s.phase !== "uptodate")) continue;
    if (!config.voters.includes(s.sid) || s.ackedZxid < config.version) continue;
    if (best === null || s.ackedZxid > best.ackedZxid || (s.ackedZxid === best.ackedZxid && s.sid > best.sid))
      best = s;
  }
  return best?.sid ?? 0;
}

/** The COMMIT naming the designated leader is out: stop leading. */
function handOverLeadership(core: PeerCore, prev: QuorumConfig, designated: number): void {
  const active = core.members.active;
  core.note(
    "info",
    `config ${formatConfig(active)} leaves us out as a voter: handing over to ${designated === 0 ? "an election" : designated}`,
  );
  if (core.removedSince(prev)) core.stopRemoved();
  else if (designated !== 0) core.transitions.becomeLearner(designated);
  else core.transitions.startLooking();
}

function servingLeader(core: PeerCore): LeaderState {
  const L = core.leader;
  if (L === null || L.phase !== "broadcast") {
    throw new ZabError("NOT_SERVING", `server ${core.myId} is not an established leader`);
  }
  return L;
}

/** The zxid counter after `count` more txns; steps down (and throws) when it would overflow. */
function reserveZxids(core: PeerCore, L: LeaderState, count: number): number {
  const last = core.lastZxid();
  const counter = epochOf(last) === L.epoch ? counterOf(last) : 0;
  if (counter + count >= COUNTER_EXHAUSTED) {
    // The next zxid would run into the epoch bits: hand over to a new epoch (ZOOKEEPER-1277).
    core.transitions.startLooking();
    throw new ZabError("NOT_SERVING", `zxid counter exhausted in epoch ${L.epoch}`);
  }
  return counter;
}

function broadcastProposal(core: PeerCore, L: LeaderState, entries: LogEntry[]): void {
  core.appendLocal(entries);
  for (const s of L.learners.values()) {
    if (!s.observer && FORWARDING.has(s.phase)) sendEntries(core, s, entries, "PROPOSAL");
  }
}

export function onPropose(core: PeerCore, payloads: Uint8Array[]): void {
  const L = servingLeader(core);
  if (payloads.length === 0) return;
  let counter = reserveZxids(core, L, payloads.length);
  const entries: LogEntry[] = payloads.map((payload) => {
    counter += 1;
    return { zxid: makeZxid(L.epoch, counter), payload };
  });
  broadcastProposal(core, L, entries);
}

/**
 * Proposes a new config as one reconfig entry. As in ZooKeeper's leader: one reconfig at a
 * time, and only when the voters of the new config that are in sync with us (we included) are
 * a quorum of it, so it can commit at all; joining servers must have synced as non-voting
 * followers first. Until it commits, every quorum decision needs the old and the new config.
 */
/**
 * Why the serving leader would refuse to propose this member list now (another config not
 * committed, a malformed list, or too few of the new voters in sync with it), or null. A query:
 * the prepare stage asks it for a request it may not propose anyway (ZooKeeper checks the new
 * config's quorum before the caller's ACL).
 */
export function reconfigRefusal(core: PeerCore, voters: number[], observers: number[]): ZabError | null {
  const L = servingLeader(core);
  const pending = core.members.pending[0];
  if (pending !== undefined) {
    return new ZabError("RECONFIG_IN_PROGRESS", `config ${formatConfig(pending)} is not committed yet`);
  }
  const draft: QuorumConfig = { version: 0, voters: [...voters], observers: [...observers] };
  const bad = validateConfig(draft);
  if (bad !== null) return new ZabError("BAD_CONFIG", bad);
  const inSync = [core.myId];
  for (const s of L.learners.values()) {
    if (!s.observer && (s.phase === "synced" || s.phase === "uptodate")) inSync.push(s.sid);
  }
  const newVotersInSync = inSync.filter((id) => draft.voters.includes(id)).length;
  if (newVotersInSync < Math.floor(draft.voters.length / 2) + 1) {
    return new ZabError(
      "NEW_CONFIG_NO_QUORUM",
      `only ${newVotersInSync} of the ${draft.voters.length} new voters are in sync with the leader`,
    );
  }
  return null;
}

export function onReconfig(
  core: PeerCore,
  payload: Uint8Array,
  voters: number[],
  observers: number[],
  members: Uint8Array,
): void {
  const L = servingLeader(core);
  const refusal = reconfigRefusal(core, voters, observers);
  if (refusal !== null) throw refusal;
  const draft: QuorumConfig = { version: 0, voters: [...voters], observers: [...observers] };
  const counter = reserveZxids(core, L, 1);
  const zxid = makeZxid(L.epoch, counter + 1);
  const config: QuorumConfig = { ...draft, version: zxid, members };
  core.note("info", `proposing config ${formatConfig(config)}`);
  broadcastProposal(core, L, [{ zxid, payload, config }]);
}

export function onRevalidateReply(core: PeerCore, to: number, sessionId: bigint, valid: boolean): void {
  const L = core.leader;
  if (L === null)
    throw new ZabError("NOT_LEADER", `server ${core.myId} answers REVALIDATE but does not lead`);
  const s = L.learners.get(to);
  if (s === undefined || !FORWARDING.has(s.phase)) return;
  sendToLearner(core, s, { type: "REVALIDATE", sessionId, timeoutMs: 0, valid });
}

/** A sync from one of our own clients: done once everything proposed before it is committed. */
export function onLeaderLocalSync(core: PeerCore, requestId: number): void {
  const L = leaderOf(core);
  if (L.phase !== "broadcast") throw new ZabError("NOT_SERVING", `leader ${core.myId} is not established`);
  if (core.lastZxid() > core.log.lastCommitted) L.localSyncs.push({ requestId, zxid: core.lastZxid() });
  else core.effects.push({ kind: "syncDone", requestId });
}

export function leaderTick(core: PeerCore): void {
  const L = leaderOf(core);
  const initLimit = core.config.initLimitTicks;
  const syncLimit = core.config.syncLimitTicks;
  if (L.phase !== "broadcast" && core.nowTicks - L.phaseStartTick > initLimit) {
    core.note("warn", `no quorum in ${L.phase} within ${initLimit} ticks`);
    core.transitions.startLooking();
    return;
  }
  for (const s of [...L.learners.values()]) {
    const limit = L.phase === "broadcast" && s.phase === "uptodate" ? syncLimit : initLimit;
    if (core.nowTicks - s.lastHeardTick > limit) dropLearner(core, s);
  }
  if (L.phase === "broadcast") {
    const inSync = [core.myId];
    for (const s of L.learners.values()) {
      if (!s.observer && (s.phase === "uptodate" || s.phase === "synced")) inSync.push(s.sid);
    }
    if (!core.members.isQuorum(inSync)) {
      core.note("warn", `lost quorum: ${core.members.describeCount(inSync)} voters in sync`);
      core.transitions.startLooking();
      return;
    }
  }
  if (core.nowTicks - L.lastPingTick >= core.config.pingIntervalTicks) {
    L.lastPingTick = core.nowTicks;
    for (const s of L.learners.values()) {
      if (s.phase !== "info") sendToLearner(core, s, { type: "PING", touches: [] });
    }
  }
}
