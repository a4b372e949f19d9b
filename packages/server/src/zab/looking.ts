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
  if (!core.isObserver) e.recvVotes.set(core.myId, e.proposal);
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
  for (const v of core.members.voters) {
    if (v === core.myId) continue;
    core.send(v, { type: "NOTIFICATION", state: "LOOKING", vote: e.proposal, round: e.round });
  }
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
  const senderVotes = members.isVoter(from);
  if (core.role !== "looking") {
    if (n.state === "LOOKING") {
      core.send(from, {
        type: "NOTIFICATION",
        state: myState(core),
        vote: e.currentVote,
        round: e.decidedRound,
      });
    }
    return;
  }
  if (!senderVotes) {
    if (!members.isObserver(from)) return;
    core.send(from, { type: "NOTIFICATION", state: "LOOKING", vote: e.proposal, round: e.round });
    return;
  }
  if (!members.isVoter(n.vote.leader)) return;
  if (n.state === "LOOKING") {
    if (core.isObserver) return;
    if (n.round > e.round) {
      e.round = n.round;
      e.recvVotes = new Map();
      const mine = core.initialVote();
      setProposal(core, compareVotes(n.vote, mine) > 0 ? n.vote : mine);
      broadcastVote(core);
    } else if (n.round < e.round) {
      core.send(from, { type: "NOTIFICATION", state: "LOOKING", vote: e.proposal, round: e.round });
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
  if (core.isObserver || core.role !== "looking") return;
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
