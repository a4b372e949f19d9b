// The launchers put SERVER_NODE_FLAGS before the server bundle. A flag this node does not know
// would stop every server at start, and a flag that no longer changes V8's behaviour is cost
// without benefit, so both are checked on the node running the tests.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { SERVER_NODE_FLAGS } from "../../src/config/node-flags.js";

// Keeps ~200k small objects alive while replacing them, as a server under a write load keeps its
// in-flight requests: most die young, enough survive to be promoted. Prints the full collections.
const CHURN = `
const { PerformanceObserver, constants } = require("node:perf_hooks");
let major = 0;
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
}).observe({ entryTypes: ["gc"] });
const ring = new Array(200000);
let i = 0;
function turn() {
  for (let k = 0; k < 50000; k++, i++) ring[i % ring.length] = { i, s: [i, i + 1, i + 2] };
  if (i < 8e6) setImmediate(turn);
  else setTimeout(() => process.stdout.write(String(major)), 50);
}
turn();
`;

function fullCollections(flags: readonly string[]): number {
  const run = spawnSync(process.execPath, [...flags, "-e", CHURN], { encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  return Number(run.stdout);
}

describe("SERVER_NODE_FLAGS", () => {
  it("are accepted by this node and reach the process", () => {
    expect(SERVER_NODE_FLAGS.length).toBeGreaterThan(0);
    const run = spawnSync(
      process.execPath,
      [...SERVER_NODE_FLAGS, "-e", "process.stdout.write(JSON.stringify(process.execArgv))"],
      { encoding: "utf8" },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).slice(0, SERVER_NODE_FLAGS.length)).toEqual([...SERVER_NODE_FLAGS]);
  });

  it("cut the full collections of a churning heap", () => {
    // Measured here: 8-9 without the flags, 3 with them.
    const without = fullCollections([]);
    const withFlags = fullCollections(SERVER_NODE_FLAGS);
    expect(without).toBeGreaterThan(0);
    expect(withFlags).toBeLessThan(without);
  }, 60_000);
});
