// zoo.cfg as ZooKeeper 3.8 reads it (QuorumPeerConfig), see /work/shared/reference/zoo-cfg.md:
// each entry read by its key's type (known-keys.ts), then the checks across keys.
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
import {
  checkQuorumAuthSwitches,
  checkSslAuthProvider,
  enforcedAuthSchemes,
  isAuthProviderKey,
  isSaslSuperUserKey,
  readAuthProviders,
} from "./auth-keys.js";
import { type ConfigEntry, entryLocation, type KeyLocation, readEntries } from "./entry.js";
import type { ConfigLocation } from "./errors.js";
import { ConfigError, formatLocation } from "./errors.js";
import type { SystemProperty } from "./jvm-flags.js";
import type { KnownKey } from "./known-key.js";
import { canonicalKey, defaultSettings, fieldOfKey, KNOWN_KEYS, suggestKey } from "./known-keys.js";
import { javaTrim } from "./properties.js";
import type { MetricsProviderConfig, ParsedConfig } from "./server-config.js";
import { NULL_METRICS_PROVIDER, PROMETHEUS_METRICS_PROVIDER } from "./server-config.js";
import { addServerEntry, type QuorumServer } from "./server-line.js";
import {
  ALLOW_UNSUPPORTED_SECURITY_KEY,
  isSecurityKey,
  isUnsupportedKey,
  isUnsupportedSecuritySetting,
} from "./unsupported-keys.js";
import { bool, port, type ReadContext, type ValueType } from "./value-types.js";

/** How the parts of one zoo.cfg's reading report what they find. */
interface Reading {
  fileName: string;
  warn(where: ConfigLocation, message: string): void;
  /** For reading one entry's value. */
  contextOf(entry: ConfigEntry): ReadContext;
}

/**
 * A security setting Paddock cannot honour (TLS, SASL, quorum authentication, ...) stops the
 * server with the file, line and key: running without the protection a user asked for would be
 * worse than not running. `paddock.allowUnsupportedSecurity=true` makes them warnings.
 */
function refuseUnsupportedSecurity(
  byKey: ReadonlyMap<string, ConfigEntry>,
  fileName: string,
  warn: (where: ConfigLocation, message: string) => void,
): void {
  const override = byKey.get(ALLOW_UNSUPPORTED_SECURITY_KEY);
  const allowed = override !== undefined && javaTrim(override.value).toLowerCase() === "true";
  for (const [canonical, entry] of byKey) {
    if (!isUnsupportedSecuritySetting(canonical, entry.value)) continue;
    const where = entryLocation(fileName, entry);
    if (!allowed) {
      throw new ConfigError(
        `security setting not implemented by Paddock; refusing to run without it (remove the key, or set ${ALLOW_UNSUPPORTED_SECURITY_KEY}=true to run anyway)`,
        where,
      );
    }
    warn(
      where,
      `security setting not implemented by Paddock; ignored because ${ALLOW_UNSUPPORTED_SECURITY_KEY}=true`,
    );
  }
}

/** Reads zoo.cfg text and validates everything that does not need myid or the dynamic file. */
/**
 * `systemProperties` are settings from -D flags (jvm-flags.ts): read as if written before the
 * file's first line, so the file's own key wins, as zoo.cfg's keys override system properties in
 * ZooKeeper.
 */
