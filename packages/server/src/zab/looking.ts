// Fast Leader Election: a LOOKING server votes (leader, zxid, peerEpoch), adopts better votes,
// and decides once a quorum holds its vote for finalizeWaitTicks unchallenged; or it joins an
// established ensemble when a quorum of FOLLOWING/LEADING answers names one leader that says it
// leads (how a restarted server rejoins without a new round).

import type { PeerCore } from "./core.js";
import { compareVotes, sameVote } from "./election.js";
import { isQuorumOf } from "./membership.js";
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
  e.peerPending = null;
  e.canLead = new Map();
  e.finalizeAtTick = null;
  if (core.canVote()) e.recvVotes.set(core.myId, e.proposal);
  core.emitRole();
  broadcastVote(core);
  checkElectionQuorum(core);
}

export function lookingTick(core: PeerCore): void {
  const e = core.election;
  // Every tick, not only while finalizing: the configs that define a quorum can change under
  // a looking server (a newer one told by a peer), making votes it holds a quorum.
  checkElectionQuorum(core);
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
  for (const v of e.peerPending?.voters ?? []) to.add(v);
  for (const { vote } of e.outOfElection.values()) to.add(vote.leader);
  for (const v of to) {
    if (v === core.myId) continue;
    core.send(v, notification(core, "LOOKING", e.proposal, e.round));
  }
}

function notification(core: PeerCore, state: ServerState, vote: Vote, round: number): Notification {
  const pending = core.members.pending;
  return {
    type: "NOTIFICATION",
    state,
    vote,
    round,
    config: core.members.active,
    pendingConfig: pending[pending.length - 1] ?? null,
  };
}

/**
 * A vote may name a voter of our configs, or of the sender's: a sender holding a pending
 * config we lack has history we lack, and its candidate may be a voter of that config only.
 */
function validCandidate(core: PeerCore, n: Notification): boolean {
  const leader = n.vote.leader;
  // Only a server that is a voter by its own log can lead: a vote for one that told us it is
  // not would gather followers for a leader that never comes.
  if (core.election.canLead.get(leader) === false) return false;
  return (
    core.members.isVoter(leader) ||
    (n.config?.voters.includes(leader) ?? false) ||
    (n.pendingConfig?.voters.includes(leader) ?? false) ||
    (core.election.peerPending?.voters.includes(leader) ?? false)
  );
}

/**
 * A peer's active config is committed, so a newer one than ours is simply true: take it over
 * (ZooKeeper's FLE does the same with the config in each notification). When it does not name
 * us we were not there when it committed (down, or restarted by an operator who means to add us
 * again): we go on as a server waiting to be added, a non-voting follower, rather than stop. Only
 * a server that takes part when its removal commits stops (see learner.ts and leader.ts).
 */
function adoptNewerConfig(core: PeerCore, n: Notification): void {
  const c = n.config;
  if (c === null || c === undefined || c.version <= core.members.active.version) return;
  core.activateConfig(c, "told by a peer during the election");
  const e = core.election;
  for (const sid of [...e.recvVotes.keys()]) if (!core.members.isVoter(sid)) e.recvVotes.delete(sid);
  // A vote for a server the newer config leaves out would never win: start again from ours.
  if (!core.members.isVoter(e.proposal.leader)) {
    e.proposal = core.initialVote();
    e.finalizeAtTick = null;
    broadcastVote(core);
  }
  if (core.canVote()) e.recvVotes.set(core.myId, e.proposal);
}

/**
 * A peer holds a reconfig entry we lack (we may have missed it, or it may be truncated later).
 * Until this election ends, we follow someone only when that config's voters agree too: else a
 * server quick to reach a quorum of the old config alone follows a candidate that can never
 * gather the joint quorum it needs to lead, and the election goes round in circles. Deciding to
 * lead ourselves still uses our own configs only, so a stale entry never blocks the election.
 */
function notePeerPending(core: PeerCore, n: Notification): void {
  const p = n.pendingConfig;
  const e = core.election;
  if (p === null || p === undefined || p.version <= core.members.active.version) return;
  if (core.members.pending.some((c) => c.version >= p.version)) return;
  if (e.peerPending !== null && e.peerPending.version >= p.version) return;
  e.peerPending = p;
}

/** A removed server answers only to pass on the config that removed it; it never votes. */
export function answerWhileRemoved(core: PeerCore, from: number, n: Notification): void {
  if (n.state === "LOOKING") core.send(from, notification(core, "OBSERVING", core.initialVote(), 0));
}

/**
 * A FOLLOWERINFO / OBSERVERINFO reached us while we do not lead. In ZooKeeper only a leader
 * listens on the quorum port, so such a learner's connection is refused and it soon looks again;
 * here every server takes peer links, so we refuse in words: our election state and vote, which
 * also tell the learner whom we follow.
 */
