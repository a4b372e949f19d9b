// Connects the four-letter-word formatters to a running server: builds each snapshot they
// need from the live state of the server's parts, only when a word asks for it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { arch, freemem, hostname, platform, release, tmpdir, totalmem, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { formatServerLine, type ServerConfig } from "../config/index.js";
import type { ServerMetrics } from "../metrics/server-metrics.js";
import type { ClientConnection } from "../net/client-connection.js";
import type { ConnectionRegistry } from "../net/connection-registry.js";
import type { ServerStats } from "../net/server-stats.js";
import type { ProposalStats } from "../pipeline/commit-quorum.js";
import type { QuorumRuntime } from "../quorum/runtime.js";
import type { ReplicaState } from "../replica/replica-state.js";
import type { ServingRole } from "../replica/serving-role.js";
import type { TxnLog } from "../storage/index.js";
import type { WatchManager } from "../watch/watch-manager.js";
import {
  type ConnectionInfo,
  type FourLetterSource,
  type MonitorSnapshot,
  type QuorumConf,
  runFourLetterWord,
  type ServerSummary,
  type SummaryValue,
} from "./four-letter-words.js";

/** The parts of a running server the words read. */
export interface AdminView {
  config: ServerConfig;
  registry: ConnectionRegistry;
  stats: ServerStats;
  role: ServingRole;
  state: ReplicaState;
  watches: WatchManager;
  txnLog: TxnLog;
  startedAtMs: number;
  /** Ensemble only. */
  quorum: QuorumView | undefined;
  /** gtmk/stmk and get_trace_mask/set_trace_mask share it, as ZooKeeper's ZooTrace does. */
  traceMask: TraceMask;
  /** ZooKeeper's counters and summaries, as measured here (mntr, monitor and /metrics read them). */
  metrics: ServerMetrics;
}

export interface QuorumView {
  runtime: QuorumRuntime;
  /** Sizes of the txns proposed in the current leader term (meaningful while leading). */
  proposals: ProposalStats;
}

/** ZooKeeper's trace mask (gtmk/stmk); kept only so those words answer as they do there. */
const DEFAULT_TRACE_MASK = 306n;

export function newTraceMask(): TraceMask {
  return { value: DEFAULT_TRACE_MASK };
}

/** What `srvr` and `mntr` print as the version; monitoring tools parse the leading x.y.z. */
export const PADDOCK_VERSION = "3.8.0-paddock-0.1.0, built on 2026-11-21 00:00 UTC";

function dirSizeBytes(dir: string): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of entries) {
    try {
      const st = statSync(join(dir, name));
      total += st.isDirectory() ? dirSizeBytes(join(dir, name)) : st.size;
    } catch {
      // A file removed while we walk is simply not counted.
    }
  }
  return total;
}

/** The registry's counters and summaries as mntr prints them. */
function registryValues(metrics: ServerMetrics): Pick<MonitorSnapshot, "counters" | "summaries"> {
  const counters: Record<string, number> = {};
  for (const name of metrics.counterNames()) counters[name] = metrics.counterValue(name)!;
  const summaries: Record<string, SummaryValue> = {};
  for (const s of metrics.summaries()) {
    summaries[s.name] = { count: s.count, sum: s.sum, min: s.min, max: s.max, ...s.percentiles() };
  }
  return { counters, summaries };
}

export interface TraceMask {
  value: bigint;
}

