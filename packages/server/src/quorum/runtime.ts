// Drives one ZabPeer with real time, sockets and disk: a tick timer, the WebSocket peer
// transport, and an in-order effect executor that keeps the durability promises the core
// relies on (see Effect in zab/types.ts). What the effects mean for clients (apply, replies,
// sessions) is the server's business, reached through QuorumHost.

import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { QuorumServer, ServerConfig } from "../config/index.js";
import type { Logger } from "../logger.js";
import type { QuorumMetrics } from "../metrics/server-metrics.js";
import { watchStoreFiles } from "../net/key-stores.js";
import {
  PEER_BATCH_BYTES,
  peerFrameLimitBytes,
  SNAPSHOT_PIECE_BYTES,
  SNAPSHOT_STREAM_CHUNK_BYTES,
} from "../net/peer-frame-limit.js";
import { PeerTransport } from "../net/peer-transport.js";
import { snapshotPieces, unframeChunks } from "../net/snapshot-stream.js";
import { readEpochFile, type SnapshotStore, type TxnLog, writeEpochFileAtomic } from "../storage/index.js";
import { loadPeerCodec } from "../zab/codec.js";
import type { LogEntry, SessionTouch } from "../zab/messages.js";
import { ZabPeer } from "../zab/peer.js";
import {
  type Effect,
  type PersistedState,
  type Role,
  type ZabConfig,
  ZabError,
  type ZabInput,
  type ZabStatus,
} from "../zab/types.js";
import { epochOf, formatZxid, makeZxid } from "../zab/zxid.js";
import { applyInTurns } from "./apply-in-turns.js";
import { adoptConfig, peerAddresses, persistedConfigOf } from "./config-activation.js";
import { EffectQueue } from "./effect-queue.js";
import { encodeForwardedBatch } from "./forward.js";
import { type LogReadBackLimits, readLogBack } from "./log-read-back.js";
import { quorumAuth } from "./quorum-auth.js";
import { quorumTls } from "./quorum-tls.js";

/** What the runtime needs from the client-facing server. */
export interface QuorumHost {
  /** Apply committed entries to the data tree, in order, now. */
  applyCommitted(entries: readonly LogEntry[]): void;
  /**
   * A copy-on-write view of the applied state, which must be exactly at `zxid`: its snapshot
   * chunks are built as they are pulled while applies go on; release() closes it.
   */
  snapshotAt(zxid: number): { chunks(maxChunkBytes?: number): Iterator<Buffer>; release(): void };
  /** Replace the data tree with a snapshot received from the leader (may take several turns). */
  loadSnapshot(zxid: number, chunks: Buffer[]): void | Promise<void>;
  onRoleChange(change: RoleChange): void;
  /** Leader: a learner forwarded a write. */
  onForwarded(from: number, payload: Uint8Array): void;
  onSessionTouches(from: number, touches: readonly SessionTouch[]): void;
  onRevalidate(from: number, sessionId: bigint, timeoutMs: number): void;
  onRevalidated(sessionId: bigint, valid: boolean): void;
  onSyncDone(requestId: number): void;
  /** A new config is active (its members already adopted by the server config). */
  onConfigActivated(version: number, servers: ReadonlyMap<number, QuorumServer>): void;
  /** The disk refused a write the protocol depends on. */
  storageFailed(err: unknown): void;
}

export interface RoleChange {
  role: Role;
  leader: number | null;
  epoch: number;
  serving: boolean;
  previous: { role: Role; serving: boolean };
}

/** Our finest time unit: short enough that election and failover move in tens of milliseconds. */
const TARGET_TICK_MS = 50;
/**
 * How long a quorum must hold our vote unchallenged before we decide, and how often votes are
 * resent. Half of ZooKeeper's finalizeWait (200 ms): part of why elections end sooner here, and
 * also why deciding on a partial view of the votes is likelier, which a learner recovers from by
 * looking again (zab/learner.ts, LEADER_CONNECT_TRIES).
 */
const ELECTION_PACE_MS = 100;

export interface QuorumTiming {
  tickMs: number;
  ticksPerTickTime: number;
  zab: Omit<ZabConfig, "myId" | "voters" | "observers">;
}

