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

// A live set that grows to ~230 MB while a ring of in-flight objects churns, as a server's heap
// does while clients build a tree: many ring entries are promoted before they die. Prints the
// largest heapTotal seen over the live set left after a final forced collection.
const GROW = `
const keep = [];
const ring = new Array(100000);
let i = 0;
let peak = 0;
function turn() {
  for (let k = 0; k < 20000; k++, i++) {
    ring[i % ring.length] = { i, s: "r".repeat(200) + i };
    if (i % 4 === 0) keep.push({ i, s: "k".repeat(100) + i });
  }
  peak = Math.max(peak, process.memoryUsage().heapTotal);
  if (i < 3e6) setImmediate(turn);
  else {
    ring.fill(null);
    globalThis.gc();
    process.stdout.write(String(peak / process.memoryUsage().heapUsed));
  }
}
turn();
`;

function peakOverLive(flags: readonly string[]): number {
  const run = spawnSync(process.execPath, ["--expose-gc", ...flags, "-e", GROW], { encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  return Number(run.stdout);
}

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
    // Measured here: 8-9 without the flags, 1 with them (3 with the old 256 MiB start alone).
    const without = fullCollections([]);
    const withFlags = fullCollections(SERVER_NODE_FLAGS);
    expect(without).toBeGreaterThan(0);
    expect(withFlags).toBeLessThan(without);
  }, 60_000);

  it("keep a growing heap near its live set", () => {
    // The starting old space is set small in both runs (a later flag wins) so that the live set
    // outgrows it and the growth after each full collection decides the peak. Measured here:
    // 2.7 without the server's flags, 1.65 with them.
    const small = "--initial-old-space-size=32";
    const without = peakOverLive([small]);
    const withFlags = peakOverLive([...SERVER_NODE_FLAGS, small]);
    expect(withFlags).toBeLessThan(2);
    expect(withFlags).toBeLessThan(without * 0.8);
  }, 90_000);
});