export function parseZooCfg(
  text: string,
  fileName: string,
  systemProperties: readonly SystemProperty[] = [],
): ParsedConfig {
  const warnings: string[] = [];
  const warn = (where: ConfigLocation, message: string): void => {
    warnings.push(`${formatLocation(where)}${message}`);
  };
  const reading: Reading = {
    fileName,
    warn,
    contextOf(entry) {
      const where = entryLocation(fileName, entry);
      return { where, warn: (message) => warn(where, message) };
    },
  };
  const raw = new Map<string, string>();
  // Last one wins per canonical key, as with Properties (where aliases are distinct keys, but
  // ZooKeeper would read both into the same setting in no defined order).
  const byKey = new Map<string, ConfigEntry>();
  const fromFlags: ConfigEntry[] = systemProperties.map((p) => ({
    key: p.key,
    value: p.value,
    line: 0,
    source: { variable: p.source, property: p.flag.slice(2, p.flag.indexOf("=")) },
  }));
  for (const entry of [...fromFlags, ...readEntries(text, fileName)]) {
    if (entry.source === undefined) raw.set(entry.key, entry.value);
    const canonical = canonicalKey(entry.key);
    const earlier = byKey.get(canonical);
    if (earlier !== undefined) {
      // A later -D flag wins in silence, as in java; the file over a flag with the same value
      // too (the image writes its flags into the zoo.cfg it makes).
      if (earlier.source === undefined) {
        warn(entryLocation(fileName, entry), `overrides ${earlier.key} from line ${earlier.line}`);
      } else if (entry.source === undefined && entry.value !== earlier.value) {
        warn(
          entryLocation(fileName, entry),
          `overrides -D${earlier.source.property}=${earlier.value} from ${earlier.source.variable}`,
        );
      }
      byKey.delete(canonical);
    }
    byKey.set(canonical, entry);
  }

  refuseUnsupportedSecurity(byKey, fileName, warn);

  const s = defaultSettings();
  const settings = s as unknown as Record<string, unknown>;
  const metricsOptions = new Map<string, string>();
  const authProviderEntries: ConfigEntry[] = [];
  const numberedSuperUsers: string[] = [];
  const serverEntries: ConfigEntry[] = [];
  const keyLocations = new Map<string, KeyLocation>();
  for (const [canonical, entry] of byKey) {
    const field = fieldOfKey(canonical);
    if (field !== undefined) {
      keyLocations.set(canonical, entryLocation(fileName, entry));
      const known: KnownKey<unknown> = KNOWN_KEYS[field];
      settings[field] = known.type.read(entry, reading.contextOf(entry));
      // Every key read is honoured or said to have no effect, never dropped in silence.
      if (known.usedBy === undefined && !isUnsupportedSecuritySetting(canonical, entry.value)) {
        warn(entryLocation(fileName, entry), "accepted for compatibility; has no effect in Paddock");
      }
    } else if (canonical === ALLOW_UNSUPPORTED_SECURITY_KEY) {
    } else if (canonical.startsWith("server.")) {
      serverEntries.push(entry);
    } else if (canonical.startsWith("group.") || canonical.startsWith("weight.")) {
      throw new ConfigError(
        "hierarchical quorums (group.N / weight.N) are not supported by Paddock; use plain server.N lines",
        entryLocation(fileName, entry),
      );
    } else if (isAuthProviderKey(canonical)) {
      keyLocations.set(canonical, entryLocation(fileName, entry));
      authProviderEntries.push(entry);
    } else if (isSaslSuperUserKey(canonical)) {
      keyLocations.set(canonical, entryLocation(fileName, entry));
      if (entry.value !== "") numberedSuperUsers.push(entry.value);
    } else if (canonical.startsWith("metricsProvider.")) {
      keyLocations.set(canonical, entryLocation(fileName, entry));
      metricsOptions.set(canonical.slice("metricsProvider.".length), entry.value);
    } else if (isUnsupportedKey(canonical)) {
      // A security key was refused (or allowed with a warning) already, or is set to "off".
      if (!isSecurityKey(canonical)) {
        warn(entryLocation(fileName, entry), "ZooKeeper setting not supported by Paddock; ignored");
      }
    } else {
      const suggestion = suggestKey(canonical);
      warn(
        entryLocation(fileName, entry),
        suggestion === undefined
          ? "unknown key; ignored"
          : `unknown key; ignored (did you mean ${suggestion}?)`,
      );
    }
  }
  const at = (key: string): KeyLocation => ({ ...(keyLocations.get(key) ?? { file: fileName }), key });

  if (s.dataDir === "") throw new ConfigError("dataDir is not set", at("dataDir"));
  if (s.dataLogDir === "") s.dataLogDir = s.dataDir;
  if (s.clientPort === undefined && s.clientPortAddress !== undefined) {
    throw new ConfigError("clientPortAddress is set but clientPort is not set", at("clientPortAddress"));
  }
  if (s.secureClientPort === undefined && s.secureClientPortAddress !== undefined) {
    throw new ConfigError(
      "secureClientPortAddress is set but secureClientPort is not set",
      at("secureClientPortAddress"),
    );
  }
  if (s.quorumPortUnification && s.sslQuorumKeyStoreLocation === undefined) {
    throw new ConfigError(
      "portUnification takes TLS links on the peer ports, but ssl.quorum.keyStore.location is not set",
      at("portUnification"),
    );
  }
  if ((s.adminForceHttps || s.adminPortUnification) && s.sslQuorumKeyStoreLocation === undefined) {
    const key = s.adminForceHttps ? "admin.forceHttps" : "admin.portUnification";
    throw new ConfigError(
      `${key} serves the AdminServer over HTTPS with the quorum's key store, but ssl.quorum.keyStore.location is not set`,
      at(key),
    );
  }
  if (s.adminNeedClientAuth && !s.adminForceHttps && !s.adminPortUnification) {
    warn(
      at("admin.needClientAuth"),
      "has no effect: the AdminServer serves plain HTTP (set admin.forceHttps or admin.portUnification)",
    );
  } else if (s.adminNeedClientAuth && s.sslQuorumTrustStoreLocation === undefined) {
    throw new ConfigError(
      "admin.needClientAuth checks the AdminServer's HTTPS clients against the quorum's trust store, but ssl.quorum.trustStore.location is not set",
      at("admin.needClientAuth"),
    );
  }
  if (s.clientPortUnification && s.sslKeyStoreLocation === undefined) {
    throw new ConfigError(
      "client.portUnification serves TLS clients on clientPort, but ssl.keyStore.location is not set: the server has no certificate",
      at("client.portUnification"),
    );
  }
  if (s.tickTimeMs === 0) throw new ConfigError("tickTime is not set", at("tickTime"));
  if (s.minSessionTimeoutMs === -1) s.minSessionTimeoutMs = 2 * s.tickTimeMs;
  if (s.maxSessionTimeoutMs === -1) s.maxSessionTimeoutMs = 20 * s.tickTimeMs;
  if (s.minSessionTimeoutMs > s.maxSessionTimeoutMs) {
    const key = keyLocations.has("maxSessionTimeout") ? "maxSessionTimeout" : "minSessionTimeout";
    throw new ConfigError("minSessionTimeout must not be larger than maxSessionTimeout", at(key));
  }

  checkQuorumAuthSwitches(s, at);
  const authSchemes = readAuthProviders(authProviderEntries, fileName, s.digestAuthenticationEnabled);
  checkSslAuthProvider(s.sslAuthProvider, authSchemes, at("ssl.authProvider"));
  const enforcedSchemes = enforcedAuthSchemes(
    s,
    authSchemes,
    at(
      keyLocations.has("sessionRequireClientSASLAuth")
        ? "sessionRequireClientSASLAuth"
        : "enforce.auth.enabled",
    ),
  );

  const list = { servers: new Map<number, QuorumServer>(), serverLines: new Map<number, number>() };
  for (const entry of serverEntries) {
    const where = entryLocation(fileName, entry);
    if (s.dynamicConfigFile !== undefined) {
      throw new ConfigError(`parameter: ${entry.key} must be in a separate dynamic config file`, where);
    }
    addServerEntry(list, entry, { multiAddressEnabled: s.multiAddressEnabled }, where);
  }
  if (s.dynamicConfigFile !== undefined && s.configVersion !== undefined) {
    throw new ConfigError("parameter: version must be in a separate dynamic config file", at("version"));
  }

  const {
    whitelistText,
    metricsClassName,
    adminEnableServer,
    adminServerAddress,
    adminServerPort,
    adminCommandUrl,
    adminIdleTimeoutMs,
    adminEnableConsole,
    adminConsolePeers,
    adminForceHttps,
    adminPortUnification,
    adminNeedClientAuth,
    ...common
  } = s;
  return {
    fileName,
    ...common,
    admin: {
      enableServer: adminEnableServer,
      serverAddress: adminServerAddress,
      serverPort: adminServerPort,
      commandUrl: adminCommandUrl,
      idleTimeoutMs: adminIdleTimeoutMs,
      enableConsole: adminEnableConsole,
      consolePeers: adminConsolePeers,
      forceHttps: adminForceHttps,
      portUnification: adminPortUnification,
      needClientAuth: adminNeedClientAuth,
    },
    ...list,
    keyLocations,
    warnings,
    raw,
    initialConfig: text,
    fourLetterWordWhitelist: buildWhitelist(
      reading,
      whitelistText,
      s.readOnlyModeEnabled,
      at("4lw.commands.whitelist"),
    ),
    metricsProvider: buildMetricsProvider(reading, metricsClassName, metricsOptions, keyLocations),
    authSchemes,
    enforcedAuthSchemes: enforcedSchemes,
    saslSuperUsers: new Set([
      ...(s.saslSuperUser === undefined ? [] : [s.saslSuperUser]),
      ...numberedSuperUsers,
    ]),
  };
}