/** ZAB's deadlines in our ticks: initLimit and syncLimit keep their meaning in tickTime units. */
export function quorumTiming(
  config: Pick<ServerConfig, "tickTimeMs" | "initLimit" | "syncLimit" | "commitLogCount">,
): QuorumTiming {
  // The config reader bounds it; anything else here would make ZAB trim its log at random.
  if (!Number.isSafeInteger(config.commitLogCount) || config.commitLogCount < 0)
    throw new RangeError(`commitLogCount ${config.commitLogCount} is not a count`);
  const ticksPerTickTime = Math.max(1, Math.round(config.tickTimeMs / TARGET_TICK_MS));
  const tickMs = config.tickTimeMs / ticksPerTickTime;
  const paceTicks = Math.max(1, Math.round(ELECTION_PACE_MS / tickMs));
  return {
    tickMs,
    ticksPerTickTime,
    zab: {
      initLimitTicks: Math.max(1, config.initLimit) * ticksPerTickTime,
      syncLimitTicks: Math.max(1, config.syncLimit) * ticksPerTickTime,
      finalizeWaitTicks: paceTicks,
      electionResendTicks: paceTicks,
      // ZooKeeper's leader pings every tickTime / 2.
      pingIntervalTicks: Math.max(1, Math.floor(ticksPerTickTime / 2)),
      maxBatchEntries: 1000,
      maxBatchBytes: PEER_BATCH_BYTES,
      // ZooKeeper's commitLogCount: the committed proposals kept in memory for a DIFF.
      maxLogEntries: config.commitLogCount,
    },
  };
}

/** proto/peer.proto near the bundle or the sources; PADDOCK_PEER_PROTO overrides. */
export function findPeerProto(): string {
  const env = process.env.PADDOCK_PEER_PROTO;
  if (env !== undefined && env !== "") return env;
  const here = dirname(fileURLToPath(import.meta.url));
  // Next to the bundle (the image's bin/), dist/ -> repository, src/quorum/ -> repository.
  for (const rel of ["peer.proto", "../proto/peer.proto", "../../../../proto/peer.proto"]) {
    const p = resolve(here, rel);
    if (existsSync(p)) return p;
  }
  throw new Error(`proto/peer.proto not found near ${here}; set PADDOCK_PEER_PROTO`);
}

export interface QuorumRuntimeOptions {
  config: ServerConfig;
  log: Logger;
  /** May be given later with attach(): the host's stages usually need the runtime first. */
  host?: QuorumHost;
  txnLog: TxnLog;
  snapshots: SnapshotStore;
  /** Where acceptedEpoch / currentEpoch live (dataDir/version-2, as in ZooKeeper). */
  epochDir: string;
  snapshotZxid: number;
  /** Durable log entries after snapshotZxid (not applied: the core commits them). */
  logEntries: LogEntry[];
}

type Tagged = Effect & { gen?: number };

/** What the runtime carried out, for observers (the console's timeline). */
export type QuorumEvent =
  | {
      kind: "role";
      role: Role;
      leader: number | null;
      epoch: number;
      serving: boolean;
      previousRole: Role;
      /** ms from looking to serving, when this change starts serving. */
      electionMs?: number;
    }
  | { kind: "sync-sent"; how: "DIFF" | "TRUNC" | "SNAP"; peer: number }
  | { kind: "config"; version: number; voters: readonly number[]; observers: readonly number[] }
  | { kind: "sync-received"; how: "DIFF" | "TRUNC" | "SNAP"; peer: number };

export class QuorumRuntime {
  readonly peer: ZabPeer;
  readonly transport: PeerTransport;
  readonly timing: QuorumTiming;
  readonly voters: number[];
  readonly observers: number[];
  private readonly queue: EffectQueue<Tagged>;
  private attachedHost: QuorumHost | undefined;
  private readonly txnLog: TxnLog;
  private readonly snapshots: SnapshotStore;
  private readonly logReadBack: LogReadBackLimits;
  /** Bound once: a commit effect runs for every batch a quorum acknowledges. */
  private readonly applyRun = (run: readonly LogEntry[]): void => this.host.applyCommitted(run);
  private readonly isStopped = (): boolean => this.stopped;
  private readonly epochDir: string;
  private tickTimer: NodeJS.Timeout | undefined;
  private stopWatchingStores: (() => void) | undefined;
  /** sslQuorum's settings, for reloading its stores. */
  private readonly tlsConfig: ServerConfig;
  private stopped = false;
  /**
   * Bumped whenever a truncate or snapshot install is produced: an fsync that completes for
   * appends made before it must not be reported, or it could vouch for different entries that
   * now carry the same zxids.
   */
  private storageGen = 0;
  private current: { role: Role; serving: boolean; leader: number | null; epoch: number } = {
    role: "looking",
    serving: false,
    leader: null,
    epoch: 0,
  };
  private lookingSinceMs = Date.now();
  /** How long the last election took, from leaving service to serving again (ms). */
  lastElectionDurationMs: number | undefined;
  readonly startedAtMs = Date.now();
  roleSinceMs = Date.now();
  /** ZooKeeper's quorum metrics, fed here once set (server.ts sets them before start). */
  metrics: QuorumMetrics | undefined;
  /** Told of role changes and syncs as they are carried out (the console's timeline). */
  onEvent: ((event: QuorumEvent) => void) | undefined;
  log: Logger;
  private readonly baseLog: Logger;

