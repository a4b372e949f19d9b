// Child processes for the tools and tests that run servers side by side: spawn with the recent
// output kept for error messages, stop with a grace period, loopback ports that were free a
// moment ago, and readiness by four-letter word. Children still running when the process exits
// (a crash, a timeout that skipped clean-up) are killed so they do not hold their ports.

import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fourLetterWord } from "@paddock/client";

const OUTPUT_KEEP_BYTES = 64 * 1024;

export interface StartedProcess {
  child: ChildProcess;
  /** The last 64 KiB of stdout and stderr. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

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
      liveChildren.delete(child);
      resolve({ code: -1, signal: null });
    });
  });
  return { child, output: () => out, exited };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(proc: StartedProcess, graceMs = 5000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill("SIGTERM");
  const timer = setTimeout(() => proc.child.kill("SIGKILL"), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * Hands out ports of [min, max] that were free a moment ago. Probing starts at a pid-dependent
 * offset so parallel workers rarely race for the same port; callers retry on a bind failure.
 */
export function portAllocator(min: number, max: number, spread: number): (host?: string) => Promise<number> {
  let next = min + ((process.pid * spread) % (max - min + 1));
  return async (host = "127.0.0.1") => {
    for (let i = 0; i <= max - min; i++) {
      const port = next;
      next = next >= max ? min : next + 1;
      if (await canListen(port, host)) return port;
    }
    throw new Error(`no free port in ${min}-${max}`);
  };
}

/**
 * Polls `ruok` until it answers `imok` and `serving` agrees (ZooKeeper answers `imok` while it
 * still closes client connections during start-up). False if the process exits first (typically
 * a port taken between probing and binding) or the deadline passes.
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

/** A server that shows a Mode in `srvr` serves clients (ZooKeeper says imok before that). */
export async function showsMode(host: string, port: number): Promise<boolean> {
  return /^Mode: /m.test(await fourLetterWord(host, port, "srvr", 1000));
}
