// Four-letter words: the plain-text admin commands answered on the client port. Monitoring tools
// parse these outputs (zkServer.sh greps "Mode:", exporters split mntr on tabs), so every
// formatter reproduces ZooKeeper 3.8's text byte for byte; the expected shapes were captured from
// a real 3.8.0 server (see test/admin). Everything here is pure: the runtime hands in snapshots.
// This file holds the words, the whitelist and the dispatch; the formatters are grouped by what
// they report (stat-words, conf-words, watch-words, dump-word, status-words, mntr).

import type { EnvironmentKey } from "./conf-words.js";
import { formatConf, formatDirs, formatEnvi } from "./conf-words.js";
import { formatDump } from "./dump-word.js";
import type {
  ConfSnapshot,
  ConnectionInfo,
  DumpSnapshot,
  MonitorSnapshot,
  ServerMode,
  ServerSummary,
  WatchSummaryInfo,
} from "./four-letter-snapshots.js";
import { formatMntr } from "./mntr.js";
import { formatCons, formatCrst, formatSrst, formatSrvr, formatStat } from "./stat-words.js";
import { formatHash, formatIsro, formatRuok, formatTraceMask } from "./status-words.js";
import { formatWchc, formatWchp, formatWchs } from "./watch-words.js";

export type { EnvironmentKey } from "./conf-words.js";
export { ENVIRONMENT_KEYS, formatConf, formatDirs, formatEnvi } from "./conf-words.js";
export { formatDump } from "./dump-word.js";
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
export {
  formatConnection,
  formatCons,
  formatCrst,
  formatSrst,
  formatSrvr,
  formatStat,
} from "./stat-words.js";
export { DEFAULT_TRACE_MASK, formatHash, formatIsro, formatRuok, formatTraceMask } from "./status-words.js";
export { formatWchc, formatWchp, formatWchs } from "./watch-words.js";

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
