// A znode's zxids and times are numbers past V8's small integers. Held in fields that V8 boxes per
// object they cost five heap numbers per znode; storedNode keeps them in fields that point at
// shared numbers instead. Counted from a heap snapshot of a process of its own, so nothing the
// test runner holds is counted.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const FIXTURE = fileURLToPath(new URL("./fixtures/znode-heap-numbers.ts", import.meta.url));

describe("znodes' zxids and times", () => {
  it("share heap numbers: one zxid and one time per znode, built live or loaded from a snapshot", () => {
    const run = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", FIXTURE], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const counts = JSON.parse(run.stdout) as {
      builtPerZnode: number;
      loadedPerZnode: number;
      znodes: number;
    };
    expect(counts.znodes).toBe(20_004);
    // Each znode of the fixture has a zxid and a time of its own: two numbers, not five.
    expect(counts.builtPerZnode).toBeGreaterThan(1.9);
    expect(counts.builtPerZnode).toBeLessThan(2.1);
    expect(counts.loadedPerZnode).toBeGreaterThan(1.9);
    expect(counts.loadedPerZnode).toBeLessThan(2.1);
  });
});
