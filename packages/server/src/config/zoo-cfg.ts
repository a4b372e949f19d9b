// zoo.cfg as ZooKeeper 3.8 reads it (QuorumPeerConfig), see /work/shared/reference/zoo-cfg.md.
//
// Deliberate differences from ZooKeeper, all in the direction of telling the operator sooner:
// - keys ZooKeeper only reads as JVM system properties (snapCount, jute.maxbuffer,
//   readonlymode.enabled, znode.container.*, DigestAuthenticationProvider.superDigest, ...) are
//   honoured from zoo.cfg, with or without the `zookeeper.` prefix, since there is no JVM here;
// - their values are validated (ZooKeeper silently falls back to the default on garbage);
// - unknown keys are kept in `raw` and reported in `warnings` instead of being silently ignored;
// - duplicate server ids (`server.1` and `server.01`), two servers sharing a host:port, and a myid
//   missing from the server list are errors at load time rather than at bind/start time.

import { FOUR_LETTER_WORDS } from "../admin/four-letter-words.js";
import type { ConfigLocation } from "./errors.js";
import { ConfigError, formatLocation } from "./errors.js";
import { javaTrim, parseProperties } from "./properties.js";
import type { MetricsProviderConfig, ParsedConfig } from "./server-config.js";
import {
  DEFAULT_METRICS_PROVIDER,
  NULL_METRICS_PROVIDER,
  PROMETHEUS_METRICS_PROVIDER,
} from "./server-config.js";
import type { QuorumServer } from "./server-line.js";
import { parseServerId, parseServerLine } from "./server-line.js";
import { parseJavaDouble, parseJavaInt, parseJavaLong } from "./values.js";

// The whitelist can only enable words the server knows; the list lives with the words themselves.
export { FOUR_LETTER_WORDS } from "../admin/four-letter-words.js";

/** Keys ZooKeeper reads as `zookeeper.<key>` system properties: accepted with or without prefix. */
const SYSTEM_PROPERTY_KEYS = [
  "4lw.commands.whitelist",
  "admin.enableServer",
  "admin.serverAddress",
  "admin.serverPort",
  "admin.commandURL",
  "admin.idleTimeout",
  "globalOutstandingLimit",
  "snapCount",
  "snapSizeLimitInKb",
  "commitLogCount",
  "snapshotSizeFactor",
  "preAllocSize",
  "maxCnxns",
  "fsync.warningthresholdms",
  "forceSync",
  "skipACL",
  "enforceQuota",
  "digest.enabled",
  "extendedTypesEnabled",
  "DigestAuthenticationProvider.superDigest",
  "DigestAuthenticationProvider.enabled",
  "leaderServes",
  "cnxTimeout",
  "electionPortBindRetry",
  "tcpKeepAlive",
  "clientTcpKeepAlive",
  "maxResponseCacheSize",
  "maxGetChildrenResponseCacheSize",
];

/** JVM-only properties (no `zookeeper.` prefix in ZooKeeper); Paddock takes them from zoo.cfg. */
const JVM_PROPERTY_KEYS = [
  "jute.maxbuffer",
  "readonlymode.enabled",
  "znode.container.checkIntervalMs",
  "znode.container.maxPerMinute",
  "znode.container.maxNeverUsedIntervalMs",
];

const ALIASES: ReadonlyMap<string, string> = new Map<string, string>([
  ...[...SYSTEM_PROPERTY_KEYS, ...JVM_PROPERTY_KEYS].map((k): [string, string] => [`zookeeper.${k}`, k]),
  ["superDigest", "DigestAuthenticationProvider.superDigest"],
  ["zookeeper.superDigest", "DigestAuthenticationProvider.superDigest"],
]);

