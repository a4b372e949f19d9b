// One ensemble member's ZAB + Fast-Leader-Election logic as a pure state machine: `step(input)`
// mutates state and queues effects, `takeEffects()` hands them to the runtime, which carries
// them out in order (see the obligations on `Effect`). No sockets, files, clocks or randomness.

import { compareVotes, quorumSize, sameVote } from "./election.js";
import type {
  AckEpoch,
  ChannelBody,
  ChannelMessage,
  FollowerInfo,
  LogEntry,
  Notification,
  ObserverInfo,
  PeerMessage,
  ServerState,
  Vote,
} from "./messages.js";
import type { Effect, PersistedState, Role, ZabConfig, ZabInput, ZabStatus } from "./types.js";
import { ZabError } from "./types.js";
import {
  COUNTER_EXHAUSTED,
  counterOf,
  EPOCH_LIMIT,
  epochOf,
  formatZxid,
  isContiguous,
  makeZxid,
} from "./zxid.js";

type SessionPhase = "info" | "leaderInfoSent" | "epochAcked" | "syncSent" | "synced" | "uptodate";

/** The leader's view of one learner connection. */
interface LearnerSession {
  sid: number;
  observer: boolean;
  conn: number;
  sendSeq: number;
  recvSeq: number;
  /** Frames that arrived ahead of a gap, by seq, until the gap fills. */
  early: Map<number, ChannelMessage>;
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

type LeaderPhase = "discovery" | "epochAck" | "newLeaderAck" | "broadcast";

interface LeaderState {
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

type LearnerPhase = "discovery" | "sync" | "syncEntries" | "newLeaderPending" | "synced" | "broadcast";

interface LearnerState {
  leader: number;
  conn: number;
  sendSeq: number;
  recvSeq: number;
  early: Map<number, ChannelMessage>;
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
}

/** Cap on ACKEPOCH.epochEnds; a learner with more epochs in memory may get a SNAP instead of a TRUNC. */
export const MAX_EPOCH_ENDS = 32;

/**
 * Frames held behind a gap before the channel is declared broken. A lost frame never arrives,
 * so the channel then stalls until the silence deadline (initLimit / syncLimit) ends it.
 */
export const MAX_EARLY_FRAMES = 4096;

/**
 * Reassemble the channel's FIFO order: duplicates are dropped, early frames wait for the gap
 * to fill. Over a FIFO transport (WebSocket) this only ever returns [msg].
 */
function takeInOrder(
  ch: { recvSeq: number; early: Map<number, ChannelMessage> },
  msg: ChannelMessage,
): ChannelMessage[] | "overflow" {
  if (msg.seq <= ch.recvSeq) return [];
  if (msg.seq !== ch.recvSeq + 1) {
    ch.early.set(msg.seq, msg);
    return ch.early.size > MAX_EARLY_FRAMES ? "overflow" : [];
  }
  const ready = [msg];
  ch.recvSeq = msg.seq;
  for (;;) {
    const next = ch.early.get(ch.recvSeq + 1);
    if (next === undefined) return ready;
    ch.early.delete(ch.recvSeq + 1);
    ch.recvSeq += 1;
    ready.push(next);
  }
}

const FORWARDING: ReadonlySet<SessionPhase> = new Set(["syncSent", "synced", "uptodate"]);

export class ZabPeer {
  readonly myId: number;
  private readonly config: ZabConfig;
  private readonly isObserver: boolean;
  private readonly voterSet: ReadonlySet<number>;
  private readonly observerSet: ReadonlySet<number>;
  private readonly quorum: number;

  private acceptedEpoch: number;
  private currentEpoch: number;
  /** Entries after logBaseZxid; the prefix up to logBaseZxid is in the snapshot or trimmed. */
  private log: LogEntry[];
  private logBaseZxid: number;
  private lastCommitted: number;
  private durableZxid: number;
  private snapshotPending: number | null = null;
  private connCounter: number;
  private nowTicks = 0;
  private effects: Effect[] = [];

  private role: Role = "looking";
  private round = 0;
  private proposal: Vote;
  private currentVote: Vote;
  private decidedRound = 0;
  private recvVotes = new Map<number, Vote>();
  private outOfElection = new Map<number, { vote: Vote; state: ServerState }>();
  private finalizeAtTick: number | null = null;
  private lastVoteSendTick = 0;

  private leader: LeaderState | null = null;
  private learner: LearnerState | null = null;

  constructor(config: ZabConfig, persisted: PersistedState) {
    this.config = config;
    this.myId = config.myId;
    this.voterSet = new Set(config.voters);
    this.observerSet = new Set(config.observers);
    for (const o of config.observers) {
      if (this.voterSet.has(o))
        throw new ZabError("RUNTIME_CONTRACT", `server ${o} is both voter and observer`);
    }
    if (!this.voterSet.has(this.myId) && !this.observerSet.has(this.myId)) {
      throw new ZabError("RUNTIME_CONTRACT", `myId ${this.myId} is neither a voter nor an observer`);
    }
    this.isObserver = this.observerSet.has(this.myId);
    this.quorum = quorumSize(this.voterSet.size);

    this.log = persisted.log.slice();
    this.logBaseZxid = persisted.snapshotZxid;
    let prev = this.logBaseZxid;
    for (const e of this.log) {
      if (!isContiguous(prev, e.zxid)) {
        throw new ZabError(
          "RUNTIME_CONTRACT",
          `restored log has a hole: ${formatZxid(e.zxid)} after ${formatZxid(prev)}`,
        );
      }
      prev = e.zxid;
    }
    this.lastCommitted = persisted.snapshotZxid;
    this.durableZxid = this.lastZxid();
    this.connCounter = persisted.connBase;
    // A crash between logging a synced history and writing currentEpoch leaves txns of an epoch
    // we fully followed: that history is a prefix of that leader's, so adopting its epoch is the
    // state we would have had a moment later (ZooKeeper refuses to start instead).
    const loggedEpoch = epochOf(this.lastZxid());
    this.currentEpoch = Math.max(persisted.currentEpoch, loggedEpoch);
    this.acceptedEpoch = Math.max(persisted.acceptedEpoch, this.currentEpoch);
    if (this.currentEpoch !== persisted.currentEpoch || this.acceptedEpoch !== persisted.acceptedEpoch) {
      this.emitEpochs();
    }
    this.proposal = this.initialVote();
    this.currentVote = this.proposal;
    this.startLooking();
  }

