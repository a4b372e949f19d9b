// What each role remembers while it lasts. A role's state is created when the role is entered
// and dropped when it is left: a new election, a new leader term or a new learner connection
// starts from scratch, which is what keeps stale frames and votes from leaking across them.

import type { ChannelReceiver } from "./channel.js";
import type { ChannelMessage, QuorumConfig, ServerState, Vote } from "./messages.js";

/** Fast Leader Election, kept across elections (the round and the vote last decided). */
export interface ElectionState {
  round: number;
  /** Our current vote while looking. */
  proposal: Vote;
  /** The vote we decided on (what we answer LOOKING servers with once out of the election). */
  currentVote: Vote;
  decidedRound: number;
  recvVotes: Map<number, Vote>;
  /** Answers of servers already FOLLOWING / LEADING, for joining an established ensemble. */
  outOfElection: Map<number, { vote: Vote; state: ServerState }>;
  finalizeAtTick: number | null;
  lastVoteSendTick: number;
  /**
   * The newest uncommitted config a peer holds and we do not (from its notifications), this
   * election only: deciding to follow someone also needs a quorum of its voters' votes.
   */
  peerPending: QuorumConfig | null;
  /** Whether each peer, by the configs its own notifications carry, may lead (votes for it). */
  canLead: Map<number, boolean>;
}

export type SessionPhase =
  | "info"
  | "leaderInfoSent"
  | "epochAcked"
  /** Waiting for the txns it lacks to be read back from the log files (learner-sync.ts, onLogRead). */
  | "readingLog"
  | "syncSent"
  | "synced"
  | "uptodate";

/** The leader's view of one learner connection. */
export interface LearnerSession extends ChannelReceiver {
  sid: number;
  observer: boolean;
  conn: number;
  sendSeq: number;
  phase: SessionPhase;
  lastHeardTick: number;
  peerLastZxid: number;
  peerCommittedZxid: number;
  peerEpochEnds: number[];
  /** Highest zxid the learner reported durable (NEWLEADER ack counts for the synced history). */
  ackedZxid: number;
  /** Our lastZxid when its sync stream was queued: what its NEWLEADER ack makes durable. */
  syncedToZxid: number;
}

/** Learner sessions past these phases receive live traffic (proposals, commits, informs). */
export const FORWARDING: ReadonlySet<SessionPhase> = new Set(["syncSent", "synced", "uptodate"]);

export type LeaderPhase = "discovery" | "epochAck" | "newLeaderAck" | "broadcast";

export interface LeaderState {
  phase: LeaderPhase;
  phaseStartTick: number;
  /** The new epoch once chosen (0 before). */
  epoch: number;
  /** (currentEpoch, lastZxid) when elected: a learner ahead of this means the election was wrong. */
  summaryEpoch: number;
  summaryZxid: number;
  infoEpochs: Map<number, number>;
  epochAcks: Set<number>;
  newLeaderAcks: Set<number>;
  learners: Map<number, LearnerSession>;
  /** Highest connection id seen per learner. */
  lastConn: Map<number, number>;
  lastPingTick: number;
  /** Learner SYNCs waiting for the COMMIT of the zxid proposed last when they arrived. */
  pendingSyncs: { sid: number; conn: number; requestId: number; zxid: number }[];
  localSyncs: { requestId: number; zxid: number }[];
}

export type LearnerPhase = "discovery" | "sync" | "syncEntries" | "newLeaderPending" | "synced" | "broadcast";

export interface LearnerState extends ChannelReceiver {
  leader: number;
  /** Connected with OBSERVERINFO (gets INFORMs, never acks); fixed for the connection. */
  asObserver: boolean;
  conn: number;
  sendSeq: number;
  phase: LearnerPhase;
  lastHeardTick: number;
  newEpoch: number;
  /** Highest zxid the leader told us is committed. */
  leaderCommit: number;
  /** lastZxid when NEWLEADER arrived: must be durable before we ACK it. */
  newLeaderTarget: number;
  /** Messages after NEWLEADER, held until the synced history is durable and currentEpoch set. */
  held: ChannelMessage[];
  lastAckSent: number;
  touches: Map<bigint, number>;
  /**
   * Discovery only: times the leader we elected said it does not lead (or could not be reached),
   * at most one per tick, and the tick of the last one (see learner.ts, LEADER_CONNECT_TRIES).
   */
  refusals: number;
  lastRefusalTick: number;
}
