// The replicated state one server holds, and what goes with it locally: the StateMachine (data
// tree + session table, replaced wholesale when a snapshot is loaded, so every stage reaches it
// through here rather than keeping its own reference), the expiry tracker of those sessions,
// the generator of this server's session ids, and the sessions that live on this server only
// (local sessions: read-only clients', and all new ones with localSessionsEnabled).

import { dynamicConfigText, type ServerConfig } from "../config/index.js";
import type { StateMachineOptions } from "../request/contract.js";
import { StateMachine } from "../request/index.js";
import { LocalSessions } from "../session/local-sessions.js";
import { SessionIdGenerator, STANDALONE_SESSION_SERVER_ID } from "../session/session-id.js";
import { SessionTracker } from "../session/session-tracker.js";

export class ReplicaState {
  private machine: StateMachine;
  readonly sessions: SessionTracker;
  readonly sessionIds: SessionIdGenerator;
  readonly localSessions: LocalSessions;

  constructor(
    private smOptions: StateMachineOptions,
    tickTimeMs: number,
    /** The server id in the top byte of the session ids this server hands out. */
    sessionServerId: number,
  ) {
    this.machine = new StateMachine(smOptions);
    this.sessions = new SessionTracker(tickTimeMs);
    this.sessionIds = new SessionIdGenerator(sessionServerId, Date.now());
    this.localSessions = new LocalSessions(tickTimeMs);
  }

  /**
   * What a server's configuration makes of its state: the state machine's options, with
   * /zookeeper/config holding the ensemble's members in quorum mode (empty standalone, as in
   * ZooKeeper), and the server id its session ids carry.
   */
  static fromConfig(config: ServerConfig): ReplicaState {
    const smOptions: StateMachineOptions = {
      extendedTypesEnabled: config.extendedTypesEnabled,
      skipAcl: config.skipAcl,
      letAnySaslUserDoX: config.letAnySaslUserDoX,
      superDigest: config.superDigest,
      authSchemes: config.authSchemes,
      enforceQuota: config.enforceQuota,
      ...(config.standalone
        ? {}
        : { configData: Buffer.from(dynamicConfigText(config.servers.values(), config.configVersion)) }),
    };
    const sessionServerId = config.standalone ? STANDALONE_SESSION_SERVER_ID : (config.myid ?? 1);
    return new ReplicaState(smOptions, config.tickTimeMs, sessionServerId);
  }

  /**
   * A reconfig made a new config active: /zookeeper/config shows it, now and after any later
   * snapshot load (which, as in ZooKeeper, rewrites that node from the server's own config).
   */
  setConfigData(data: Buffer): void {
    this.smOptions = { ...this.smOptions, configData: data };
    this.machine.setConfigData(data);
  }

  get sm(): StateMachine {
    return this.machine;
  }

  get lastZxid(): number {
    return this.machine.lastZxid;
  }

  /**
   * Replaces the whole state with a snapshot's, for chunks read from a file as they come
   * (recovery); the state changes only on success.
   */
  async loadSnapshotStream(chunks: AsyncIterable<Buffer>): Promise<void> {
    this.machine = await StateMachine.fromSnapshotStream(this.smOptions, chunks);
  }

  /**
   * Replaces the state with a SNAP's from the leader, a few chunks per turn of the event loop: a
   * learner loading a large SNAP keeps answering its peers' pings (a loop blocked for seconds
   * loses its links).
   * The state is replaced only at the end; until then everything reads the previous one.
   */
  async loadSnapshotInTurns(chunks: Iterable<Buffer>, turnBudgetMs = 10): Promise<void> {
    const steps = StateMachine.fromSnapshotInSteps(this.smOptions, chunks);
    let turnStartMs = performance.now();
    for (;;) {
      const step = steps.next();
      if (step.done === true) {
        this.machine = step.value;
        return;
      }
      if (performance.now() - turnStartMs >= turnBudgetMs) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        turnStartMs = performance.now();
      }
    }
  }

  /**
   * Gives every session of the state a full timeout from now: after a restart, a SNAP, or when
   * a new leader takes over and cannot know how recently learners saw each session.
   */
  trackAllSessions(nowMs: number): void {
    for (const id of this.machine.sessionIds()) {
      const info = this.machine.session(id);
      if (info !== undefined) this.sessions.add(id, info.timeoutMs, nowMs);
    }
  }

  /** A session that may send requests: known to the state and not being closed. */
  isLive(sessionId: bigint): boolean {
    return this.machine.hasSession(sessionId) && !this.sessions.isClosing(sessionId);
  }
}