  constructor(opts: QuorumRuntimeOptions) {
    const { config } = opts;
    this.tlsConfig = config;
    this.attachedHost = opts.host;
    this.txnLog = opts.txnLog;
    this.snapshots = opts.snapshots;
    this.epochDir = opts.epochDir;
    this.timing = quorumTiming(config);
    const myId = config.myid;
    if (myId === undefined) throw new Error("replicated mode needs a myid");
    this.voters = [...config.servers.values()].filter((s) => s.role === "participant").map((s) => s.id);
    this.observers = [...config.servers.values()].filter((s) => s.role === "observer").map((s) => s.id);
    this.baseLog = opts.log;
    this.log = opts.log.child({ role: "looking", epoch: 0 });

    const acceptedEpoch = readEpochFile(join(this.epochDir, "acceptedEpoch")) ?? 0;
    const currentEpoch = readEpochFile(join(this.epochDir, "currentEpoch")) ?? 0;
    const activeConfig = persistedConfigOf(config);
    const persisted: PersistedState = {
      acceptedEpoch,
      currentEpoch,
      snapshotZxid: opts.snapshotZxid,
      log: opts.logEntries,
      connBase: 0,
      ...(activeConfig === undefined ? {} : { config: activeConfig }),
    };
    // Each boot gets a fresh range of learner connection ids (the core's contract).
    const bootPath = join(this.epochDir, "paddockBootCount");
    const boots = (readEpochFile(bootPath) ?? 0) + 1;
    this.bootCount = boots;
    this.bootPath = bootPath;
    persisted.connBase = boots * 2 ** 20;
    this.peer = new ZabPeer(
      { myId, voters: this.voters, observers: this.observers, ...this.timing.zab },
      persisted,
    );
    this.queue = new EffectQueue<Tagged>(
      (e) => this.execute(e),
      (err, e) => {
        this.log.fatal({ err, effect: e.kind }, "cannot carry out a ZAB effect; stopping");
        this.host.storageFailed(err);
      },
    );
    this.transport = new PeerTransport({
      myId,
      members: peerAddresses(config.servers),
      listenOnAllIps: config.quorumListenOnAllIPs,
      tls: quorumTls(config),
      auth: quorumAuth(config, myId, opts.log.child({ part: "peers" })),
      codec: loadPeerCodec(findPeerProto()),
      log: opts.log.child({ part: "peers" }),
      maxFrameBytes: peerFrameLimitBytes(config.juteMaxBufferBytes),
      onMessage: (from, msg) => {
        if (msg.type === "PROPOSAL") this.metrics?.learnerProposalReceived.add();
        if (msg.type === "DIFF" || msg.type === "TRUNC" || msg.type === "SNAP") {
          this.onEvent?.({ kind: "sync-received", how: msg.type, peer: from });
        }
        this.step({ type: "message", from, msg });
      },
      // A leader whose process died closes its socket at once: no need to wait out syncLimit.
      onLinkDown: (id, channel) => {
        if (channel === "peer") this.step({ type: "peerDown", peer: id });
      },
      onInboundLink: (id, channel) => {
        if (channel === "peer") this.step({ type: "peerLinked", peer: id });
      },
    });
    this.logReadBack = {
      snapshotSizeFactor: config.snapshotSizeFactor,
      maxBytes: this.transport.maxBufferedBytes / 2,
    };
    this.log.info(
      {
        acceptedEpoch,
        currentEpoch,
        snapshotZxid: formatZxid(opts.snapshotZxid),
        logEntries: opts.logEntries.length,
        tickMs: this.timing.tickMs,
        voters: this.voters,
        observers: this.observers,
      },
      "quorum peer created",
    );
  }

  private readonly bootCount: number;
  private readonly bootPath: string;

  /** Gives the runtime the stages its effects feed; before the first input. */
  attach(host: QuorumHost): void {
    if (this.attachedHost !== undefined) throw new Error("quorum runtime: host attached twice");
    this.attachedHost = host;
  }

