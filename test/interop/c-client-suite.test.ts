// ZooKeeper's own C client tests (tests/ of its C client, from Debian's zookeeper 3.8.0 source
// package, Debian's patches applied) against a Paddock server. They are built against the
// installed libzookeeper-mt-dev, the C client Debian ships, and run as upstream runs them: each
// suite's driver starts a server through tests/zkServer.sh, which runs
// `java ... ZooKeeperServerMain zoo.cfg` (QuorumPeerMain for the read-only test) and waits until
// zkCli can list `/`; a `java` first on PATH runs Paddock on that zoo.cfg instead. Nothing in the
// tests or zkServer.sh changes but one check, below.
//
// The suites that need a server: Zookeeper_simpleSystem (25 tests: watches and their automatic
// re-registration across server restarts, chroot, ACLs, digest auth, containers, TTL nodes, ping,
// IPv6, last zxid, removing watches), Zookeeper_multi (13), Zookeeper_clientretry (1: a second
// connection refused by maxClientCnxns=1) and Zookeeper_readOnly (1: a read-only server).
// Paddock passes all 40, and so does ZooKeeper 3.8.0 (C_SUITE_TARGET=zookeeper), with two
// exceptions that depend on timing:
// - testHangingClient races its watcher's getChildren against zookeeper_close in the client.
//   When the close begins while the getChildren queues its request, the client returns
//   ZMARSHALLINGERROR (-5), which the watcher's assertion does not allow, and the driver aborts:
//   1 run in 15 alone against ZooKeeper, 2 in 15 against Paddock, and most runs in CI, where the
//   machine is busy. Every check of the server comes before the close, so a run that aborted
//   there with -5 (c-client/close-race-probe.c prints the code) counts as passed, and says so.
// - testAuth has a check that Debian's patch for ZOOKEEPER-770 adds: an add_auth completes
//   within 2 ms, client threads included. The add_auth comes after a second's sleep, and on this
//   project's VMs the first request after a second of idleness took 12-28 ms against Paddock and
//   36-58 ms against ZooKeeper 3.8 (our client, exists or auth alike; back to back, 0.6-1.4 ms on
//   both): the bound measures how fast an idle machine wakes. In CI it once failed five runs in a
//   row against Paddock, and none of testAuth's later checks (NoAuth without the right digest,
//   then access with it) ran in them. A timed check is what this project keeps out of its tests,
//   so the build compiles a copy of TestClient.cc that prints the time instead, and the later
//   checks always run.
// A failed test runs again alone, once, which is printed, as kazoo's suite does. What fails
// both runs is a failure.
//
// The ports are upstream's, fixed in the tests: 22181 and 22281 (TLS), 22881-22883 and
// 33881-33883 for the read-only test's ensemble, and the AdminServer's default 8080 (zoo.cfg does
// not turn it off). No other suite here uses them (test/support/process.ts lists the ranges).
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zookeeperClasspath, zookeeperMissing } from "../../packages/bench/src/zookeeper-java.js";
import { writeJavaShim } from "../support/java-shim.js";
import { PADDOCK_SERVER_PATH } from "../support/paddock.js";
import { makeTempDir } from "../support/process.js";
import { isCI } from "../support/zookeeper.js";

const HERE = import.meta.dirname;
/** Where test/interop/c-client/fetch-zookeeper-source.sh puts the sources (.ci/run runs it). */
const SOURCE_DIR =
  process.env.ZOOKEEPER_C_SOURCE_DIR ?? "/var/tmp/paddock/zookeeper-source/zookeeper-client-c";
/** `zookeeper` runs the same suites against ZooKeeper 3.8 itself, the reference. */
const TARGET = process.env.C_SUITE_TARGET === "zookeeper" ? "zookeeper" : "paddock";
const SUITES = [
  { name: "Zookeeper_simpleSystem", file: "TestClient.cc" },
  { name: "Zookeeper_multi", file: "TestMulti.cc" },
  { name: "Zookeeper_clientretry", file: "TestClientRetry.cc" },
  { name: "Zookeeper_readOnly", file: "TestReadOnlyClient.cc" },
] as const;
/** The test whose watcher can lose the client's race with zookeeper_close (above). */
const CLOSE_RACE_TEST = "Zookeeper_simpleSystem::testHangingClient";
/** testAuth's 2 ms bound (above), and what the build's copy of TestClient.cc does instead. */
const AUTH_BOUND = "CPPUNIT_ASSERT(calculate_interval(&started, &completion_timestamp) < 2);";
const AUTH_FIGURE =
  'fprintf(stderr, "testAuth: add_auth completed in %d ms\\n", calculate_interval(&started, &completion_timestamp));';
/** What zktest.mk defines; a test declared under any other #ifdef (the SSL ones) is not built. */
const DEFINED = new Set(["THREADED", "ZOO_IPV6_ENABLED"]);

