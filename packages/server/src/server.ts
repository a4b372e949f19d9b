// The composition root: builds one Paddock server from its configuration, in the order data
// flows through it (storage -> replicated state -> request pipeline -> quorum -> client listener
// -> admin), starts the parts in that order and stops them in reverse. It handles no request
// itself; docs/architecture.md walks a write and a read through the parts it wires.

import { AdminInterfaces } from "./admin/admin-interfaces.js";
import { type AdminView, fourLetterWords, newTraceMask } from "./admin/four-letter-source.js";
import { type AuditLog, auditedStart, auditLogFromConfig } from "./audit/audit-log.js";
import type { ServerConfig } from "./config/index.js";
import type { Logger } from "./logger.js";
import { ContainerReaper } from "./maintenance/container-reaper.js";
import { SessionExpiry } from "./maintenance/session-expiry.js";
import { Snapshotter } from "./maintenance/snapshotter.js";
import { feedMetrics } from "./metrics/feed-metrics.js";
import { coreMetrics } from "./metrics/server-metrics.js";
import type { ConnectionContext } from "./net/client-connection.js";
import { ClientListeners } from "./net/client-listeners.js";
import { ConnectionRegistry } from "./net/connection-registry.js";
import { OutstandingLimit } from "./net/outstanding-limit.js";
import { ServerStats } from "./net/server-stats.js";
import { Applier } from "./pipeline/applier.js";
import { AuthProviders } from "./pipeline/auth.js";
import { StandaloneCommitter } from "./pipeline/commit-standalone.js";
import { Handshake } from "./pipeline/handshake.js";
import { Proposer } from "./pipeline/proposer.js";
import { ReadPath } from "./pipeline/read-path.js";
import { ReplyRouting } from "./pipeline/reply-routing.js";
import { RequestRouter } from "./pipeline/request-router.js";
import { saslFromConfig } from "./pipeline/sasl.js";
import { QuorumRuntime } from "./quorum/runtime.js";
import { Ensemble } from "./replica/ensemble.js";
import { dataDirsOf, type RecoveredStorage, recoverReplica, storageLogger } from "./replica/recover.js";
import { ReplicaState } from "./replica/replica-state.js";
import { ServingRole } from "./replica/serving-role.js";
import { type AutoPurge, startAutoPurge } from "./storage/index.js";
import { WatchManager } from "./watch/watch-manager.js";

/** The parts that exist once storage is recovered, in the order they are started. */
interface Running {
  storage: RecoveredStorage;
  ensemble: Ensemble | undefined;
  expiry: SessionExpiry;
  reaper: ContainerReaper;
  autoPurge: AutoPurge;
  listener: ClientListeners;
  admin: AdminInterfaces;
}

export class PaddockServer {
  readonly startedAtMs = Date.now();
  private readonly state: ReplicaState;
  private readonly watches = new WatchManager();
  private readonly registry = new ConnectionRegistry();
  private readonly stats = new ServerStats();
  private readonly metrics = coreMetrics();
  private running: Running | undefined;
  private stopped = false;
  private audit: AuditLog | undefined;

  constructor(
    readonly config: ServerConfig,
    readonly log: Logger,
  ) {
    this.state = ReplicaState.fromConfig(config);
  }

  /** The bound client port (useful when zoo.cfg asks for port 0). */
  get port(): number {
    return this.running?.listener.port ?? 0;
  }