  private get host(): QuorumHost {
    const host = this.attachedHost;
    if (host === undefined) throw new ZabError("RUNTIME_CONTRACT", "quorum runtime used before attach()");
    return host;
  }

  async start(): Promise<void> {
    // A peer starts looking (ZooKeeper counts that entry into LOOKING too).
    this.metrics?.lookingCount.add();
    await writeEpochFileAtomic(this.bootPath, this.bootCount);
    // Effects of the constructor (a repaired epoch pair) and the first votes.
    this.queue.push(this.tag(this.peer.takeEffects()));
    await this.transport.start();
    const { sslQuorum, quorumPortUnification, sslQuorumReloadCertFiles } = this.tlsConfig;
    const stores =
      (sslQuorum || quorumPortUnification) && sslQuorumReloadCertFiles
        ? [this.tlsConfig.sslQuorumKeyStoreLocation, this.tlsConfig.sslQuorumTrustStoreLocation]
        : [];
    this.stopWatchingStores = watchStoreFiles(stores, () => {
      try {
        const tls = quorumTls(this.tlsConfig);
        if (tls !== undefined) this.transport.reloadTls(tls);
        this.log.info("ssl.quorum stores reloaded");
      } catch (err) {
        this.log.error({ err }, "ssl.quorum stores changed but cannot be loaded; keeping the previous ones");
      }
    });
    this.tickTimer = setInterval(() => this.step({ type: "tick" }), this.timing.tickMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.tickTimer);
    this.stopWatchingStores?.();
    await this.transport.close();
  }

  status(): ZabStatus {
    return this.peer.status();
  }

  /** See Peer.reconfigRefusal: a query, it proposes nothing. */
  reconfigRefusal(voters: number[], observers: number[]): ZabError | null {
    return this.peer.reconfigRefusal(voters, observers);
  }

  // Both the core's live state and the last role effect carried out must agree. Effects can wait
  // behind a durable write, so the live state may be ahead: a leader must not prepare before the
  // commits its role effect follows are applied. And the executed role may be stale: nothing may
  // be prepared or forwarded for a role the core has already left.
  get role(): Role {
    return this.peer.roleNow().role;
  }

  get serving(): boolean {
    const s = this.peer.roleNow();
    return s.serving && this.current.serving && this.current.role === s.role;
  }

  get isLeader(): boolean {
    const s = this.peer.roleNow();
    return s.role === "leading" && s.serving && this.current.role === "leading" && this.current.serving;
  }

  /** Feeds one input; may throw ZabError (e.g. NOT_SERVING for a propose) before any effect. */
  step(input: ZabInput): void {
    if (this.stopped) return;
    if (this.forwards.length > 0) this.flushForwards();
    this.peer.step(input);
    this.queue.push(this.tag(this.peer.takeEffects()));
  }

  /**
   * A learner hands a write (forward.ts) to the leader. The writes of one turn of the event loop
   * go as one REQUEST: one ZAB step and one PeerFrame here and on the leader instead of one per
   * write. Order holds: every other input steps them first. A learner that cannot forward now
   * refuses at once (ZabError, as step does); `refused` hears of a refusal at the flush, which
   * cannot happen as nothing else steps in between, but is not assumed.
   */
  forward(payload: Uint8Array, refused: (err: unknown) => void): void {
    const s = this.peer.roleNow();
    if (this.stopped || !s.serving || (s.role !== "following" && s.role !== "observing")) {
      this.step({ type: "forward", payload });
      return;
    }
    this.forwards.push(payload);
    this.forwardRefused.push(refused);
    if (!this.forwardFlushScheduled) {
      this.forwardFlushScheduled = true;
      setImmediate(() => {
        this.forwardFlushScheduled = false;
        if (this.forwards.length > 0) this.flushForwards();
      });
    }
  }

  private forwards: Uint8Array[] = [];
  private forwardRefused: ((err: unknown) => void)[] = [];
  private forwardFlushScheduled = false;

  private flushForwards(): void {
    const payloads = this.forwards;
    const refused = this.forwardRefused;
    this.forwards = [];
    this.forwardRefused = [];
    if (this.stopped) return;
    // One REQUEST per PEER_BATCH_BYTES of writes, so each fits the peer frame limit.
    let start = 0;
    while (start < payloads.length) {
      let end = start;
      let bytes = 0;
      while (end < payloads.length && bytes < PEER_BATCH_BYTES) bytes += payloads[end++]!.byteLength;
      try {
        this.peer.step({ type: "forward", payload: encodeForwardedBatch(payloads.slice(start, end)) });
      } catch (err) {
        if (!(err instanceof ZabError) || err.code === "INVARIANT") throw err;
        for (const r of refused.slice(start)) r(err);
        return;
      }
      this.queue.push(this.tag(this.peer.takeEffects()));
      start = end;
    }
  }

