import type { LogEntry, PeerMessage, QuorumConfig, SessionTouch, Snap } from "./messages.js";

export interface ZabConfig {
  myId: number;
  /**
   * Voting participants of the static config (version 0), used until a reconfig is activated
   * (PersistedState.config). myId may be in neither list: a server waiting to be added by a
   * reconfig syncs as a non-voting follower.
   */
  voters: readonly number[];
  /** Non-voting observers of the static config. */
  observers: readonly number[];
  /** Discovery + sync deadline (ZooKeeper's initLimit), in ticks. */
  initLimitTicks: number;
  /** Broadcast silence deadline (ZooKeeper's syncLimit), in ticks. */
  syncLimitTicks: number;
  /** How long a quorum of matching votes must stay unchallenged before deciding, in ticks. */
  finalizeWaitTicks: number;
  /** How often a LOOKING server re-sends its vote, in ticks. */
  electionResendTicks: number;
  /** How often the leader pings learners, in ticks. */
  pingIntervalTicks: number;
  /** Most entries per PROPOSAL / INFORM frame. */
  maxBatchEntries: number;
  /**
   * A PROPOSAL / INFORM frame takes no more entries once their payloads reach this many bytes
   * (so it holds at most this plus one payload). Unbounded when absent.
   */
  maxBatchBytes?: number;
  /** Committed entries kept in memory for DIFF; followers further behind get a SNAP. */
  maxLogEntries: number;
}

export const DEFAULT_TIMING = {
  initLimitTicks: 10,
  syncLimitTicks: 5,
  finalizeWaitTicks: 1,
  electionResendTicks: 2,
  pingIntervalTicks: 1,
  maxBatchEntries: 1000,
  maxLogEntries: 500,
} as const;

/** What survives a restart; the runtime loads it from disk and builds a new ZabPeer from it. */
export interface PersistedState {
  acceptedEpoch: number;
  currentEpoch: number;
  /** zxid of the snapshot the data tree was restored from (0 when none). */
  snapshotZxid: number;
  /** Durable log entries after snapshotZxid, in order. */
  log: LogEntry[];
  /**
   * Learner connection ids start above this; it must exceed every id any earlier incarnation of
   * this server used (e.g. a boot counter * 2^20), so stale frames are never taken for new ones.
   */
  connBase: number;
  /**
   * The config of the last `activateConfig` effect carried out (absent: the static one). Reconfig
   * entries of `log` past its version are pending again until they are committed again.
   */
  config?: QuorumConfig;
}

export type ZabInput =
  | { type: "message"; from: number; msg: PeerMessage }
  /** One unit of time passed. */
  | { type: "tick" }
  /** Leader only: append these txns (one batch). Throws ZabError NOT_SERVING elsewhere. */
  | { type: "propose"; payloads: Uint8Array[] }
  /**
   * Leader only: propose a new config as one reconfig entry (payload: the server's encoding of
   * the txn). Throws ZabError NOT_SERVING, RECONFIG_IN_PROGRESS (one is not committed yet),
   * BAD_CONFIG, or NEW_CONFIG_NO_QUORUM (the new voters in sync with us are not a quorum of
   * the new config), and then changes nothing.
   */
  | { type: "reconfig"; payload: Uint8Array; voters: number[]; observers: number[]; members: Uint8Array }
  /** Every entry up to zxid that was appended when the fsync started is now durable. */
  | { type: "persisted"; zxid: number }
  /** The snapshot of an installSnapshot effect is loaded and durable. */
  | { type: "snapshotLoaded"; zxid: number }
  /** What a readLog effect read: its records in order, or null (types.ts, Effect). */
  | { type: "logRead"; peer: number; conn: number; entries: LogEntry[] | null }
  /** Learner only: forward a write to the leader as REQUEST. */
  | { type: "forward"; payload: Uint8Array }
  /** Learner only: sessions active since the last leader PING; sent with the next PING reply. */
  | { type: "touchSessions"; touches: SessionTouch[] }
  /** Learner: ask the leader; leader: answer a learner (`to`, `valid`). */
  | { type: "revalidate"; sessionId: bigint; timeoutMs: number }
  | { type: "revalidateReply"; to: number; sessionId: bigint; valid: boolean }
  /** Complete (syncDone effect) once every txn proposed before it is applied here. */
  | { type: "sync"; requestId: number }
  /**
   * The runtime's link to `peer` broke (e.g. its process died). A learner whose leader this is
   * gives up on it at once instead of after syncLimit; a leader drops that learner (and steps
   * down at the next tick if that leaves it without a quorum); anything else ignores it.
   */
  | { type: "peerDown"; peer: number }
  /**
   * A FOLLOWERINFO / OBSERVERINFO to `peer` was dropped: the runtime has no link to it. A learner
   * in discovery counts it as a failed connection attempt (learner.ts, LEADER_CONNECT_TRIES).
   */
  | { type: "peerUnreachable"; peer: number }
  /**
   * A new link from `peer` replaced every earlier one (the transport promises that no frame of
   * an earlier link arrives after this input).
   */
  | { type: "peerLinked"; peer: number };

