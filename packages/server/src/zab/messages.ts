// TypeScript mirror of proto/peer.proto. Kept in sync by hand (protobufjs is not wired in yet):
// every field here has the same name and meaning as in the .proto, and zxids travel as uint64.

export type ServerState = "LOOKING" | "FOLLOWING" | "LEADING" | "OBSERVING";

/**
 * A quorum configuration: who votes, who observes, and its version, the zxid of the reconfig
 * entry that made it (0 for the static config every server starts from).
 */
export interface QuorumConfig {
  version: number;
  voters: number[];
  observers: number[];
  /**
   * The server's description of the members (addresses, roles), opaque to ZAB: carried with the
   * config wherever it travels, so a server that learns a config from a peer can reach its
   * members. Absent (or empty) for the static config of zoo.cfg.
   */
  members?: Uint8Array;
}

/** One txn of the replicated log. The payload is opaque to ZAB. */
export interface LogEntry {
  zxid: number;
  payload: Uint8Array;
  /**
   * Set on a reconfig entry only: the config it proposes (version = this entry's zxid). The
   * payload is the server's encoding of the same txn; whoever restores the log from disk sets
   * this again from it, since ZAB tells reconfig entries apart by this field alone.
   */
  config?: QuorumConfig | null;
}

/** A Fast-Leader-Election vote: ordered by peerEpoch, then zxid, then leader id. */
export interface Vote {
  leader: number;
  zxid: number;
  peerEpoch: number;
}

/** Election message; travels on the election port, tolerates loss, duplication and reordering. */
export interface Notification {
  type: "NOTIFICATION";
  state: ServerState;
  vote: Vote;
  /** The sender's election round (ZooKeeper's logicalclock / electionEpoch). */
  round: number;
  /**
   * The sender's active config (committed, so true everywhere): a server that missed a
   * reconfig learns it here, as ZooKeeper's notifications carry the sender's config.
   */
  config?: QuorumConfig | null;
  /**
   * The config of the sender's uncommitted reconfig entry, if any: a vote for one of its voters
   * is valid even where that config is not known (the sender may hold history others lack).
   */
  pendingConfig?: QuorumConfig | null;
}

export interface SessionTouch {
  sessionId: bigint;
  timeoutMs: number;
}

/**
 * Leader <-> learner messages ride on one logical connection chosen by the learner (`conn`),
 * numbered per direction from 1 (`seq`). The receiver ignores duplicates (seq already seen) and
 * treats a gap as a broken connection, so FIFO holds even over a lossy, reordering network.
 */
export interface ChannelHeader {
  conn: number;
  seq: number;
  /**
   * The leader term the frame belongs to: the epoch the leader proposed in its LEADERINFO (each
   * leader attempt persists a fresh one), 0 on FOLLOWERINFO / OBSERVERINFO. Frames of another
   * term on the same connection id are dropped.
   */
  term: number;
}

export interface FollowerInfo extends ChannelHeader {
  type: "FOLLOWERINFO";
  acceptedEpoch: number;
}
export interface ObserverInfo extends ChannelHeader {
  type: "OBSERVERINFO";
  acceptedEpoch: number;
}
export interface LeaderInfo extends ChannelHeader {
  type: "LEADERINFO";
  newEpoch: number;
}
export interface AckEpoch extends ChannelHeader {
  type: "ACKEPOCH";
  currentEpoch: number;
  lastZxid: number;
  /** Highest zxid this learner knows to be committed (its applied point): a safe truncation floor. */
  committedZxid: number;
  /**
   * The last zxid of each epoch present in the learner's log, newest first (at most
   * MAX_EPOCH_ENDS): lets the leader find the exact point where the histories diverge.
   */
  epochEnds: number[];
  /** True when the learner had already accepted this epoch: such an ack does not count for the quorum. */
  alreadyAccepted: boolean;
}
/** Sync header: keep the log; entries after the learner's last zxid follow as PROPOSALs. */
export interface Diff extends ChannelHeader {
  type: "DIFF";
  /** Every entry up to here is committed; the learner may apply them as they arrive. */
  committedZxid: number;
}
/** Sync header: drop every entry after truncZxid, then entries follow as PROPOSALs. */
export interface Trunc extends ChannelHeader {
  type: "TRUNC";
  truncZxid: number;
  committedZxid: number;
}
/** Sync header: replace state and log with the snapshot taken exactly at snapshotZxid. */
export interface Snap extends ChannelHeader {
  type: "SNAP";
  snapshotZxid: number;
  snapshot: Uint8Array;
  /** The leader's active config, which is the config as of snapshotZxid. */
  config?: QuorumConfig | null;
}
export interface NewLeader extends ChannelHeader {
  type: "NEWLEADER";
  epoch: number;
}
export interface UpToDate extends ChannelHeader {
  type: "UPTODATE";
}
/** A batch of contiguous log entries (sync catch-up or live broadcast). */
export interface Proposal extends ChannelHeader {
  type: "PROPOSAL";
  entries: LogEntry[];
}
/** Cumulative: every entry up to zxid is durable on the sender. zxid = epoch * 2^32 acks NEWLEADER. */
export interface Ack extends ChannelHeader {
  type: "ACK";
  zxid: number;
}
/** Cumulative: every entry up to zxid is committed. */
export interface Commit extends ChannelHeader {
  type: "COMMIT";
  zxid: number;
  /**
   * When the commit activates a config that leaves the leader out (ZooKeeper's
   * COMMITANDACTIVATE): the server that leads next, without an election; 0 otherwise.
   */
  designatedLeader?: number;
}
/** To observers: these entries are committed (data included; entries already held are skipped). */
export interface Inform extends ChannelHeader {
  type: "INFORM";
  entries: LogEntry[];
  /** As on COMMIT (ZooKeeper's INFORMANDACTIVATE); 0 otherwise. */
  designatedLeader?: number;
}
/** A write forwarded by a learner to the leader, opaque to ZAB. */
export interface RequestMsg extends ChannelHeader {
  type: "REQUEST";
  payload: Uint8Array;
}
/** Leader -> learner: heartbeat. Learner -> leader: reply carrying session touches. */
export interface Ping extends ChannelHeader {
  type: "PING";
  touches: SessionTouch[];
}
/** Learner -> leader asks (timeoutMs set); leader -> learner answers (valid set). */
export interface Revalidate extends ChannelHeader {
  type: "REVALIDATE";
  sessionId: bigint;
  timeoutMs: number;
  valid: boolean;
}
/** Learner -> leader asks; leader -> learner answers after every earlier proposal's COMMIT. */
export interface SyncMsg extends ChannelHeader {
  type: "SYNC";
  requestId: number;
}

export type ChannelMessage =
  | FollowerInfo
  | ObserverInfo
  | LeaderInfo
  | AckEpoch
  | Diff
  | Trunc
  | Snap
  | NewLeader
  | UpToDate
  | Proposal
  | Ack
  | Commit
  | Inform
  | RequestMsg
  | Ping
  | Revalidate
  | SyncMsg;

export type PeerMessage = Notification | ChannelMessage;

/** A channel message before the sender stamps conn/seq on it. */
export type ChannelBody = ChannelMessage extends infer M
  ? M extends ChannelMessage
    ? Omit<M, "conn" | "seq" | "term">
    : never
  : never;