  async start(): Promise<void> {
    this.audit = auditLogFromConfig(this.config, this.log);
    await auditedStart(this.audit, async () => {
      const running = await this.build();
      this.running = running;
      await running.listener.listen();
      await running.admin.start();
      running.reaper.start();
      running.expiry.schedule();
      await running.ensemble?.start();
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.audit?.serverStopping();
    const r = this.running;
    if (r !== undefined) {
      await r.admin.close();
      await r.ensemble?.stop();
      r.expiry.stop();
      r.reaper.stop();
      await r.listener.close();
      r.autoPurge.stop();
      await r.storage.txnLog.close();
      r.storage.lock.release();
    }
    this.audit?.close();
    this.log.info("server stopped");
  }

  /** Recovers storage and wires every stage; nothing listens or ticks yet. */
  private async build(): Promise<Running> {
    const { config, log, state, watches, registry } = this;
    const dirs = dataDirsOf(config);
    const storage = await this.metrics.dbInitTime.time(() => recoverReplica(config, dirs, state, log));
    const quorum = config.standalone
      ? undefined
      : new QuorumRuntime({
          config,
          log,
          txnLog: storage.txnLog,
          snapshots: storage.snapshots,
          epochDir: dirs.snapshotDir,
          snapshotZxid: storage.snapshotZxid,
          logEntries: storage.logEntries,
        });
    const role = new ServingRole(quorum);
    const routing = new ReplyRouting();
    const ensemble =
      quorum === undefined ? undefined : new Ensemble(quorum, state, role, routing, log, config);

    // The write path: prepare -> commit (the local log, or ZAB) -> apply -> reply.
    const snapshotter = new Snapshotter(state, config, storage.snapshots, storage.txnLog, log);
    const storageFailed = (err: unknown) => this.storageFailed(err);
    const committer =
      ensemble?.committer ??
      new StandaloneCommitter(storage.txnLog, state.lastZxid, (txn) => applier.apply(txn), storageFailed);
    const reconfig = ensemble?.reconfigContext ?? {
      enabled: config.reconfigEnabled,
      standaloneEnabled: config.standaloneEnabled,
    };
    const proposer = new Proposer(state, routing, committer, reconfig, log);
    const expiry = new SessionExpiry(state, role, proposer, log);
    const applier = new Applier({
      state,
      routing,
      watches,
      registry,
      expiry,
      snapshotter,
      log,
      skipAcl: config.skipAcl,
      letAnySaslUserDoX: config.letAnySaslUserDoX,
      replicated: ensemble !== undefined,
      propagationLatency: this.metrics.propagationLatency,
      audit: this.audit,
    });

    // The request path from a connection: handshake -> router -> read path or write path.
    const handshake = new Handshake({
      state,
      role,
      localSessionsEnabled: ensemble !== undefined && config.localSessionsEnabled,
      registry,
      proposer,
      expiry,
      quorum,
      forwarder: ensemble?.forwarder,
      touches: ensemble?.touches,
      minSessionTimeoutMs: config.minSessionTimeoutMs,
      maxSessionTimeoutMs: config.maxSessionTimeoutMs,
      log,
    });
    const router = new RequestRouter({
      state,
      role,
      localSessionsUpgradingEnabled: config.localSessionsUpgradingEnabled,
      maxBufferBytes: config.juteMaxBufferBytes,
      proposer,
      forwarder: ensemble?.forwarder,
      syncs: ensemble?.syncs,
      touches: ensemble?.touches,
      readPath: new ReadPath(state, watches),
      auth: new AuthProviders(config.superDigest, config.digestAlgorithm, config.authSchemes),
      sasl: saslFromConfig(config, log),
      expiry,
      log,
      auditRequests: this.audit !== undefined,
    });
    ensemble?.connect({
      registry,
      handshake,
      proposer,
      applier,
      snapshotter,
      expiry,
      maxBufferBytes: config.juteMaxBufferBytes,
      storageFailed,
    });

    const admin: AdminView = {
      config,
      registry,
      stats: this.stats,
      role,
      state,
      watches,
      txnLog: storage.txnLog,
      startedAtMs: this.startedAtMs,
      quorum: ensemble?.adminView,
      traceMask: newTraceMask(),
      metrics: this.metrics.registry,
    };
    feedMetrics(this.metrics, admin, snapshotter);
    const context: ConnectionContext = {
      log,
      stats: this.stats,
      metrics: this.metrics,
      maxBufferBytes: config.juteMaxBufferBytes,
      globalOutstanding: new OutstandingLimit(
        config.globalOutstandingLimit,
        this.metrics.globalOutstandingLimitReached,
      ),
      lastZxid: () => state.lastZxid,
      input: {
        fourLetterWord: fourLetterWords(admin),
        connect: (conn, req) => handshake.connect(conn, req),
        request: (conn, xid, type, body) => router.route(conn, xid, type, body),
        closed: (conn) => {
          registry.remove(conn);
          watches.removeSink(conn);
        },
      },
    };
    const listener = new ClientListeners(config, { log, context, registry });
    const autoPurge = startAutoPurge(storage.snapshots, storage.txnLog, {
      snapRetainCount: config.autopurgeSnapRetainCount,
      purgeIntervalHours: config.autopurgePurgeIntervalHours,
      logger: storageLogger(log.child({ part: "storage" })),
    });
    const reaper = new ContainerReaper(config, state, role, proposer);
    const faces = new AdminInterfaces(admin, log, expiry);
    return { storage, ensemble, expiry, reaper, autoPurge, listener, admin: faces };
  }

  /**
   * The log could not make a txn durable. Serving on could acknowledge writes that a restart
   * would lose, so the server stops, as ZooKeeper does.
   */
  private storageFailed(err: unknown): void {
    this.log.fatal({ err }, "cannot write the txn log; stopping");
    process.exitCode = 3;
    void this.stop().finally(() => process.exit(3));
  }
}
