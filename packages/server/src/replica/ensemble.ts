// The parts a server has only as an ensemble member, around its ZAB runtime: the leader's
// committer (proposals to ZAB), the learner's forwarder, quorum syncs and session touches,
// read-only mode for when no quorum can be found, and,
// once the request stages exist, the runtime's callbacks bound to them. Wired in two steps
// because the stages and the runtime need each other: the stages call into ZAB, and ZAB's
// effects (commits, role changes, learners' requests) call into the stages.

import type { QuorumView } from "../admin/four-letter-source.js";
import type { ServerConfig } from "../config/index.js";
import type { Logger } from "../logger.js";
import { LearnerTouches } from "../maintenance/learner-touches.js";
import { LocalSessionExpiry } from "../maintenance/local-session-expiry.js";
import type { SessionExpiry } from "../maintenance/session-expiry.js";
import type { Snapshotter } from "../maintenance/snapshotter.js";
import type { ConnectionRegistry } from "../net/connection-registry.js";
import type { Applier } from "../pipeline/applier.js";
import { QuorumCommitter } from "../pipeline/commit-quorum.js";
import { ForwardedIntake } from "../pipeline/forwarded-intake.js";
import { Forwarder } from "../pipeline/forwarder.js";
import type { Handshake } from "../pipeline/handshake.js";
import type { Proposer } from "../pipeline/proposer.js";
import { QuorumSyncs } from "../pipeline/quorum-syncs.js";
import type { ReplyRouting } from "../pipeline/reply-routing.js";
import type { QuorumRuntime } from "../quorum/runtime.js";
import type { ReconfigContext } from "../request/reconfig-plan.js";
import { quorumHost } from "./quorum-host.js";
import { ReadOnlyMode } from "./read-only-mode.js";
import type { ReplicaState } from "./replica-state.js";
import { RoleTransitions } from "./role-transitions.js";
import type { ServingRole } from "./serving-role.js";

/** The stages ZAB's callbacks reach, built after the ensemble parts. */
export interface EnsembleStages {
  registry: ConnectionRegistry;
  handshake: Handshake;
  proposer: Proposer;
  applier: Applier;
  snapshotter: Snapshotter;
  expiry: SessionExpiry;
  maxBufferBytes: number;
  storageFailed: (err: unknown) => void;
}

/** The settings an ensemble's parts read (tickTime, readonlymode.enabled, localSessionsEnabled). */
export type EnsembleOptions = Pick<
  ServerConfig,
  | "tickTimeMs"
  | "readOnlyModeEnabled"
  | "localSessionsEnabled"
  | "reconfigEnabled"
  | "standaloneEnabled"
  | "servers"
  | "configVersion"
>;

export class Ensemble {
  readonly committer: QuorumCommitter;
  readonly forwarder: Forwarder;
  readonly syncs: QuorumSyncs;
  readonly touches: LearnerTouches;
  private transitions: RoleTransitions | undefined;
  private readOnly: ReadOnlyMode | undefined;
  private localExpiry: LocalSessionExpiry | undefined;

  constructor(
    readonly quorum: QuorumRuntime,
    private readonly state: ReplicaState,
    private readonly role: ServingRole,
    private readonly routing: ReplyRouting,
    private readonly log: Logger,
    private readonly options: EnsembleOptions,
  ) {
    this.committer = new QuorumCommitter(quorum, log, (reason) => this.transitions?.dropClients(reason));
    this.forwarder = new Forwarder(quorum, routing);
    this.syncs = new QuorumSyncs(quorum, state);
    this.touches = new LearnerTouches(quorum, role, options.tickTimeMs);
  }

  /**
   * What the leader's prepare stage needs to check a reconfig: the members as they are now (the
   * server config's list follows every activated config) and whether one is still uncommitted.
   */
  get reconfigContext(): ReconfigContext {
    const o = this.options;
    return {
      enabled: o.reconfigEnabled,
      standaloneEnabled: o.standaloneEnabled,
      members: () => ({
        current: { version: Number(o.configVersion ?? 0n), servers: o.servers },
        inProgress: this.quorum.status().pendingConfig !== null,
      }),
    };
  }

  /** Binds ZAB's callbacks to the request stages; before the runtime starts. */
  connect(s: EnsembleStages): void {
    const { state, role, routing, log } = this;
    this.localExpiry = new LocalSessionExpiry(state.localSessions, s.registry, this.options.tickTimeMs, log);
    this.readOnly = new ReadOnlyMode({
      enabled: this.options.readOnlyModeEnabled,
      tickTimeMs: this.options.tickTimeMs,
      role,
      state,
      log,
    });
    this.transitions = new RoleTransitions({
      state,
      registry: s.registry,
      routing,
      committer: this.committer,
      handshake: s.handshake,
      syncs: this.syncs,
      touches: this.touches,
      expiry: s.expiry,
      readOnly: this.readOnly,
    });
    this.quorum.attach(
      quorumHost({
        state,
        role,
        applier: s.applier,
        snapshotter: s.snapshotter,
        transitions: this.transitions,
        intake: new ForwardedIntake(
          state,
          role,
          s.proposer,
          s.maxBufferBytes,
          log,
          this.options.localSessionsEnabled,
        ),
        expiry: s.expiry,
        handshake: s.handshake,
        syncs: this.syncs,
        storageFailed: s.storageFailed,
        committer: this.committer,
      }),
    );
  }

  async start(): Promise<void> {
    await this.quorum.start();
    this.touches.start();
    this.readOnly?.start(this.quorum.role);
    this.localExpiry?.start();
  }

  async stop(): Promise<void> {
    this.touches.stop();
    this.readOnly?.stop();
    this.localExpiry?.stop();
    await this.quorum.stop();
  }

  get adminView(): QuorumView {
    return { runtime: this.quorum, proposals: this.committer.proposals };
  }
}
