// Four-letter words: the plain-text admin commands answered on the client port. Monitoring tools
// parse these outputs (zkServer.sh greps "Mode:", exporters split mntr on tabs), so every
// formatter reproduces ZooKeeper 3.8's text byte for byte; the expected shapes were captured from
// a real 3.8.0 server (see test/admin). Everything here is pure: the runtime hands in snapshots.

/** Every word ZooKeeper recognises in the first four bytes of a connection. */
export const FOUR_LETTER_WORDS: ReadonlySet<string> = new Set([
  "conf",
  "cons",
  "crst",
  "dirs",
  "dump",
  "envi",
  "gtmk",
  "ruok",
  "stmk",
  "srst",
  "srvr",
  "stat",
  "wchc",
  "wchp",
  "wchs",
  "mntr",
  "isro",
  "hash",
]);

/** Words that need a serving data tree; the others answer even during leader election. */
const NEEDS_SERVING: ReadonlySet<string> = new Set([
  "stat",
  "srvr",
  "conf",
  "cons",
  "crst",
  "srst",
  "dump",
  "dirs",
  "mntr",
  "wchs",
  "wchc",
  "wchp",
  "hash",
]);

export const NOT_SERVING_MESSAGE = "This ZooKeeper instance is not currently serving requests\n";

/** ZooKeeper's default trace mask (client requests | server packets | sessions | warnings). */
export const DEFAULT_TRACE_MASK = 306n;

/** The word in the first four bytes of a fresh connection, or undefined if they are not one. */
export function fourLetterWordOf(firstBytes: Uint8Array): string | undefined {
  if (firstBytes.length < 4) return undefined;
  const word = String.fromCharCode(firstBytes[0]!, firstBytes[1]!, firstBytes[2]!, firstBytes[3]!);
  return FOUR_LETTER_WORDS.has(word) ? word : undefined;
}

export type Whitelist = ReadonlySet<string> | "*";

/**
 * `4lw.commands.whitelist`: comma-separated, entries trimmed, `*` enables everything. `srvr` is
 * always enabled (zkServer.sh status needs it) and `isro` too when read-only mode is on. Unknown
 * names are kept out so the set only ever holds real words.
 */
export function parseWhitelist(
  value: string | undefined,
  options: { readOnlyModeEnabled?: boolean } = {},
): Set<string> | "*" {
  const enabled = new Set<string>();
  if (value !== undefined) {
    for (const raw of value.split(",")) {
      const name = raw.trim();
      if (name === "*") return "*";
      if (FOUR_LETTER_WORDS.has(name)) enabled.add(name);
    }
  }
  if (options.readOnlyModeEnabled === true) enabled.add("isro");
  enabled.add("srvr");
  return enabled;
}

export function isEnabled(cmd: string, whitelist: Whitelist): boolean {
  if (!FOUR_LETTER_WORDS.has(cmd)) return false;
  return whitelist === "*" || whitelist.has(cmd);
}

/** The answer to a known word that the whitelist does not enable. */
export function notInWhitelistMessage(cmd: string): string {
  return `${cmd} is not executed because it is not in the whitelist.\n`;
}

// ---------------------------------------------------------------------------------------------
// Number and address rendering as Java prints them

/** Long.toHexString: two's complement for negatives, lower case, no padding. */
export function javaHex(value: number | bigint): string {
  return BigInt.asUintN(64, BigInt(value)).toString(16);
}

/** Double.toString for the values these outputs carry: `0.0`, `7.75`, `1.0E7`. */
export function javaDouble(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const s = String(value);
    return s.includes(".") ? s : `${s}.0`;
  }
  const [mantissa = "0", exponent = "0"] = value.toExponential().split("e");
  const m = mantissa.includes(".") ? mantissa : `${mantissa}.0`;
  return `${m}E${Number(exponent)}`;
}

/**
 * ZooKeeper reports average latencies rounded to 4 decimals, HALF_UP on the decimal text of the
 * double (BigDecimal.valueOf), which is why this works on the string and not on value * 10^4.
 */