export function refuseLearner(core: PeerCore, from: number): void {
  const e = core.election;
  if (core.role === "looking") core.send(from, notification(core, "LOOKING", e.proposal, e.round));
  else core.send(from, notification(core, myState(core), e.currentVote, e.decidedRound));
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
  notePeerPending(core, n);
  // A notification without a config (a peer from before reconfig) says nothing about this.
  const senderCanLead =
    n.config === null ||
    n.config === undefined ||
    n.config.voters.includes(from) ||
    (n.pendingConfig?.voters.includes(from) ?? false);
  e.canLead.set(from, senderCanLead);
  if (!senderCanLead && e.proposal.leader === from) {
    e.proposal = core.initialVote();
    e.finalizeAtTick = null;
    if (core.canVote()) e.recvVotes.set(core.myId, e.proposal);
    broadcastVote(core);
  }
  if (n.state === "LOOKING" && !members.isVoter(from) && !(e.peerPending?.voters.includes(from) ?? false)) {
    // An observer or a server waiting to be added looks for the leader too.
    core.send(from, notification(core, "LOOKING", e.proposal, e.round));
    return;
  }
  if (n.state === "OBSERVING") return;
  // An invalid vote still carries the sender's round: ignoring that too would leave servers in
  // different rounds for ever.
  const valid = validCandidate(core, n);
  if (n.state === "LOOKING") {
    // A server our configs do not let vote still keeps its vote current: a voter whose log
    // holds a pending config naming it counts that vote (a restarted joiner does not know it
    // was named yet). It never decides by votes itself (checkElectionQuorum).
    if (n.round > e.round) {
      e.round = n.round;
      e.recvVotes = new Map();
      const mine = core.initialVote();
      setProposal(core, valid && (!core.canVote() || compareVotes(n.vote, mine) > 0) ? n.vote : mine);
      broadcastVote(core);
    } else if (n.round < e.round) {
      // The answer brings the sender up to our round, but only a sender that counts our vote
      // takes a round from us. One that does not (we are an observer to it) answers again with
      // its own older round, and the two would bounce answers for as long as both look, one
      // more pair with every resend. Our periodic votes carry our round anyway.
      if (senderCountsOurVote(core, n)) core.send(from, notification(core, "LOOKING", e.proposal, e.round));
      return;
    } else if (valid && (ownVoteInvalid(core) || compareVotes(n.vote, e.proposal) > 0)) {
      setProposal(core, n.vote);
      broadcastVote(core);
    }
    if (valid) e.recvVotes.set(from, n.vote);
    checkElectionQuorum(core);
    return;
  }
  if (!valid) return;
  // FOLLOWING / LEADING answers from anyone: only our configs' voters count for the quorum, and
  // the leader's own answer must say it leads (it may be a voter of a config we missed).
  e.outOfElection.set(from, { vote: n.vote, state: n.state });
  if (n.vote.leader === core.myId) {
    // A server that decided for us in our own round counts as a vote for us, as in ZooKeeper's
    // FLE: it no longer sends LOOKING votes, so without this we might wait for voters that are
    // slow to reach us while it waits for us to lead.
    if (n.round === e.round) {
      e.recvVotes.set(from, n.vote);
      checkElectionQuorum(core);
    }
    return;
  }
  const agreeing: number[] = [];
  for (const [sid, v] of e.outOfElection) {
    if (v.vote.leader === n.vote.leader && v.vote.peerEpoch === n.vote.peerEpoch) agreeing.push(sid);
  }
  const fromLeader = e.outOfElection.get(n.vote.leader);
  if (
    // Only the active config here: following is no quorum decision (the leader makes those),
    // and a pending config in our log may be one the established leader never had.
    members.isActiveQuorum(agreeing) &&
    fromLeader !== undefined &&
    fromLeader.state === "LEADING" &&
    fromLeader.vote.peerEpoch === n.vote.peerEpoch
  ) {
    decide(core, n.vote, n.round);
  }
}

/**
 * Whether the sender of `n` takes our LOOKING notifications as a voter's: we vote in our configs
 * (a sender that lacks them takes them over from our notification), or in the sender's.
 */
function senderCountsOurVote(core: PeerCore, n: Notification): boolean {
  const me = core.myId;
  return (
    core.canVote() ||
    (n.config?.voters.includes(me) ?? false) ||
    (n.pendingConfig?.voters.includes(me) ?? false)
  );
}

/**
 * A server that may not vote starts with a vote for itself, which nobody takes: it backs the
 * first valid vote it hears instead (and the better ones after), so a history it holds
 * never outbids the candidates that can lead.
 */
function ownVoteInvalid(core: PeerCore): boolean {
  return core.election.proposal.leader === core.myId && !core.canVote();
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
  const p = e.proposal.leader === core.myId ? null : e.peerPending;
  const peerQuorum = p === null || isQuorumOf(p, matching);
  if (!core.members.isQuorum(matching) || !peerQuorum) {
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