/** The snapshots of `view` the words (and the HTTP commands) format; `asking` is the 4lw connection. */
export function fourLetterSource(view: AdminView, asking: ClientConnection | undefined): FourLetterSource {
  const { config, registry, stats, role, state, watches, quorum, traceMask } = view;
  const connectionInfos = (): ConnectionInfo[] => {
    const out: ConnectionInfo[] = [];
    for (const c of registry.all()) {
      const s = c.stats;
      out.push({
        remoteAddress: c.remoteAddress,
        remotePort: c.remotePort,
        interestOps: c === asking ? 0 : 1,
        queuedRequests: c.outstanding,
        packetsReceived: s.packetsReceived,
        packetsSent: s.packetsSent,
        session:
          c.sessionId === 0n
            ? undefined
            : {
                sessionId: c.sessionId,
                lastOp: s.lastOp,
                establishedAtMs: c.establishedAtMs,
                timeoutMs: c.sessionTimeoutMs,
                lastCxid: s.lastCxid,
                lastZxid: s.lastZxid,
                lastResponseTimeMs: s.lastResponseTimeMs,
                lastLatencyMs: s.lastLatencyMs,
                minLatencyMs: s.latencyCount === 0 ? 0 : s.minLatencyMs,
                avgLatencyMs: s.latencyCount === 0 ? 0 : Math.floor(s.totalLatencyMs / s.latencyCount),
                maxLatencyMs: s.maxLatencyMs,
              },
      });
    }
    return out;
  };
  const packets = () => ({ received: stats.packetsReceived, sent: stats.packetsSent });
  const summary = (): ServerSummary => {
    const c = stats;
    const p = packets();
    const proposals = quorum?.proposals;
    return {
      version: PADDOCK_VERSION,
      mode: role.mode,
      minLatencyMs: c.latencyCount === 0 ? 0 : c.minLatencyMs,
      avgLatencyMs: c.latencyCount === 0 ? 0 : c.totalLatencyMs / c.latencyCount,
      maxLatencyMs: c.maxLatencyMs,
      packetsReceived: p.received,
      packetsSent: p.sent,
      aliveConnections: registry.size,
      outstandingRequests: registry.outstandingRequests(),
      lastZxid: state.sm.lastZxid,
      nodeCount: state.sm.nodeCount(),
      ...(role.mode === "leader" && proposals !== undefined
        ? {
            proposalSizes: {
              lastBytes: proposals.lastBytes,
              minBytes: proposals.minBytes,
              maxBytes: proposals.maxBytes,
            },
          }
        : {}),
    };
  };
  const dataDir = resolve(config.dataDir);
  const dataLogDir = resolve(config.dataLogDir);
  return {
    // A read-only server answers the words a serving one does (ZooKeeper runs its read-only server).
    isServing: () => role.isServing || role.readOnly,
    mode: () => role.mode,
    server: summary,
    connections: connectionInfos,
    conf: () => ({
      clientPort: config.clientPort ?? -1,
      secureClientPort: config.secureClientPort ?? -1,
      dataDir: join(dataDir, "version-2"),
      dataDirSizeBytes: dirSizeBytes(dataDir),
      dataLogDir: join(dataLogDir, "version-2"),
      dataLogSizeBytes: dirSizeBytes(dataLogDir),
      tickTimeMs: config.tickTimeMs,
      maxClientCnxns: config.maxClientCnxns,
      minSessionTimeoutMs: config.minSessionTimeoutMs,
      maxSessionTimeoutMs: config.maxSessionTimeoutMs,
      clientPortListenBacklog: -1,
      serverId: config.myid ?? 0,
      ...(config.standalone ? {} : { quorum: quorumConf(config) }),
    }),
    environment: () => ({
      "zookeeper.version": PADDOCK_VERSION,
      "host.name": hostname(),
      "java.version": `node ${process.version}`,
      "java.vendor": "Paddock",
      "java.home": process.execPath,
      "java.class.path": process.argv[1] ?? "",
      "java.library.path": "",
      "java.io.tmpdir": tmpdir(),
      "java.compiler": "<NA>",
      "os.name": platform() === "linux" ? "Linux" : platform(),
      "os.arch": arch() === "x64" ? "amd64" : arch(),
      "os.version": release(),
      "user.name": userInfo().username,
      "user.home": userInfo().homedir,
      "user.dir": process.cwd(),
      "os.memory.free": `${Math.floor(freemem() / 1048576)}MB`,
      "os.memory.max": `${Math.floor(totalmem() / 1048576)}MB`,
      "os.memory.total": `${Math.floor(process.memoryUsage().rss / 1048576)}MB`,
    }),
    monitor: (): MonitorSnapshot => {
      const s = summary();
      let ephemerals = 0;
      for (const id of state.sm.sessionIds()) ephemerals += state.sm.ephemeralsOf(id).length;
      const runtime = quorum?.runtime;
      const learners = runtime?.peer.learnerSummary() ?? null;
      return {
        version: PADDOCK_VERSION,
        serverState: role.mode,
        ...(quorum === undefined || runtime === undefined
          ? {}
          : {
              peerState: peerState(runtime.role, runtime.serving),
              quorumSize: runtime.voters.length,
              ...(learners === null || runtime.role !== "leading"
                ? {}
                : {
                    leader: {
                      learners: learners.learners,
                      syncedFollowers: learners.syncedFollowers,
                      syncedNonVotingFollowers: 0,
                      syncedObservers: learners.syncedObservers,
                      pendingSyncs: learners.pendingSyncs,
                      leaderUptimeMs: Date.now() - runtime.roleSinceMs,
                      lastProposalSize: quorum.proposals.lastBytes,
                      maxProposalSize: quorum.proposals.maxBytes,
                      minProposalSize: quorum.proposals.minBytes,
                    },
                  }),
            }),
        ...registryValues(view.metrics),
        ephemeralsCount: ephemerals,
        aliveConnections: s.aliveConnections,
        avgLatencyMs: s.avgLatencyMs,
        minLatencyMs: s.minLatencyMs,
        maxLatencyMs: s.maxLatencyMs,
        outstandingRequests: s.outstandingRequests,
        znodeCount: s.nodeCount,
        globalSessions: state.sm.sessionIds().length,
        localSessions: state.localSessions.size,
        packetsSent: s.packetsSent,
        packetsReceived: s.packetsReceived,
        watchCount: watches.totalWatchCount(),
        approximateDataSizeBytes: state.sm.approximateDataSizeBytes(),
        uptimeMs: Date.now() - view.startedAtMs,
        lastClientResponseSize: stats.lastResponseBytes,
        minClientResponseSize: stats.minResponseBytes,
        maxClientResponseSize: stats.maxResponseBytes,
        fsyncThresholdExceedCount: stats.fsyncThresholdExceedCount,
        openFileDescriptorCount: openFileDescriptors(),
        maxFileDescriptorCount: maxFileDescriptors(),
      };
    },
    watchSummary: () => watches.summary(),
    watchesBySession: () => watches.watchesBySession(),
    watchesByPath: () => watches.watchesByPath(),
    dump: () => ({
      sessionBuckets: state.sessions.expiryBuckets(),
      ephemerals: state.sm
        .sessionIds()
        .map((sessionId) => ({ sessionId, paths: state.sm.ephemeralsOf(sessionId) }))
        .filter((e) => e.paths.length > 0),
      connectionBuckets: connectionBuckets(registry),
    }),
    dirs: () => ({ dataDirSizeBytes: dirSizeBytes(dataDir), logDirSizeBytes: dirSizeBytes(dataLogDir) }),
    resetConnectionStats: () => registry.resetStats(),
    resetServerStats: () => {
      stats.reset();
      view.metrics.resetAll();
    },
    traceMask: () => traceMask.value,
    setTraceMask: (mask) => {
      traceMask.value = mask;
    },
    digests: () => [
      { zxid: state.sm.lastZxid, digest: BigInt.asIntN(64, BigInt(`0x${state.sm.digest().slice(0, 16)}`)) },
    ],
  };
}

