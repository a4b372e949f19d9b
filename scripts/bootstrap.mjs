#!/usr/bin/env node
// Entry point for `npm start` and `npm test` on a fresh clone: installs dependencies when they
// are missing or stale, builds the bundles, then runs the requested job. Uses only Node builtins
// because nothing else is guaranteed to be installed yet.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const job = process.argv[2];
const extraArgs = process.argv.slice(3);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function mtimeMs(p) {
  return existsSync(p) ? statSync(p).mtimeMs : 0;
}

function ensureInstalled() {
  const marker = join(root, "node_modules", ".package-lock.json");
  const lock = join(root, "package-lock.json");
  if (existsSync(marker) && mtimeMs(marker) >= mtimeMs(lock)) return;
  console.error("[paddock] installing npm dependencies ...");
  // `npm install` rather than `npm ci`: npm 11 rejects, in `ci`, a lockfile written on Linux
  // because other platforms' optional binaries (biome, rollup) are absent from it. `install`
  // still takes every version from the lockfile.
  run("npm", ["install", "--no-audit", "--no-fund"]);
}

ensureInstalled();
run(process.execPath, [join(root, "scripts", "build.mjs")]);

if (job === "start") {
  const child = spawn(process.execPath, [join(root, "scripts", "start-local.mjs"), ...extraArgs], {
    cwd: root,
    stdio: "inherit",
  });
  // npm runs this script through `sh -c`, and sh neither forwards signals nor passes on its own
  // death: a supervisor's SIGTERM to npm ends npm and sh only. So the servers' parent is told
  // both ways: signals that reach us are forwarded, and a change of parent (ours died) counts
  // as a SIGTERM.
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) child.kill("SIGTERM");
  }, 500).unref();
  child.on("exit", (code, signal) => process.exit(code ?? (signal === null ? 0 : 1)));
} else if (job === "test") {
  const bin = join(root, "node_modules", ".bin");
  run(join(bin, "tsc"), ["-p", "tsconfig.json", "--noEmit"]);
  run(join(bin, "biome"), ["check", "."]);
  // The JSON report gives the totals for one plain closing line; the default reporter's summary
  // is not in the "N passed, N failed" form, and test output can contain such lines of its own
  // (paddock-chaos prints its report).
  const reportPath = join(mkdtempSync(join(tmpdir(), "paddock-vitest-")), "report.json");
  const r = spawnSync(
    join(bin, "vitest"),
    ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${reportPath}`, ...extraArgs],
    { cwd: root, stdio: "inherit" },
  );
  if (existsSync(reportPath)) {
    const report = JSON.parse(readFileSync(reportPath, "utf8"));
    const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    // A file whose beforeAll fails reports its tests as skipped, not failed: count such files.
    let failed = report.numFailedTests ?? 0;
    if (r.status !== 0 && failed === 0) failed = Math.max(1, report.numFailedTestSuites ?? 0);
    console.log(`${report.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
  }
  process.exit(r.status ?? 1);
} else {
  console.error(`usage: bootstrap.mjs start|test`);
  process.exit(2);
}