/** Keys ZooKeeper knows whose features Paddock lacks: warned about, never silently dropped. */
const UNSUPPORTED_KEYS = new Set([
  "sslQuorum",
  "portUnification",
  "sslQuorumReloadCertFiles",
  "quorum.cnxn.threads.size",
  "multiAddress.reachabilityCheckTimeoutMs",
  "multiAddress.reachabilityCheckEnabled",
  "oraclePath",
  "serverCnxnFactory",
  "zookeeper.serverCnxnFactory",
  "sessionRequireClientSASLAuth",
  "zookeeper.sessionRequireClientSASLAuth",
  "admin.portUnification",
  "admin.forceHttps",
  "admin.needClientAuth",
]);
const UNSUPPORTED_PREFIXES = [
  "ssl.",
  "zookeeper.ssl.",
  "quorum.auth.",
  "jvm.pause.",
  "authProvider.",
  "zookeeper.authProvider.",
  "enforce.auth.",
  "zookeeper.enforce.auth.",
];

type Where = ConfigLocation & { key: string };

interface Entry {
  key: string;
  value: string;
  line: number;
}

class Builder {
  readonly c: Omit<ParsedConfig, "fourLetterWordWhitelist" | "metricsProvider"> & {
    whitelistText: string | undefined;
    metricsClassName: string;
    metricsOptions: Map<string, string>;
  };

  constructor(
    readonly fileName: string,
    text: string,
  ) {
    this.c = {
      fileName,
      tickTimeMs: 3000,
      initLimit: 0,
      syncLimit: 0,
      connectToLearnerMasterLimit: 0,
      dataDir: "",
      dataLogDir: "",
      clientPort: undefined,
      clientPortAddress: undefined,
      secureClientPort: undefined,
      secureClientPortAddress: undefined,
      clientPortListenBacklog: -1,
      maxClientCnxns: 60,
      maxCnxns: 0,
      minSessionTimeoutMs: -1,
      maxSessionTimeoutMs: -1,
      electionAlg: 3,
      quorumListenOnAllIPs: false,
      standaloneEnabled: true,
      reconfigEnabled: false,
      syncEnabled: true,
      localSessionsEnabled: false,
      localSessionsUpgradingEnabled: false,
      multiAddressEnabled: false,
      observerMasterPort: undefined,
      dynamicConfigFile: undefined,
      autopurgeSnapRetainCount: 3,
      autopurgePurgeIntervalHours: 0,
      whitelistText: undefined,
      juteMaxBufferBytes: 0xfffff,
      snapCount: 100000,
      snapSizeLimitInKb: 4194304,
      commitLogCount: 500,
      snapshotSizeFactor: 0.33,
      preAllocSizeKb: 65536,
      forceSync: true,
      fsyncWarningThresholdMs: 1000,
      extendedTypesEnabled: false,
      containerCheckIntervalMs: 60000,
      containerMaxPerMinute: 10000,
      containerMaxNeverUsedIntervalMs: 0,
      superDigest: undefined,
      digestAuthenticationEnabled: true,
      skipAcl: false,
      enforceQuota: false,
      digestEnabled: true,
      readOnlyModeEnabled: false,
      leaderServes: true,
      cnxTimeoutMs: 5000,
      electionPortBindRetry: 3,
      tcpKeepAlive: false,
      clientTcpKeepAlive: false,
      globalOutstandingLimit: 1000,
      maxResponseCacheSize: 400,
      maxGetChildrenResponseCacheSize: 400,
      admin: {
        enableServer: true,
        serverAddress: "0.0.0.0",
        serverPort: 8080,
        commandUrl: "/commands",
        idleTimeoutMs: 30000,
      },
      metricsClassName: DEFAULT_METRICS_PROVIDER,
      metricsOptions: new Map(),
      peerType: "participant",
      configVersion: undefined,
      servers: new Map(),
      keyLines: new Map(),
      serverLines: new Map(),
      warnings: [],
      raw: new Map(),
      initialConfig: text,
    };
  }

  where(e: Entry): Where {
    return { file: this.fileName, line: e.line, key: e.key };
  }

  warn(where: ConfigLocation, text: string): void {
    this.c.warnings.push(`${formatLocation(where)}${text}`);
  }

  int(e: Entry, min: number, max = 2 ** 31 - 1): number {
    const n = parseJavaInt(e.value);
    if (n === undefined) throw new ConfigError(`expected an integer, got "${e.value}"`, this.where(e));
    if (n < min || n > max) {
      const range = max === 2 ** 31 - 1 ? `>= ${min}` : `in ${min}..${max}`;
      throw new ConfigError(`expected an integer ${range}, got ${n}`, this.where(e));
    }
    return n;
  }

