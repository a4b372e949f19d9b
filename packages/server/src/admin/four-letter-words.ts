// Four-letter words: the plain-text admin commands answered on the client port. Monitoring tools
// parse these outputs (zkServer.sh greps "Mode:", exporters split mntr on tabs), so every
// formatter reproduces ZooKeeper 3.8's text byte for byte; the expected shapes were captured from
// a real 3.8.0 server (see test/admin). Everything here is pure: the runtime hands in snapshots.

import type {
  ConfSnapshot,
  ConnectionInfo,
  DumpSnapshot,
  MonitorSnapshot,
  ServerMode,
  ServerSummary,
  WatchSummaryInfo,
} from "./four-letter-snapshots.js";
import { javaDate, javaDouble, javaHex, javaSocketAddress, roundHalfUp4 } from "./java-format.js";
import { formatMntr } from "./mntr.js";

export type {
  ConfSnapshot,
  ConnectionInfo,
  ConnectionSessionInfo,
  DumpSnapshot,
  LeaderMonitor,
  MonitorSnapshot,
  QuorumConf,
  ServerMode,
  ServerSummary,
  SummaryValue,
  WatchSummaryInfo,
} from "./four-letter-snapshots.js";
export { javaDate, javaDouble, javaHex, javaSocketAddress, roundHalfUp4 } from "./java-format.js";
export { formatMntr } from "./mntr.js";

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
