// Connects the four-letter-word formatters to a running server: builds each snapshot they
// need from the server's live state, only when a word asks for it.
import { readdirSync, statSync } from "node:fs";
import { arch, freemem, hostname, platform, release, tmpdir, totalmem, userInfo } from "node:os";
import { join, resolve } from "node:path";
import {
  type ConnectionInfo,
  type FourLetterSource,
  type MonitorSnapshot,
  type QuorumConf,
  runFourLetterWord,
  type ServerSummary,
} from "./admin/four-letter-words.js";
import type { ClientConnection } from "./net/client-connection.js";
import type { PaddockServer } from "./server.js";

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

export function fourLetterSource(server: PaddockServer, asking: ClientConnection): FourLetterSource {
  const config = server.config;
  const connectionInfos = (): ConnectionInfo[] => {
    const out: ConnectionInfo[] = [];
    for (const c of server.allConnections()) {
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
  const packets = () => ({ received: server.counters.packetsReceived, sent: server.counters.packetsSent });
  const outstanding = () => {
    let n = 0;
    for (const c of server.allConnections()) n += c.outstanding;
    return n;
  };
  const summary = (): ServerSummary => {
    const c = server.counters;
    const p = packets();
    return {
      version: PADDOCK_VERSION,
      mode: server.mode,
      minLatencyMs: c.latencyCount === 0 ? 0 : c.minLatencyMs,
      avgLatencyMs: c.latencyCount === 0 ? 0 : c.totalLatencyMs / c.latencyCount,
      maxLatencyMs: c.maxLatencyMs,
      packetsReceived: p.received,
      packetsSent: p.sent,
      aliveConnections: server.connectionCount,
      outstandingRequests: outstanding(),
      lastZxid: server.sm.lastZxid,
      nodeCount: server.sm.nodeCount(),
      ...(server.mode === "leader"
        ? {
            proposalSizes: {
              lastBytes: server.proposals.lastBytes,
              minBytes: server.proposals.minBytes,
              maxBytes: server.proposals.maxBytes,
            },
          }
        : {}),
    };
  };
  const dataDir = resolve(config.dataDir);
  const dataLogDir = resolve(config.dataLogDir);
  return {
    isServing: () => server.isServing,
    mode: () => server.mode,
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
      ...(config.standalone ? {} : { quorum: quorumConf(server) }),
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
      for (const id of server.sm.sessionIds()) ephemerals += server.sm.ephemeralsOf(id).length;
      const quorum = server.quorum;
      const learners = quorum?.peer.learnerSummary() ?? null;
      return {
        version: PADDOCK_VERSION,
        serverState: server.mode,
        ...(quorum === undefined
          ? {}
          : {
              peerState: peerState(quorum.role, quorum.serving),
              quorumSize: quorum.voters.length,
              summaries: { ...server.txnLogSummaries, election_time: { ...quorum.electionStats } },
              counters: { proposal_count: server.proposals.count },
              ...(learners === null || quorum.role !== "leading"
                ? {}
                : {
                    leader: {
                      learners: learners.learners,
                      syncedFollowers: learners.syncedFollowers,
                      syncedNonVotingFollowers: 0,
                      syncedObservers: learners.syncedObservers,
                      pendingSyncs: learners.pendingSyncs,
                      leaderUptimeMs: Date.now() - quorum.roleSinceMs,
                      lastProposalSize: server.proposals.lastBytes,
                      maxProposalSize: server.proposals.maxBytes,
                      minProposalSize: server.proposals.minBytes,
                    },
                  }),
            }),
        ...(quorum === undefined ? { summaries: server.txnLogSummaries } : {}),
        ephemeralsCount: ephemerals,
        aliveConnections: s.aliveConnections,
        avgLatencyMs: s.avgLatencyMs,
        minLatencyMs: s.minLatencyMs,
        maxLatencyMs: s.maxLatencyMs,
        outstandingRequests: s.outstandingRequests,
        znodeCount: s.nodeCount,
        globalSessions: server.sm.sessionIds().length,
        localSessions: 0,
        packetsSent: s.packetsSent,
        packetsReceived: s.packetsReceived,
        watchCount: server.watches.totalWatchCount(),
        approximateDataSizeBytes: server.sm.approximateDataSizeBytes(),
        uptimeMs: Date.now() - server.startedAtMs,
        lastClientResponseSize: -1,
        minClientResponseSize: -1,
        maxClientResponseSize: -1,
        openFileDescriptorCount: openFileDescriptors(),
        maxFileDescriptorCount: 1048576,
      };
    },
    watchSummary: () => server.watches.summary(),
    watchesBySession: () => server.watches.watchesBySession(),
    watchesByPath: () => server.watches.watchesByPath(),
    dump: () => ({
      sessionBuckets: server.sessions.expiryBuckets(),
      ephemerals: server.sm
        .sessionIds()
        .map((sessionId) => ({ sessionId, paths: server.sm.ephemeralsOf(sessionId) }))
        .filter((e) => e.paths.length > 0),
      connectionBuckets: connectionBuckets(server),
    }),
    dirs: () => ({ dataDirSizeBytes: dirSizeBytes(dataDir), logDirSizeBytes: dirSizeBytes(dataLogDir) }),
    resetConnectionStats: () => server.resetConnectionStats(),
    resetServerStats: () => server.resetServerStats(),
    traceMask: () => server.traceMask,
    setTraceMask: (mask) => {
      server.traceMask = mask;
    },
    digests: () => [
      { zxid: server.sm.lastZxid, digest: BigInt.asIntN(64, BigInt(`0x${server.sm.digest().slice(0, 16)}`)) },
    ],
  };
}

/** ZooKeeper's NIO layer expires idle connections in 10 s buckets of last activity + timeout. */
const CONNECTION_BUCKET_MS = 10_000;

function connectionBuckets(server: PaddockServer) {
  const buckets = new Map<number, { remoteAddress: string; remotePort: number; sessionId: bigint }[]>();
  for (const c of server.allConnections()) {
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

function openFileDescriptors(): number | undefined {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return undefined;
  }
}

/** The quorum part of `conf`, as ZooKeeper prints it for an ensemble member. */
function quorumConf(server: PaddockServer): QuorumConf {
  const config = server.config;
  const me = config.myid === undefined ? undefined : config.servers.get(config.myid);
  return {
    initLimit: config.initLimit,
    syncLimit: config.syncLimit,
    electionAlg: 3,
    electionPorts: me === undefined ? [] : [me.electionPort],
    quorumPorts: me === undefined ? [] : [me.peerPort],
    peerType: me?.role === "observer" ? 1 : 0,
    members: [...config.servers.values()]
      .sort((a, b) => a.id - b.id)
      .map(
        (s) =>
          `server.${s.id}=${s.host}:${s.peerPort}:${s.electionPort}:${s.role}` +
          (s.clientPort === undefined ? "" : `;${s.clientAddress ?? "0.0.0.0"}:${s.clientPort}`),
      ),
    configVersion: Number(config.configVersion),
  };
}

/** ZooKeeper's zk_peer_state: the role, then the phase within it. */
function peerState(role: string, serving: boolean): string {
  if (role === "looking") return "looking";
  return `${role} - ${serving ? "broadcast" : "synchronization"}`;
}

export function installFourLetterWords(server: PaddockServer): void {
  server.fourLetterWordHandler = (word, conn) => {
    const out = runFourLetterWord(
      word,
      server.config.fourLetterWordWhitelist,
      fourLetterSource(server, conn),
    );
    const electionMs = server.quorum?.lastElectionDurationMs;
    // Paddock's own metric, after ZooKeeper's keys so parsers of the standard set are unaffected.
    if (word === "mntr" && out !== undefined && out.startsWith("zk_") && electionMs !== undefined) {
      return `${out}zk_last_election_duration_ms\t${electionMs}\n`;
    }
    return out;
  };
}