  long(e: Entry, min: number): number {
    const n = parseJavaLong(e.value);
    if (n === undefined) throw new ConfigError(`expected an integer, got "${e.value}"`, this.where(e));
    if (n < BigInt(min) || n > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ConfigError(
        `expected an integer in ${min}..${Number.MAX_SAFE_INTEGER}, got ${n}`,
        this.where(e),
      );
    }
    return Number(n);
  }

  port(e: Entry): number {
    return this.int(e, 1, 65535);
  }

  /** ZooKeeper's own booleans: true/false in any case, nothing else. */
  bool(e: Entry): boolean {
    const v = e.value.toLowerCase();
    if (v === "true") return true;
    if (v === "false") return false;
    throw new ConfigError(`Invalid option ${e.value} for ${e.key}. Choose 'true' or 'false.'`, this.where(e));
  }

  /** forceSync, skipACL, leaderServes: ZooKeeper compares with "yes"/"no"; true/false also accepted. */
  yesNo(e: Entry): boolean {
    const v = e.value.toLowerCase();
    if (v === "yes" || v === "true") return true;
    if (v === "no" || v === "false") return false;
    throw new ConfigError(`expected yes or no, got "${e.value}"`, this.where(e));
  }

  nonEmpty(e: Entry): string {
    if (e.value === "") throw new ConfigError("expected a value, got an empty string", this.where(e));
    return e.value;
  }
}

/** Returns the settings the entry changes; validation errors are thrown. */
type Handler = (b: Builder, e: Entry) => Partial<Builder["c"]>;

const HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ["dataDir", (_b, e) => ({ dataDir: e.value })],
  ["dataLogDir", (_b, e) => ({ dataLogDir: e.value })],
  // clientPort=0 is how ZooKeeper spells "no client port".
  ["clientPort", (b, e) => ({ clientPort: b.int(e, 0, 65535) || undefined })],
  ["clientPortAddress", (b, e) => ({ clientPortAddress: b.nonEmpty(e) })],
  ["secureClientPort", (b, e) => ({ secureClientPort: b.int(e, 0, 65535) || undefined })],
  ["secureClientPortAddress", (b, e) => ({ secureClientPortAddress: b.nonEmpty(e) })],
  ["clientPortListenBacklog", (b, e) => ({ clientPortListenBacklog: b.int(e, -1) })],
  ["tickTime", (b, e) => ({ tickTimeMs: b.int(e, 0) })],
  ["maxClientCnxns", (b, e) => ({ maxClientCnxns: b.int(e, 0) })],
  ["minSessionTimeout", (b, e) => ({ minSessionTimeoutMs: b.int(e, -1) })],
  ["maxSessionTimeout", (b, e) => ({ maxSessionTimeoutMs: b.int(e, -1) })],
  ["initLimit", (b, e) => ({ initLimit: b.int(e, 0) })],
  ["syncLimit", (b, e) => ({ syncLimit: b.int(e, 0) })],
  ["connectToLearnerMasterLimit", (b, e) => ({ connectToLearnerMasterLimit: b.int(e, 0) })],
  [
    "electionAlg",
    (b, e) => {
      if (b.int(e, -(2 ** 31)) !== 3) {
        throw new ConfigError("Invalid electionAlg value. Only 3 is supported.", b.where(e));
      }
      return { electionAlg: 3 };
    },
  ],
  ["quorumListenOnAllIPs", (b, e) => ({ quorumListenOnAllIPs: b.bool(e) })],
  [
    "peerType",
    (b, e) => {
      const v = e.value.toLowerCase();
      if (v !== "observer" && v !== "participant") {
        throw new ConfigError(`Unrecognised peertype: ${e.value}`, b.where(e));
      }
      return { peerType: v };
    },
  ],
  ["syncEnabled", (b, e) => ({ syncEnabled: b.bool(e) })],
  ["dynamicConfigFile", (b, e) => ({ dynamicConfigFile: b.nonEmpty(e) })],
  [
    "autopurge.snapRetainCount",
    (b, e) => {
      const n = b.int(e, -(2 ** 31));
      if (n < 3) b.warn(b.where(e), `${n} is below the minimum 3; using 3`);
      return { autopurgeSnapRetainCount: Math.max(3, n) };
    },
  ],
  // Not clamped to >= 0 with an error: ZooKeeper treats any value <= 0 as "off".
  ["autopurge.purgeInterval", (b, e) => ({ autopurgePurgeIntervalHours: Math.max(0, b.int(e, -(2 ** 31))) })],
  ["standaloneEnabled", (b, e) => ({ standaloneEnabled: b.bool(e) })],
  ["reconfigEnabled", (b, e) => ({ reconfigEnabled: b.bool(e) })],
  ["localSessionsEnabled", (b, e) => ({ localSessionsEnabled: b.bool(e) })],
  ["localSessionsUpgradingEnabled", (b, e) => ({ localSessionsUpgradingEnabled: b.bool(e) })],
  ["multiAddress.enabled", (b, e) => ({ multiAddressEnabled: b.bool(e) })],
  [
    "observerMasterPort",
    (b, e) => {
      const n = b.int(e, -(2 ** 31), 65535);
      return { observerMasterPort: n > 0 ? n : undefined };
    },
  ],
  [
    "version",
    (b, e) => {
      if (!/^[0-9a-fA-F]{1,16}$/.test(e.value)) {
        throw new ConfigError(`expected a hexadecimal config version, got "${e.value}"`, b.where(e));
      }
      return { configVersion: BigInt(`0x${e.value}`) };
    },
  ],
  [
    "metricsProvider.className",
    (b, e) => {
      const known = [DEFAULT_METRICS_PROVIDER, PROMETHEUS_METRICS_PROVIDER, NULL_METRICS_PROVIDER];
      if (!known.includes(e.value)) {
        throw new ConfigError(
          `metrics provider class was not found: ${e.value} (Paddock provides ${known.join(", ")})`,
          b.where(e),
        );
      }
      return { metricsClassName: e.value };
    },
  ],
  // Through the zookeeper.<key> system properties in ZooKeeper.
  ["4lw.commands.whitelist", (_b, e) => ({ whitelistText: e.value })],
  ["admin.enableServer", (b, e) => ({ admin: { ...b.c.admin, enableServer: b.bool(e) } })],
  ["admin.serverAddress", (b, e) => ({ admin: { ...b.c.admin, serverAddress: b.nonEmpty(e) } })],
  ["admin.serverPort", (b, e) => ({ admin: { ...b.c.admin, serverPort: b.port(e) } })],
  [
    "admin.commandURL",
    (b, e) => {
      if (!e.value.startsWith("/")) {
        throw new ConfigError(`expected a URL path starting with "/", got "${e.value}"`, b.where(e));
      }
      return { admin: { ...b.c.admin, commandUrl: e.value } };
    },
  ],
  ["admin.idleTimeout", (b, e) => ({ admin: { ...b.c.admin, idleTimeoutMs: b.int(e, 0) } })],
  ["globalOutstandingLimit", (b, e) => ({ globalOutstandingLimit: b.int(e, 1) })],
  [
    "snapCount",
    (b, e) => {
      const n = b.int(e, -(2 ** 31));
      if (n < 2) b.warn(b.where(e), `${n} is below the minimum 2; using 2`);
      return { snapCount: Math.max(2, n) };
    },
  ],
  ["snapSizeLimitInKb", (b, e) => ({ snapSizeLimitInKb: b.long(e, Number.MIN_SAFE_INTEGER) })],
  ["commitLogCount", (b, e) => ({ commitLogCount: b.int(e, 0) })],
  [
    "snapshotSizeFactor",
    (b, e) => {
      const n = parseJavaDouble(e.value);
      if (n === undefined) throw new ConfigError(`expected a number, got "${e.value}"`, b.where(e));
      return { snapshotSizeFactor: n };
    },
  ],
  ["preAllocSize", (b, e) => ({ preAllocSizeKb: b.long(e, 1) })],
  ["maxCnxns", (b, e) => ({ maxCnxns: b.int(e, 0) })],
  ["fsync.warningthresholdms", (b, e) => ({ fsyncWarningThresholdMs: b.long(e, 0) })],
  ["forceSync", (b, e) => ({ forceSync: b.yesNo(e) })],
  ["skipACL", (b, e) => ({ skipAcl: b.yesNo(e) })],
  ["enforceQuota", (b, e) => ({ enforceQuota: b.bool(e) })],
  ["digest.enabled", (b, e) => ({ digestEnabled: b.bool(e) })],
  ["extendedTypesEnabled", (b, e) => ({ extendedTypesEnabled: b.bool(e) })],
  [
    "DigestAuthenticationProvider.superDigest",
    (b, e) => {
      const colon = e.value.indexOf(":");
      if (colon <= 0 || colon === e.value.length - 1) {
        throw new ConfigError(`expected super:<base64 sha1 digest>, got "${e.value}"`, b.where(e));
      }
      return { superDigest: e.value };
    },
  ],
  ["DigestAuthenticationProvider.enabled", (b, e) => ({ digestAuthenticationEnabled: b.bool(e) })],
  ["leaderServes", (b, e) => ({ leaderServes: b.yesNo(e) })],
  ["cnxTimeout", (b, e) => ({ cnxTimeoutMs: b.int(e, 1) })],
  ["electionPortBindRetry", (b, e) => ({ electionPortBindRetry: b.int(e, 0) })],
  ["tcpKeepAlive", (b, e) => ({ tcpKeepAlive: b.bool(e) })],
  ["clientTcpKeepAlive", (b, e) => ({ clientTcpKeepAlive: b.bool(e) })],
  ["maxResponseCacheSize", (b, e) => ({ maxResponseCacheSize: b.int(e, 0) })],
  ["maxGetChildrenResponseCacheSize", (b, e) => ({ maxGetChildrenResponseCacheSize: b.int(e, 0) })],
  ["jute.maxbuffer", (b, e) => ({ juteMaxBufferBytes: b.int(e, 1) })],
  ["readonlymode.enabled", (b, e) => ({ readOnlyModeEnabled: b.bool(e) })],
  ["znode.container.checkIntervalMs", (b, e) => ({ containerCheckIntervalMs: b.int(e, 1) })],
  ["znode.container.maxPerMinute", (b, e) => ({ containerMaxPerMinute: b.int(e, 1) })],
  ["znode.container.maxNeverUsedIntervalMs", (b, e) => ({ containerMaxNeverUsedIntervalMs: b.long(e, 0) })],
]);