  /** The zxid the next proposed payload will get (leader only), `pending` payloads from now. */
  nextZxid(pending: number): number {
    const s = this.peer.status();
    if (!this.isLeader) throw new ZabError("NOT_LEADER", "only a serving leader assigns zxids");
    const base = epochOf(s.lastZxid) === s.epoch ? s.lastZxid : makeZxid(s.epoch, 0);
    return base + pending + 1;
  }

  private tag(effects: Effect[]): Tagged[] {
    return effects.map((e) => {
      if (e.kind === "truncate" || e.kind === "installSnapshot") this.storageGen++;
      return e.kind === "append" ? { ...e, gen: this.storageGen } : e;
    });
  }

  private execute(e: Tagged): void | Promise<void> {
    switch (e.kind) {
      case "send":
        if (e.msg.type === "DIFF") this.metrics?.diffCount.add();
        if (e.msg.type === "DIFF" || e.msg.type === "TRUNC") {
          this.onEvent?.({ kind: "sync-sent", how: e.msg.type, peer: e.to });
        }
        this.transport.send(e.to, e.msg);
        // ZooKeeper's learner counts a refused connection to the leader as a failed try; ours
        // is a FOLLOWERINFO the transport had no link for (it is dropped, never queued).
        if (
          (e.msg.type === "FOLLOWERINFO" || e.msg.type === "OBSERVERINFO") &&
          !this.transport.isLinkOpen(e.to, "peer")
        )
          this.step({ type: "peerUnreachable", peer: e.to });
        return;
      case "sendSnapshot": {
        this.metrics?.snapCount.add();
        this.onEvent?.({ kind: "sync-sent", how: "SNAP", peer: e.to });
        const view = this.host.snapshotAt(e.msg.snapshotZxid);
        // One chunk is built per event-loop turn, between the leader's other work: small chunks
        // keep each turn short (a 448 KiB chunk held writes up for ~100 ms on a busy machine).
        const pieces = snapshotPieces(view.chunks(SNAPSHOT_STREAM_CHUNK_BYTES), SNAPSHOT_PIECE_BYTES);
        this.transport.sendSnapshot(
          e.to,
          { ...e.msg, snapshot: new Uint8Array(0) },
          { pieces, release: view.release },
        );
        return;
      }
      case "readLog":
        // Not returned: the effects after it (live traffic to the other learners) go on meanwhile.
        this.readLogBack(e);
        return;
      case "persistEpochs":
        // acceptedEpoch first: a crash in between leaves accepted >= current, which holds anyway.
        return writeEpochFileAtomic(join(this.epochDir, "acceptedEpoch"), e.acceptedEpoch).then(() =>
          writeEpochFileAtomic(join(this.epochDir, "currentEpoch"), e.currentEpoch),
        );
      case "append":
        this.append(e.entries, e.gen ?? -1);
        return;
      case "truncate": {
        const gen = this.storageGen;
        return this.txnLog.truncateAfter(e.toZxid).then(() => {
          // Appends before the truncation were written first; everything up to it is durable.
          if (gen === this.storageGen) this.step({ type: "persisted", zxid: e.toZxid });
        });
      }
      case "installSnapshot":
        return this.installSnapshot(e.zxid, e.snapshot);
      case "commit":
        if (this.current.serving) {
          const m = this.metrics;
          (this.current.role === "leading" ? m?.commitCount : m?.learnerCommitReceived)?.add(
            e.entries.length,
          );
        }
        // A batch too long for one turn goes on in the next ones; later effects wait for it.
        return applyInTurns(e.entries, this.applyRun, this.isStopped);
      case "role":
        this.onRole(e);
        return;
      case "request":
        this.host.onForwarded(e.from, e.payload);
        return;
      case "sessionTouches":
        this.host.onSessionTouches(e.from, e.touches);
        return;
      case "revalidate":
        this.host.onRevalidate(e.from, e.sessionId, e.timeoutMs);
        return;
      case "revalidated":
        this.host.onRevalidated(e.sessionId, e.valid);
        return;
      case "syncDone":
        this.host.onSyncDone(e.requestId);
        return;
      case "log":
        this.log[e.level](e.message);
        return;
      case "activateConfig": {
        const servers = adoptConfig(this.tlsConfig, e.config, this.log);
        if (servers !== undefined) {
          this.transport.setMembers(peerAddresses(servers));
          this.host.onConfigActivated(e.config.version, servers);
        }
        this.onEvent?.({
          kind: "config",
          version: e.config.version,
          voters: e.config.voters,
          observers: e.config.observers,
        });
        return;
      }
      case "removed":
        // ZAB has stopped taking part: no role serves clients again. The process stays up for
        // the operator (4lw, AdminServer) and says why.
        this.log.error({ reason: e.reason }, "removed from the ensemble; no longer serving");
        return;
    }
  }

