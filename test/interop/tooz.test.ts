// OpenStack's tooz (Debian's python3-tooz), the coordination library OpenStack services build
// group membership, leader election, distributed locks and partitioning on, runs its own API
// tests against ZooKeeper through its kazoo driver (TOOZ_TEST_URL=kazoo://host:port). Here the
// same tests run unchanged against ZooKeeper 3.8 and against Paddock, and each must end the same
// way on both: passed, failed or skipped.
//
// Measured: 73 passed and 8 skipped (features the kazoo driver does not have) on each server.
// With test_partitioner.py whole, 83 passed on each, and its IPCTestPartitioner cases (tooz's
// local IPC driver, which no server takes part in) failed 5 of 5 on both; so only
// TestPartitioner, the class that uses TOOZ_TEST_URL, runs here.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paddockBuilt, startPaddock } from "../support/paddock.js";
import { makeTempDir, type ServerHandle } from "../support/process.js";
import { isCI, skipWithoutZookeeper, startZookeeper } from "../support/zookeeper.js";

const PYTHON = "/usr/bin/python3";
const TOOZ_TESTS = "/usr/lib/python3/dist-packages/tooz/tests";
/** tooz, and what its tests import: testtools and fixtures. */
const MODULES = ["tooz", "kazoo", "pytest", "testtools", "fixtures"];

function missing(): string | undefined {
  const r = spawnSync(PYTHON, ["-c", MODULES.map((m) => `import ${m}`).join("; ")]);
  if (r.status !== 0) return `python modules missing: ${r.stderr.toString().trim().split("\n").at(-1)}`;
  if (!paddockBuilt()) return "dist/paddock-server.mjs is missing: run npm run build";
  return undefined;
}
const why = missing();
if (isCI && why !== undefined) throw new Error(`CI needs tooz's tests (python3-tooz): ${why}`);
// Skipped only outside CI when python3-tooz, python3-testtools or python3-fixtures is missing.
if (why !== undefined) console.warn(`skipping tooz's tests: ${why}`);

type Outcome = "passed" | "failed" | "skipped";

/** tooz's tests against the server at `connectString`: each test's outcome, and pytest's summary. */
async function runTooz(
  dir: string,
  label: string,
  connectString: string,
): Promise<{ outcomes: Map<string, Outcome>; summary: string; output: string }> {
  const junit = join(dir, `junit-${label}.xml`);
  const child = spawn(
    PYTHON,
    [
      "-m",
      "pytest",
      "-q",
      "-p",
      "no:cacheprovider",
      `--junitxml=${junit}`,
      join(TOOZ_TESTS, "test_coordination.py"),
      `${join(TOOZ_TESTS, "test_partitioner.py")}::TestPartitioner`,
    ],
    {
      cwd: dir,
      env: {
        ...process.env,
        PYTHONDONTWRITEBYTECODE: "1",
        TOOZ_TEST_URL: `kazoo://${connectString}?timeout=5`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-100_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const killer = setTimeout(() => child.kill("SIGKILL"), 400_000);
  await new Promise((resolve) => child.once("close", resolve));
  clearTimeout(killer);
  if (!existsSync(junit)) throw new Error(`pytest wrote no report:\n${output.slice(-3000)}`);
  const outcomes = new Map<string, Outcome>();
  for (const m of readFileSync(junit, "utf8").matchAll(
    /<testcase classname="([^"]*)" name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g,
  )) {
    const body = m[4] ?? "";
    const outcome: Outcome = /<(failure|error)\b/.test(body)
      ? "failed"
      : /<skipped\b/.test(body)
        ? "skipped"
        : "passed";
    outcomes.set(`${m[1]}.${m[2]}`, outcome);
  }
  const summary = /^\d+ (passed|failed).*$/m.exec(output)?.[0] ?? "no summary";
  return { outcomes, summary, output };
}

describe.skipIf(why !== undefined || skipWithoutZookeeper())("tooz's own tests (python3-tooz)", () => {
  const dir = makeTempDir("tooz");
  let zookeeper: ServerHandle;
  let paddock: ServerHandle;

  beforeAll(async () => {
    [zookeeper, paddock] = await Promise.all([startZookeeper(), startPaddock()]);
  });

  afterAll(async () => {
    await Promise.all([zookeeper?.stop(), paddock?.stop()]);
  });

  it("end the same way against ZooKeeper 3.8 and Paddock", { timeout: 900_000 }, async () => {
    // One after the other: some of the tests wait on session time-outs and heartbeats.
    const expected = await runTooz(dir, "zookeeper", zookeeper.connectString);
    const actual = await runTooz(dir, "paddock", paddock.connectString);
    console.log(`tooz against ZooKeeper: ${expected.summary}; against Paddock: ${actual.summary}`);
    const passedOnZookeeper = [...expected.outcomes.values()].filter((o) => o === "passed").length;
    // The run covered the suite on ZooKeeper: groups, members, leaders, locks, partitions.
    expect(passedOnZookeeper, expected.output.slice(-4000)).toBeGreaterThanOrEqual(70);
    const differences = [...new Set([...expected.outcomes.keys(), ...actual.outcomes.keys()])]
      .filter((name) => expected.outcomes.get(name) !== actual.outcomes.get(name))
      .map(
        (name) => `${name}: ZooKeeper ${expected.outcomes.get(name)}, Paddock ${actual.outcomes.get(name)}`,
      );
    expect(differences, actual.output.slice(-6000)).toEqual([]);
  });
});
