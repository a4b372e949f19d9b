// The AdminServer's commands: ZooKeeper 3.8's names, aliases and JSON field names, answered from
// the same snapshots the four-letter words print (FourLetterSource), plus the few facts only the
// HTTP commands show (leader, voting view, ZAB state, last snapshot). Pure: the running server
// hands in a source; admin-server.ts turns the answers into HTTP.

import type { ConnectionInfo, FourLetterSource } from "../four-letter-words.js";
import { javaSocketAddress, roundHalfUp4 } from "../java-format.js";
import { mntrEntries } from "../mntr.js";
import { JavaDouble, type JsonValue } from "./jackson-json.js";

/** Figures Paddock does not measure are undefined, and their fields are left out. */
export interface ServerStatsDetail {
  /** Log writes whose fsync took longer than fsync.warningthresholdms. */
  fsyncThresholdExceedCount: number | undefined;
  /** Serialized reply sizes; -1 each before any reply (ZooKeeper's BufferStats). */
  clientResponse: { lastBytes: number; minBytes: number; maxBytes: number } | undefined;
  authFailedCount: number | undefined;
  uptimeMs: number;
}

export interface QuorumAddress {
  host: string;
  port: number;
}

export interface VotingMember {
  id: number;
  peer: QuorumAddress;
  election: QuorumAddress;
  /** `host:port`, or "" when the member's line has no client address. */
  clientAddress: string;
  learnerType: "participant" | "observer";
}

export interface ZabStateInfo {
  myid: number;
  isLeader: boolean;
  quorumAddress: QuorumAddress;
  electionAddress: QuorumAddress;
  clientAddress: string;
  voting: boolean;
  lastZxid: number;
  /** ZooKeeper's QuorumPeer.ZabState, lower case. */
  zabState: "election" | "discovery" | "synchronization" | "broadcast";
}

export interface ObserverInfo {
  sid: number;
  /** Highest zxid the observer acknowledged. */
  lastZxid: number;
}

/** What the HTTP commands need beyond the four-letter words' snapshots. */
export interface AdminCommandSource extends FourLetterSource {
  serverStatsDetail(): ServerStatsDetail;
  /** The zoo.cfg text the server started from. */
  initialConfiguration(): string;
  /** The newest snapshot file: its zxid and modification time in seconds; undefined if none. */
  lastSnapshot(): { zxid: number; timestampSec: number } | undefined;
  /** Ensemble members only. */
  leader(): { isLeader: boolean; leaderId: number; leaderIp: string } | undefined;
  votingView(): readonly VotingMember[];
  /** Ensemble members only. */
  zabState(): ZabStateInfo | undefined;
  observers(): { syncedObservers: number; observers: readonly ObserverInfo[] };
  resetObserverStats(): void;
  systemProperties(): Readonly<Record<string, string>>;
  /** Leader only: sizes of the proposals of its term, -1 each before any. */
  proposalSizes(): { lastBytes: number; minBytes: number; maxBytes: number } | undefined;
}

type JsonObject = { [key: string]: JsonValue };

interface AdminCommand {
  /** Primary name first, then the aliases. */
  names: readonly string[];
  /** ZooKeeper answers these only while a data tree serves (CommandBase.serverRequired). */
  serverRequired: boolean;
  /** The fields; an `error` field makes the response an error (ZooKeeper puts it first). */
  run(source: AdminCommandSource, params: ReadonlyMap<string, string>): JsonObject;
}

export const NOT_SERVING_ERROR = "This ZooKeeper instance is not currently serving requests";

