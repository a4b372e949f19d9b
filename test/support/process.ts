// Shared plumbing for the server launchers: loopback ports, four-letter words, readiness and
// shutdown of a child process.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fourLetterWord } from "@paddock/client";

// One implementation for the whole repository lives in the client; tests keep importing it here.
export { fourLetterWord };

export const SUPER_DIGEST = "super:xQJmxLMiHGwaqBvst5y6rkB6HQs=";
/** Password whose digest is SUPER_DIGEST: `digest super:admin` acts as super. */
export const SUPER_AUTH = "super:admin";

/** Our port range; other engineers' suites stay outside it. */
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
}

let nextPortProbe = PORT_MIN + ((process.pid * 37) % (PORT_MAX - PORT_MIN + 1));

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * A port in 24000–24999 that was free a moment ago. Probing starts at a pid-dependent offset so
 * parallel workers rarely race for the same port; callers retry on a bind failure anyway.
 */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  for (let i = 0; i <= PORT_MAX - PORT_MIN; i++) {
    const port = nextPortProbe;
    nextPortProbe = nextPortProbe >= PORT_MAX ? PORT_MIN : nextPortProbe + 1;
    if (await canListen(port, host)) return port;
  }
  throw new Error(`no free port in ${PORT_MIN}-${PORT_MAX}`);
}

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

const OUTPUT_KEEP_BYTES = 64 * 1024;

export interface StartedProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

// Children still running when the test worker exits (a crash or a timeout that skipped
// afterAll) would otherwise outlive it and hold their ports.
const liveChildren = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of liveChildren) child.kill("SIGKILL");
});

export function startProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): StartedProcess {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env });
  liveChildren.add(child);
  child.once("exit", () => liveChildren.delete(child));
  let out = "";
  const keep = (c: Buffer) => {
    out += c.toString("utf8");
    if (out.length > OUTPUT_KEEP_BYTES) out = out.slice(out.length - OUTPUT_KEEP_BYTES);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (e) => {
      keep(Buffer.from(`spawn error: ${e.message}\n`));
      resolve({ code: -1, signal: null });
    });
  });
  return { child, output: () => out, exited };
}

/**
 * Polls `ruok` until it answers `imok` and `serving` agrees (ZooKeeper answers `imok` while it
 * still closes client connections during startup). Resolves false if the process exits first (typically
 * a port that was taken between probing and binding) or the deadline passes.
 */
export async function waitForImok(
  proc: StartedProcess,
  host: string,
  port: number,
  deadlineMs: number,
  serving: (host: string, port: number) => Promise<boolean> = async () => true,
): Promise<boolean> {
  let exited = false;
  void proc.exited.then(() => {
    exited = true;
  });
  const until = Date.now() + deadlineMs;
  while (Date.now() < until && !exited) {
    try {
      if ((await fourLetterWord(host, port, "ruok", 1000)) === "imok" && (await serving(host, port)))
        return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

export async function stopProcess(proc: StartedProcess, graceMs = 5000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill("SIGTERM");
  const timer = setTimeout(() => proc.child.kill("SIGKILL"), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

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
