// `paddock-server start | stop | restart | print-cmd [zoo.cfg]`: zkServer.sh's verbs for a server
// in the background, with its messages, its pid file ($ZOOPIDFILE, else zookeeper_server.pid in
// dataDir) and its output file (zookeeper-$USER-server-$HOSTNAME.out in $ZOO_LOG_DIR). Scripts
// and runbooks written for ZooKeeper (`zkServer.sh start`, then `status`, then `stop`) work
// unchanged. Where zkServer.sh only hopes, this waits: `stop` returns once the server has exited,
// so a `start` right after it finds the ports free.

import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { heapNodeFlags, loadServerConfig } from "../config/index.js";
import { SERVER_NODE_FLAGS } from "../config/node-flags.js";
import { CONF_DIR_READ_MARK } from "./conf-dir.js";
import type { CliIo } from "./io.js";
import { describeStartupError } from "./startup-error.js";

/** zkServer.sh checks the new process once, a second after it started it. */
const START_CHECK_MS = 1000;
/** How long `stop` waits for the server to exit after SIGTERM; a server stops in well under it. */
const STOP_WAIT_MS = 30_000;

export interface DaemonFiles {
  pidFile: string;
  outFile: string;
}

/** Where zkServer.sh keeps the pid and the output of a server with this dataDir and environment. */
export function daemonFiles(dataDir: string, env: NodeJS.ProcessEnv): DaemonFiles {
  const logDir = env.ZOO_LOG_DIR || dataDir;
  return {
    pidFile: env.ZOOPIDFILE || join(dataDir, "zookeeper_server.pid"),
    outFile: join(logDir, `zookeeper-${env.USER ?? ""}-server-${hostname()}.out`),
  };
}

/** The files for a zoo.cfg, or undefined after saying why its dataDir cannot be read. */
function filesFor(cfgPath: string, env: NodeJS.ProcessEnv, io: CliIo): DaemonFiles | undefined {
  try {
    return daemonFiles(loadServerConfig(cfgPath).dataDir, env);
  } catch (err) {
    const line = describeStartupError(err);
    if (line === undefined) throw err;
    io.err(`Invalid config, exiting abnormally: ${line}\n`);
    return undefined;
  }
}

function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, "utf8").trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the process exists and belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  // A server that exited stays a zombie until its parent reaps it, and a container's first
  // process may never do that for a server started by `docker exec ... start`.
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

/** The command `start` runs, as print-cmd shows it: -Xmx becomes Node's heap limit. */
function serverCommand(serverScript: string, cfgPath: string, env: NodeJS.ProcessEnv): string[] {
  return [
    process.execPath,
    ...heapNodeFlags(env),
    ...SERVER_NODE_FLAGS,
    serverScript,
    "start-foreground",
    cfgPath,
  ];
}

export async function startDaemon(
  cfgPath: string,
  serverScript: string,
  env: NodeJS.ProcessEnv,
  io: CliIo,
): Promise<number> {
  io.err(`Using config: ${cfgPath}\n`);
  const files = filesFor(cfgPath, env, io);
  io.out("Starting zookeeper ... ");
  if (files === undefined) {
    io.out("FAILED TO START\n");
    return 1;
  }
  const running = readPid(files.pidFile);
  if (running !== undefined && isRunning(running)) {
    io.out(`already running as process ${running}.\n`);
    return 1;
  }
  mkdirSync(dirname(files.pidFile), { recursive: true });
  mkdirSync(dirname(files.outFile), { recursive: true });
  const out = openSync(files.outFile, "w");
  const [node, ...args] = serverCommand(serverScript, resolve(cfgPath), env);
  const child = spawn(node as string, args, {
    detached: true,
    stdio: ["ignore", out, out],
    env: { ...env, [CONF_DIR_READ_MARK]: "1" },
  });
  closeSync(out);
  if (child.pid === undefined) {
    io.out("SERVER DID NOT START\n");
    return 1;
  }
  writeFileSync(files.pidFile, String(child.pid));
  await sleep(START_CHECK_MS);
  // exitCode, not kill(pid, 0): this process has not reaped its child, and a zombie answers.
  if (child.exitCode !== null || child.signalCode !== null) {
    io.out("FAILED TO START\n");
    io.err(`paddock-server start: the server exited; its output is in ${files.outFile}\n`);
    rmSync(files.pidFile, { force: true });
    return 1;
  }
  child.unref();
  io.out("STARTED\n");
  return 0;
}

export async function stopDaemon(cfgPath: string, env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  io.err(`Using config: ${cfgPath}\n`);
  const files = filesFor(cfgPath, env, io);
  if (files === undefined) return 1;
  io.out("Stopping zookeeper ... ");
  if (!existsSync(files.pidFile)) {
    io.out(`no zookeeper to stop (could not find file ${files.pidFile})\n`);
    return 0;
  }
  const pid = readPid(files.pidFile);
  if (pid === undefined || !isRunning(pid)) {
    // zkServer.sh's kill fails with its own message here; it still removes the file and says
    // STOPPED.
    rmSync(files.pidFile, { force: true });
    io.err(`paddock-server stop: no process ${pid ?? "(unreadable pid file)"}\n`);
    io.out("STOPPED\n");
    return 0;
  }
  try {
    process.kill(pid, "SIGTERM");
  } catch (err) {
    // EPERM: the pid file names another user's process; zkServer.sh's kill fails the same way.
    io.out(`cannot signal process ${pid}: ${(err as NodeJS.ErrnoException).code}\n`);
    return 1;
  }
  const deadline = Date.now() + STOP_WAIT_MS;
  while (isRunning(pid)) {
    if (Date.now() > deadline) {
      io.out(`process ${pid} has not exited ${STOP_WAIT_MS / 1000} s after SIGTERM\n`);
      return 1;
    }
    await sleep(100);
  }
  // Removed only now: a server that would not stop keeps its pid file for the next try.
  rmSync(files.pidFile, { force: true });
  io.out("STOPPED\n");
  return 0;
}

export function printCommand(
  cfgPath: string,
  serverScript: string,
  env: NodeJS.ProcessEnv,
  io: CliIo,
): number {
  io.err(`Using config: ${cfgPath}\n`);
  const files = filesFor(cfgPath, env, io);
  if (files === undefined) return 1;
  const words = serverCommand(serverScript, resolve(cfgPath), env).map((w) => `"${w}"`);
  io.out(`${words.join(" ")} > "${files.outFile}" 2>&1 < /dev/null\n`);
  return 0;
}
