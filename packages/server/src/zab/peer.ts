// One ensemble member's ZAB + Fast-Leader-Election logic as a pure state machine: `step(input)`
// mutates state and queues effects, `takeEffects()` hands them to the runtime, which carries
// them out in order (see the obligations on `Effect`). No sockets, files, clocks or randomness.
//
// This is the single entry: it dispatches each input to the role the server is in (looking.ts,
// leader.ts and learner-sync.ts, learner.ts), provides the transitions between roles, and checks
// after every step the invariants that must hold whatever the role.

import { PeerCore, type RoleTransitions } from "./core.js";
import {
  becomeLeader,
  dropLearner,
  leaderTick,
  maybeEstablish,
  maybeSelfNewLeaderAck,
  onLeaderChannel,
  onLeaderLocalSync,
  onPropose,
  onReconfig,
  onRevalidateReply,
  reconfigRefusal,
  tryCommit,
} from "./leader.js";
import {
  becomeLearner,
  learnerLost,
  learnerTick,
  maybeFinishNewLeader,
  maybeSendAck,
  onLeaderSignal,
  onLearnerChannel,
  requireServingLearner,
  sendToLeader,
} from "./learner.js";
import { onLogRead } from "./learner-sync.js";
import { ReplicatedLog } from "./log.js";
import { answerWhileRemoved, lookingTick, onNotification, refuseLearner, startLooking } from "./looking.js";
import { Membership } from "./membership.js";
import type { LogEntry, PeerMessage } from "./messages.js";
import type { Effect, PersistedState, ZabConfig, ZabInput, ZabStatus } from "./types.js";
import { ZabError } from "./types.js";
import { epochOf, formatZxid } from "./zxid.js";

export class ZabPeer {
  readonly myId: number;
  private readonly core: PeerCore;
  /** What only grows, as of the last step, to check each step against. */
  private watermark: {
    acceptedEpoch: number;
    currentEpoch: number;
    committed: number;
    configVersion: number;
  };

  constructor(config: ZabConfig, persisted: PersistedState) {
    this.myId = config.myId;
    // myId may be in no config: a server about to be added syncs as a non-voting follower.
    const members = new Membership(
      persisted.config ?? { version: 0, voters: [...config.voters], observers: [...config.observers] },
    );
    const log = new ReplicatedLog(persisted.snapshotZxid, persisted.log);
    // A crash between logging a synced history and writing currentEpoch leaves txns of an epoch
    // we fully followed: that history is a prefix of that leader's, so adopting its epoch is the
    // state we would have had a moment later (ZooKeeper refuses to start instead).
    const loggedEpoch = epochOf(log.lastZxid());
    const currentEpoch = Math.max(persisted.currentEpoch, loggedEpoch);
    const acceptedEpoch = Math.max(persisted.acceptedEpoch, currentEpoch);
    const core = new PeerCore(config, members, log, { acceptedEpoch, currentEpoch }, persisted.connBase);
    this.core = core;
    // Reconfig entries past the active config's version are not known to be committed: pending.
    core.refreshPending();
    if (currentEpoch !== persisted.currentEpoch || acceptedEpoch !== persisted.acceptedEpoch)
      core.emitEpochs();
    const vote = core.initialVote();
    core.election = {
      round: 0,
      proposal: vote,
      currentVote: vote,
      decidedRound: 0,
      recvVotes: new Map(),
      outOfElection: new Map(),
      peerPending: null,
      canLead: new Map(),
      finalizeAtTick: null,
      lastVoteSendTick: 0,
    };
    const transitions: RoleTransitions = {
      startLooking: () => startLooking(core),
      becomeLeader: () => becomeLeader(core),
      becomeLearner: (leader) => becomeLearner(core, leader),
    };
    core.transitions = transitions;
    this.watermark = {
      acceptedEpoch,
      currentEpoch,
      committed: log.lastCommitted,
      configVersion: members.active.version,
    };
    startLooking(core);
    this.checkInvariants();
  }

  // ---------------------------------------------------------------- public API

  step(input: ZabInput): void {
    try {
      this.dispatch(input);
    } finally {
      // Also after a refusal (NOT_SERVING...): whatever the step changed before it threw.
      this.checkInvariants();
    }
  }

  takeEffects(): Effect[] {
    const out = this.core.effects;
    this.core.effects = [];
    return out;
  }

  status(): ZabStatus {
    return this.core.status();
  }

