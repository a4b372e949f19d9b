// The dynamic config file (dynamicConfigFile=...): the ensemble's members as server.N lines, its
// version in the file name's suffix, nothing else.

import { type ConfigEntry, entryLocation, readEntries } from "./entry.js";
import { ConfigError } from "./errors.js";
import { addServerEntry, type QuorumServer } from "./server-line.js";

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
  const list = { servers: new Map<number, QuorumServer>(), serverLines: new Map<number, number>() };
  const byKey = new Map<string, ConfigEntry>();
  for (const entry of readEntries(text, fileName)) {
    byKey.delete(entry.key);
    byKey.set(entry.key, entry);
  }
  for (const entry of byKey.values()) {
    const where = entryLocation(fileName, entry);
    if (entry.key === "version") throw new ConfigError("dynamic file shouldn't have version inside", where);
    if (entry.key.startsWith("group.") || entry.key.startsWith("weight.")) {
      throw new ConfigError("hierarchical quorums (group.N / weight.N) are not supported by Paddock", where);
    }
    if (!entry.key.startsWith("server."))
      throw new ConfigError(`Unrecognised parameter: ${entry.key}`, where);
    addServerEntry(list, entry, options, where);
  }
  return { fileName, ...list, version: dynamicConfigVersion(fileName) };
}

export function dynamicConfigVersion(fileName: string): bigint {
  const suffix = fileName.slice(fileName.lastIndexOf(".") + 1);
  return fileName.includes(".") && /^[0-9a-fA-F]{1,16}$/.test(suffix) ? BigInt(`0x${suffix}`) : 0n;
}

/** A host as ZooKeeper prints it in a server line: IPv6 literals in brackets. */
function delimitedHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * One member as ZooKeeper's QuorumServer prints it in /zookeeper/config and `conf`:
 * `server.N=host:quorumPort:electionPort:role`, plus `;clientHost:clientPort` when the line gave
 * a client part.
 */
export function formatServerLine(s: QuorumServer): string {
  const client =
    s.clientPort === undefined ? "" : `;${delimitedHost(s.clientAddress ?? "0.0.0.0")}:${s.clientPort}`;
  return `server.${s.id}=${delimitedHost(s.host)}:${s.peerPort}:${s.electionPort}:${s.role}${client}`;
}

/**
 * The ensemble's dynamic configuration as ZooKeeper's QuorumVerifier prints it, the data of
 * /zookeeper/config: every member by id, then `version=<hex>`, no newline at the end.
 */
export function dynamicConfigText(servers: Iterable<QuorumServer>, version: bigint): string {
  const lines = [...servers].sort((a, b) => a.id - b.id).map(formatServerLine);
  return [...lines, `version=${version.toString(16)}`].join("\n");
}

/**
 * /zookeeper/config data (or a config's member description) read back: its server lines and its
 * `version=<hex>`. Throws ConfigError naming `source` when a line is malformed.
 */
export function parseConfigData(
  text: string,
  source: string,
): { servers: Map<number, QuorumServer>; version: bigint } {
  const list = { servers: new Map<number, QuorumServer>(), serverLines: new Map<number, number>() };
  let version = 0n;
  for (const entry of readEntries(text, source)) {
    const where = entryLocation(source, entry);
    if (entry.key === "version") {
      if (!/^[0-9a-fA-F]{1,16}$/.test(entry.value)) throw new ConfigError("version is not hex", where);
      version = BigInt(`0x${entry.value}`);
    } else if (entry.key.startsWith("server.")) {
      addServerEntry(list, entry, { multiAddressEnabled: false }, where);
    } else {
      throw new ConfigError(`Unrecognised parameter: ${entry.key}`, where);
    }
  }
  return { servers: list.servers, version };
}
