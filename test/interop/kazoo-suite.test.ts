// kazoo's own test suite (the 479 tests Debian's python3-kazoo ships in kazoo/tests) against a
// 3-server Paddock ensemble. kazoo's harness starts ZooKeeper by running `java ... QuorumPeerMain
// zoo.cfg`; a `java` first on PATH runs Paddock on that same zoo.cfg instead, with the -D system
// properties Paddock reads as zoo.cfg keys appended (the super digest, readonlymode.enabled, the
// JAAS file). Nothing in kazoo's tests or harness is changed.
//
// Measured against Apache ZooKeeper 3.8 with the same harness (java unshadowed): 475 passed,
// 1 failed, 3 skipped; the one failure is TestReadOnlyMode.test_read_only, which needs the local
// sessions that newer kazoo harnesses switch on (kazoo 2.8's does not), and fails the same way.
//
// KAZOO_SOURCE=<a kazoo checkout> runs that checkout's suite instead, with its own kazoo package
// and harness (kazoo 2.11 from github.com/python-zk/kazoo: 490 passed, 3 skipped against Paddock,
// after the client port stopped checking client certificates' names; its harness also needs
// python3-pyjks and python3-openssl for the JKS stores of its TLS port). CI runs Debian's.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zookeeperClasspath } from "../../packages/bench/src/zookeeper-java.js";
import { writeJavaShim } from "../support/java-shim.js";
import { PADDOCK_SERVER_PATH } from "../support/paddock.js";
import { makeTempDir } from "../support/process.js";
import { PYTHON, type PytestRun, runPytest } from "../support/pytest.js";
import { isCI } from "../support/zookeeper.js";

const KAZOO_SOURCE = process.env.KAZOO_SOURCE;
/** Debian's tests, run as `tests` on Debian's kazoo; or a checkout's package, tests and all. */
const KAZOO_TESTS =
  KAZOO_SOURCE === undefined
    ? "/usr/lib/python3/dist-packages/kazoo/tests"
    : join(KAZOO_SOURCE, "kazoo", "tests");
const TESTS = KAZOO_SOURCE === undefined ? "tests" : "kazoo/tests";
/**
 * What kazoo's tests import beyond kazoo itself: pytest, mock, objgraph (test_cache); newer
 * harnesses make JKS stores for a TLS port with pyjks and pyOpenSSL.
 */
const MODULES = [
  "kazoo",
  "pytest",
  "mock",
  "objgraph",
  ...(KAZOO_SOURCE === undefined ? [] : ["jks", "OpenSSL"]),
];
/** Fails against ZooKeeper 3.8 under Debian's harness too (see above). */
const FAILS_AGAINST_ZOOKEEPER_TOO: ReadonlySet<string> =
  KAZOO_SOURCE === undefined ? new Set(["tests.test_connection.TestReadOnlyMode.test_read_only"]) : new Set();

function missing(): string | undefined {
  if (!existsSync(KAZOO_TESTS)) return `${KAZOO_TESTS} is missing (python3-kazoo, or KAZOO_SOURCE)`;
  const r = spawnSync(PYTHON, ["-c", MODULES.map((m) => `import ${m}`).join("; ")]);
  if (r.status !== 0) return `python modules missing: ${r.stderr.toString().trim().split("\n").at(-1)}`;
  if (!existsSync(PADDOCK_SERVER_PATH)) return `${PADDOCK_SERVER_PATH} is missing: run npm run build`;
  return undefined;
}
const why = missing();
if (isCI && why !== undefined) throw new Error(`CI needs kazoo's test suite: ${why}`);
// Skipped only outside CI, when python3-kazoo, python3-pytest, python3-mock or python3-objgraph is
// not installed; in CI they are required (above).
const skip = why !== undefined;
if (skip) console.warn(`skipping kazoo's own suite: ${why}`);

/** Whether every port of [base, base + count) can be listened on right now. */
async function portsFree(base: number, count: number): Promise<boolean> {
  for (let port = base; port < base + count; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(false));
      s.listen(port, "0.0.0.0", () => s.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}

/**
 * kazoo's harness takes 10 ports per server from its offset, in a range no other test uses
 * (test/support/process.ts): its clusters restart during the run, and a port they let go of for
 * a moment must not be handed to another test's ensemble.
 */
async function portOffset(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const base = 28000 + ((process.pid + i * 7) % 20) * 50;
    if (await portsFree(base, 30)) return base;
  }
  throw new Error("no free block of 30 ports in 28000-28999");
}

/** The -D properties of kazoo's harness that Paddock reads, as zoo.cfg keys. */
const KAZOO_PROPERTIES = [
  "readonlymode.enabled",
  "zookeeper.DigestAuthenticationProvider.superDigest",
  "java.security.auth.login.config",
];

interface SuiteRun extends PytestRun {
  /** Every test case pytest reported, and the ones that failed or errored. */
  cases: string[];
  failed: string[];
}

