// The state every role of one ensemble member shares, and the few things every role does with
// it: queue effects, log, commit, report its role, check its invariants. The role modules
// (looking.ts; leader.ts with learner-sync.ts and leader-channel.ts; learner.ts) act on a
// PeerCore; no role imports another, and they move between roles only through `transitions`,
// which peer.ts provides.

import type { ReplicatedLog } from "./log.js";
import { formatConfig, type Membership } from "./membership.js";
import type { LogEntry, PeerMessage, QuorumConfig, Vote } from "./messages.js";
import type { ElectionState, LeaderState, LearnerState } from "./role-state.js";
import type { Effect, Role, ZabConfig, ZabStatus } from "./types.js";
import { ZabError } from "./types.js";
import { epochOf, formatZxid, isContiguous } from "./zxid.js";

/** How a role hands over to another; implemented by ZabPeer. */
export interface RoleTransitions {
  startLooking(): void;
  becomeLeader(): void;
  becomeLearner(leader: number): void;
}

export class PeerCore {
  readonly myId: number;
  acceptedEpoch: number;
  currentEpoch: number;
  connCounter: number;
  nowTicks = 0;
  effects: Effect[] = [];
  role: Role = "looking";
  election!: ElectionState;
  leader: LeaderState | null = null;
  learner: LearnerState | null = null;
  transitions!: RoleTransitions;
  /** Removed from the config by a reconfig: every later input is ignored. */
  removed = false;
  /** The leader this server saw established in each epoch: never two for one epoch. */
  private readonly establishedLeaders = new Map<number, number>();

  constructor(
    readonly config: ZabConfig,
    readonly members: Membership,
    readonly log: ReplicatedLog,
    epochs: { acceptedEpoch: number; currentEpoch: number },
    connBase: number,
  ) {
    this.myId = config.myId;
    this.acceptedEpoch = epochs.acceptedEpoch;
    this.currentEpoch = epochs.currentEpoch;
    this.connCounter = connBase;
  }

  /** A voter of the active or of a pending config: it votes in elections and may lead. */
  canVote(): boolean {
    return this.members.isVoter(this.myId);
  }

  /** Connects to a leader as an observer (else as a follower, voting or not). */
  learnsAsObserver(): boolean {
    return this.members.participation(this.myId) === "observer";
  }

  /** Makes a committed config the active one, durably (the runtime writes it before going on). */
  activateConfig(c: QuorumConfig, how: string): void {
    this.members.activate(c);
    this.effects.push({ kind: "activateConfig", config: c });
    this.note("info", `config ${formatConfig(c)} active (${how})`);
  }

  /** Whether `prev` named this server and the active config no longer does. */
  removedSince(prev: QuorumConfig): boolean {
    const wasMember = prev.voters.includes(this.myId) || prev.observers.includes(this.myId);
    return wasMember && !this.members.isActiveMember(this.myId);
  }

  /** Stops for good: the active config does not name us any more. */
  stopRemoved(): void {
    const c = this.members.active;
    const reason = `removed from the ensemble by config ${formatConfig(c)}`;
    this.note("warn", reason);
    this.leader = null;
    this.learner = null;
    this.role = "looking";
    this.removed = true;
    this.emitRole();
    this.effects.push({ kind: "removed", config: c, reason });
  }

  /** The pending configs again from the log (after a TRUNC, a SNAP or at start). */
  refreshPending(): void {
    const log = this.log;
    const configs: QuorumConfig[] = [];
    for (const e of log.entriesBetween(log.lastCommitted, log.lastZxid())) {
      if (e.config) configs.push(e.config);
    }
    this.members.setPending(configs);
  }

  lastZxid(): number {
    return this.log.lastZxid();
  }

  initialVote(): Vote {
    return { leader: this.myId, zxid: this.lastZxid(), peerEpoch: this.currentEpoch };
  }

  leaderId(): number | null {
    if (this.role === "leading") return this.myId;
    return this.learner?.leader ?? null;
  }

  isServing(): boolean {
    if (this.leader !== null) return this.leader.phase === "broadcast";
    return this.learner?.phase === "broadcast";
  }