export function roundHalfUp4(value: number): number {
  const text = String(value);
  if (text.includes("e")) return Math.round(value * 10_000) / 10_000;
  const negative = text.startsWith("-");
  const [intPart = "0", fracPart = ""] = (negative ? text.slice(1) : text).split(".");
  if (fracPart.length <= 4) return value;
  let scaled = BigInt(intPart + fracPart.slice(0, 4));
  if (fracPart.charCodeAt(4) >= 0x35) scaled += 1n; // '5'..'9'
  const digits = scaled.toString().padStart(5, "0");
  const rounded = Number(`${digits.slice(0, -4)}.${digits.slice(-4)}`);
  return negative ? -rounded : rounded;
}

/**
 * InetSocketAddress.toString of a remote peer: `/127.0.0.1:37932`. IPv4-mapped IPv6 addresses
 * print as IPv4 (Java converts them); other IPv6 addresses in Java's uncompressed form and, as
 * recent JDKs do, in brackets.
 */
export function javaSocketAddress(ip: string, port: number): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped !== null) return `/${mapped[1]}:${port}`;
  if (!ip.includes(":")) return `/${ip}:${port}`;
  return `/[${expandIpv6(ip)}]:${port}`;
}

function expandIpv6(ip: string): string {
  const zoneAt = ip.indexOf("%");
  const zone = zoneAt >= 0 ? ip.slice(zoneAt) : "";
  let addr = zoneAt >= 0 ? ip.slice(0, zoneAt) : ip;
  // A trailing dotted quad stands for the last two groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(addr);
  if (quad !== null) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    addr = `${addr.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = addr.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(missing).fill("0"), ...tailGroups];
  return groups.map((g) => Number.parseInt(g, 16).toString(16)).join(":") + zone;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Date.toString in UTC: `Sat Nov 21 07:44:46 UTC 2026`. */
export function javaDate(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
  );
}

// ---------------------------------------------------------------------------------------------
// Snapshots handed in by the runtime

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
  localSessions: number;
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
  /** Values for ZooKeeper's named counters (keys without `zk_`); the rest print 0. */
  counters?: Readonly<Record<string, number>>;
  /** Values for ZooKeeper's named summaries (keys without `zk_avg_` etc.); the rest print 0. */
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

// ---------------------------------------------------------------------------------------------
// Formatters

export function formatRuok(): string {
  return "imok";
}

function serverLines(s: ServerSummary, clients: readonly ConnectionInfo[] | undefined): string {
  let out = `Zookeeper version: ${s.version}\n`;
  if (s.mode === "read-only") out += "READ-ONLY mode; serving only read-only clients\n";
  if (clients !== undefined) {
    out += "Clients:\n";
    for (const c of clients) out += `${formatConnection(c, true)}\n`;
    out += "\n";
  }
  out +=
    `Latency min/avg/max: ${s.minLatencyMs}/${javaDouble(roundHalfUp4(s.avgLatencyMs))}/${s.maxLatencyMs}\n` +
    `Received: ${s.packetsReceived}\n` +
    `Sent: ${s.packetsSent}\n` +
    `Connections: ${s.aliveConnections}\n` +
    `Outstanding: ${s.outstandingRequests}\n` +
    `Zxid: 0x${javaHex(s.lastZxid)}\n` +
    `Mode: ${s.mode}\n` +
    `Node count: ${s.nodeCount}\n`;
  if (s.proposalSizes !== undefined) {
    const p = s.proposalSizes;
    out += `Proposal sizes last/min/max: ${p.lastBytes}/${p.minBytes}/${p.maxBytes}\n`;
  }
  return out;
}

export function formatSrvr(s: ServerSummary): string {
  return serverLines(s, undefined);
}

export function formatStat(s: ServerSummary, connections: readonly ConnectionInfo[]): string {
  return serverLines(s, connections);
}

/** One connection line without the newline; `brief` is the stat form (no session fields). */
export function formatConnection(c: ConnectionInfo, brief: boolean): string {
  let out =
    ` ${javaSocketAddress(c.remoteAddress, c.remotePort)}[${c.interestOps.toString(16)}]` +
    `(queued=${c.queuedRequests},recved=${c.packetsReceived},sent=${c.packetsSent}`;
  const s = c.session;
  if (!brief && s !== undefined && s.sessionId !== 0n) {
    out +=
      `,sid=0x${javaHex(s.sessionId)},lop=${s.lastOp},est=${s.establishedAtMs},to=${s.timeoutMs}` +
      (s.lastCxid >= 0 ? `,lcxid=0x${javaHex(s.lastCxid)}` : "") +
      `,lzxid=0x${javaHex(s.lastZxid)},lresp=${s.lastResponseTimeMs},llat=${s.lastLatencyMs}` +
      `,minlat=${s.minLatencyMs},avglat=${Math.trunc(s.avgLatencyMs)},maxlat=${s.maxLatencyMs}`;
  }
  return `${out})`;
}

export function formatCons(connections: readonly ConnectionInfo[]): string {
  let out = "";
  for (const c of connections) out += `${formatConnection(c, false)}\n`;
  return `${out}\n`;
}

export function formatConf(c: ConfSnapshot): string {
  let out =
    `clientPort=${c.clientPort}\n` +
    `secureClientPort=${c.secureClientPort}\n` +
    `dataDir=${c.dataDir}\n` +
    `dataDirSize=${c.dataDirSizeBytes}\n` +
    `dataLogDir=${c.dataLogDir}\n` +
    `dataLogSize=${c.dataLogSizeBytes}\n` +
    `tickTime=${c.tickTimeMs}\n` +
    `maxClientCnxns=${c.maxClientCnxns}\n` +
    `minSessionTimeout=${c.minSessionTimeoutMs}\n` +
    `maxSessionTimeout=${c.maxSessionTimeoutMs}\n` +
    `clientPortListenBacklog=${c.clientPortListenBacklog}\n` +
    `serverId=${c.serverId}\n`;
  const q = c.quorum;
  if (q !== undefined) {
    out +=
      `initLimit=${q.initLimit}\n` +
      `syncLimit=${q.syncLimit}\n` +
      `electionAlg=${q.electionAlg}\n` +
      `electionPort=${q.electionPorts.join("|")}\n` +
      `quorumPort=${q.quorumPorts.join("|")}\n` +
      `peerType=${q.peerType}\n` +
      "membership: \n" +
      q.members.map((m) => `${m}\n`).join("") +
      `version=${q.configVersion.toString(16)}`;
  }
  return out;
}

export function formatCrst(): string {
  return "Connection stats reset.\n";
}

export function formatSrst(): string {
  return "Server stats reset.\n";
}

/** The keys of `envi`, in ZooKeeper 3.8's order. */
export const ENVIRONMENT_KEYS = [
  "zookeeper.version",
  "host.name",
  "java.version",
  "java.vendor",
  "java.home",
  "java.class.path",
  "java.library.path",
  "java.io.tmpdir",
  "java.compiler",
  "os.name",
  "os.arch",
  "os.version",
  "user.name",
  "user.home",
  "user.dir",
  "os.memory.free",
  "os.memory.max",
  "os.memory.total",
] as const;

export type EnvironmentKey = (typeof ENVIRONMENT_KEYS)[number];

/** `envi`: every key in order; a missing value prints as `<NA>` like ZooKeeper's. */
export function formatEnvi(values: Readonly<Partial<Record<EnvironmentKey, string>>>): string {
  let out = "Environment:\n";
  for (const key of ENVIRONMENT_KEYS) out += `${key}=${values[key] ?? "<NA>"}\n`;
  return out;
}

// ZooKeeper 3.8.0's ServerMetrics, in the order a standalone server prints them, so that the
// whole mntr output has the same lines as the real one.
const MNTR_COUNTERS = [
  "proposal_count",
  "watch_bytes",
  "outstanding_changes_removed",
  "throttled_ops",
  "stale_requests_dropped",
  "large_requests_rejected",
  "insecure_admin_count",
  "connection_rejected",
  "cnxn_closed_without_zk_server_running",
  "sessionless_connections_expired",
  "looking_count",
  "dead_watchers_queued",
  "stale_requests",
  "connection_drop_count",
  "learner_proposal_received_count",
  "digest_mismatches_count",
  "dead_watchers_cleared",
  "response_packet_cache_hits",
  "bytes_received_count",
  "add_dead_watcher_stall_time",
  "request_throttle_wait_count",
  "requests_not_forwarded_to_commit_processor",
  "response_packet_cache_misses",
  "ensemble_auth_success",
  "prep_processor_request_queued",
  "learner_commit_received_count",
  "stale_replies",
  "connection_request_count",
  "response_bytes",
  "ensemble_auth_fail",
  "diff_count",
  "response_packet_get_children_cache_misses",
  "connection_revalidate_count",
  "quit_leading_due_to_disloyal_voter",
  "snap_count",
  "unrecoverable_error_count",
  "unsuccessful_handshake",
  "commit_count",
  "stale_sessions_expired",
  "response_packet_get_children_cache_hits",
  "sync_processor_request_queued",
  "outstanding_changes_queued",
  "request_commit_queued",
  "ensemble_auth_skip",
  "skip_learner_request_to_next_processor_count",
  "tls_handshake_exceeded",
  "revalidate_count",
] as const;

const MNTR_SUMMARIES = [
  "socket_closing_time",
  "proposal_process_time",
  "leader_unavailable_time",
  "node_created_watch_count",
  "session_queues_drained",
  "write_commit_proc_req_queued",
  "connection_token_deficit",
  "read_commit_proc_req_queued",
  "node_deleted_watch_count",
  "startup_txns_load_time",
  "sync_processor_queue_size",
  "follower_sync_time",
  "prep_processor_queue_size",
  "fsynctime",
  "inflight_snap_count",
  "reads_issued_from_session_queue",
  "learner_request_processor_queue_size",
  "snapshottime",
  "unavailable_time",
  "startup_txns_loaded",
  "reads_after_write_in_session_queue",
  "requests_in_session_queue",
  "write_commit_proc_issued",
  "prep_process_time",
  "pending_session_queue_size",
  "time_waiting_empty_pool_in_commit_processor_read_ms",
  "commit_process_time",
  "dbinittime",
  "inflight_diff_count",
  "netty_queued_buffer_capacity",
  "election_time",
  "commit_commit_proc_req_queued",
  "sync_processor_batch_size",
  "node_children_watch_count",
  "write_batch_time_in_commit_processor",
  "read_commit_proc_issued",
  "concurrent_request_processing_in_commit_processor",
  "observer_sync_time",
  "node_changed_watch_count",
  "sync_process_time",
  "startup_snap_load_time",
] as const;

const MNTR_PERCENTILE_SUMMARIES = [
  "prep_processor_queue_time_ms",
  "jvm_pause_time_ms",
  "close_session_prep_time",
  "read_commitproc_time_ms",
  "updatelatency",
  "local_write_committed_time_ms",
  "request_throttle_queue_time_ms",
  "readlatency",
  "quorum_ack_latency",
  "om_commit_process_time_ms",
  "read_final_proc_time_ms",
  "commit_propagation_latency",
  "dead_watchers_cleaner_latency",
  "write_final_proc_time_ms",
  "proposal_ack_creation_latency",
  "proposal_latency",
  "om_proposal_process_time_ms",
  "sync_processor_queue_and_flush_time_ms",
  "propagation_latency",
  "server_write_committed_time_ms",
  "sync_processor_queue_time_ms",
  "sync_processor_queue_flush_time_ms",
  "write_commitproc_time_ms",
] as const;

/** mntr: `zk_<key>\t<value>` lines in 3.8.0's order (version and state first). */
export function formatMntr(m: MonitorSnapshot): string {
  const lines: string[] = [];
  const put = (key: string, value: string | number | undefined) => {
    if (value !== undefined) lines.push(`zk_${key}\t${value}`);
  };
  put("version", m.version);
  put("server_state", m.serverState);
  put("peer_state", m.peerState);
  put("ephemerals_count", m.ephemeralsCount);
  put("num_alive_connections", m.aliveConnections);
  put("avg_latency", javaDouble(roundHalfUp4(m.avgLatencyMs)));
  put("outstanding_requests", m.outstandingRequests);
  put("znode_count", m.znodeCount);
  put("global_sessions", m.globalSessions);
  put("non_mtls_remote_conn_count", m.nonMtlsRemoteConnCount ?? 0);
  put("last_client_response_size", m.lastClientResponseSize);
  put("packets_sent", m.packetsSent);
  put("packets_received", m.packetsReceived);
  put("max_client_response_size", m.maxClientResponseSize);
  put("connection_drop_probability", javaDouble(m.connectionDropProbability ?? 0));
  put("watch_count", m.watchCount);
  put("auth_failed_count", m.authFailedCount ?? 0);
  put("min_latency", m.minLatencyMs);
  put("max_file_descriptor_count", m.maxFileDescriptorCount);
  put("approximate_data_size", m.approximateDataSizeBytes);
  put("open_file_descriptor_count", m.openFileDescriptorCount);
  put("local_sessions", m.localSessions);
  put("uptime", m.uptimeMs);
  put("max_latency", m.maxLatencyMs);
  put("outstanding_tls_handshake", m.outstandingTlsHandshake ?? 0);
  put("min_client_response_size", m.minClientResponseSize);
  put("non_mtls_local_conn_count", m.nonMtlsLocalConnCount ?? 0);
  put("quorum_size", m.quorumSize);
  const l = m.leader;
  if (l !== undefined) {
    put("learners", l.learners);
    put("synced_followers", l.syncedFollowers);
    put("synced_non_voting_followers", l.syncedNonVotingFollowers);
    put("synced_observers", l.syncedObservers);
    put("pending_syncs", l.pendingSyncs);
    put("leader_uptime", l.leaderUptimeMs);
    put("last_proposal_size", l.lastProposalSize);
    put("max_proposal_size", l.maxProposalSize);
    put("min_proposal_size", l.minProposalSize);
  }
  for (const name of MNTR_COUNTERS) put(name, m.counters?.[name] ?? 0);
  const summary = (name: string, percentiles: boolean) => {
    const s = m.summaries?.[name];
    const count = s?.count ?? 0;
    put(`avg_${name}`, javaDouble(count === 0 ? 0 : (s?.sum ?? 0) / count));
    put(`min_${name}`, s?.min ?? 0);
    put(`max_${name}`, s?.max ?? 0);
    put(`cnt_${name}`, count);
    put(`sum_${name}`, s?.sum ?? 0);
    if (percentiles) {
      put(`p50_${name}`, s?.p50 ?? 0);
      put(`p95_${name}`, s?.p95 ?? 0);
      put(`p99_${name}`, s?.p99 ?? 0);
      put(`p999_${name}`, s?.p999 ?? 0);
    }
  };
  for (const name of MNTR_SUMMARIES) summary(name, false);
  for (const name of MNTR_PERCENTILE_SUMMARIES) summary(name, true);
  return lines.map((line) => `${line}\n`).join("");
}

export function formatWchs(w: WatchSummaryInfo): string {
  return `${w.connections} connections watching ${w.paths} paths\nTotal watches:${w.totalWatches}\n`;
}

export function formatWchc(
  bySession: ReadonlyArray<{ sessionId: bigint; paths: readonly string[] }>,
): string {
  let out = "";
  for (const { sessionId, paths } of bySession) {
    out += `0x${javaHex(sessionId)}\n`;
    for (const path of paths) out += `\t${path}\n`;
  }
  return `${out}\n`;
}

export function formatWchp(byPath: ReadonlyArray<{ path: string; sessionIds: readonly bigint[] }>): string {
  let out = "";
  for (const { path, sessionIds } of byPath) {
    out += `${path}\n`;
    for (const id of sessionIds) out += `\t0x${javaHex(id)}\n`;
  }
  return `${out}\n`;
}

export function formatDump(d: DumpSnapshot): string {
  const sessionCount = d.sessionBuckets.reduce((n, b) => n + b.sessionIds.length, 0);
  let out = `SessionTracker dump:\nSession Sets (${d.sessionBuckets.length})/(${sessionCount}):\n`;
  for (const b of d.sessionBuckets) {
    out += `${b.sessionIds.length} expire at ${javaDate(b.expiryMs)}:\n`;
    for (const id of b.sessionIds) out += `\t0x${javaHex(id)}\n`;
  }
  out += `ephemeral nodes dump:\nSessions with Ephemerals (${d.ephemerals.length}):\n`;
  for (const e of d.ephemerals) {
    out += `0x${javaHex(e.sessionId)}:\n`;
    for (const path of e.paths) out += `\t${path}\n`;
  }
  if (d.connectionBuckets !== undefined) {
    const connCount = d.connectionBuckets.reduce((n, b) => n + b.connections.length, 0);
    out += `Connections dump:\nConnections Sets (${d.connectionBuckets.length})/(${connCount}):\n`;
    for (const b of d.connectionBuckets) {
      out += `${b.connections.length} expire at ${javaDate(b.expiryMs)}:\n`;
      for (const c of b.connections) {
        out += `\tip: ${javaSocketAddress(c.remoteAddress, c.remotePort)} sessionId: 0x${javaHex(c.sessionId)}\n`;
      }
    }
  }
  return out;
}

export function formatDirs(dataDirSizeBytes: number, logDirSizeBytes: number): string {
  return `datadir_size: ${dataDirSizeBytes}\nlogdir_size: ${logDirSizeBytes}\n`;
}

/** `ro`, `rw`, or `null` when the server is not running; no newline. */
export function formatIsro(mode: ServerMode | undefined): string {
  if (mode === undefined) return "null";
  return mode === "read-only" ? "ro" : "rw";
}

export function formatTraceMask(mask: bigint): string {
  return BigInt.asIntN(64, mask).toString();
}

export function formatHash(digests: ReadonlyArray<{ zxid: number; digest: bigint }>): string {
  return digests.map((d) => `${javaHex(d.zxid)}: ${d.digest}\n`).join("");
}

// ---------------------------------------------------------------------------------------------
// Dispatch

/** What a word may ask of the running server; each method is called only when needed. */
export interface FourLetterSource {
  /** False while the server has no data tree to answer from (e.g. during leader election). */
  isServing(): boolean;
  mode(): ServerMode;
  server(): ServerSummary;
  /** All client connections, the asking 4lw connection included. */
  connections(): ConnectionInfo[];
  conf(): ConfSnapshot;
  environment(): Partial<Record<EnvironmentKey, string>>;
  monitor(): MonitorSnapshot;
  watchSummary(): WatchSummaryInfo;
  watchesBySession(): ReadonlyArray<{ sessionId: bigint; paths: readonly string[] }>;
  watchesByPath(): ReadonlyArray<{ path: string; sessionIds: readonly bigint[] }>;
  dump(): DumpSnapshot;
  dirs(): { dataDirSizeBytes: number; logDirSizeBytes: number };
  resetConnectionStats(): void;
  resetServerStats(): void;
  traceMask(): bigint;
  setTraceMask(mask: bigint): void;
  digests(): ReadonlyArray<{ zxid: number; digest: bigint }>;
}

/**
 * The full answer to a four-letter word, or undefined when `cmd` is not one (the bytes are then a
 * frame length). `argument` is stmk's 8-byte mask; without it stmk answers nothing, as ZooKeeper
 * closes such a connection without output.
 */
export function runFourLetterWord(
  cmd: string,
  whitelist: Whitelist,
  source: FourLetterSource,
  argument?: bigint,
): string | undefined {
  if (!FOUR_LETTER_WORDS.has(cmd)) return undefined;
  if (!isEnabled(cmd, whitelist)) return notInWhitelistMessage(cmd);
  if (NEEDS_SERVING.has(cmd) && !source.isServing()) {
    return cmd === "hash" ? NOT_SERVING_MESSAGE.trimEnd() : NOT_SERVING_MESSAGE;
  }
  switch (cmd) {
    case "ruok":
      return formatRuok();
    case "srvr":
      return formatSrvr(source.server());
    case "stat":
      return formatStat(source.server(), source.connections());
    case "cons":
      return formatCons(source.connections());
    case "conf":
      return formatConf(source.conf());
    case "crst":
      source.resetConnectionStats();
      return formatCrst();
    case "srst":
      source.resetServerStats();
      return formatSrst();
    case "envi":
      return formatEnvi(source.environment());
    case "mntr":
      return formatMntr(source.monitor());
    case "wchs":
      return formatWchs(source.watchSummary());
    case "wchc":
      return formatWchc(source.watchesBySession());
    case "wchp":
      return formatWchp(source.watchesByPath());
    case "dump":
      return formatDump(source.dump());
    case "dirs": {
      const d = source.dirs();
      return formatDirs(d.dataDirSizeBytes, d.logDirSizeBytes);
    }
    case "isro":
      return formatIsro(source.isServing() ? source.mode() : undefined);
    case "gtmk":
      return formatTraceMask(source.traceMask());
    case "stmk":
      if (argument === undefined) return "";
      source.setTraceMask(argument);
      return formatTraceMask(source.traceMask());
    case "hash":
      return formatHash(source.digests());
    default:
      throw new Error(`four-letter word ${cmd} is listed but has no handler`);
  }
}
