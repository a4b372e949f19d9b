// Fast Leader Election: a LOOKING server votes (leader, zxid, peerEpoch), adopts better votes,
// and decides once a quorum holds its vote for finalizeWaitTicks unchallenged; or it joins an
// established ensemble when a quorum of FOLLOWING/LEADING answers names one leader that says it
// leads (how a restarted server rejoins without a new round).

import type { PeerCore } from "./core.js";
import { compareVotes, sameVote } from "./election.js";
import type { Notification, ServerState, Vote } from "./messages.js";

export function startLooking(core: PeerCore): void {
  const e = core.election;
  core.leader = null;
  core.learner = null;
  core.role = "looking";
  e.round += 1;
  e.proposal = core.initialVote();
  e.recvVotes = new Map();
  e.outOfElection = new Map();
  e.finalizeAtTick = null;
  if (core.canVote()) e.recvVotes.set(core.myId, e.proposal);
  core.emitRole();
  broadcastVote(core);
  checkElectionQuorum(core);
}

export function lookingTick(core: PeerCore): void {
  const e = core.election;
  if (e.finalizeAtTick !== null) checkElectionQuorum(core);
  if (core.role === "looking" && core.nowTicks - e.lastVoteSendTick >= core.config.electionResendTicks) {
    broadcastVote(core);
  }
}

function broadcastVote(core: PeerCore): void {
  const e = core.election;
  e.lastVoteSendTick = core.nowTicks;
  // Also to a leader others follow that our configs do not name (we missed the reconfig that
  // added it): its LEADING answer is what lets us join it.
  const to = new Set(core.members.allVoters());
  for (const { vote } of e.outOfElection.values()) to.add(vote.leader);
  for (const v of to) {
    if (v === core.myId) continue;
    core.send(v, notification(core, "LOOKING", e.proposal, e.round));
  }
}

function notification(core: PeerCore, state: ServerState, vote: Vote, round: number): Notification {
  return { type: "NOTIFICATION", state, vote, round, config: core.members.active };
}

/**
 * A peer's active config is committed, so a newer one than ours is simply true: take it over
 * (ZooKeeper's FLE does the same with the config in each notification). It may remove us.
 */
function adoptNewerConfig(core: PeerCore, n: Notification): void {
  const c = n.config;
  if (c === null || c === undefined || c.version <= core.members.active.version) return;
  const prev = core.members.active;
  core.activateConfig(c, "told by a peer during the election");
  if (core.removedSince(prev)) {
    core.stopRemoved();
    return;
  }
  const e = core.election;
  for (const sid of [...e.recvVotes.keys()]) if (!core.members.isVoter(sid)) e.recvVotes.delete(sid);
  if (core.canVote()) e.recvVotes.set(core.myId, e.proposal);
}

/** A removed server answers only to pass on the config that removed it; it never votes. */
export function answerWhileRemoved(core: PeerCore, from: number, n: Notification): void {
  if (n.state === "LOOKING") core.send(from, notification(core, "OBSERVING", core.initialVote(), 0));
}

function myState(core: PeerCore): ServerState {
  switch (core.role) {
    case "looking":
      return "LOOKING";
    case "leading":
      return "LEADING";
    case "following":
      return "FOLLOWING";
    case "observing":
      return "OBSERVING";
  }
}

export function onNotification(core: PeerCore, from: number, n: Notification): void {
  const e = core.election;
  const members = core.members;
  if (core.role !== "looking") {
    if (n.state === "LOOKING")
      core.send(from, notification(core, myState(core), e.currentVote, e.decidedRound));
    return;
  }
  adoptNewerConfig(core, n);
  if (core.removed) return;
  const senderVotes = members.isVoter(from);
  if (!senderVotes) {
    // An observer or a server waiting to be added looks for the leader too.
    if (n.state === "LOOKING") core.send(from, notification(core, "LOOKING", e.proposal, e.round));
    return;
  }
  if (!members.isVoter(n.vote.leader)) return;
  if (n.state === "LOOKING") {
    if (!core.canVote()) return;
    if (n.round > e.round) {
      e.round = n.round;
      e.recvVotes = new Map();
      const mine = core.initialVote();
      setProposal(core, compareVotes(n.vote, mine) > 0 ? n.vote : mine);
      broadcastVote(core);
    } else if (n.round < e.round) {
      core.send(from, notification(core, "LOOKING", e.proposal, e.round));
      return;
    } else if (compareVotes(n.vote, e.proposal) > 0) {
      setProposal(core, n.vote);
      broadcastVote(core);
    }
    e.recvVotes.set(from, n.vote);
    checkElectionQuorum(core);
    return;
  }
  if (n.state === "OBSERVING") return;
  e.outOfElection.set(from, { vote: n.vote, state: n.state });
  if (n.vote.leader === core.myId) return;
  const agreeing: number[] = [];
  for (const [sid, v] of e.outOfElection) {
    if (v.vote.leader === n.vote.leader && v.vote.peerEpoch === n.vote.peerEpoch) agreeing.push(sid);
  }
  const fromLeader = e.outOfElection.get(n.vote.leader);
  if (
    members.isQuorum(agreeing) &&
    fromLeader !== undefined &&
    fromLeader.state === "LEADING" &&
    fromLeader.vote.peerEpoch === n.vote.peerEpoch
  ) {
    decide(core, n.vote, n.round);
  }
}

function setProposal(core: PeerCore, v: Vote): void {
  const e = core.election;
  e.proposal = v;
  e.recvVotes.set(core.myId, v);
  e.finalizeAtTick = null;
}

function checkElectionQuorum(core: PeerCore): void {
  const e = core.election;
  if (!core.canVote() || core.role !== "looking") return;
  const matching: number[] = [];
  for (const [sid, v] of e.recvVotes) if (sameVote(v, e.proposal)) matching.push(sid);
  if (!core.members.isQuorum(matching)) {
    e.finalizeAtTick = null;
    return;
  }
  if (e.finalizeAtTick === null) e.finalizeAtTick = core.nowTicks + core.config.finalizeWaitTicks;
  if (core.nowTicks >= e.finalizeAtTick) decide(core, e.proposal, e.round);
}

function decide(core: PeerCore, vote: Vote, round: number): void {
  const e = core.election;
  e.currentVote = vote;
  e.decidedRound = round;
  e.finalizeAtTick = null;
  if (vote.leader === core.myId) core.transitions.becomeLeader();
  else core.transitions.becomeLearner(vote.leader);
}