  // ---------------------------------------------------------------- public API

  step(input: ZabInput): void {
    switch (input.type) {
      case "message":
        this.onMessage(input.from, input.msg);
        return;
      case "tick":
        this.onTick();
        return;
      case "propose":
        this.onPropose(input.payloads);
        return;
      case "persisted":
        this.onPersisted(input.zxid);
        return;
      case "snapshotLoaded":
        this.onSnapshotLoaded(input.zxid);
        return;
      case "forward":
        this.sendToLeader({ type: "REQUEST", payload: input.payload });
        return;
      case "touchSessions": {
        const l = this.requireServingLearner();
        for (const t of input.touches) l.touches.set(t.sessionId, t.timeoutMs);
        return;
      }
      case "revalidate":
        this.sendToLeader({
          type: "REVALIDATE",
          sessionId: input.sessionId,
          timeoutMs: input.timeoutMs,
          valid: false,
        });
        return;
      case "revalidateReply":
        this.onRevalidateReply(input.to, input.sessionId, input.valid);
        return;
      case "sync":
        this.onLocalSync(input.requestId);
        return;
      case "peerDown": {
        if (this.learner !== null && this.learner.leader === input.peer) {
          this.learnerLost(`lost the connection to leader ${input.peer}`);
        }
        // A leader forgets the learner now; the next tick counts the quorum without it.
        const s = this.leader?.learners.get(input.peer);
        if (s !== undefined) this.dropLearner(s);
        return;
      }
    }
  }

  takeEffects(): Effect[] {
    const out = this.effects;
    this.effects = [];
    return out;
  }

  status(): ZabStatus {
    const leaderEpoch = this.leader?.epoch ?? this.learner?.newEpoch ?? 0;
    return {
      myId: this.myId,
      role: this.role,
      leader: this.leaderId(),
      epoch: leaderEpoch,
      serving: this.isServing(),
      acceptedEpoch: this.acceptedEpoch,
      currentEpoch: this.currentEpoch,
      lastZxid: this.lastZxid(),
      lastCommitted: this.lastCommitted,
      durableZxid: this.durableZxid,
      round: this.round,
    };
  }

  /**
   * Leader only (null elsewhere): its learner connections, for monitoring (mntr's zk_learners,
   * zk_synced_followers, zk_synced_observers, zk_pending_syncs). Read-only; added for the runtime.
   */
  learnerSummary(): {
    learners: number;
    syncedFollowers: number;
    syncedObservers: number;
    pendingSyncs: number;
  } | null {
    const L = this.leader;
    if (L === null) return null;
    let syncedFollowers = 0;
    let syncedObservers = 0;
    for (const s of L.learners.values()) {
      if (s.phase !== "synced" && s.phase !== "uptodate") continue;
      if (s.observer) syncedObservers++;
      else syncedFollowers++;
    }
    return {
      learners: L.learners.size,
      syncedFollowers,
      syncedObservers,
      pendingSyncs: L.pendingSyncs.length + L.localSyncs.length,
    };
  }

  /** The in-memory log (entries after the snapshot / trim point). For tests and diagnostics. */
  logEntries(): readonly LogEntry[] {
    return this.log;
  }

  // ---------------------------------------------------------------- helpers

  private lastZxid(): number {
    const last = this.log[this.log.length - 1];
    return last === undefined ? this.logBaseZxid : last.zxid;
  }

  /** Index of the first entry with zxid > z. */
  private indexAfter(z: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.log[mid]!.zxid <= z) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private hasZxid(z: number): boolean {
    if (z === this.logBaseZxid) return true;
    const i = this.indexAfter(z) - 1;
    return i >= 0 && this.log[i]!.zxid === z;
  }

  private entriesBetween(afterZxid: number, uptoZxid: number): LogEntry[] {
    return this.log.slice(this.indexAfter(afterZxid), this.indexAfter(uptoZxid));
  }

  private initialVote(): Vote {
    return { leader: this.myId, zxid: this.lastZxid(), peerEpoch: this.currentEpoch };
  }

  private leaderId(): number | null {
    if (this.role === "leading") return this.myId;
    return this.learner?.leader ?? null;
  }

  private isServing(): boolean {
    if (this.leader !== null) return this.leader.phase === "broadcast";
    return this.learner?.phase === "broadcast";
  }

  private send(to: number, msg: PeerMessage): void {
    this.effects.push({ kind: "send", to, msg });
  }

  private note(level: "info" | "warn", message: string): void {
    this.effects.push({ kind: "log", level, message });
  }

  private emitEpochs(): void {
    this.effects.push({
      kind: "persistEpochs",
      acceptedEpoch: this.acceptedEpoch,
      currentEpoch: this.currentEpoch,
    });
  }

  private emitRole(): void {
    this.effects.push({
      kind: "role",
      role: this.role,
      leader: this.leaderId(),
      epoch: this.leader?.epoch ?? this.learner?.newEpoch ?? 0,
      serving: this.isServing(),
    });
  }

  private invariant(cond: boolean, what: () => string): asserts cond {
    if (!cond) {
      const s = this.status();
      throw new ZabError(
        "INVARIANT",
        `server ${this.myId} (${s.role}, epoch ${s.epoch}, last ${formatZxid(s.lastZxid)}, ` +
          `committed ${formatZxid(s.lastCommitted)}): ${what()}`,
      );
    }
  }

  private appendLocal(entries: LogEntry[]): void {
    for (const e of entries) {
      this.invariant(
        isContiguous(this.lastZxid(), e.zxid),
        () => `append ${formatZxid(e.zxid)} leaves a hole`,
      );
      this.log.push(e);
    }
    if (entries.length > 0) this.effects.push({ kind: "append", entries });
  }