function missing(): string | undefined {
  if (!existsSync(join(SOURCE_DIR, "tests", "TestClient.cc")))
    return `${SOURCE_DIR} has no tests/TestClient.cc: run test/interop/c-client/fetch-zookeeper-source.sh`;
  if (!existsSync("/usr/include/zookeeper/zookeeper.h")) return "libzookeeper-mt-dev is not installed";
  if (!existsSync("/usr/include/cppunit/TestFixture.h")) return "libcppunit-dev is not installed";
  for (const tool of ["g++", "make"])
    if (spawnSync(tool, ["--version"]).status !== 0) return `${tool} is not installed`;
  const zookeeper = zookeeperMissing();
  if (zookeeper !== undefined) return `ZooKeeper (for zkServer.sh's zkCli and keytool): ${zookeeper}`;
  if (!existsSync(PADDOCK_SERVER_PATH)) return `${PADDOCK_SERVER_PATH} is missing: run npm run build`;
  return undefined;
}
const why = missing();
if (isCI && why !== undefined) throw new Error(`CI needs ZooKeeper's C client tests: ${why}`);
// Skipped only outside CI, when the sources, libzookeeper-mt-dev, libcppunit-dev, a compiler or
// ZooKeeper is missing; in CI they are required (above).
const skip = why !== undefined;
if (skip) console.warn(`skipping ZooKeeper's C client tests: ${why}`);

/** The tests a suite's source declares and zktest.mk builds, in their order. */
function declaredTests(file: string): string[] {
  const built: boolean[] = [];
  const tests: string[] = [];
  for (const line of readFileSync(join(SOURCE_DIR, "tests", file), "utf8").split("\n")) {
    const directive = /^\s*#\s*(ifdef|ifndef|if|else|endif)\b\s*(\w*)/.exec(line);
    if (directive !== null) {
      const [, kind, symbol = ""] = directive;
      if (kind === "ifdef") built.push(DEFINED.has(symbol));
      else if (kind === "ifndef") built.push(!DEFINED.has(symbol));
      else if (kind === "if") built.push(true);
      else if (kind === "else") built.push(!built.pop());
      else built.pop();
      continue;
    }
    const test = /^\s*CPPUNIT_TEST\((\w+)\)/.exec(line);
    if (test !== null && built.every(Boolean)) tests.push(test[1]!);
  }
  return tests;
}

/** zkServer.sh looks for itself and ssl/gencerts.sh in $base_dir's zookeeper-client-c. */
function clientDir(baseDir: string): string {
  return join(baseDir, "zookeeper-client", "zookeeper-client-c");
}

interface DriverRun {
  /** Each test that ended, with CppUnit's verdict: OK, assertion or error. */
  verdicts: Map<string, string>;
  output: string;
}

/**
 * Runs the driver on `testPath` (a suite, or Suite::test). A test that fails in a watcher thread
 * aborts the driver; it and the suite's later tests then have no verdict.
 */