const CANONICAL_BY_LOWERCASE: ReadonlyMap<string, string> = new Map(
  [...HANDLERS.keys(), ...ALIASES.keys()].map((k) => [k.toLowerCase(), k]),
);

function canonicalKey(key: string): string {
  return ALIASES.get(key) ?? key;
}

function isUnsupported(key: string): boolean {
  return UNSUPPORTED_KEYS.has(key) || UNSUPPORTED_PREFIXES.some((p) => key.startsWith(p));
}

/** Reads zoo.cfg text and validates everything that does not need myid or the dynamic file. */
export function parseZooCfg(text: string, fileName: string): ParsedConfig {
  const b = new Builder(fileName, text);
  const raw = new Map<string, string>();
  // Last one wins per canonical key, as with Properties (where aliases are distinct keys, but
  // ZooKeeper would read both into the same setting in no defined order).
  const byKey = new Map<string, Entry>();
  for (const property of parseProperties(text, fileName)) {
    const entry: Entry = {
      key: javaTrim(property.key),
      value: javaTrim(property.value),
      line: property.line,
    };
    raw.set(entry.key, entry.value);
    const canonical = canonicalKey(entry.key);
    const earlier = byKey.get(canonical);
    if (earlier !== undefined) {
      b.warn(b.where(entry), `overrides ${earlier.key} from line ${earlier.line}`);
      byKey.delete(canonical);
    }
    byKey.set(canonical, entry);
  }
  b.c.raw = raw;

  const serverEntries: Entry[] = [];
  const keyLines = new Map<string, number>();
  for (const [canonical, entry] of byKey) {
    const handler = HANDLERS.get(canonical);
    if (handler !== undefined) {
      keyLines.set(canonical, entry.line);
      Object.assign(b.c, handler(b, entry));
    } else if (canonical.startsWith("server.")) {
      serverEntries.push(entry);
    } else if (canonical.startsWith("group.") || canonical.startsWith("weight.")) {
      throw new ConfigError(
        "hierarchical quorums (group.N / weight.N) are not supported by Paddock; use plain server.N lines",
        b.where(entry),
      );
    } else if (canonical.startsWith("metricsProvider.")) {
      keyLines.set(canonical, entry.line);
      b.c.metricsOptions.set(canonical.slice("metricsProvider.".length), entry.value);
    } else if (isUnsupported(canonical)) {
      b.warn(b.where(entry), "ZooKeeper setting not supported by Paddock; ignored");
    } else {
      const suggestion = CANONICAL_BY_LOWERCASE.get(canonical.toLowerCase());
      b.warn(
        b.where(entry),
        suggestion === undefined
          ? "unknown key; ignored"
          : `unknown key; ignored (did you mean ${suggestion}?)`,
      );
    }
  }
  b.c.keyLines = keyLines;
  const at = (key: string): Where => ({ file: fileName, line: keyLines.get(key), key });

  if (b.c.dataDir === "") throw new ConfigError("dataDir is not set", at("dataDir"));
  if (b.c.dataLogDir === "") b.c.dataLogDir = b.c.dataDir;
  if (b.c.clientPort === undefined && b.c.clientPortAddress !== undefined) {
    throw new ConfigError("clientPortAddress is set but clientPort is not set", at("clientPortAddress"));
  }
  if (b.c.secureClientPort === undefined && b.c.secureClientPortAddress !== undefined) {
    throw new ConfigError(
      "secureClientPortAddress is set but secureClientPort is not set",
      at("secureClientPortAddress"),
    );
  }
  if (b.c.tickTimeMs === 0) throw new ConfigError("tickTime is not set", at("tickTime"));
  if (b.c.minSessionTimeoutMs === -1) b.c.minSessionTimeoutMs = 2 * b.c.tickTimeMs;
  if (b.c.maxSessionTimeoutMs === -1) b.c.maxSessionTimeoutMs = 20 * b.c.tickTimeMs;
  if (b.c.minSessionTimeoutMs > b.c.maxSessionTimeoutMs) {
    const key = keyLines.has("maxSessionTimeout") ? "maxSessionTimeout" : "minSessionTimeout";
    throw new ConfigError("minSessionTimeout must not be larger than maxSessionTimeout", at(key));
  }

  const serverLines = new Map<number, number>();
  b.c.serverLines = serverLines;
  for (const entry of serverEntries) {
    const where = b.where(entry);
    if (b.c.dynamicConfigFile !== undefined) {
      throw new ConfigError(`parameter: ${entry.key} must be in a separate dynamic config file`, where);
    }
    addServer(b.c.servers, serverLines, entry, b.c.multiAddressEnabled, where);
  }
  if (b.c.dynamicConfigFile !== undefined && b.c.configVersion !== undefined) {
    throw new ConfigError("parameter: version must be in a separate dynamic config file", at("version"));
  }

  const { whitelistText, metricsClassName, metricsOptions, ...rest } = b.c;
  return {
    ...rest,
    fourLetterWordWhitelist: buildWhitelist(b, whitelistText, at("4lw.commands.whitelist")),
    metricsProvider: buildMetricsProvider(b, metricsClassName, metricsOptions),
  };
}