  /** Emit commits for every entry up to z we hold, in zxid order. */
  private commitUpTo(z: number): LogEntry[] {
    const upto = Math.min(z, this.lastZxid());
    if (upto <= this.lastCommitted) return [];
    const entries = this.entriesBetween(this.lastCommitted, upto);
    this.lastCommitted = upto;
    if (entries.length > 0) this.effects.push({ kind: "commit", entries });
    this.trimLog();
    return entries;
  }

  /** Keep at most ~maxLogEntries committed entries in memory; older followers get a SNAP. */
  private trimLog(): void {
    const max = this.config.maxLogEntries;
    const slack = Math.max(1, Math.ceil(max / 4));
    if (this.log.length <= max + slack) return;
    const committedCount = this.indexAfter(this.lastCommitted);
    const drop = Math.min(committedCount, this.log.length - max);
    if (drop <= 0) return;
    this.logBaseZxid = this.log[drop - 1]!.zxid;
    this.log.splice(0, drop);
  }

  // ---------------------------------------------------------------- election

  private startLooking(): void {
    this.leader = null;
    this.learner = null;
    this.role = "looking";
    this.round += 1;
    this.proposal = this.initialVote();
    this.recvVotes = new Map();
    this.outOfElection = new Map();
    this.finalizeAtTick = null;
    if (!this.isObserver) this.recvVotes.set(this.myId, this.proposal);
    this.emitRole();
    this.broadcastVote();
    this.checkElectionQuorum();
  }

  private broadcastVote(): void {
    this.lastVoteSendTick = this.nowTicks;
    for (const v of this.config.voters) {
      if (v === this.myId) continue;
      this.send(v, { type: "NOTIFICATION", state: "LOOKING", vote: this.proposal, round: this.round });
    }
  }

