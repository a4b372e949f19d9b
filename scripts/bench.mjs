#!/usr/bin/env node
// Compares Apache ZooKeeper and Paddock under the same workloads; see docs/benchmarks.md.
// The benchmark is TypeScript in packages/bench, run through tsx so it needs no separate build
// (the Paddock server itself must be built: dist/paddock-server.mjs).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", join(root, "packages/bench/src/compare-main.ts"), ...process.argv.slice(2)],
  { cwd: root, stdio: "inherit" },
);
process.exitCode = result.status ?? 1;