function addServer(
  servers: Map<number, QuorumServer>,
  serverLines: Map<number, number>,
  entry: Entry,
  multiAddressEnabled: boolean,
  where: Where,
): void {
  const id = parseServerId(entry.key, where);
  const earlierLine = serverLines.get(id);
  if (earlierLine !== undefined) {
    throw new ConfigError(`duplicate server id ${id} (also defined at line ${earlierLine})`, where);
  }
  servers.set(id, parseServerLine(id, entry.value, { multiAddressEnabled }, where));
  serverLines.set(id, entry.line);
}

function buildWhitelist(b: Builder, text: string | undefined, where: Where): ReadonlySet<string> | "*" {
  const words = new Set<string>();
  if (text !== undefined) {
    for (const item of text.split(",")) {
      const word = javaTrim(item);
      if (word === "*") return "*";
      if (word === "") continue;
      if (FOUR_LETTER_WORDS.has(word)) words.add(word);
      else b.warn(where, `unknown four-letter word "${word}" ignored`);
    }
  }
  // zkServer.sh status depends on srvr, so ZooKeeper never lets it be disabled.
  words.add("srvr");
  if (b.c.readOnlyModeEnabled) words.add("isro");
  return words;
}

function buildMetricsProvider(
  b: Builder,
  className: string,
  options: ReadonlyMap<string, string>,
): MetricsProviderConfig {
  const kind =
    className === PROMETHEUS_METRICS_PROVIDER
      ? "prometheus"
      : className === NULL_METRICS_PROVIDER
        ? "null"
        : "default";
  const option = (name: string): Entry | undefined => {
    const value = options.get(name);
    const key = `metricsProvider.${name}`;
    return value === undefined ? undefined : { key, value, line: b.c.keyLines.get(key) ?? 0 };
  };
  const config: MetricsProviderConfig = {
    className,
    kind,
    httpHost: options.get("httpHost") ?? "0.0.0.0",
    httpPort: 7000,
    exportJvmInfo: true,
    options,
  };
  const httpPort = option("httpPort");
  if (httpPort !== undefined) config.httpPort = b.port(httpPort);
  const exportJvmInfo = option("exportJvmInfo");
  if (exportJvmInfo !== undefined) config.exportJvmInfo = b.bool(exportJvmInfo);
  if (kind !== "prometheus" && options.size > 0) {
    b.warn(
      { file: b.fileName },
      `metricsProvider.${[...options.keys()].join(", metricsProvider.")} ignored: metricsProvider.className is not ${PROMETHEUS_METRICS_PROVIDER}`,
    );
  }
  return config;
}