async function runDriver(baseDir: string, testPath: string, tests: readonly string[]): Promise<DriverRun> {
  const work = clientDir(baseDir);
  const child = spawn(join(work, "zktest-mt"), [testPath], {
    cwd: work,
    env: {
      ...process.env,
      // zkServer.sh keeps its zoo.cfg, data and log under $base_dir/build/tmp.
      base_dir: baseDir,
      CLASSPATH: zookeeperClasspath(true),
      PATH: TARGET === "paddock" ? `${join(work, "bin")}:${process.env.PATH}` : process.env.PATH,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (b: Buffer) => {
    output = (output + b.toString("latin1")).slice(-400_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const killer = setTimeout(() => child.kill("SIGKILL"), 480_000);
  await new Promise((resolve) => child.once("close", resolve));
  clearTimeout(killer);
  // CppUnit prints a test's name when it starts, " : assertion" or " : error" when it fails and
  // ": elapsed N : OK" when it passes, with the client's log lines in between, the first of them
  // glued to the name: hence the names, longest first, rather than a pattern for one.
  const names = [...tests].sort((a, b) => b.length - a.length).join("|");
  const suite = testPath.split("::")[0];
  const verdicts = new Map<string, string>();
  let current: string | undefined;
  const events = new RegExp(`(${suite}::(?:${names}))| : (assertion|error)\\b|: elapsed \\d+ : (OK)\\b`, "g");
  for (const m of output.matchAll(events)) {
    if (m[1] !== undefined) current = m[1];
    else if (current !== undefined) verdicts.set(current, m[2] ?? m[3]!);
  }
  return { verdicts, output };
}

/**
 * Whether `path` ended in nothing but the client's close race: the driver aborted on the
 * watcher's assertion, and every code the probe printed for the watcher's call is -5.
 */
function lostCloseRace(run: DriverRun, path: string): boolean {
  if (path !== CLOSE_RACE_TEST || run.verdicts.has(path)) return false;
  if (!run.output.includes("Expression: zrc == ZOK || zrc == ZCLOSING")) return false;
  const codes = [...run.output.matchAll(/close-race-probe: zoo_wget_children\(\S*\) returned (-?\d+)/g)];
  return codes.length > 0 && codes.every((m) => m[1] === "-5");
}

/** CppUnit's verdict on `path`, "OK" for a lost close race (printed), else `missing`. */
function verdictOf(run: DriverRun, path: string, missing: string): string {
  if (!lostCloseRace(run, path)) return run.verdicts.get(path) ?? missing;
  console.log(`${path}: its watcher lost the client's race with zookeeper_close (-5); passed`);
  return "OK";
}

/** The client's log and CppUnit's report without the client's debug chatter. */
function report(output: string): string {
  return output
    .split("\n")
    .filter((l) => !/ZOO_DEBUG|^\]?$/.test(l))
    .join("\n")
    .slice(-6000);
}

describe.skipIf(skip)(
  `ZooKeeper's C client tests against ${TARGET === "paddock" ? "Paddock" : "ZooKeeper 3.8"}`,
  () => {
    const dir = makeTempDir("c-client-suite");
    const work = clientDir(dir);
    const stop = () =>
      spawnSync(join(work, "tests", "zkServer.sh"), ["stop"], {
        cwd: work,
        env: { ...process.env, base_dir: dir },
      });

    beforeAll(() => {
      cpSync(join(SOURCE_DIR, "tests"), join(work, "tests"), { recursive: true });
      const testClient = join(work, "tests", "TestClient.cc");
      const source = readFileSync(testClient, "utf8");
      if (!source.includes(AUTH_BOUND)) throw new Error(`${testClient}: testAuth's 2 ms check was not found`);
      writeFileSync(testClient, source.replace(AUTH_BOUND, AUTH_FIGURE));
      cpSync(join(SOURCE_DIR, "ssl"), join(work, "ssl"), { recursive: true });
      mkdirSync(join(dir, "build", "tmp"), { recursive: true });
      mkdirSync(join(work, "bin"));
      writeJavaShim(join(work, "bin"), [
        "zookeeper.extendedTypesEnabled",
        "znode.container.checkIntervalMs",
        "readonlymode.enabled",
      ]);
      const make = spawnSync(
        "make",
        [
          "-s",
          "-j2",
          "-f",
          join(HERE, "c-client", "zktest.mk"),
          `SRC=${SOURCE_DIR}`,
          `TESTS=${join(work, "tests")}`,
          `OUT=${work}`,
          `ZKSERVER_CMD=${join(work, "tests", "zkServer.sh")}`,
        ],
        { encoding: "utf8" },
      );
      if (make.status !== 0) throw new Error(`building zktest-mt failed:\n${make.stdout}${make.stderr}`);
    }, 300_000);

    afterAll(() => {
      // A driver that aborted never ran its stop; zkServer.sh stop kills the server its start left.
      stop();
      spawnSync("pkill", ["-f", `${dir}/`]);
    });

    it("passes all 40 tests that need a server", { timeout: 1_200_000 }, async () => {
      const failures: string[] = [];
      let ran = 0;
      for (const suite of SUITES) {
        const tests = declaredTests(suite.file);
        const run = await runDriver(dir, suite.name, tests);
        const notOk = tests.filter((t) => run.verdicts.get(`${suite.name}::${t}`) !== "OK");
        console.log(`${suite.name}: ${tests.length - notOk.length} of ${tests.length} OK`);
        for (const m of run.output.matchAll(/testAuth: add_auth completed in -?\d+ ms/g)) console.log(m[0]);
        ran += tests.length;
        if (notOk.length === 0) continue;
        console.log(report(run.output));
        for (const test of notOk) {
          const path = `${suite.name}::${test}`;
          // Printed before the retry: a test that passes the second time would leave no trace
          // otherwise. The tests after one that aborted the driver run alone too, for the first
          // time.
          let verdict = verdictOf(run, path, "no verdict (the driver aborted at it or before it)");
          if (verdict !== "OK") {
            console.log(`${path}: ${verdict}; running it again alone`);
            const again = await runDriver(dir, path, tests);
            verdict = verdictOf(again, path, "no verdict (the driver aborted)");
            if (verdict !== "OK") console.log(report(again.output));
          }
          if (verdict !== "OK") failures.push(path);
        }
      }
      stop();
      expect(failures).toEqual([]);
      // The suites were all read: a test list that came out short would pass vacuously.
      expect(ran).toBe(40);
      // The server was Paddock (or ZooKeeper when asked): the shim logs Paddock's start.
      const log = join(dir, "build", "tmp", "paddock.log");
      expect(existsSync(log)).toBe(TARGET === "paddock");
    });
  },
);
