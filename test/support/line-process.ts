// A child process driven line by line, as the interop and failover tests drive Curator, kazoo and
// our own peers: commands on stdin, events read back from stdout one line each.
import { type ChildProcess, spawn } from "node:child_process";

/** A process driven line by line: commands on stdin, one line per event on stdout. */
export interface LineProcess {
  child: ChildProcess;
  /** Every line printed so far. */
  lines: string[];
  /** Resolves with the first line (from `from` on) matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<string>;
  send(line: string): void;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts a process that takes commands on stdin and reports one line per event on stdout. */
export function startLineProcess(command: string, args: string[]): LineProcess {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
  const lines: string[] = [];
  let stderr = "";
  const listeners = new Set<() => void>();
  let partial = "";
  child.stdout.on("data", (chunk: Buffer) => {
    partial += chunk.toString("utf8");
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts.map((l) => l.trim()).filter((l) => l !== ""));
    for (const l of listeners) l();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-8000);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const l of listeners) l();
  });
  return {
    child,
    lines,
    exited,
    send: (line) => child.stdin.write(`${line}\n`),
    kill: (signal = "SIGKILL") => {
      child.kill(signal);
    },
    waitFor: (pattern, timeoutMs = 30_000, from = 0) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const found = lines.slice(from).find((l) => pattern.test(l));
          if (found !== undefined) {
            finish();
            resolve(found);
          } else if (done) {
            finish();
            reject(
              new Error(`process exited before ${pattern}; stdout: ${lines.join(" | ")}; stderr: ${stderr}`),
            );
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `no ${pattern} from the process in ${timeoutMs} ms; stdout: ${lines.join(" | ")}; stderr: ${stderr}`,
            ),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
  };
}