/** ZooKeeper's NIO layer expires idle connections in 10 s buckets of last activity + timeout. */
const CONNECTION_BUCKET_MS = 10_000;

function connectionBuckets(registry: ConnectionRegistry) {
  const buckets = new Map<number, { remoteAddress: string; remotePort: number; sessionId: bigint }[]>();
  for (const c of registry.all()) {
    if (c.sessionId === 0n) continue;
    const expiryMs =
      (Math.floor((c.lastActivityMs + c.sessionTimeoutMs) / CONNECTION_BUCKET_MS) + 1) * CONNECTION_BUCKET_MS;
    let list = buckets.get(expiryMs);
    if (list === undefined) {
      list = [];
      buckets.set(expiryMs, list);
    }
    list.push({ remoteAddress: c.remoteAddress, remotePort: c.remotePort, sessionId: c.sessionId });
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([expiryMs, connections]) => ({ expiryMs, connections }));
}

/** The soft limit on open files (ZooKeeper's OperatingSystemMXBean.getMaxFileDescriptorCount). */
function maxFileDescriptors(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || !/^\d+$/.test(soft) ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

function openFileDescriptors(): number | undefined {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return undefined;
  }
}

/** The quorum part of `conf`, as ZooKeeper prints it for an ensemble member. */
function quorumConf(config: ServerConfig): QuorumConf {
  const me = config.myid === undefined ? undefined : config.servers.get(config.myid);
  return {
    initLimit: config.initLimit,
    syncLimit: config.syncLimit,
    electionAlg: 3,
    electionPorts: me === undefined ? [] : [me.electionPort],
    quorumPorts: me === undefined ? [] : [me.peerPort],
    peerType: me?.role === "observer" ? 1 : 0,
    members: [...config.servers.values()].sort((a, b) => a.id - b.id).map(formatServerLine),
    configVersion: Number(config.configVersion),
  };
}

/** ZooKeeper's zk_peer_state: the role, then the phase within it. */
function peerState(role: string, serving: boolean): string {
  if (role === "looking") return "looking";
  return `${role} - ${serving ? "broadcast" : "synchronization"}`;
}

/** The four-letter-word handler of a server: the text to answer `word` with, or undefined. */
export function fourLetterWords(
  view: AdminView,
): (word: string, conn: ClientConnection) => string | undefined {
  return (word, conn) => {
    const out = runFourLetterWord(word, view.config.fourLetterWordWhitelist, fourLetterSource(view, conn));
    const electionMs = view.quorum?.runtime.lastElectionDurationMs;
    // Paddock's own metric, after ZooKeeper's keys so parsers of the standard set are unaffected.
    if (word === "mntr" && out !== undefined && out.startsWith("zk_") && electionMs !== undefined) {
      return `${out}zk_last_election_duration_ms\t${electionMs}\n`;
    }
    return out;
  };
}