function buildWhitelist(
  reading: Reading,
  text: string | undefined,
  readOnlyModeEnabled: boolean,
  where: KeyLocation,
): ReadonlySet<string> | "*" {
  const words = new Set<string>();
  if (text !== undefined) {
    for (const item of text.split(",")) {
      const word = javaTrim(item);
      if (word === "*") return "*";
      if (word === "") continue;
      if (FOUR_LETTER_WORDS.has(word)) words.add(word);
      else reading.warn(where, `unknown four-letter word "${word}" ignored`);
    }
  }
  // zkServer.sh status depends on srvr, so ZooKeeper never lets it be disabled.
  words.add("srvr");
  if (readOnlyModeEnabled) words.add("isro");
  return words;
}

function buildMetricsProvider(
  reading: Reading,
  className: string,
  options: ReadonlyMap<string, string>,
  keyLocations: ReadonlyMap<string, KeyLocation>,
): MetricsProviderConfig {
  const kind =
    className === PROMETHEUS_METRICS_PROVIDER
      ? "prometheus"
      : className === NULL_METRICS_PROVIDER
        ? "null"
        : "default";
  const option = <T>(name: string, type: ValueType<T>): T | undefined => {
    const value = options.get(name);
    if (value === undefined) return undefined;
    const key = `metricsProvider.${name}`;
    const entry = { key, value, line: keyLocations.get(key)?.line ?? 0 };
    return type.read(entry, reading.contextOf(entry));
  };
  const config: MetricsProviderConfig = {
    className,
    kind,
    httpHost: options.get("httpHost") ?? "0.0.0.0",
    httpPort: 7000,
    exportJvmInfo: true,
    options,
  };
  const httpPort = option("httpPort", port);
  if (httpPort !== undefined) config.httpPort = httpPort;
  const exportJvmInfo = option("exportJvmInfo", bool);
  if (exportJvmInfo !== undefined) config.exportJvmInfo = exportJvmInfo;
  if (kind !== "prometheus" && options.size > 0) {
    reading.warn(
      { file: reading.fileName },
      `metricsProvider.${[...options.keys()].join(", metricsProvider.")} ignored: metricsProvider.className is not ${PROMETHEUS_METRICS_PROVIDER}`,
    );
  }
  return config;
}