  private readLogBack(e: Extract<Effect, { kind: "readLog" }>): void {
    const started = Date.now();
    readLogBack(this.txnLog, this.snapshots, e.fromZxid, e.throughZxid, this.logReadBack).then(
      (entries) => {
        this.log.info(
          { peer: e.to, from: formatZxid(e.fromZxid), txns: entries?.length ?? 0, ms: Date.now() - started },
          entries === null
            ? "txn log cannot DIFF this learner; sending a SNAP"
            : "txn log read back for a DIFF",
        );
        this.step({ type: "logRead", peer: e.to, conn: e.conn, entries });
      },
      (err: unknown) => {
        this.log.warn({ peer: e.to, err: String(err) }, "reading the txn log back failed; sending a SNAP");
        this.step({ type: "logRead", peer: e.to, conn: e.conn, entries: null });
      },
    );
  }

  private append(entries: readonly LogEntry[], gen: number): void {
    const lastZxid = entries.at(-1)?.zxid;
    if (lastZxid === undefined) return;
    const records = entries.map((entry) => ({
      zxid: entry.zxid,
      payload: Buffer.from(entry.payload.buffer, entry.payload.byteOffset, entry.payload.byteLength),
    }));
    // One promise for the whole batch (group commit makes the last record's durability vouch for all).
    this.txnLog.appendAll(records).then(
      () => {
        if (gen === this.storageGen && !this.stopped) this.step({ type: "persisted", zxid: lastZxid });
      },
      (err: unknown) => this.host.storageFailed(err),
    );
  }

  private async installSnapshot(zxid: number, snapshot: Uint8Array): Promise<void> {
    const chunks = unframeChunks(snapshot);
    await this.host.loadSnapshot(zxid, chunks);
    // The snapshot file first, then the log restarts after it: no older snapshot can ever be
    // replayed with entries of the new history.
    await this.snapshots.write(zxid, chunks);
    await this.txnLog.resetTo(zxid);
    this.log.info(
      { zxid: formatZxid(zxid), bytes: snapshot.byteLength },
      "snapshot from the leader installed",
    );
    this.step({ type: "snapshotLoaded", zxid });
  }

  private onRole(e: Extract<Effect, { kind: "role" }>): void {
    const previous = { role: this.current.role, serving: this.current.serving };
    const nowMs = Date.now();
    if (previous.serving && !e.serving) this.lookingSinceMs = nowMs;
    if (e.role === "looking" && previous.role !== "looking") this.metrics?.lookingCount.add();
    if (!previous.serving && e.serving) {
      const ms = nowMs - this.lookingSinceMs;
      this.lastElectionDurationMs = ms;
      this.metrics?.electionTime.observe(ms);
    }
    if (e.role !== previous.role) this.roleSinceMs = nowMs;
    this.current = { role: e.role, serving: e.serving, leader: e.leader, epoch: e.epoch };
    this.log = this.baseLog.child({ role: e.role, epoch: e.epoch });
    this.log.info(
      {
        leader: e.leader,
        serving: e.serving,
        zxid: formatZxid(this.peer.status().lastZxid),
        ...(e.serving && !previous.serving ? { electionMs: this.lastElectionDurationMs } : {}),
      },
      e.serving ? `serving as ${e.role}` : `now ${e.role}`,
    );
    this.host.onRoleChange({ role: e.role, leader: e.leader, epoch: e.epoch, serving: e.serving, previous });
    this.onEvent?.({
      kind: "role",
      role: e.role,
      leader: e.leader,
      epoch: e.epoch,
      serving: e.serving,
      previousRole: previous.role,
      ...(e.serving && !previous.serving ? { electionMs: this.lastElectionDurationMs } : {}),
    });
  }
}