export interface DynamicConfig {
  fileName: string;
  servers: Map<number, QuorumServer>;
  serverLines: ReadonlyMap<number, number>;
  /** From the file name suffix after the last dot, as hex; 0 when that is not hex. */
  version: bigint;
}

/** A dynamicConfigFile: only server.N lines, no `version` (it lives in the file name). */
export function parseDynamicConfig(
  text: string,
  fileName: string,
  options: { multiAddressEnabled: boolean },
): DynamicConfig {
  const servers = new Map<number, QuorumServer>();
  const serverLines = new Map<number, number>();
  const byKey = new Map<string, Entry>();
  for (const property of parseProperties(text, fileName)) {
    const entry: Entry = {
      key: javaTrim(property.key),
      value: javaTrim(property.value),
      line: property.line,
    };
    byKey.delete(entry.key);
    byKey.set(entry.key, entry);
  }
  for (const entry of byKey.values()) {
    const where: Where = { file: fileName, line: entry.line, key: entry.key };
    if (entry.key === "version") throw new ConfigError("dynamic file shouldn't have version inside", where);
    if (entry.key.startsWith("group.") || entry.key.startsWith("weight.")) {
      throw new ConfigError("hierarchical quorums (group.N / weight.N) are not supported by Paddock", where);
    }
    if (!entry.key.startsWith("server."))
      throw new ConfigError(`Unrecognised parameter: ${entry.key}`, where);
    addServer(servers, serverLines, entry, options.multiAddressEnabled, where);
  }
  return { fileName, servers, serverLines, version: dynamicConfigVersion(fileName) };
}

export function dynamicConfigVersion(fileName: string): bigint {
  const suffix = fileName.slice(fileName.lastIndexOf(".") + 1);
  return fileName.includes(".") && /^[0-9a-fA-F]{1,16}$/.test(suffix) ? BigInt(`0x${suffix}`) : 0n;
}
