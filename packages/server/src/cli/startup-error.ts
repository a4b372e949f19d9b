// What a failed start prints: one line for the failures an operator causes or can fix (bad
// config, ZooKeeper's data, damaged storage, a taken port); anything else is a bug and keeps its
// stack trace.

import type { ServerConfig } from "../config/index.js";
import { ConfigError } from "../config/index.js";
import { MigrationError } from "../migrate/import-zk.js";
import { TlsSetupError } from "../net/key-stores.js";
import { describeListenError, isListenError } from "../net/listen-error.js";
import {
  DataDirLockedError,
  StorageCorruptionError,
  StorageGapError,
  ZooKeeperDataError,
} from "../storage/index.js";
import { ConfDirScriptError } from "./conf-dir.js";

/** Which of this server's listeners uses `port`, for the message. */
function listenerName(port: number | undefined, config: ServerConfig | undefined): string {
  if (config === undefined || port === undefined) return "listener";
  if (port === config.clientPort) return "client port";
  const me = config.myid === undefined ? undefined : config.servers.get(config.myid);
  if (me !== undefined && port === me.peerPort) return "quorum port";
  if (me !== undefined && port === me.electionPort) return "election port";
  if (config.metricsProvider.kind === "prometheus" && port === config.metricsProvider.httpPort) {
    return "metrics port (metricsProvider.httpPort)";
  }
  return "listener";
}

/** The one line for an expected failure, or undefined for a bug. */
export function describeStartupError(err: unknown, config?: ServerConfig): string | undefined {
  if (isListenError(err)) {
    const port = (err as { port?: number }).port ?? config?.clientPort ?? 2181;
    return describeListenError(err, listenerName(port, config), config?.clientPortAddress, port);
  }
  if (err instanceof ConfigError) return `invalid configuration: ${err.message}`;
  if (
    err instanceof ZooKeeperDataError ||
    err instanceof DataDirLockedError ||
    err instanceof StorageCorruptionError ||
    err instanceof StorageGapError ||
    err instanceof MigrationError ||
    // A key or trust store that cannot be used: the message names the store and the reason.
    err instanceof TlsSetupError ||
    err instanceof ConfDirScriptError
  ) {
    return err.message;
  }
  return undefined;
}
