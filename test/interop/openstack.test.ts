// Two OpenStack libraries that run their own tests against a real ZooKeeper, run unchanged against
// ZooKeeper 3.8 and against Paddock; each test must end the same way on both (passed, failed or
// skipped).
//
// - tooz (python3-tooz), the coordination library OpenStack services build group membership,
//   leader election, distributed locks and partitioning on, through its kazoo driver
//   (TOOZ_TEST_URL=kazoo://host:port). Measured: 73 passed and 8 skipped (features the kazoo
//   driver does not have) on each server. With test_partitioner.py whole, 83 passed on each, and
//   its IPCTestPartitioner cases (tooz's local IPC driver, which no server takes part in) failed
//   5 of 5 on both; so only TestPartitioner, the class that uses TOOZ_TEST_URL, runs here.
// - taskflow (python3-taskflow): its ZooKeeper jobboard (jobs posted, claimed through ephemeral
//   nodes, watched) and its ZooKeeper persistence backend. Its tests look for a server at
//   localhost:2181, fixed in taskflow.tests.utils.ZK_TEST_CONFIG; a pytest plugin written here
//   points that at the server under test, as kazoo's harness is pointed, and the tests are not
//   changed. Measured: 56 passed and 19 skipped on each server (the skips are taskflow's in-memory
//   stand-in, which it skips when a real server answers), 35 of the passes against the server.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paddockBuilt, startPaddock } from "../support/paddock.js";
import { makeTempDir, type ServerHandle } from "../support/process.js";
import { PYTHON, type PytestRun, runPytest } from "../support/pytest.js";
import { isCI, skipWithoutZookeeper, startZookeeper } from "../support/zookeeper.js";

const TOOZ_TESTS = "/usr/lib/python3/dist-packages/tooz/tests";
const TASKFLOW_TESTS = "/usr/lib/python3/dist-packages/taskflow/tests/unit";
/** tooz, taskflow, and what their tests import: testtools, fixtures, oslotest. */
const MODULES = ["tooz", "taskflow", "kazoo", "pytest", "testtools", "fixtures", "oslotest"];
/** Loaded by pytest before it collects taskflow's tests, which probe the server at import. */
const TASKFLOW_HOSTS_PLUGIN = `import os
from taskflow.tests import utils
utils.ZK_TEST_CONFIG["hosts"] = [os.environ["PADDOCK_TASKFLOW_HOSTS"]]
`;

function missing(): string | undefined {
  const r = spawnSync(PYTHON, ["-c", MODULES.map((m) => `import ${m}`).join("; ")]);
  if (r.status !== 0) return `python modules missing: ${r.stderr.toString().trim().split("\n").at(-1)}`;
  if (!paddockBuilt()) return "dist/paddock-server.mjs is missing: run npm run build";
  return undefined;
}
const why = missing();
if (isCI && why !== undefined) throw new Error(`CI needs tooz's and taskflow's tests: ${why}`);
// Skipped only outside CI when python3-tooz, -taskflow, -testtools, -fixtures or -oslotest is
// missing.
if (why !== undefined) console.warn(`skipping tooz's and taskflow's tests: ${why}`);

/** Each pair runs these tests on one server, then the other, under the same plugins. */
function runTests(dir: string, tests: string[], env: Record<string, string>, plugins: string[] = []) {
  // The run's directory on PYTHONPATH: the plugins written there import from it.
  return runPytest(
    dir,
    [...plugins.flatMap((p) => ["-p", p]), ...tests],
    { PYTHONPATH: dir, ...env },
    400_000,
  );
}

/** The tests that ended differently on the two servers, with both outcomes. */
function differences(expected: PytestRun, actual: PytestRun): string[] {
  return [...new Set([...expected.outcomes.keys(), ...actual.outcomes.keys()])]
    .filter((name) => expected.outcomes.get(name) !== actual.outcomes.get(name))
    .map((name) => `${name}: ZooKeeper ${expected.outcomes.get(name)}, Paddock ${actual.outcomes.get(name)}`);
}

/** How many tests passed, of those whose name contains `part`. */
function passed(run: PytestRun, part = ""): number {
  return [...run.outcomes].filter(([name, o]) => o === "passed" && name.includes(part)).length;
}

describe.skipIf(why !== undefined || skipWithoutZookeeper())("OpenStack's tooz and taskflow tests", () => {
  const dir = makeTempDir("openstack");
  let zookeeper: ServerHandle;
  let paddock: ServerHandle;

  beforeAll(async () => {
    writeFileSync(join(dir, "paddock_taskflow_hosts.py"), TASKFLOW_HOSTS_PLUGIN);
    [zookeeper, paddock] = await Promise.all([startZookeeper(), startPaddock()]);
  });

  afterAll(async () => {
    await Promise.all([zookeeper?.stop(), paddock?.stop()]);
  });

  // Each pair runs one server after the other: some tests wait on session time-outs and heartbeats.
  it("tooz's end the same way against ZooKeeper 3.8 and Paddock", { timeout: 900_000 }, async () => {
    const tests = [
      join(TOOZ_TESTS, "test_coordination.py"),
      `${join(TOOZ_TESTS, "test_partitioner.py")}::TestPartitioner`,
    ];
    const url = (s: ServerHandle) => ({ TOOZ_TEST_URL: `kazoo://${s.connectString}?timeout=5` });
    const expected = await runTests(dir, tests, url(zookeeper));
    const actual = await runTests(dir, tests, url(paddock));
    console.log(`tooz against ZooKeeper: ${expected.summary}; against Paddock: ${actual.summary}`);
    // The run covered the suite on ZooKeeper: groups, members, leaders, locks, partitions.
    expect(passed(expected), expected.output.slice(-4000)).toBeGreaterThanOrEqual(70);
    expect(differences(expected, actual), actual.output.slice(-6000)).toEqual([]);
  });

  it("taskflow's ZooKeeper jobboard and persistence end the same way on both", {
    timeout: 900_000,
  }, async () => {
    const tests = [
      join(TASKFLOW_TESTS, "jobs", "test_zk_job.py"),
      join(TASKFLOW_TESTS, "persistence", "test_zk_persistence.py"),
    ];
    const hosts = (s: ServerHandle) => ({ PADDOCK_TASKFLOW_HOSTS: s.connectString });
    const plugins = ["paddock_taskflow_hosts"];
    const expected = await runTests(dir, tests, hosts(zookeeper), plugins);
    const actual = await runTests(dir, tests, hosts(paddock), plugins);
    console.log(`taskflow against ZooKeeper: ${expected.summary}; against Paddock: ${actual.summary}`);
    // The classes that need a real server ran: taskflow skips them when none answers.
    expect(passed(expected, "ZookeeperJobboardTest"), expected.output.slice(-4000)).toBeGreaterThanOrEqual(
      15,
    );
    expect(passed(expected, "ZkPersistenceTest"), expected.output.slice(-4000)).toBeGreaterThanOrEqual(15);
    expect(differences(expected, actual), actual.output.slice(-6000)).toEqual([]);
  });
});