/** Java's Long as a JSON number, signed (session ids and zxids are 64-bit). */
function long(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

function connectionJson(c: ConnectionInfo, brief: boolean): JsonObject {
  const out: JsonObject = {
    // Jackson writes an InetSocketAddress as InetAddress.toString after its slash, an IPv6 one in
    // brackets: javaSocketAddress's text without the slash.
    remote_socket_address: javaSocketAddress(c.remoteAddress, c.remotePort).slice(1),
    interest_ops: c.interestOps,
    outstanding_requests: c.queuedRequests,
    packets_received: c.packetsReceived,
    packets_sent: c.packetsSent,
  };
  const s = c.session;
  if (brief || s === undefined) return out;
  return {
    ...out,
    session_id: long(s.sessionId),
    last_operation: s.lastOp,
    established: s.establishedAtMs,
    session_timeout: s.timeoutMs,
    last_cxid: s.lastCxid,
    last_zxid: s.lastZxid,
    last_response_time: s.lastResponseTimeMs,
    last_latency: s.lastLatencyMs,
    min_latency: s.minLatencyMs,
    avg_latency: s.avgLatencyMs,
    max_latency: s.maxLatencyMs,
  };
}

function bufferStats(b: { lastBytes: number; minBytes: number; maxBytes: number }): JsonObject {
  return { last_buffer_size: b.lastBytes, min_buffer_size: b.minBytes, max_buffer_size: b.maxBytes };
}

/** The fields whose value is defined (an unmeasured figure is left out, never printed as 0). */
function measured(fields: { [key: string]: JsonValue | undefined }): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

function serverStatsJson(source: AdminCommandSource, withConnections: boolean): JsonObject {
  const s = source.server();
  const d = source.serverStatsDetail();
  const dirs = source.dirs();
  const proposals = source.proposalSizes();
  const responses = d.clientResponse === undefined ? undefined : bufferStats(d.clientResponse);
  const out: JsonObject = measured({
    version: s.version,
    read_only: s.mode === "read-only",
    server_stats: measured({
      packets_sent: s.packetsSent,
      packets_received: s.packetsReceived,
      fsync_threshold_exceed_count: d.fsyncThresholdExceedCount,
      client_response_stats: responses,
      data_dir_size: dirs.dataDirSizeBytes,
      log_dir_size: dirs.logDirSizeBytes,
      provider_null: false,
      server_state: s.mode,
      last_processed_zxid: s.lastZxid,
      outstanding_requests: s.outstandingRequests,
      avg_latency: new JavaDouble(roundHalfUp4(s.avgLatencyMs)),
      max_latency: s.maxLatencyMs,
      min_latency: s.minLatencyMs,
      num_alive_client_connections: s.aliveConnections,
      uptime: d.uptimeMs,
      // auth_failed_count and the non-mTLS counts are about TLS client ports, which Paddock
      // does not have: left out rather than printed as zeros that cannot move.
      auth_failed_count: d.authFailedCount,
    }),
    client_response: responses,
    proposal_stats: proposals === undefined ? undefined : bufferStats(proposals),
    node_count: s.nodeCount,
  });
  if (!withConnections) return out;
  return {
    ...out,
    connections: source.connections().map((c) => connectionJson(c, true)),
    secure_connections: [],
  };
}

/** MultipleAddresses as Jackson serialises its getters (one address per member in Paddock). */
function multipleAddresses(a: QuorumAddress): JsonObject {
  const text = `${a.host}:${a.port}`;
  return {
    empty: false,
    all_addresses: [text],
    all_reachable_addresses: [text],
    one: text,
    reachable_address: text,
    wildcard_addresses: [`0.0.0.0:${a.port}`],
    all_ports: [a.port],
    all_host_strings: [a.host],
    all_reachable_addresses_or_all: [text],
    reachable_or_one: text,
  };
}

const COMMANDS: readonly AdminCommand[] = [
  {
    names: ["connection_stat_reset", "crst"],
    serverRequired: true,
    run: (source) => {
      source.resetConnectionStats();
      return {};
    },
  },
  {
    names: ["configuration", "conf", "config"],
    serverRequired: true,
    run: (source) => {
      const c = source.conf();
      return {
        client_port: c.clientPort,
        data_dir: c.dataDir,
        data_log_dir: c.dataLogDir,
        tick_time: c.tickTimeMs,
        max_client_cnxns: c.maxClientCnxns,
        min_session_timeout: c.minSessionTimeoutMs,
        max_session_timeout: c.maxSessionTimeoutMs,
        server_id: c.serverId,
        client_port_listen_backlog: c.clientPortListenBacklog,
      };
    },
  },
  {
    names: ["connections", "cons"],
    serverRequired: true,
    run: (source) => ({
      connections: source.connections().map((c) => connectionJson(c, false)),
      secure_connections: [],
    }),
  },
  {
    names: ["hash"],
    serverRequired: true,
    run: (source) => ({
      digests: source
        .digests()
        .map((d) => ({ zxid: d.zxid, digest_version: DIGEST_VERSION, digest: long(d.digest) })),
    }),
  },
  {
    names: ["dirs"],
    serverRequired: true,
    run: (source) => {
      const d = source.dirs();
      return { datadir_size: d.dataDirSizeBytes, logdir_size: d.logDirSizeBytes };
    },
  },
  {
    names: ["dump"],
    serverRequired: true,
    run: (source) => {
      const d = source.dump();
      const expiry: JsonObject = {};
      for (const b of d.sessionBuckets) expiry[String(b.expiryMs)] = b.sessionIds.map(long);
      const ephemerals: JsonObject = {};
      for (const e of d.ephemerals) ephemerals[long(e.sessionId).toString()] = [...e.paths];
      return { expiry_time_to_session_ids: expiry, session_id_to_ephemeral_paths: ephemerals };
    },
  },
  {
    names: ["environment", "env", "envi"],
    serverRequired: false,
    run: (source) => ({ ...source.environment() }),
  },
  {
    names: ["get_trace_mask", "gtmk"],
    serverRequired: false,
    run: (source) => ({ tracemask: long(source.traceMask()) }),
  },
  {
    names: ["initial_configuration", "icfg"],
    serverRequired: true,
    run: (source) => ({ initial_configuration: source.initialConfiguration() }),
  },
  {
    names: ["is_read_only", "isro"],
    serverRequired: true,
    run: (source) => ({ read_only: source.mode() === "read-only" }),
  },
  {
    names: ["last_snapshot", "lsnp"],
    serverRequired: true,
    run: (source) => {
      const s = source.lastSnapshot();
      return {
        zxid: BigInt.asUintN(64, BigInt(s?.zxid ?? -1)).toString(16),
        timestamp: s?.timestampSec ?? -1,
      };
    },
  },
  {
    names: ["leader", "lead"],
    serverRequired: true,
    run: (source): JsonObject => {
      const l = source.leader();
      if (l === undefined) return { error: "server is not initialized" };
      return { is_leader: l.isLeader, leader_id: l.leaderId, leader_ip: l.leaderIp };
    },
  },
  {
    names: ["monitor", "mntr"],
    // ZooKeeper runs monitor without a serving tree and fails inside it; Paddock answers as mntr.
    serverRequired: true,
    run: (source) => {
      const out: JsonObject = {};
      for (const [key, value] of mntrEntries(source.monitor())) out[key] = value;
      return out;
    },
  },
  {
    names: ["observer_connection_stat_reset", "orst"],
    serverRequired: true,
    run: (source) => {
      source.resetObserverStats();
      return {};
    },
  },
  { names: ["ruok"], serverRequired: true, run: () => ({}) },
  {
    names: ["set_trace_mask", "stmk"],
    serverRequired: false,
    run: (source, params): JsonObject => {
      const text = params.get("traceMask");
      if (text === undefined) return { error: "setTraceMask requires long traceMask argument" };
      const mask = parseJavaLong(text);
      if (mask === undefined) return { error: `setTraceMask requires long traceMask argument, got ${text}` };
      source.setTraceMask(mask);
      return { tracemask: mask };
    },
  },
  { names: ["server_stats", "srvr"], serverRequired: true, run: (source) => serverStatsJson(source, false) },
  { names: ["stats", "stat"], serverRequired: true, run: (source) => serverStatsJson(source, true) },
  {
    names: ["stat_reset", "srst"],
    serverRequired: true,
    run: (source) => {
      source.resetServerStats();
      return {};
    },
  },
  {
    names: ["observers", "obsr"],
    serverRequired: true,
    run: (source) => {
      const o = source.observers();
      return {
        synced_observers: o.syncedObservers,
        observers: o.observers.map((x) => ({ sid: x.sid, last_zxid: x.lastZxid })),
      };
    },
  },
  {
    names: ["system_properties", "sysp"],
    serverRequired: false,
    run: (source) => {
      const props = source.systemProperties();
      const out: JsonObject = {};
      for (const key of Object.keys(props).sort()) out[key] = props[key]!;
      return out;
    },
  },
  {
    names: ["voting_view"],
    serverRequired: true,
    run: (source) => {
      const view: JsonObject = {};
      for (const m of [...source.votingView()].sort((a, b) => a.id - b.id)) {
        view[String(m.id)] = {
          server_addresses: [`${m.peer.host}:${m.peer.port}`],
          election_addresses: [`${m.election.host}:${m.election.port}`],
          client_address: m.clientAddress,
          learner_type: m.learnerType,
        };
      }
      return { current_config: view };
    },
  },
  {
    names: ["watches", "wchc"],
    serverRequired: true,
    run: (source) => {
      const out: JsonObject = {};
      for (const w of source.watchesBySession()) out[long(w.sessionId).toString()] = [...w.paths];
      return { session_id_to_watched_paths: out };
    },
  },
  {
    names: ["watches_by_path", "wchp"],
    serverRequired: true,
    run: (source) => {
      const out: JsonObject = {};
      for (const w of source.watchesByPath()) out[w.path] = w.sessionIds.map(long);
      return { path_to_session_ids: out };
    },
  },
  {
    names: ["watch_summary", "wchs"],
    serverRequired: true,
    run: (source) => {
      const s = source.watchSummary();
      return { num_connections: s.connections, num_paths: s.paths, num_total_watches: s.totalWatches };
    },
  },
  {
    names: ["zabstate"],
    serverRequired: false,
    run: (source): JsonObject => {
      const z = source.isServing() ? source.zabState() : undefined;
      if (z === undefined) return { voting: false, zabstate: "" };
      return {
        myid: z.myid,
        is_leader: z.isLeader,
        quorum_address: multipleAddresses(z.quorumAddress),
        election_address: multipleAddresses(z.electionAddress),
        client_address: z.clientAddress,
        voting: z.voting,
        last_zxid: `0x${BigInt.asUintN(64, BigInt(z.lastZxid)).toString(16)}`,
        zab_epoch: Math.floor(z.lastZxid / 2 ** 32),
        zab_counter: z.lastZxid % 2 ** 32,
        zabstate: z.zabState,
      };
    },
  },
];

/** ZooKeeper 3.8's DigestCalculator version; Paddock's digest is its own, see docs/admin.md. */
const DIGEST_VERSION = 2;

const BY_NAME: ReadonlyMap<string, AdminCommand> = new Map(
  COMMANDS.flatMap((c) => c.names.map((n) => [n, c] as const)),
);

/** Primary names, sorted as ZooKeeper lists them under the command URL. */
export const ADMIN_COMMAND_NAMES: readonly string[] = COMMANDS.map((c) => c.names[0]!).sort();

/** Every name and alias that reaches a command. */
export const ADMIN_COMMAND_ALIASES: ReadonlyMap<string, string> = new Map(
  COMMANDS.flatMap((c) => c.names.map((n) => [n, c.names[0]!] as const)),
);

function parseJavaLong(text: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value === BigInt.asIntN(64, value) ? value : undefined;
}

/**
 * Runs a command as ZooKeeper's Commands.runCommand does: unknown names and a server that is not
 * serving answer with the name as asked; otherwise `command` is the primary name. An `error`
 * set by the command itself comes first, as Jackson writes ZooKeeper's CommandResponse map.
 */
export function runAdminCommand(
  name: string,
  source: AdminCommandSource,
  params: ReadonlyMap<string, string> = new Map(),
): JsonObject {
  const command = BY_NAME.get(name);
  if (command === undefined) return { command: name, error: `Unknown command: ${name}` };
  if (command.serverRequired && !source.isServing()) return { command: name, error: NOT_SERVING_ERROR };
  const fields = command.run(source, params);
  const primary = command.names[0]!;
  if ("error" in fields) {
    const { error, ...rest } = fields;
    return { error: error ?? null, ...rest, command: primary };
  }
  return { ...fields, command: primary, error: null };
}
