// The client's and the CLI's tests against the real Apache ZooKeeper 3.8: the repository's one
// launcher (test/support/zookeeper.ts, which starts it the way the benchmark does), shaped the
// way these tests use it.
import { freePort } from "../../../../test/support/process.js";
import { skipWithoutZookeeper, startZookeeper } from "../../../../test/support/zookeeper.js";
import { ZOOKEEPER_CLI_CLASSPATH } from "../../../bench/src/zookeeper-java.js";

/** zkCli's classpath, for the CLI's side-by-side tests. */
export const ZOOKEEPER_CLASSPATH = ZOOKEEPER_CLI_CLASSPATH;

export interface ZooKeeperServer {
  port: number;
  /** "127.0.0.1:port". */
  connectString: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  tickTimeMs?: number;
  /** Extra zoo.cfg lines. */
  extraConfig?: string[];
}

/** For `describe.skipIf(...)`: true only outside CI when ZooKeeper is unavailable. */
export function shouldSkipZooKeeperTests(): boolean {
  return skipWithoutZookeeper();
}

/** A free loopback port (for proxies and fake servers next to a real one). */
export function pickPort(): Promise<number> {
  return freePort();
}

export async function startZooKeeper(options: StartOptions = {}): Promise<ZooKeeperServer> {
  // Short ticks keep session-timeout tests quick; the client tests open many sessions at once.
  const server = await startZookeeper({
    extraCfg: [`tickTime=${options.tickTimeMs ?? 500}`, "maxClientCnxns=0", ...(options.extraConfig ?? [])],
  });
  return {
    port: server.port,
    connectString: server.connectString,
    dataDir: server.dataDir,
    stop: server.stop,
  };
}
