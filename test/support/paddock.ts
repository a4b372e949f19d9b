// Launches a Paddock server process built by `npm run build` (dist/paddock-server.mjs).
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  launchServer,
  type ServerHandle,
  startProcess,
  stopProcess,
  waitForImok,
  writeZooCfg,
} from "./process.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const PADDOCK_SERVER_PATH = join(repoRoot, "dist", "paddock-server.mjs");

export function paddockBuilt(): boolean {
  return existsSync(PADDOCK_SERVER_PATH);
}

export async function startPaddock(
  opts: { extraCfg?: string[]; readyTimeoutMs?: number } = {},
): Promise<ServerHandle> {
  if (!paddockBuilt()) throw new Error(`${PADDOCK_SERVER_PATH} is missing: run npm run build`);
  return launchServer(
    "paddock",
    (port, dir, dataDir) => {
      mkdirSync(dataDir, { recursive: true });
      const cfg = writeZooCfg(dir, dataDir, port, opts.extraCfg ?? []);
      return startProcess(process.execPath, [PADDOCK_SERVER_PATH, cfg], {
        ...process.env,
        PADDOCK_LOG_PRETTY: "",
      });
    },
    opts.readyTimeoutMs ?? 15_000,
  );
}

/** A Paddock process bound to a directory and port that outlive it, so it can be restarted. */
export interface RestartablePaddock {
  host: string;
  port: number;
  connectString: string;
  dir: string;
  dataDir: string;
  /** Sends a signal (SIGKILL by default) and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM and wait; the directory is kept. */
  stop(): Promise<void>;
  output(): string;
}

/**
 * Starts Paddock on `port` with its data in `dir/data`, writing zoo.cfg there. Unlike
 * startPaddock the directory is not removed, so restarting on the same `dir` recovers the data.
 */
export async function startPaddockIn(
  dir: string,
  port: number,
  opts: { extraCfg?: string[]; readyTimeoutMs?: number } = {},
): Promise<RestartablePaddock> {
  if (!paddockBuilt()) throw new Error(`${PADDOCK_SERVER_PATH} is missing: run npm run build`);
  const host = "127.0.0.1";
  const dataDir = join(dir, "data");
  mkdirSync(dataDir, { recursive: true });
  const cfg = writeZooCfg(dir, dataDir, port, opts.extraCfg ?? []);
  const proc = startProcess(process.execPath, [PADDOCK_SERVER_PATH, cfg], {
    ...process.env,
    PADDOCK_LOG_PRETTY: "",
  });
  if (!(await waitForImok(proc, host, port, opts.readyTimeoutMs ?? 15_000))) {
    await stopProcess(proc, 1000);
    throw new Error(`paddock in ${dir} did not become ready:\n${proc.output().slice(-4000)}`);
  }
  return {
    host,
    port,
    connectString: `${host}:${port}`,
    dir,
    dataDir,
    output: proc.output,
    kill: async (signal: NodeJS.Signals = "SIGKILL") => {
      proc.child.kill(signal);
      await proc.exited;
    },
    stop: () => stopProcess(proc),
  };
}
