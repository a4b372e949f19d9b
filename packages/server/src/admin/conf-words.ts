// conf, envi and dirs: how the server is configured, what it runs on, and how much disk its
// data takes.

import type { ConfSnapshot } from "./four-letter-snapshots.js";

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

export function formatDirs(dataDirSizeBytes: number, logDirSizeBytes: number): string {
  return `datadir_size: ${dataDirSizeBytes}\nlogdir_size: ${logDirSizeBytes}\n`;
}
