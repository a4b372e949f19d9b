import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fourLetterWord } from "@paddock/client";
import {
  portAllocator,
  type StartedProcess,
  startProcess,
  stopProcess,
  waitForImok,
} from "../../packages/bench/src/processes.js";

// One implementation for the whole repository lives in the client; tests keep importing it here.
export { fourLetterWord };

export const SUPER_DIGEST = "super:xQJmxLMiHGwaqBvst5y6rkB6HQs=";
/** Password whose digest is SUPER_DIGEST: `digest super:admin` acts as super. */
export const SUPER_AUTH = "super:admin";

/**
 * Our port range; other engineers' suites stay outside it. Each kind of test has a range of its
 * own, because a port probed free can be taken by a parallel test before the server binds it:
 *   23000-23999 server unit tests (peer transport, quorum runtime)
 *   24000-24999 single servers (freePort)
 *   25000-25999 the benchmark
 *   26000-26999 test ensembles (test/support/ensemble.ts; one half per vitest worker)
 *   27000-27999 paddock-chaos's process target
 *   28000-28999 kazoo's own suite (its harness takes blocks of 30)
 *   29000-29999 published ports of the docker-compose tests
 * and the Go client's own harnesses pick theirs at random in 10000-16999.
 * and ZooKeeper's own C client tests fix theirs: 8080, 22181, 22281, 22881-22883, 33881-33883.
 */
const PORT_MIN = 24000;
const PORT_MAX = 24999;

export interface ServerHandle {
  kind: "zookeeper" | "paddock";
  host: string;
  port: number;
  connectString: string;
  dataDir: string;
  /** SIGTERM, wait for exit (SIGKILL after a grace period), remove the temp directory. */
  stop(): Promise<void>;
  /** Sends a signal without waiting or cleaning up, e.g. to test crash behaviour. */
  kill(signal?: NodeJS.Signals): void;
  /** Recent stdout/stderr of the process, for failure messages. */
  output(): string;
  /** The server's process id (for /proc readings). */
  pid: number | undefined;
  /** Whether the process is still running. */
  alive(): boolean;
}

/**
 * Waits until `port` accepts a TCP connection. A server's ready check answers on its plain client
 * port, and ZooKeeper binds secureClientPort only after that port is serving, so a test that
 * talks to a second port waits for it first. Throws after `timeoutMs`.
 */
export async function waitForListening(port: number, timeoutMs: number, host = "127.0.0.1"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (accepted) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A port in 24000–24999 (the tests' range; the benchmark's is its own) that was free a moment ago. */
export const freePort: (host?: string) => Promise<number> = portAllocator(PORT_MIN, PORT_MAX, 37);

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

/** The zoo.cfg both servers read: ZooKeeper turns unknown keys into `zookeeper.<key>` properties. */
export function writeZooCfg(dir: string, dataDir: string, port: number, extra: string[] = []): string {
  const cfgPath = join(dir, "zoo.cfg");
  const lines = [
    "tickTime=2000",
    `dataDir=${dataDir}`,
    `clientPort=${port}`,
    "clientPortAddress=127.0.0.1",
    "4lw.commands.whitelist=*",
    "extendedTypesEnabled=true",
    `DigestAuthenticationProvider.superDigest=${SUPER_DIGEST}`,
    "admin.enableServer=false",
    ...extra,
    "",
  ];
  writeFileSync(cfgPath, lines.join("\n"));
  return cfgPath;
}

export { type StartedProcess, startProcess, stopProcess, waitForImok };

/**
 * Starts a server on a free port, retrying with another port when the process dies before it
 * answers `imok` (lost port race). The last failure's output goes into the error.
 */
export async function launchServer(
  kind: ServerHandle["kind"],
  spawnOn: (port: number, dir: string, dataDir: string) => StartedProcess,
  readyTimeoutMs: number,
  serving?: (host: string, port: number) => Promise<boolean>,
): Promise<ServerHandle> {
  const host = "127.0.0.1";
  let lastOutput = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = makeTempDir(`paddock-${kind}`);
    const dataDir = join(dir, "data");
    const port = await freePort(host);
    const proc = spawnOn(port, dir, dataDir);
    if (await waitForImok(proc, host, port, readyTimeoutMs, serving)) {
      return {
        kind,
        host,
        port,
        connectString: `${host}:${port}`,
        dataDir,
        output: proc.output,
        pid: proc.child.pid,
        alive: () => proc.child.exitCode === null && proc.child.signalCode === null,
        kill: (signal: NodeJS.Signals = "SIGKILL") => {
          proc.child.kill(signal);
        },
        stop: async () => {
          await stopProcess(proc);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    lastOutput = proc.output();
    await stopProcess(proc, 1000);
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error(`${kind} did not answer ruok with imok; last output:\n${lastOutput.slice(-4000)}`);
}

export interface Finished {
  /** null when a signal ended it (the time-out's SIGKILL among them). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end with stdin closed and collects its output, without blocking the
 * worker as spawnSync would (vitest's worker must keep answering). SIGKILL after timeoutMs.
 */
export function runToEnd(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
