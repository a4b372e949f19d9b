// What the runtime hands the four-letter-word formatters: plain snapshots of its live state,
// taken only when a word asks for them.

export type ServerMode = "standalone" | "leader" | "follower" | "observer" | "read-only";

/** The server-wide numbers of srvr/stat. */
export interface ServerSummary {
  /** Full version text, e.g. "3.8.0-paddock, built on 2026-11-21 08:00 UTC". */
  version: string;
  mode: ServerMode;
  minLatencyMs: number;
  /** Unrounded; printed rounded to 4 decimals. */
  avgLatencyMs: number;
  maxLatencyMs: number;
  packetsReceived: number;
  packetsSent: number;
  /** Live client connections, including the 4lw connection asking. */
  aliveConnections: number;
  outstandingRequests: number;
  lastZxid: number;
  /** ZooKeeper counts the "" root alias too: 5 on an empty server. */
  nodeCount: number;
  /** Leader only; -1 each before any proposal. */
  proposalSizes?: { lastBytes: number; minBytes: number; maxBytes: number };
}

/** Per-session fields of a connection, shown by `cons`. */
export interface ConnectionSessionInfo {
  sessionId: bigint;
  /** Short op name of the last reply (`NA` initially, `PING`, `GETD`, ...). */
  lastOp: string;
  establishedAtMs: number;
  timeoutMs: number;
  /** -1 after a reset: then omitted. */
  lastCxid: number;
  /** -1 after a reset: then printed as 0xffffffffffffffff. */
  lastZxid: number;
  lastResponseTimeMs: number;
  lastLatencyMs: number;
  minLatencyMs: number;
  /** Printed as an integer (ZooKeeper divides longs). */
  avgLatencyMs: number;
  maxLatencyMs: number;
}

export interface ConnectionInfo {
  remoteAddress: string;
  remotePort: number;
  /** Java selector interest ops: 0 for the 4lw connection itself, 1 read, 5 read+write. */
  interestOps: number;
  queuedRequests: number;
  packetsReceived: number;
  packetsSent: number;
  /** Absent until the handshake has produced a session. */
  session?: ConnectionSessionInfo;
}

export interface QuorumConf {
  initLimit: number;
  syncLimit: number;
  electionAlg: number;
  electionPorts: readonly number[];
  quorumPorts: readonly number[];
  /** 0 participant, 1 observer. */
  peerType: 0 | 1;
  /** Member lines as ZooKeeper prints them: `server.1=host:2888:3888:participant;0.0.0.0:2181`. */
  members: readonly string[];
  configVersion: number;
}

export interface ConfSnapshot {
  /** -1 when not set. */
  clientPort: number;
  secureClientPort: number;
  /** Absolute snapshot directory, i.e. dataDir + "/version-2". */
  dataDir: string;
  dataDirSizeBytes: number;
  dataLogDir: string;
  dataLogSizeBytes: number;
  tickTimeMs: number;
  maxClientCnxns: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  clientPortListenBacklog: number;
  serverId: number;
  /** Present on quorum members. */
  quorum?: QuorumConf;
}

/** A summary metric (ZooKeeper's AvgMinMax[Percentile]Counter). */
export interface SummaryValue {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Percentiles, for the summaries that have them. */
  p50?: number;
  p95?: number;
  p99?: number;
  p999?: number;
}

export interface LeaderMonitor {
  learners: number;
  syncedFollowers: number;
  syncedNonVotingFollowers: number;
  syncedObservers: number;
  pendingSyncs: number;
  leaderUptimeMs: number;
  lastProposalSize: number;
  maxProposalSize: number;
  minProposalSize: number;
}

export interface MonitorSnapshot {
  version: string;
  serverState: ServerMode;
  /** Quorum members: `following - broadcast`, `leading - broadcast`, `looking`. */
  peerState?: string;
  ephemeralsCount: number;
  aliveConnections: number;
  avgLatencyMs: number;
  minLatencyMs: number;
  maxLatencyMs: number;
  outstandingRequests: number;
  znodeCount: number;
  globalSessions: number;
  /** Sessions on this server only (localSessionsEnabled, read-only clients); ZooKeeper's gauge. */
  localSessions?: number;
  packetsSent: number;
  packetsReceived: number;
  /** Total (path, connection) pairs of both watch tables. */
  watchCount: number;
  approximateDataSizeBytes: number;
  uptimeMs: number;
  /** -1 before any response. */
  lastClientResponseSize: number;
  minClientResponseSize: number;
  maxClientResponseSize: number;
  connectionDropProbability?: number;
  authFailedCount?: number;
  /** Log writes whose fsync exceeded fsync.warningthresholdms; undefined when not measured. */
  fsyncThresholdExceedCount?: number;
  nonMtlsRemoteConnCount?: number;
  nonMtlsLocalConnCount?: number;
  outstandingTlsHandshake?: number;
  /** Unix only; the lines are skipped when undefined (null gauges). */
  openFileDescriptorCount?: number;
  maxFileDescriptorCount?: number;
  /** Quorum members only. */
  quorumSize?: number;
  /** Leader only. */
  leader?: LeaderMonitor;
  /** ZooKeeper's named counters Paddock measures (keys without `zk_`); the rest are left out. */
  counters?: Readonly<Record<string, number>>;
  /** ZooKeeper's named summaries Paddock measures (keys without `zk_avg_` etc.); the rest are left out. */
  summaries?: Readonly<Record<string, SummaryValue>>;
}

export interface WatchSummaryInfo {
  connections: number;
  paths: number;
  totalWatches: number;
}

export interface DumpSnapshot {
  sessionBuckets: ReadonlyArray<{ expiryMs: number; sessionIds: readonly bigint[] }>;
  ephemerals: ReadonlyArray<{ sessionId: bigint; paths: readonly string[] }>;
  /** ZooKeeper's NIO factory adds idle-connection buckets; omitted entirely when undefined. */
  connectionBuckets?: ReadonlyArray<{
    expiryMs: number;
    connections: ReadonlyArray<{ remoteAddress: string; remotePort: number; sessionId: bigint }>;
  }>;
}
