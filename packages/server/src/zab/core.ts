// The state every role of one ensemble member shares, and the few things every role does with
// it: queue effects, log, commit, report its role, check its invariants. The role modules
// (looking.ts, leader.ts, learner.ts) act on a PeerCore; they never import each other, and move
// between roles only through `transitions`, which peer.ts provides.

import type { ReplicatedLog } from "./log.js";
import type { Membership } from "./membership.js";
import type { LogEntry, PeerMessage, Vote } from "./messages.js";
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
  readonly isObserver: boolean;
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
    this.isObserver = members.isObserver(this.myId);
    this.acceptedEpoch = epochs.acceptedEpoch;
    this.currentEpoch = epochs.currentEpoch;
    this.connCounter = connBase;
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
    }
    if (entries.length > 0) this.effects.push({ kind: "append", entries });
  }

  /** Emits commits for every entry up to z we hold, in zxid order. */
  commitUpTo(z: number): LogEntry[] {
    const upto = Math.min(z, this.lastZxid());
    if (upto <= this.log.lastCommitted) return [];
    const entries = this.log.entriesBetween(this.log.lastCommitted, upto);
    this.log.lastCommitted = upto;
    if (entries.length > 0) this.effects.push({ kind: "commit", entries });
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
    };
  }
}