  /** status().role and status().serving without building the whole status (asked per write). */
  roleNow(): { role: ZabStatus["role"]; serving: boolean } {
    return { role: this.core.role, serving: this.core.isServing() };
  }

  /**
   * Leader only (null elsewhere): each learner's sync phase and the highest zxid it acknowledged,
   * for the admin commands (observers) and the console (each learner's lag).
   */
  learnerDetails(): Array<{ sid: number; observer: boolean; phase: string; ackedZxid: number }> | null {
    const L = this.core.leader;
    if (L === null) return null;
    return [...L.learners.values()].map((s) => ({
      sid: s.sid,
      observer: s.observer,
      phase: s.phase,
      ackedZxid: s.ackedZxid,
    }));
  }

  /**
   * Leader only (null elsewhere): its learner connections, for monitoring (mntr's zk_learners,
   * zk_synced_followers, zk_synced_observers, zk_pending_syncs).
   */
  learnerSummary(): {
    learners: number;
    syncedFollowers: number;
    syncedObservers: number;
    pendingSyncs: number;
  } | null {
    const L = this.core.leader;
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

  /**
   * Why a reconfig to these members would be refused now, without proposing anything (the
   * leader's answer to a reconfig that fails its ACL check, which ZooKeeper makes last).
   */
  reconfigRefusal(voters: number[], observers: number[]): ZabError | null {
    if (this.core.removed) {
      return new ZabError("NOT_SERVING", `server ${this.core.myId} was removed from the ensemble`);
    }
    return reconfigRefusal(this.core, voters, observers);
  }

  /** The in-memory log (entries after the snapshot / trim point). For tests and diagnostics. */
  logEntries(): readonly LogEntry[] {
    return this.core.log.entries;
  }

  // ---------------------------------------------------------------- dispatch

  private dispatch(input: ZabInput): void {
    const core = this.core;
    if (core.removed) {
      this.dispatchRemoved(input);
      return;
    }
    switch (input.type) {
      case "message":
        this.onMessage(input.from, input.msg);
        return;
      case "tick":
        this.onTick();
        return;
      case "propose":
        onPropose(core, input.payloads);
        return;
      case "reconfig":
        onReconfig(core, input.payload, input.voters, input.observers, input.members);
        return;
      case "persisted":
        this.onPersisted(input.zxid);
        return;
      case "snapshotLoaded":
        this.onSnapshotLoaded(input.zxid);
        return;
      case "logRead":
        onLogRead(core, input.peer, input.conn, input.entries);
        return;
      case "forward":
        sendToLeader(core, { type: "REQUEST", payload: input.payload });
        return;
      case "touchSessions": {
        const l = requireServingLearner(core);
        for (const t of input.touches) l.touches.set(t.sessionId, t.timeoutMs);
        return;
      }
      case "revalidate":
        sendToLeader(core, {
          type: "REVALIDATE",
          sessionId: input.sessionId,
          timeoutMs: input.timeoutMs,
          valid: false,
        });
        return;
      case "revalidateReply":
        onRevalidateReply(core, input.to, input.sessionId, input.valid);
        return;
      case "sync":
        if (core.leader !== null) onLeaderLocalSync(core, input.requestId);
        else sendToLeader(core, { type: "SYNC", requestId: input.requestId });
        return;
      case "peerDown": {
        if (core.learner !== null && core.learner.leader === input.peer) {
          learnerLost(core, `lost the connection to leader ${input.peer}`);
        }
        // A leader forgets the learner now; the next tick counts the quorum without it.
        const s = core.leader?.learners.get(input.peer);
        if (s !== undefined) dropLearner(core, s);
        return;
      }
      case "peerUnreachable":
        onLeaderSignal(core, input.peer, null);
        return;
      case "peerLinked":
        // The connection ids seen from that server guard against FOLLOWERINFOs of older
        // connections arriving late; none can arrive over a new link, so they are forgotten.
        // Kept, one forged FOLLOWERINFO with a huge id (a stranger speaking as this member
        // without quorum auth) locked the real member out until the next election: the long
        // peer fuzz run found exactly that.
        core.leader?.lastConn.delete(input.peer);
        return;
    }
  }

  /** Removed by a reconfig: nothing but passing on the config that removed us. */
  private dispatchRemoved(input: ZabInput): void {
    const core = this.core;
    switch (input.type) {
      case "message":
        if (input.msg.type === "NOTIFICATION" && input.from !== core.myId)
          answerWhileRemoved(core, input.from, input.msg);
        return;
      case "propose":
      case "reconfig":
      case "forward":
      case "touchSessions":
      case "revalidate":
      case "sync":
        throw new ZabError("NOT_SERVING", `server ${core.myId} was removed from the ensemble`);
      default:
        return;
    }
  }

  private onMessage(from: number, msg: PeerMessage): void {
    const core = this.core;
    if (from === core.myId) return;
    if (msg.type === "NOTIFICATION") {
      onLeaderSignal(core, from, msg.state);
      onNotification(core, from, msg);
      return;
    }
    if (core.leader !== null) {
      onLeaderChannel(core, from, msg);
      return;
    }
    if (msg.type === "FOLLOWERINFO" || msg.type === "OBSERVERINFO") refuseLearner(core, from);
    else if (core.learner !== null) onLearnerChannel(core, from, msg);
  }

  private onTick(): void {
    const core = this.core;
    core.nowTicks += 1;
    if (core.role === "looking") lookingTick(core);
    else if (core.leader !== null) leaderTick(core);
    else if (core.learner !== null) learnerTick(core);
  }

  private onPersisted(zxid: number): void {
    const core = this.core;
    const log = core.log;
    if (log.snapshotPending !== null) {
      throw new ZabError("RUNTIME_CONTRACT", `persisted(${formatZxid(zxid)}) before snapshotLoaded`);
    }
    const durable = Math.min(zxid, core.lastZxid());
    if (durable <= log.durableZxid) return;
    log.durableZxid = durable;
    if (core.leader !== null) {
      maybeSelfNewLeaderAck(core);
      maybeEstablish(core);
      tryCommit(core);
    } else if (core.learner !== null) {
      maybeFinishNewLeader(core);
      maybeSendAck(core);
    }
  }

  private onSnapshotLoaded(zxid: number): void {
    const core = this.core;
    const log = core.log;
    if (log.snapshotPending === null) {
      throw new ZabError(
        "RUNTIME_CONTRACT",
        `snapshotLoaded(${formatZxid(zxid)}) but no snapshot is pending`,
      );
    }
    // A newer SNAP superseded this one before it finished loading: wait for that one.
    if (log.snapshotPending !== zxid) return;
    log.snapshotPending = null;
    log.durableZxid = zxid;
    if (core.learner !== null) maybeFinishNewLeader(core);
  }

  /**
   * What must hold after every step, whatever the role: epochs never decrease and accepted >=
   * current; the commit point never moves back (a SNAP replaces it by the leader's, which is
   * later) and never passes the log; the durable point never passes the log; a leader leads in
   * an epoch it accepted.
   */
  private checkInvariants(): void {
    const core: PeerCore = this.core;
    const log = core.log;
    const w = this.watermark;
    const last = core.lastZxid();
    core.invariant(core.acceptedEpoch >= core.currentEpoch, () => "acceptedEpoch < currentEpoch");
    core.invariant(
      core.acceptedEpoch >= w.acceptedEpoch && core.currentEpoch >= w.currentEpoch,
      () =>
        `epochs went back: accepted ${w.acceptedEpoch} -> ${core.acceptedEpoch}, current ${w.currentEpoch} -> ${core.currentEpoch}`,
    );
    core.invariant(
      log.lastCommitted >= w.committed,
      () => `commit went back from ${formatZxid(w.committed)} to ${formatZxid(log.lastCommitted)}`,
    );
    core.invariant(
      log.lastCommitted <= last,
      () => `committed ${formatZxid(log.lastCommitted)} past the log`,
    );
    core.invariant(log.durableZxid <= last, () => `durable ${formatZxid(log.durableZxid)} past the log`);
    core.invariant(log.baseZxid <= log.lastCommitted, () => "log base past the commit point");
    const members = core.members;
    core.invariant(
      members.active.version >= w.configVersion,
      () =>
        `active config version went back from ${formatZxid(w.configVersion)} to ${formatZxid(members.active.version)}`,
    );
    for (const p of members.pending) {
      core.invariant(
        p.version > members.active.version && p.version > log.lastCommitted,
        () => `pending config ${formatZxid(p.version)} is not past the active one and the commit point`,
      );
    }
    const L = core.leader;
    if (L !== null && L.epoch !== 0) {
      core.invariant(
        L.epoch === core.acceptedEpoch,
        () => `leading epoch ${L.epoch}, accepted ${core.acceptedEpoch}`,
      );
    }
    this.watermark = {
      acceptedEpoch: core.acceptedEpoch,
      currentEpoch: core.currentEpoch,
      committed: log.lastCommitted,
      configVersion: members.active.version,
    };
  }
}
