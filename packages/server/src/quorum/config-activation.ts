// What a config that ZAB activated means for this server: its member list (the server lines the
// reconfig carried) becomes the one the peer transport dials, the one conf / the AdminServer / the
// console show, and the one /zookeeper/config holds after a snapshot; and it is written to
// `zoo.cfg.dynamic.<version>` so the next start begins from it, as ZooKeeper does.

import { persistDynamicConfig } from "../config/dynamic-config-files.js";
import {
  ConfigError,
  dynamicConfigText,
  formatServerLine,
  parseConfigData,
  type QuorumServer,
  type ServerConfig,
} from "../config/index.js";
import type { Logger } from "../logger.js";
import type { PeerAddress } from "../net/peer-transport.js";
import type { QuorumConfig } from "../zab/messages.js";
import { formatZxid } from "../zab/zxid.js";

/** The members a config describes, or undefined for the static config (no description). */
export function membersOf(config: QuorumConfig): Map<number, QuorumServer> | undefined {
  if (config.members === undefined || config.members.byteLength === 0) return undefined;
  const text = Buffer.from(config.members).toString("utf8");
  return parseConfigData(text, `config ${formatZxid(config.version)}`).servers;
}

/** The config zoo.cfg (or its dynamic file) holds, as ZAB's persisted active config. */
export function persistedConfigOf(config: ServerConfig): QuorumConfig | undefined {
  const version = config.configVersion ?? 0n;
  if (version === 0n) return undefined;
  const servers = [...config.servers.values()];
  return {
    version: Number(version),
    voters: servers.filter((s) => s.role === "participant").map((s) => s.id),
    observers: servers.filter((s) => s.role === "observer").map((s) => s.id),
    members: Buffer.from(dynamicConfigText(servers, version)),
  };
}

export function peerAddresses(servers: ReadonlyMap<number, QuorumServer>): Map<number, PeerAddress> {
  return new Map(
    [...servers.values()].map((s) => [
      s.id,
      { host: s.host, peerPort: s.peerPort, electionPort: s.electionPort },
    ]),
  );
}

/**
 * Adopts an activated config's members: returns them (undefined when the config carries none,
 * i.e. the static one, or a description that does not parse, which is logged). The server
 * config's member list is replaced in place: it is the live list every view reads.
 */
export function adoptConfig(
  config: ServerConfig,
  activated: QuorumConfig,
  log: Logger,
): Map<number, QuorumServer> | undefined {
  let servers: Map<number, QuorumServer> | undefined;
  try {
    servers = membersOf(activated);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    log.error(
      { err: err.message, version: formatZxid(activated.version) },
      "activated config has malformed members; keeping the old addresses",
    );
    return undefined;
  }
  if (servers === undefined) return undefined;
  config.servers.clear();
  for (const [id, s] of servers) config.servers.set(id, s);
  config.configVersion = BigInt(activated.version);
  try {
    const lines = [...servers.values()]
      .sort((a, b) => a.id - b.id)
      .map(formatServerLine)
      .join("\n");
    const file = persistDynamicConfig(config.configPath, lines, BigInt(activated.version));
    log.info({ version: formatZxid(activated.version), file }, "dynamic config written");
  } catch (err) {
    // The config is also in the log and every member's notifications: a restart still learns it.
    log.warn({ err, version: formatZxid(activated.version) }, "cannot write the dynamic config file");
  }
  return servers;
}
