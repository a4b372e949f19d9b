// Python test suites nobody here wrote (kazoo's, tooz's, taskflow's), run with Debian's python3 and
// pytest, read back from pytest's JUnit report: each case's outcome and, for a failure, its text.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const PYTHON = "/usr/bin/python3";

export type Outcome = "passed" | "failed" | "skipped";

export interface PytestRun {
  /** pytest's last summary line ("475 passed, 1 failed ..."). */
  summary: string;
  /** The end of pytest's output. */
  output: string;
  /** Each case (`classname.name`) by its outcome, in report order. */
  outcomes: Map<string, Outcome>;
  /** What the report says of each failed case (its failure or error element, shortened). */
  failureReports: Map<string, string>;
}

/**
 * `python3 -m pytest` over `args` in `dir` (so modules there import first), with `env` over this
 * process's environment; killed after `timeoutMs`. Async: such runs take minutes, and the vitest
 * worker must keep answering meanwhile.
 */
export async function runPytest(
  dir: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<PytestRun> {
  const junit = join(dir, `junit-${Date.now()}.xml`);
  const child = spawn(
    PYTHON,
    ["-m", "pytest", "-q", "-p", "no:cacheprovider", `--junitxml=${junit}`, ...args],
    {
      cwd: dir,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-200_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  await new Promise((resolve) => child.once("close", resolve));
  clearTimeout(killer);
  const summary = /^\d+ (passed|failed).*$/m.exec(output)?.[0] ?? "no summary";
  if (!existsSync(junit)) throw new Error(`pytest wrote no report:\n${output.slice(-3000)}`);
  const outcomes = new Map<string, Outcome>();
  const failureReports = new Map<string, string>();
  for (const m of readFileSync(junit, "utf8").matchAll(
    /<testcase classname="([^"]*)" name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g,
  )) {
    const name = `${m[1]}.${m[2]}`;
    const body = m[4] ?? "";
    if (/<(failure|error)\b/.test(body)) {
      outcomes.set(name, "failed");
      failureReports.set(name, body.slice(-4000));
    } else {
      outcomes.set(name, /<skipped\b/.test(body) ? "skipped" : "passed");
    }
  }
  return { summary, output, outcomes, failureReports };
}
