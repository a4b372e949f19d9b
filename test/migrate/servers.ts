// Servers whose data directories outlive them: the migration test stops ZooKeeper, imports its
// files, starts Paddock on them, and the other way round.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { JAVA_DIR, ZOOKEEPER_JARS } from "../../packages/bench/src/servers.js";
import { PADDOCK_SERVER_PATH } from "../support/paddock.js";
import {
  fourLetterWord,
  type StartedProcess,
  startProcess,
  stopProcess,
  waitForImok,
  writeZooCfg,
} from "../support/process.js";

export interface KeptServer {
  port: number;
  connectString: string;
  output(): string;
  /** SIGTERM and wait; the data stays. */
  stop(): Promise<void>;
}

function kept(proc: StartedProcess, port: number): KeptServer {
  return {
    port,
    connectString: `127.0.0.1:${port}`,
    output: proc.output,
    stop: () => stopProcess(proc, 10_000),
  };
}

/** Apache ZooKeeper 3.8 on `port` with its data in `dir/data` (zoo.cfg in `dir`). */
export async function startZooKeeperIn(
  dir: string,
  port: number,
  extraCfg: string[] = [],
): Promise<KeptServer> {
  const dataDir = join(dir, "data");
  mkdirSync(dataDir, { recursive: true });
  const cfg = writeZooCfg(dir, dataDir, port, extraCfg);
  const proc = startProcess("java", [
    "-Xmx512m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Dzookeeper.extendedTypesEnabled=true",
    "-Dzookeeper.admin.enableServer=false",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
    "-cp",
    ZOOKEEPER_JARS.map((j) => join(JAVA_DIR, j)).join(":"),
    "org.apache.zookeeper.server.quorum.QuorumPeerMain",
    cfg,
  ]);
  const serving = async (host: string, p: number) =>
    /^Mode: /m.test(await fourLetterWord(host, p, "srvr", 1000));
  if (!(await waitForImok(proc, "127.0.0.1", port, 40_000, serving))) {
    await stopProcess(proc, 1000);
    throw new Error(`ZooKeeper in ${dir} did not start:\n${proc.output().slice(-4000)}`);
  }
  return kept(proc, port);
}

/** Paddock on `port` with its data in `dir/data`. */
export async function startPaddockIn(
  dir: string,
  port: number,
  extraCfg: string[] = [],
): Promise<KeptServer> {
  const dataDir = join(dir, "data");
  mkdirSync(dataDir, { recursive: true });
  const cfg = writeZooCfg(dir, dataDir, port, extraCfg);
  const proc = startProcess(process.execPath, [PADDOCK_SERVER_PATH, cfg], {
    ...process.env,
    PADDOCK_LOG_PRETTY: "",
  });
  if (!(await waitForImok(proc, "127.0.0.1", port, 20_000))) {
    await stopProcess(proc, 1000);
    throw new Error(`Paddock in ${dir} did not start:\n${proc.output().slice(-4000)}`);
  }
  return kept(proc, port);
}

/** Runs `paddock-server <args>` to completion. */
export function paddockServerCommand(args: string[]): {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
} {
  const started = Date.now();
  const r = spawnSync(process.execPath, [PADDOCK_SERVER_PATH, ...args], {
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}