export type Role = "looking" | "leading" | "following" | "observing";

/**
 * Effects, to be carried out IN ORDER. Obligations on the runtime:
 * - `persistEpochs` is atomic and durable before the next effect (notably before the ACKEPOCH /
 *   NEWLEADER-ACK sends that follow it).
 * - `truncate` and `installSnapshot` are ordered before every later `append`; `truncate` is
 *   durable before the next effect. `installSnapshot` replaces the data tree and discards the
 *   whole log; report `snapshotLoaded` once the snapshot is durable, and report `persisted` for
 *   later appends only after that.
 * - `append` is written in order (not necessarily synced); report `persisted(z)` after the fsync,
 *   where z is the last zxid appended when the fsync began. Never ACK on our behalf.
 * - `send`s to one peer keep their relative order (they are numbered; gaps break the channel).
 * - `commit` entries are applied to the data tree in order, before any later effect is carried
 *   out (a long batch may take several turns of the event loop), so that a later `sendSnapshot`
 *   serializes exactly the state at its snapshotZxid and `syncDone` follows the commits before it.
 * - `sendSnapshot`: serialize the applied state (which is at msg.snapshotZxid) and send
 *   `{...msg, snapshot}` to `to`, in order with the surrounding sends.
 * - `readLog`: read the durable log records from fromZxid (that record included) through
 *   throughZxid back from disk, and report them as `logRead` with the effect's `to` and `conn`;
 *   report null instead when fromZxid's record is not there, a record cannot be read, or they
 *   are more than the runtime will send as a DIFF. The only effect that does not hold up the
 *   ones after it: report whenever the read is done.
 */
export type Effect =
  | { kind: "send"; to: number; msg: PeerMessage }
  | { kind: "sendSnapshot"; to: number; msg: Omit<Snap, "snapshot"> }
  | { kind: "readLog"; to: number; conn: number; fromZxid: number; throughZxid: number }
  | { kind: "persistEpochs"; acceptedEpoch: number; currentEpoch: number }
  | { kind: "append"; entries: LogEntry[] }
  | { kind: "truncate"; toZxid: number }
  | { kind: "installSnapshot"; zxid: number; snapshot: Uint8Array }
  | { kind: "commit"; entries: LogEntry[] }
  | { kind: "role"; role: Role; leader: number | null; epoch: number; serving: boolean }
  | { kind: "request"; from: number; payload: Uint8Array }
  | { kind: "sessionTouches"; from: number; touches: SessionTouch[] }
  | { kind: "revalidate"; from: number; sessionId: bigint; timeoutMs: number }
  | { kind: "revalidated"; sessionId: bigint; valid: boolean }
  | { kind: "syncDone"; requestId: number }
  /**
   * A committed config becomes the active one (config.version is the zxid of its reconfig
   * entry, or the version a peer told us during an election). Durable (the dynamic config file)
   * before any later effect, and before a snapshot containing that zxid is taken.
   */
  | { kind: "activateConfig"; config: QuorumConfig }
  /**
   * This server was removed by the active config: it has stopped taking part (every later input
   * is ignored). The runtime stops serving and says why.
   */
  | { kind: "removed"; config: QuorumConfig; reason: string }
  /** Why we changed course (left a leader, stepped down...): for the runtime's structured log. */
  | { kind: "log"; level: "info" | "warn"; message: string };

export interface ZabStatus {
  myId: number;
  role: Role;
  leader: number | null;
  /** Epoch of the leader being followed or led (0 while looking). */
  epoch: number;
  /** Leader: established; learner: got UPTODATE. Clients may be served. */
  serving: boolean;
  acceptedEpoch: number;
  currentEpoch: number;
  lastZxid: number;
  lastCommitted: number;
  durableZxid: number;
  round: number;
  /** The active config. */
  config: QuorumConfig;
  /** The config of an uncommitted reconfig entry in our log, if any. */
  pendingConfig: QuorumConfig | null;
  /** Removed by a reconfig: stopped for good. */
  removed: boolean;
}

export type ZabErrorCode =
  | "NOT_SERVING"
  | "NOT_LEADER"
  | "NOT_LEARNER"
  | "RECONFIG_IN_PROGRESS"
  | "NEW_CONFIG_NO_QUORUM"
  | "BAD_CONFIG"
  | "RUNTIME_CONTRACT"
  | "INVARIANT";

export class ZabError extends Error {
  constructor(
    readonly code: ZabErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = "ZabError";
  }
}