  private myState(): ServerState {
    switch (this.role) {
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

  private onNotification(from: number, n: Notification): void {
    const senderVotes = this.voterSet.has(from);
    if (this.role !== "looking") {
      if (n.state === "LOOKING") {
        this.send(from, {
          type: "NOTIFICATION",
          state: this.myState(),
          vote: this.currentVote,
          round: this.decidedRound,
        });
      }
      return;
    }
    if (!senderVotes) {
      if (!this.observerSet.has(from)) return;
      this.send(from, { type: "NOTIFICATION", state: "LOOKING", vote: this.proposal, round: this.round });
      return;
    }
    if (!this.voterSet.has(n.vote.leader)) return;
    if (n.state === "LOOKING") {
      if (this.isObserver) return;
      if (n.round > this.round) {
        this.round = n.round;
        this.recvVotes = new Map();
        const mine = this.initialVote();
        this.setProposal(compareVotes(n.vote, mine) > 0 ? n.vote : mine);
        this.broadcastVote();
      } else if (n.round < this.round) {
        this.send(from, { type: "NOTIFICATION", state: "LOOKING", vote: this.proposal, round: this.round });
        return;
      } else if (compareVotes(n.vote, this.proposal) > 0) {
        this.setProposal(n.vote);
        this.broadcastVote();
      }
      this.recvVotes.set(from, n.vote);
      this.checkElectionQuorum();
      return;
    }
    if (n.state === "OBSERVING") return;
    // An established ensemble answering: join it once a quorum names the same leader and epoch
    // and the leader itself says it leads (how a restarted server rejoins without a new round).
    this.outOfElection.set(from, { vote: n.vote, state: n.state });
    if (n.vote.leader === this.myId) return;
    let agreeing = 0;
    for (const [sid, v] of this.outOfElection) {
      if (
        this.voterSet.has(sid) &&
        v.vote.leader === n.vote.leader &&
        v.vote.peerEpoch === n.vote.peerEpoch
      ) {
        agreeing += 1;
      }
    }
    const fromLeader = this.outOfElection.get(n.vote.leader);
    if (
      agreeing >= this.quorum &&
      fromLeader !== undefined &&
      fromLeader.state === "LEADING" &&
      fromLeader.vote.peerEpoch === n.vote.peerEpoch
    ) {
      this.decide(n.vote, n.round);
    }
  }

  private setProposal(v: Vote): void {
    this.proposal = v;
    this.recvVotes.set(this.myId, v);
    this.finalizeAtTick = null;
  }

  private checkElectionQuorum(): void {
    if (this.isObserver || this.role !== "looking") return;
    let matching = 0;
    for (const [sid, v] of this.recvVotes) {
      if (this.voterSet.has(sid) && sameVote(v, this.proposal)) matching += 1;
    }
    if (matching < this.quorum) {
      this.finalizeAtTick = null;
      return;
    }
    if (this.finalizeAtTick === null) this.finalizeAtTick = this.nowTicks + this.config.finalizeWaitTicks;
    if (this.nowTicks >= this.finalizeAtTick) this.decide(this.proposal, this.round);
  }

  private decide(vote: Vote, round: number): void {
    this.currentVote = vote;
    this.decidedRound = round;
    this.finalizeAtTick = null;
    if (vote.leader === this.myId) this.becomeLeader();
    else this.becomeLearner(vote.leader);
  }

  // ---------------------------------------------------------------- leader

  private becomeLeader(): void {
    this.invariant(!this.isObserver, () => "an observer cannot lead");
    this.role = "leading";
    this.learner = null;
    this.leader = {
      phase: "discovery",
      phaseStartTick: this.nowTicks,
      epoch: 0,
      summaryEpoch: this.currentEpoch,
      summaryZxid: this.lastZxid(),
      infoEpochs: new Map([[this.myId, this.acceptedEpoch]]),
      epochAcks: new Set(),
      newLeaderAcks: new Set(),
      learners: new Map(),
      lastConn: new Map(),
      lastPingTick: this.nowTicks,
      pendingSyncs: [],
      localSyncs: [],
    };
    this.emitRole();
    this.maybeChooseEpoch();
  }

  private countVoters(sids: Iterable<number>): number {
    let n = 0;
    for (const s of sids) if (this.voterSet.has(s)) n += 1;
    return n;
  }

  private sendToLearner(s: LearnerSession, body: ChannelBody): void {
    s.sendSeq += 1;
    this.send(s.sid, { ...body, conn: s.conn, seq: s.sendSeq, term: this.leader!.epoch } as ChannelMessage);
  }

  private maybeChooseEpoch(): void {
    const L = this.leader!;
    if (L.phase !== "discovery" || this.countVoters(L.infoEpochs.keys()) < this.quorum) return;
    let maxAccepted = 0;
    for (const e of L.infoEpochs.values()) maxAccepted = Math.max(maxAccepted, e);
    const epoch = maxAccepted + 1;
    this.invariant(epoch < EPOCH_LIMIT, () => `epoch ${epoch} does not fit a zxid`);
    this.invariant(
      epoch > this.acceptedEpoch,
      () => `new epoch ${epoch} <= acceptedEpoch ${this.acceptedEpoch}`,
    );
    // Persist before any LEADERINFO leaves (ZOOKEEPER-1291): a restarted leader must not reuse it.
    this.acceptedEpoch = epoch;
    this.emitEpochs();
    L.epoch = epoch;
    L.phase = "epochAck";
    L.phaseStartTick = this.nowTicks;
    L.epochAcks.add(this.myId);
    this.emitRole();
    for (const s of L.learners.values()) {
      if (s.phase === "info") this.sendLeaderInfo(s);
    }
    this.maybeEpochQuorum();
  }

  private sendLeaderInfo(s: LearnerSession): void {
    this.sendToLearner(s, { type: "LEADERINFO", newEpoch: this.leader!.epoch });
    s.phase = "leaderInfoSent";
  }

  private maybeEpochQuorum(): void {
    const L = this.leader!;
    if (L.phase !== "epochAck" || this.countVoters(L.epochAcks) < this.quorum) return;
    this.currentEpoch = L.epoch;
    this.emitEpochs();
    L.phase = "newLeaderAck";
    L.phaseStartTick = this.nowTicks;
    for (const s of L.learners.values()) {
      if (s.phase === "epochAcked") this.syncLearner(s);
    }
    this.maybeSelfNewLeaderAck();
    this.maybeEstablish();
  }

  private maybeSelfNewLeaderAck(): void {
    const L = this.leader;
    if (L === null || L.phase !== "newLeaderAck" || L.newLeaderAcks.has(this.myId)) return;
    if (this.snapshotPending === null && this.durableZxid >= this.lastZxid()) L.newLeaderAcks.add(this.myId);
  }

  private maybeEstablish(): void {
    const L = this.leader;
    if (L === null || L.phase !== "newLeaderAck" || this.countVoters(L.newLeaderAcks) < this.quorum) return;
    L.phase = "broadcast";
    L.phaseStartTick = this.nowTicks;
    L.lastPingTick = this.nowTicks;
    this.currentVote = { leader: this.myId, zxid: this.currentVote.zxid, peerEpoch: L.epoch };
    // Our whole history is now on a quorum (they acked NEWLEADER), so all of it is committed.
    this.advanceCommit(this.lastZxid());
    for (const s of L.learners.values()) {
      if (s.phase === "synced") {
        this.sendToLearner(s, { type: "UPTODATE" });
        s.phase = "uptodate";
      }
    }
    this.emitRole();
    this.tryCommit();
  }

  private onFollowerInfo(from: number, msg: FollowerInfo | ObserverInfo): void {
    const L = this.leader!;
    const observer = msg.type === "OBSERVERINFO";
    if (observer ? !this.observerSet.has(from) : !this.voterSet.has(from)) return;
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
      lastHeardTick: this.nowTicks,
      peerLastZxid: 0,
      peerCommittedZxid: 0,
      peerEpochEnds: [],
      ackedZxid: -1,
      syncedToZxid: -1,
    };
    L.learners.set(from, s);
    if (L.phase === "discovery") {
      L.infoEpochs.set(from, msg.acceptedEpoch);
      this.maybeChooseEpoch();
    } else if (msg.acceptedEpoch > L.epoch) {
      // It promised a later epoch (to a leader attempt that failed) and will refuse ours for
      // ever; only a new election, whose epoch exceeds that promise, can bring it back.
      this.note(
        "warn",
        `server ${from} accepted epoch ${msg.acceptedEpoch} > ours (${L.epoch}): stepping down`,
      );
      this.startLooking();
    } else {
      this.sendLeaderInfo(s);
    }
  }

  private dropLearner(s: LearnerSession): void {
    const L = this.leader!;
    if (L.learners.get(s.sid) === s) L.learners.delete(s.sid);
  }

  private onLeaderChannel(from: number, msg: ChannelMessage): void {
    const L = this.leader!;
    if (msg.type === "FOLLOWERINFO" || msg.type === "OBSERVERINFO") {
      this.onFollowerInfo(from, msg);
      return;
    }
    const s = L.learners.get(from);
    if (s === undefined || msg.conn !== s.conn || msg.term !== L.epoch) return;
    const ready = takeInOrder(s, msg);
    if (ready === "overflow") {
      this.dropLearner(s);
      return;
    }
    for (const m of ready) {
      if (this.leader !== L || L.learners.get(from) !== s) return;
      s.lastHeardTick = this.nowTicks;
      this.dispatchLeader(s, m);
    }
  }

  private dispatchLeader(s: LearnerSession, msg: ChannelMessage): void {
    const L = this.leader!;
    const from = s.sid;
    switch (msg.type) {
      case "ACKEPOCH":
        this.onAckEpoch(s, msg);
        return;
      case "ACK":
        this.onAck(s, msg.zxid);
        return;
      case "PING":
        if (msg.touches.length > 0) this.effects.push({ kind: "sessionTouches", from, touches: msg.touches });
        return;
      case "REQUEST":
        this.effects.push({ kind: "request", from, payload: msg.payload });
        return;
      case "REVALIDATE":
        this.effects.push({ kind: "revalidate", from, sessionId: msg.sessionId, timeoutMs: msg.timeoutMs });
        return;
      case "SYNC":
        if (L.phase === "broadcast" && this.lastZxid() > this.lastCommitted) {
          L.pendingSyncs.push({ sid: from, conn: s.conn, requestId: msg.requestId, zxid: this.lastZxid() });
        } else {
          this.sendToLearner(s, { type: "SYNC", requestId: msg.requestId });
        }
        return;
      default:
        // A learner sent a leader-only message: its channel is not the one we think it is.
        this.dropLearner(s);
    }
  }

  private onAckEpoch(s: LearnerSession, msg: AckEpoch): void {
    const L = this.leader!;
    if (s.phase !== "leaderInfoSent") {
      this.dropLearner(s);
      return;
    }
    const ahead =
      msg.currentEpoch > L.summaryEpoch ||
      (msg.currentEpoch === L.summaryEpoch && msg.lastZxid > L.summaryZxid);
    // Only an ack that could still count matters: once a quorum of epoch acks is in, any txn a
    // late voter has beyond our history was never on a quorum, so it is simply truncated.
    if (ahead && !s.observer && L.phase === "epochAck") {
      this.note(
        "warn",
        `voter ${s.sid} is ahead of us (epoch ${msg.currentEpoch}, ${formatZxid(msg.lastZxid)})`,
      );
      // A voter has history we lack, possibly committed txns: we must not lead. Stepping down
      // lets its vote win the next round.
      this.startLooking();
      return;
    }
    s.peerLastZxid = msg.lastZxid;
    s.peerCommittedZxid = msg.committedZxid;
    s.peerEpochEnds = msg.epochEnds;
    s.phase = "epochAcked";
    if (!msg.alreadyAccepted) L.epochAcks.add(s.sid);
    if (L.phase === "epochAck") this.maybeEpochQuorum();
    else if (L.phase !== "discovery") this.syncLearner(s);
  }

  /**
   * Queue the catch-up stream for one learner and register it for live traffic in the same
   * step, so nothing proposed meanwhile can fall in between.
   */
  private syncLearner(s: LearnerSession): void {
    const L = this.leader!;
    const last = this.lastZxid();
    const base = this.logBaseZxid;
    const peerLast = s.peerLastZxid;
    let from: number;
    if (peerLast === last || this.hasZxid(peerLast)) {
      this.sendToLearner(s, { type: "DIFF", committedZxid: this.lastCommitted });
      from = peerLast;
    } else {
      const truncTo = this.commonPrefixEnd(s);
      if (truncTo !== null) {
        this.sendToLearner(s, { type: "TRUNC", truncZxid: truncTo, committedZxid: this.lastCommitted });
        from = truncTo;
      } else {
        this.invariant(this.lastCommitted >= base, () => "applied state is older than the log base");
        s.sendSeq += 1;
        this.effects.push({
          kind: "sendSnapshot",
          to: s.sid,
          msg: {
            type: "SNAP",
            snapshotZxid: this.lastCommitted,
            conn: s.conn,
            seq: s.sendSeq,
            term: L.epoch,
          },
        });
        from = this.lastCommitted;
      }
    }
    this.sendEntries(s, this.entriesBetween(from, last), "PROPOSAL");
    this.sendToLearner(s, { type: "NEWLEADER", epoch: L.epoch });
    s.syncedToZxid = last;
    s.phase = "syncSent";
  }

  /**
   * The last zxid both histories certainly share, or null when only a SNAP can help. Every txn of
   * epoch e came from e's single leader, and a log holding any txn of e equals that leader's log
   * up to its last txn of e; so for the newest epoch both logs hold, the smaller of the two
   * last-of-epoch zxids is an exact common prefix. Truncating there drops only txns we lack,
   * which are uncommitted, so a committed txn never leaves a learner's disk even briefly.
   */
  private commonPrefixEnd(s: LearnerSession): number | null {
    const base = this.logBaseZxid;
    for (const peerEnd of s.peerEpochEnds) {
      if (peerEnd <= base) break;
      const epoch = epochOf(peerEnd);
      const i = this.indexAfter(makeZxid(epoch + 1, 0) - 1) - 1;
      const mine = this.log[i];
      if (mine !== undefined && epochOf(mine.zxid) === epoch) return Math.min(peerEnd, mine.zxid);
    }
    const committed = s.peerCommittedZxid;
    // Committed prefixes agree everywhere, so the learner's applied point is common too.
    if (committed >= base && committed <= s.peerLastZxid && this.hasZxid(committed)) return committed;
    return null;
  }

  private sendEntries(s: LearnerSession, entries: LogEntry[], type: "PROPOSAL" | "INFORM"): void {
    const max = this.config.maxBatchEntries;
    for (let i = 0; i < entries.length; i += max) {
      this.sendToLearner(s, { type, entries: entries.slice(i, i + max) });
    }
  }

  private onAck(s: LearnerSession, zxid: number): void {
    const L = this.leader!;
    if (zxid === makeZxid(L.epoch, 0)) {
      if (s.phase !== "syncSent") {
        this.dropLearner(s);
        return;
      }
      s.phase = "synced";
      s.ackedZxid = Math.max(s.ackedZxid, s.syncedToZxid);
      L.newLeaderAcks.add(s.sid);
      if (L.phase === "newLeaderAck") {
        this.maybeEstablish();
      } else if (L.phase === "broadcast") {
        this.sendToLearner(s, { type: "UPTODATE" });
        s.phase = "uptodate";
        this.tryCommit();
      }
      return;
    }
    if (s.phase !== "synced" && s.phase !== "uptodate") {
      this.dropLearner(s);
      return;
    }
    if (s.observer) return;
    s.ackedZxid = Math.max(s.ackedZxid, zxid);
    this.tryCommit();
  }

  /** Commit the longest prefix that a quorum of voters (us included) has durably logged. */
  private tryCommit(): void {
    const L = this.leader;
    if (L === null || L.phase !== "broadcast") return;
    const acked: number[] = [this.durableZxid];
    for (const s of L.learners.values()) {
      if (!s.observer && (s.phase === "synced" || s.phase === "uptodate")) acked.push(s.ackedZxid);
    }
    if (acked.length < this.quorum) return;
    acked.sort((a, b) => b - a);
    const quorumZxid = Math.min(acked[this.quorum - 1]!, this.lastZxid());
    if (quorumZxid > this.lastCommitted) this.advanceCommit(quorumZxid);
  }

  private advanceCommit(z: number): void {
    const L = this.leader!;
    const entries = this.commitUpTo(z);
    if (entries.length === 0) return;
    for (const s of L.learners.values()) {
      if (!FORWARDING.has(s.phase)) continue;
      if (s.observer) this.sendEntries(s, entries, "INFORM");
      else this.sendToLearner(s, { type: "COMMIT", zxid: this.lastCommitted });
    }
    if (L.pendingSyncs.length > 0) {
      const still: typeof L.pendingSyncs = [];
      for (const p of L.pendingSyncs) {
        if (p.zxid > this.lastCommitted) {
          still.push(p);
          continue;
        }
        const s = L.learners.get(p.sid);
        if (s !== undefined && s.conn === p.conn)
          this.sendToLearner(s, { type: "SYNC", requestId: p.requestId });
      }
      L.pendingSyncs = still;
    }
    if (L.localSyncs.length > 0) {
      const still: typeof L.localSyncs = [];
      for (const p of L.localSyncs) {
        if (p.zxid > this.lastCommitted) still.push(p);
        else this.effects.push({ kind: "syncDone", requestId: p.requestId });
      }
      L.localSyncs = still;
    }
  }

  private onPropose(payloads: Uint8Array[]): void {
    const L = this.leader;
    if (L === null || L.phase !== "broadcast") {
      throw new ZabError("NOT_SERVING", `server ${this.myId} is not an established leader`);
    }
    if (payloads.length === 0) return;
    const last = this.lastZxid();
    let counter = epochOf(last) === L.epoch ? counterOf(last) : 0;
    if (counter + payloads.length >= COUNTER_EXHAUSTED) {
      // The next zxid would run into the epoch bits: hand over to a new epoch (ZOOKEEPER-1277).
      this.startLooking();
      throw new ZabError("NOT_SERVING", `zxid counter exhausted in epoch ${L.epoch}`);
    }
    const entries: LogEntry[] = payloads.map((payload) => {
      counter += 1;
      return { zxid: makeZxid(L.epoch, counter), payload };
    });
    this.appendLocal(entries);
    for (const s of L.learners.values()) {
      if (!s.observer && FORWARDING.has(s.phase)) this.sendEntries(s, entries, "PROPOSAL");
    }
  }

  private onRevalidateReply(to: number, sessionId: bigint, valid: boolean): void {
    const L = this.leader;
    if (L === null)
      throw new ZabError("NOT_LEADER", `server ${this.myId} answers REVALIDATE but does not lead`);
    const s = L.learners.get(to);
    if (s === undefined || !FORWARDING.has(s.phase)) return;
    this.sendToLearner(s, { type: "REVALIDATE", sessionId, timeoutMs: 0, valid });
  }

  private onLocalSync(requestId: number): void {
    const L = this.leader;
    if (L !== null) {
      if (L.phase !== "broadcast")
        throw new ZabError("NOT_SERVING", `leader ${this.myId} is not established`);
      if (this.lastZxid() > this.lastCommitted) L.localSyncs.push({ requestId, zxid: this.lastZxid() });
      else this.effects.push({ kind: "syncDone", requestId });
      return;
    }
    this.sendToLeader({ type: "SYNC", requestId });
  }

  private leaderTick(): void {
    const L = this.leader!;
    const initLimit = this.config.initLimitTicks;
    const syncLimit = this.config.syncLimitTicks;
    if (L.phase !== "broadcast" && this.nowTicks - L.phaseStartTick > initLimit) {
      this.note("warn", `no quorum in ${L.phase} within ${initLimit} ticks`);
      this.startLooking();
      return;
    }
    for (const s of [...L.learners.values()]) {
      const limit = L.phase === "broadcast" && s.phase === "uptodate" ? syncLimit : initLimit;
      if (this.nowTicks - s.lastHeardTick > limit) this.dropLearner(s);
    }
    if (L.phase === "broadcast") {
      let live = 1;
      for (const s of L.learners.values()) {
        if (!s.observer && (s.phase === "uptodate" || s.phase === "synced")) live += 1;
      }
      if (live < this.quorum) {
        this.note("warn", `lost quorum: ${live} of ${this.quorum} voters in sync`);
        this.startLooking();
        return;
      }
    }
    if (this.nowTicks - L.lastPingTick >= this.config.pingIntervalTicks) {
      L.lastPingTick = this.nowTicks;
      for (const s of L.learners.values()) {
        if (s.phase !== "info") this.sendToLearner(s, { type: "PING", touches: [] });
      }
    }
  }

  // ---------------------------------------------------------------- learner

  private becomeLearner(leaderSid: number): void {
    this.role = this.isObserver ? "observing" : "following";
    this.leader = null;
    this.connCounter += 1;
    this.learner = {
      leader: leaderSid,
      conn: this.connCounter,
      sendSeq: 0,
      recvSeq: 0,
      early: new Map(),
      phase: "discovery",
      lastHeardTick: this.nowTicks,
      newEpoch: 0,
      leaderCommit: this.lastCommitted,
      newLeaderTarget: 0,
      held: [],
      lastAckSent: -1,
      touches: new Map(),
    };
    this.emitRole();
    this.sendToLeader(
      this.isObserver
        ? { type: "OBSERVERINFO", acceptedEpoch: this.acceptedEpoch }
        : { type: "FOLLOWERINFO", acceptedEpoch: this.acceptedEpoch },
    );
  }

  private sendToLeader(body: ChannelBody): void {
    const l = this.learner;
    if (l === null) throw new ZabError("NOT_LEARNER", `server ${this.myId} is not following anyone`);
    if (body.type !== "FOLLOWERINFO" && body.type !== "OBSERVERINFO" && l.phase !== "broadcast") {
      if (body.type === "REQUEST" || body.type === "REVALIDATE" || body.type === "SYNC") {
        throw new ZabError("NOT_SERVING", `learner ${this.myId} is not serving yet`);
      }
    }
    l.sendSeq += 1;
    this.send(l.leader, { ...body, conn: l.conn, seq: l.sendSeq, term: l.newEpoch } as ChannelMessage);
  }

  private requireServingLearner(): LearnerState {
    const l = this.learner;
    if (l === null || l.phase !== "broadcast") {
      throw new ZabError("NOT_SERVING", `server ${this.myId} is not a serving learner`);
    }
    return l;
  }

  /** The channel to the leader broke or the leader misbehaved: start over with an election. */
  private learnerLost(reason: string): void {
    this.note("warn", `leaving leader ${this.learner?.leader}: ${reason}`);
    this.startLooking();
  }

  private onLearnerChannel(from: number, msg: ChannelMessage): void {
    const l = this.learner!;
    if (from !== l.leader || msg.conn !== l.conn) return;
    if (l.newEpoch !== 0 && msg.term !== l.newEpoch) return;
    if (l.newEpoch === 0 && msg.seq === 1 && msg.type === "LEADERINFO") {
      // A leader that failed and was re-elected may have answered this same connection in an
      // earlier term: frames of that term waiting behind the gap must not pass for this one's.
      for (const [seq, early] of l.early) if (early.term !== msg.term) l.early.delete(seq);
    }
    const ready = takeInOrder(l, msg);
    if (ready === "overflow") {
      this.learnerLost(`more than ${MAX_EARLY_FRAMES} frames wait behind a lost one`);
      return;
    }
    for (const m of ready) {
      if (this.learner !== l) return;
      l.lastHeardTick = this.nowTicks;
      this.dispatchLearner(m);
    }
  }

  private dispatchLearner(msg: ChannelMessage): void {
    const l = this.learner!;
    if (l.phase === "newLeaderPending") {
      const t = msg.type;
      if (t === "PROPOSAL" || t === "INFORM" || t === "COMMIT" || t === "UPTODATE" || t === "SYNC") {
        l.held.push(msg);
        return;
      }
    }
    switch (msg.type) {
      case "LEADERINFO": {
        if (l.phase !== "discovery" || msg.newEpoch < this.acceptedEpoch) {
          this.learnerLost(`LEADERINFO(${msg.newEpoch}) in ${l.phase}, acceptedEpoch ${this.acceptedEpoch}`);
          return;
        }
        const alreadyAccepted = msg.newEpoch === this.acceptedEpoch;
        if (!alreadyAccepted) {
          this.acceptedEpoch = msg.newEpoch;
          this.emitEpochs();
        }
        l.newEpoch = msg.newEpoch;
        l.phase = "sync";
        this.emitRole();
        this.sendToLeader({
          type: "ACKEPOCH",
          currentEpoch: this.currentEpoch,
          lastZxid: this.lastZxid(),
          committedZxid: this.lastCommitted,
          epochEnds: this.epochEnds(),
          alreadyAccepted,
        });
        return;
      }
      case "DIFF":
        if (l.phase !== "sync") {
          this.learnerLost(`unexpected ${msg.type} in ${l.phase}`);
          return;
        }
        l.leaderCommit = Math.max(l.leaderCommit, msg.committedZxid);
        l.phase = "syncEntries";
        this.applyLeaderCommits();
        return;
      case "TRUNC":
        if (l.phase !== "sync") {
          this.learnerLost(`unexpected ${msg.type} in ${l.phase}`);
          return;
        }
        this.truncateTo(msg.truncZxid);
        l.leaderCommit = Math.max(l.leaderCommit, msg.committedZxid);
        l.phase = "syncEntries";
        this.applyLeaderCommits();
        return;
      case "SNAP":
        if (l.phase !== "sync") {
          this.learnerLost(`unexpected ${msg.type} in ${l.phase}`);
          return;
        }
        this.log = [];
        this.logBaseZxid = msg.snapshotZxid;
        this.lastCommitted = msg.snapshotZxid;
        this.durableZxid = -1;
        this.snapshotPending = msg.snapshotZxid;
        l.leaderCommit = msg.snapshotZxid;
        this.effects.push({ kind: "installSnapshot", zxid: msg.snapshotZxid, snapshot: msg.snapshot });
        l.phase = "syncEntries";
        return;
      case "PROPOSAL":
        if (l.phase !== "syncEntries" && !(l.phase === "synced" || l.phase === "broadcast")) {
          this.learnerLost(`unexpected ${msg.type} in ${l.phase}`);
          return;
        }
        if (this.isObserver && l.phase !== "syncEntries") {
          this.learnerLost(`unexpected ${msg.type} in ${l.phase}`);
          return;
        }
        if (!this.acceptEntries(msg.entries)) return;
        this.applyLeaderCommits();
        return;
      case "INFORM": {
        if (!this.isObserver || (l.phase !== "synced" && l.phase !== "broadcast")) {
          this.learnerLost(`unexpected ${msg.type} in ${l.phase}`);
          return;
        }
        const fresh = msg.entries.filter((e) => e.zxid > this.lastZxid());
        for (const e of msg.entries) {
          if (e.zxid <= this.lastZxid() && !this.hasZxid(e.zxid) && e.zxid > this.logBaseZxid) {
            this.learnerLost(`unexpected ${msg.type} in ${l.phase}`);
            return;
          }
        }
        if (!this.acceptEntries(fresh)) return;
        const lastInformed = msg.entries[msg.entries.length - 1];
        if (lastInformed !== undefined) l.leaderCommit = Math.max(l.leaderCommit, lastInformed.zxid);
        this.applyLeaderCommits();
        return;
      }
      case "NEWLEADER":
        if (l.phase !== "syncEntries" || msg.epoch !== l.newEpoch) {
          this.learnerLost(`unexpected ${msg.type} in ${l.phase}`);
          return;
        }
        l.newLeaderTarget = this.lastZxid();
        l.phase = "newLeaderPending";
        this.maybeFinishNewLeader();
        return;
      case "COMMIT":
        if (this.isObserver || msg.zxid > this.lastZxid()) {
          this.learnerLost(`unexpected ${msg.type} in ${l.phase}`);
          return;
        }
        l.leaderCommit = Math.max(l.leaderCommit, msg.zxid);
        this.applyLeaderCommits();
        return;
      case "UPTODATE":
        if (l.phase !== "synced") {
          this.learnerLost(`unexpected ${msg.type} in ${l.phase}`);
          return;
        }
        l.phase = "broadcast";
        this.currentVote = { leader: l.leader, zxid: this.currentVote.zxid, peerEpoch: l.newEpoch };
        this.emitRole();
        return;
      case "PING": {
        const touches = [...l.touches].map(([sessionId, timeoutMs]) => ({ sessionId, timeoutMs }));
        l.touches.clear();
        l.sendSeq += 1;
        this.send(l.leader, { type: "PING", touches, conn: l.conn, seq: l.sendSeq, term: l.newEpoch });
        return;
      }
      case "REVALIDATE":
        this.effects.push({ kind: "revalidated", sessionId: msg.sessionId, valid: msg.valid });
        return;
      case "SYNC":
        this.effects.push({ kind: "syncDone", requestId: msg.requestId });
        return;
      default:
        this.learnerLost(`unexpected ${msg.type} in ${l.phase}`);
    }
  }

  private epochEnds(): number[] {
    const ends: number[] = [];
    let i = this.log.length - 1;
    while (i >= 0 && ends.length < MAX_EPOCH_ENDS) {
      const z = this.log[i]!.zxid;
      ends.push(z);
      // Jump to the last entry of the previous epoch.
      i = this.indexAfter(makeZxid(epochOf(z), 0)) - 1;
    }
    return ends;
  }

  /** Append entries that must continue our log exactly; a hole means we lost sync. */
  private acceptEntries(entries: LogEntry[]): boolean {
    let prev = this.lastZxid();
    for (const e of entries) {
      if (!isContiguous(prev, e.zxid)) {
        this.learnerLost(`hole: ${formatZxid(e.zxid)} after ${formatZxid(prev)}`);
        return false;
      }
      prev = e.zxid;
    }
    this.appendLocal(entries);
    return true;
  }

  private truncateTo(z: number): void {
    this.invariant(
      z >= this.lastCommitted,
      () =>
        `TRUNC to ${formatZxid(z)} would drop committed txns (committed ${formatZxid(this.lastCommitted)})`,
    );
    this.invariant(this.hasZxid(z), () => `TRUNC to ${formatZxid(z)}, which is not in our log`);
    this.log.length = this.indexAfter(z);
    this.durableZxid = Math.min(this.durableZxid, z);
    this.effects.push({ kind: "truncate", toZxid: z });
  }

  private applyLeaderCommits(): void {
    const l = this.learner!;
    this.commitUpTo(l.leaderCommit);
  }

  private maybeFinishNewLeader(): void {
    const l = this.learner;
    if (l === null || l.phase !== "newLeaderPending") return;
    if (this.snapshotPending !== null || this.durableZxid < l.newLeaderTarget) return;
    // History durable first, then currentEpoch, then the ACK (ZOOKEEPER-3911 / -4643).
    this.currentEpoch = l.newEpoch;
    this.emitEpochs();
    l.phase = "synced";
    l.lastAckSent = l.newLeaderTarget;
    this.sendToLeader({ type: "ACK", zxid: makeZxid(l.newEpoch, 0) });
    const held = l.held;
    l.held = [];
    for (const m of held) {
      if (this.learner !== l) return;
      this.dispatchLearner(m);
    }
    this.maybeSendAck();
  }

  private maybeSendAck(): void {
    const l = this.learner;
    if (l === null || this.isObserver) return;
    if (l.phase !== "synced" && l.phase !== "broadcast") return;
    if (this.durableZxid > l.lastAckSent) {
      l.lastAckSent = this.durableZxid;
      this.sendToLeader({ type: "ACK", zxid: this.durableZxid });
    }
  }

  private learnerTick(): void {
    const l = this.learner!;
    if (l.phase === "discovery" && this.nowTicks % this.config.electionResendTicks === 0) {
      // The leader may have decided after our first FOLLOWERINFO reached it (it ignores learners
      // while LOOKING): repeat it on the same connection; a duplicate is harmless.
      this.send(l.leader, {
        ...(this.isObserver
          ? { type: "OBSERVERINFO" as const, acceptedEpoch: this.acceptedEpoch }
          : { type: "FOLLOWERINFO" as const, acceptedEpoch: this.acceptedEpoch }),
        conn: l.conn,
        seq: 1,
        term: 0,
      });
    }
    const limit = l.phase === "broadcast" ? this.config.syncLimitTicks : this.config.initLimitTicks;
    if (this.nowTicks - l.lastHeardTick > limit) this.learnerLost(`silent for ${limit} ticks in ${l.phase}`);
  }

  // ---------------------------------------------------------------- shared inputs

  private onMessage(from: number, msg: PeerMessage): void {
    if (from === this.myId) return;
    if (msg.type === "NOTIFICATION") {
      this.onNotification(from, msg);
      return;
    }
    if (this.leader !== null) this.onLeaderChannel(from, msg);
    else if (this.learner !== null) this.onLearnerChannel(from, msg);
  }

  private onTick(): void {
    this.nowTicks += 1;
    if (this.role === "looking") {
      if (this.finalizeAtTick !== null) this.checkElectionQuorum();
      if (
        this.role === "looking" &&
        this.nowTicks - this.lastVoteSendTick >= this.config.electionResendTicks
      ) {
        this.broadcastVote();
      }
    } else if (this.leader !== null) {
      this.leaderTick();
    } else if (this.learner !== null) {
      this.learnerTick();
    }
  }

  private onPersisted(zxid: number): void {
    if (this.snapshotPending !== null) {
      throw new ZabError("RUNTIME_CONTRACT", `persisted(${formatZxid(zxid)}) before snapshotLoaded`);
    }
    const durable = Math.min(zxid, this.lastZxid());
    if (durable <= this.durableZxid) return;
    this.durableZxid = durable;
    if (this.leader !== null) {
      this.maybeSelfNewLeaderAck();
      this.maybeEstablish();
      this.tryCommit();
    } else if (this.learner !== null) {
      this.maybeFinishNewLeader();
      this.maybeSendAck();
    }
  }

  private onSnapshotLoaded(zxid: number): void {
    if (this.snapshotPending === null) {
      throw new ZabError(
        "RUNTIME_CONTRACT",
        `snapshotLoaded(${formatZxid(zxid)}) but no snapshot is pending`,
      );
    }
    // A newer SNAP superseded this one before it finished loading: wait for that one.
    if (this.snapshotPending !== zxid) return;
    this.snapshotPending = null;
    this.durableZxid = zxid;
    if (this.learner !== null) this.maybeFinishNewLeader();
  }
}