/** Runs kazoo's tests `files` (paths under tests/) with kazoo's harness settings `env`. */
async function runKazoo(dir: string, files: string[], env: Record<string, string>): Promise<SuiteRun> {
  const run = await runPytest(
    dir,
    files,
    {
      PATH: `${dir}:${process.env.PATH}`,
      // kazoo's servers live in temp dirs under ours, so afterAll can find stragglers.
      TMPDIR: dir,
      ZOOKEEPER_CLASSPATH: zookeeperClasspath(),
      ZOOKEEPER_VERSION: "3.8.0",
      ZOOKEEPER_PORT_OFFSET: String(await portOffset()),
      ...env,
    },
    840_000,
  );
  return {
    ...run,
    cases: [...run.outcomes.keys()],
    failed: [...run.failureReports.keys()],
  };
}

/**
 * The failures of `run` not in `expectedFailures`, after each got one more run, alone. Two kinds of
 * failure here depend on timing rather than on the server: some of kazoo's tests give a restarted
 * server 5 s to serve again, which a machine busy with the rest of npm test does not always allow
 * (a CI run lost one that way); and test_invalid_sasl_auth races two of kazoo's own threads (its
 * connection thread reports CONNECTED, then fails SASL and reports AUTH_FAILED; when that happens
 * before the thread in start() looks, start() raises a time-out instead of AuthFailedError; a CI
 * run lost it that way, with "AUTH_FAILED closing" in the log). What fails twice is a failure,
 * and a retry is printed.
 */
async function failuresAfterRetry(
  dir: string,
  run: SuiteRun,
  env: Record<string, string>,
  label: string,
  expectedFailures: ReadonlySet<string>,
): Promise<string[]> {
  let unexpected = run.failed.filter((name) => !expectedFailures.has(name));
  if (unexpected.length === 0) return [];
  // Printed before the retry: a test that passes the second time would leave no trace otherwise.
  for (const name of unexpected)
    console.log(`${label}: ${name} failed:\n${run.failureReports.get(name) ?? ""}`);
  console.log(`${label}: retrying ${unexpected.join(", ")}`);
  const again = await runKazoo(dir, unexpected.map(pytestId), env);
  unexpected = again.failed.concat(unexpected.filter((name) => !again.cases.includes(name)));
  if (unexpected.length > 0) console.log(again.output.slice(-6000));
  return unexpected;
}

/** A junit name (tests.test_x.Class.test) as pytest's node id (tests/test_x.py::Class::test). */
function pytestId(name: string): string {
  const parts = name.split(".");
  const test = parts.pop()!;
  const cls = parts.pop()!;
  return `${parts.join("/")}.py::${cls}::${test}`;
}

describe.skipIf(skip)("kazoo's own test suite against a Paddock ensemble", () => {
  const dir = makeTempDir("kazoo-suite");
  beforeAll(() => {
    writeJavaShim(dir, KAZOO_PROPERTIES);
    // A checkout's package sits in the run's directory, where `python -m pytest` imports it from
    // ahead of Debian's.
    if (KAZOO_SOURCE === undefined) cpSync(KAZOO_TESTS, join(dir, "tests"), { recursive: true });
    else cpSync(join(KAZOO_SOURCE, "kazoo"), join(dir, "kazoo"), { recursive: true });
  });
  afterAll(() => {
    // The harness stops its servers at exit; a crashed run must not leave Paddock processes.
    spawnSync("pkill", ["-f", `${dir}/`]);
  });

  it("passes every test that passes against ZooKeeper 3.8", { timeout: 900_000 }, async () => {
    const run = await runKazoo(dir, [TESTS], {});
    console.log(`kazoo suite: ${run.summary}`);
    const unexpected = await failuresAfterRetry(dir, run, {}, "kazoo suite", FAILS_AGAINST_ZOOKEEPER_TOO);
    expect(unexpected, run.output.slice(-6000)).toEqual([]);
    // The run covered the suite: a collection error or an early abort would show here.
    expect(run.cases.length).toBeGreaterThanOrEqual(470);
  });

  it("with kazoo CI's other settings: SASL digest users (JAAS) and an observer", {
    timeout: 900_000,
  }, async () => {
    // As kazoo's own CI matrix runs it: ZOOKEEPER_JAAS_AUTH=digest writes a JAAS Server section
    // the servers read; a 4th server joins as an observer. Same result against ZooKeeper 3.8:
    // 118 passed, 2 skipped (the Kerberos tests).
    const env = {
      ZOOKEEPER_JAAS_AUTH: "digest",
      ZOOKEEPER_CLUSTER_SIZE: "4",
      ZOOKEEPER_OBSERVER_START_ID: "4",
    };
    const run = await runKazoo(
      dir,
      ["test_sasl.py", "test_security.py", "test_client.py"].map((f) => `${TESTS}/${f}`),
      env,
    );
    console.log(`kazoo suite, SASL and an observer: ${run.summary}`);
    const unexpected = await failuresAfterRetry(
      dir,
      run,
      env,
      "kazoo suite, SASL and an observer",
      new Set(),
    );
    expect(unexpected, run.output.slice(-6000)).toEqual([]);
    expect(run.cases.length).toBeGreaterThanOrEqual(118);
  });
});