  send(to: number, msg: PeerMessage): void {
    this.effects.push({ kind: "send", to, msg });
  }

  note(level: "info" | "warn", message: string): void {
    this.effects.push({ kind: "log", level, message });
  }

  emitEpochs(): void {
    this.invariant(
      this.acceptedEpoch >= this.currentEpoch,
      () => `acceptedEpoch ${this.acceptedEpoch} < currentEpoch ${this.currentEpoch}`,
    );
    this.effects.push({
      kind: "persistEpochs",
      acceptedEpoch: this.acceptedEpoch,
      currentEpoch: this.currentEpoch,
    });
  }

  emitRole(): void {
    const serving = this.isServing();
    const leader = this.leaderId();
    const epoch = this.leader?.epoch ?? this.learner?.newEpoch ?? 0;
    if (serving && leader !== null) {
      const seen = this.establishedLeaders.get(epoch);
      this.invariant(
        seen === undefined || seen === leader,
        () =>
          `epoch ${epoch} established with leader ${leader}, but leader ${seen} was established in it before`,
      );
      this.establishedLeaders.set(epoch, leader);
    }
    this.effects.push({ kind: "role", role: this.role, leader, epoch, serving });
  }

  invariant(cond: boolean, what: () => string): asserts cond {
    if (!cond) {
      throw new ZabError(
        "INVARIANT",
        `server ${this.myId} (${this.role}, epoch ${this.leader?.epoch ?? this.learner?.newEpoch ?? 0}, ` +
          `last ${formatZxid(this.lastZxid())}, committed ${formatZxid(this.log.lastCommitted)}): ${what()}`,
      );
    }
  }

  appendLocal(entries: LogEntry[]): void {
    for (const e of entries) {
      this.invariant(
        isContiguous(this.lastZxid(), e.zxid),
        () => `append ${formatZxid(e.zxid)} leaves a hole`,
      );
      this.invariant(
        epochOf(e.zxid) <= this.acceptedEpoch,
        () => `append ${formatZxid(e.zxid)} from an epoch past acceptedEpoch ${this.acceptedEpoch}`,
      );
      this.log.entries.push(e);
      if (e.config) {
        this.invariant(
          e.config.version === e.zxid,
          () => `reconfig entry ${formatZxid(e.zxid)} has version ${formatZxid(e.config!.version)}`,
        );
        this.members.addPending(e.config);
      }
    }
    if (entries.length > 0) this.effects.push({ kind: "append", entries });
  }

  /** Emits commits for every entry up to z we hold, in zxid order. */
  commitUpTo(z: number): LogEntry[] {
    const upto = Math.min(z, this.lastZxid());
    if (upto <= this.log.lastCommitted) return [];
    const entries = this.log.entriesBetween(this.log.lastCommitted, upto);
    // z need not be a zxid of the log (a bound just below a pending reconfig entry is not).
    const last = entries[entries.length - 1];
    if (last === undefined) return [];
    this.log.lastCommitted = last.zxid;
    this.effects.push({ kind: "commit", entries });
    for (const e of entries) {
      // A config learned from a peer may already be newer than this entry.
      if (e.config && e.zxid > this.members.active.version)
        this.activateConfig(e.config, `committed at ${formatZxid(e.zxid)}`);
    }
    this.log.trim(this.config.maxLogEntries);
    return entries;
  }

  status(): ZabStatus {
    return {
      myId: this.myId,
      role: this.role,
      leader: this.leaderId(),
      epoch: this.leader?.epoch ?? this.learner?.newEpoch ?? 0,
      serving: this.isServing(),
      acceptedEpoch: this.acceptedEpoch,
      currentEpoch: this.currentEpoch,
      lastZxid: this.lastZxid(),
      lastCommitted: this.log.lastCommitted,
      durableZxid: this.log.durableZxid,
      round: this.election.round,
      config: this.members.active,
      pendingConfig: this.members.pending[this.members.pending.length - 1] ?? null,
      removed: this.removed,
    };
  }
}
