// `server.<id>=<host>:<quorumPort>:<electionPort>[:<role>][;[<clientHost>:]<clientPort>]`,
// following ZooKeeper 3.8's QuorumServer grammar and messages (zoo-cfg.md §5), and the list of
// members such lines make up.

import type { ConfigEntry } from "./entry.js";
import type { ConfigLocation } from "./errors.js";
import { ConfigError } from "./errors.js";
import { parseJavaInt, parseJavaLong } from "./values.js";

export type ServerRole = "participant" | "observer";

export interface QuorumServer {
  id: number;
  /** Host name or IP; IPv6 literals without their brackets. */
  host: string;
  /** First port: learners connect to the leader on it (conventionally 2888). */
  peerPort: number;
  /** Second port: leader-election votes (conventionally 3888). */
  electionPort: number;
  role: ServerRole;
  /** Client bind address from `;host:port`; undefined for `;port` (all interfaces) or no client part. */
  clientAddress?: string;
  /** Client port from the `;` part; undefined when the line has none. */
  clientPort?: number;
}

const WRONG_FORMAT =
  " does not have the form server_config or server_config;client_config where server_config is the" +
  " pipe separated list of host:port:port or host:port:port:type and client_config is port or host:port";

/** The id in a `server.<id>` key: everything after the first dot, as a non-negative integer. */
export function parseServerId(key: string, where: ConfigLocation): number {
  const text = key.slice(key.indexOf(".") + 1);
  const id = parseJavaLong(text);
  if (id === undefined) {
    throw new ConfigError(
      `server id "${text}" is not a number (expected server.<id> with an integer id)`,
      where,
    );
  }
  if (id < 0n || id > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ConfigError(`server id ${id} is out of range (expected 0..${Number.MAX_SAFE_INTEGER})`, where);
  }
  return Number(id);
}

/**
 * Splits `host:port[:...]` where host may be a bracketed IPv6 literal; the brackets are removed.
 * Returns undefined for a `[` without `]:`.
 */
export function splitHostAndPorts(text: string): string[] | undefined {
  if (!text.startsWith("[")) return javaSplit(text, ":");
  const close = text.indexOf("]");
  if (close < 0) return undefined;
  const rest = text.slice(close + 1);
  if (rest !== "" && !rest.startsWith(":")) return undefined;
  const parts = rest === "" ? [] : javaSplit(rest.slice(1), ":");
  return [text.slice(1, close), ...parts];
}

/** Java's String.split drops trailing empty strings; ZooKeeper's grammar depends on that. */
function javaSplit(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

function parsePort(host: string, portText: string, where: ConfigLocation): number {
  const port = parseJavaInt(portText);
  if (port === undefined) throw new ConfigError(`Address unresolved: ${host}:${portText}`, where);
  if (port < 1 || port > 65535) throw new ConfigError(`port out of range:${port} (expected 1..65535)`, where);
  return port;
}

export function parseServerLine(
  id: number,
  value: string,
  options: { multiAddressEnabled: boolean },
  where: ConfigLocation,
): QuorumServer {
  const serverAndClient = javaSplit(value, ";");
  if (serverAndClient.length > 2 || serverAndClient.length === 0) {
    throw new ConfigError(`${value}${WRONG_FORMAT}`, where);
  }
  const addresses = serverAndClient[0]!.split("|");
  if (addresses.length > 1) {
    if (!options.multiAddressEnabled) {
      throw new ConfigError(
        `Multiple address feature is disabled, but multiple addresses were specified for sid ${id}`,
        where,
      );
    }
    throw new ConfigError(
      `multiple addresses for sid ${id}: multiAddress is not supported by Paddock (expected one host:port:port)`,
      where,
    );
  }
  const parts = splitHostAndPorts(addresses[0]!);
  if (parts === undefined || parts.length < 3 || parts.length > 4 || parts[0] === "") {
    throw new ConfigError(`${addresses[0]}${WRONG_FORMAT}`, where);
  }
  const host = parts[0]!;
  const peerPort = parsePort(host, parts[1]!, where);
  const electionPort = parsePort(host, parts[2]!, where);
  if (peerPort === electionPort) {
    throw new ConfigError(
      `Client and election port must be different! Please update the configuration file on server.${id}`,
      where,
    );
  }
  let role: ServerRole = "participant";
  if (parts.length === 4) {
    const roleText = parts[3]!.toLowerCase();
    if (roleText === "observer") role = "observer";
    else if (roleText !== "participant") throw new ConfigError(`Unrecognised peertype: ${parts[3]}`, where);
  }
  const server: QuorumServer = { id, host, peerPort, electionPort, role };
  const clientText = serverAndClient[1];
  if (clientText !== undefined) {
    const clientParts = splitHostAndPorts(clientText);
    if (clientParts === undefined || clientParts.length > 2) {
      throw new ConfigError(`${value}${WRONG_FORMAT}`, where);
    }
    const clientHost = clientParts.length === 2 ? clientParts[0]! : undefined;
    server.clientPort = parsePort(clientHost ?? "0.0.0.0", clientParts[clientParts.length - 1]!, where);
    if (clientHost !== undefined) server.clientAddress = clientHost;
  }
  return server;
}

/** The members read so far, and the line each was defined on. */
export interface ServerList {
  servers: Map<number, QuorumServer>;
  serverLines: Map<number, number>;
}

/** Adds a `server.N` entry to `list`; an id defined twice is an error. */
export function addServerEntry(
  list: ServerList,
  entry: ConfigEntry,
  options: { multiAddressEnabled: boolean },
  where: ConfigLocation,
): void {
  const id = parseServerId(entry.key, where);
  const earlierLine = list.serverLines.get(id);
  if (earlierLine !== undefined) {
    throw new ConfigError(`duplicate server id ${id} (also defined at line ${earlierLine})`, where);
  }
  list.servers.set(id, parseServerLine(id, entry.value, options, where));
  list.serverLines.set(id, entry.line);
}

function bracketed(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * The member as ZooKeeper prints it in `conf`, `/zookeeper/config` and dynamic files
 * (`server.<id>=` prefix included); the client part is left out when the line had none.
 */
export function formatQuorumServer(server: QuorumServer): string {
  let text = `server.${server.id}=${bracketed(server.host)}:${server.peerPort}:${server.electionPort}:${server.role}`;
  if (server.clientPort !== undefined) {
    text += `;${bracketed(server.clientAddress ?? "0.0.0.0")}:${server.clientPort}`;
  }
  return text;
}
