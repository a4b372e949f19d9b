// The Go client's own tests, run unchanged against Paddock: each test must end as it ends against
// ZooKeeper 3.8 (passed, failed or skipped). CI compares with ZooKeeper's outcomes as recorded
// below, as the kazoo suite does, to keep the run short; GO_SUITE_ZOOKEEPER=1 runs the suite
// against a live ZooKeeper 3.8 too and compares with that.
//
// The client is Debian's golang-github-samuel-go-zookeeper-dev: samuel/go-zookeeper, whose code
// go-zookeeper/zk continues, with its tests. Its harness starts each server as `java -jar <fat jar>
// server <zoo.cfg>` (1 or 3 servers, killed and restarted by some tests); a `java` first on PATH
// starts ZooKeeper 3.8 or Paddock on that zoo.cfg instead.
//
// Two changes to a copy of the suite, made for both servers' runs:
// - the harness waits for every server's `srvr` to name a mode. It parsed the whole answer with
//   the build date as MM/dd/yyyy; ZooKeeper 3.7+ writes yyyy-MM-dd (so does Paddock), so no
//   cluster ever counted as started;
// - TestEncodeShortBuffer and TestDecodeShortBuffer are not run: they test the client's encoder
//   with no server, and under Debian's Go they panic, which ends the run of every later test.
//
// Measured on this machine against both: 31 passed, TestAuth failed (ZooKeeper 3.8 refuses getACL
// without READ or ADMIN, which the test predates), TestRecurringReAuthHang skipped (by the suite).
// GO_ZOOKEEPER_SOURCE=<checkout> also runs go-zookeeper/zk's newer suite (below).
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zookeeperClasspath } from "../../packages/bench/src/zookeeper-java.js";
import { writeFatJarShim } from "../support/java-shim.js";
import { PADDOCK_SERVER_PATH, paddockBuilt } from "../support/paddock.js";
import { makeTempDir } from "../support/process.js";
import { isCI, skipWithoutZookeeper } from "../support/zookeeper.js";

const SOURCE = "/usr/share/gocode/src/github.com/samuel/go-zookeeper";
const EXCLUDED = new Set(["TestEncodeShortBuffer", "TestDecodeShortBuffer"]);
const RUN_TIMEOUT_MS = 400_000;
/** The tests that do not pass against ZooKeeper 3.8.0 (Debian's), with how they end there. */
const ZOOKEEPER_NOT_PASSING = new Map([
  ["TestAuth", "FAIL"],
  ["TestRecurringReAuthHang", "SKIP"],
]);
const LIVE_ZOOKEEPER = process.env.GO_SUITE_ZOOKEEPER === "1";
/**
 * The server tests that matter most. Auth that survives a reconnect is sent under ordinary xids:
 * it hung before Paddock's auth replies carried the packet's xid.
 */
const MUST_PASS = [
  "TestBasicCluster",
  "TestClientClusterFailover",
  "TestNoQuorum",
  "TestBadSession",
  "TestIfAuthdataSurvivesReconnect",
  "TestMulti",
  "TestSetWatchers",
  "TestExpiringWatch",
  "TestLock",
];

function missing(): string | undefined {
  if (spawnSync("go", ["version"]).status !== 0) return "go is missing (Debian's golang-go)";
  if (spawnSync("test", ["-d", SOURCE]).status !== 0) {
    return `${SOURCE} is missing (Debian's golang-github-samuel-go-zookeeper-dev)`;
  }
  if (!paddockBuilt()) return "dist/paddock-server.mjs is missing: run npm run build";
  return undefined;
}
const why = missing();
if (isCI && why !== undefined) throw new Error(`CI needs the Go client's tests: ${why}`);
// Skipped only outside CI, when go or the Go client's source is missing.
if (why !== undefined) console.warn(`skipping the Go client's tests: ${why}`);

interface GoRun {
  /** Each top-level test's outcome: PASS, FAIL or SKIP. */
  outcomes: Map<string, string>;
  output: string;
}

const FLWSRVR_WAIT = "\t\t_, ok := FLWSrvr(serverAddrs, time.Second)\n\t\tif ok {";
const PASS_WAIT = `		ok := true
		for _, addr := range serverAddrs {
			resp, err := fourLetterWord(addr, "srvr", time.Second)
			ok = ok && err == nil && strings.Contains(string(resp), "\\nMode: ")
		}
		if ok {`;

/** A GOPATH holding a copy of the suite, its harness waiting for a mode instead of parsing a date. */
function copySuite(work: string): string {
  const packageDir = join(work, "gopath", "src", "github.com", "samuel", "go-zookeeper");
  cpSync(SOURCE, packageDir, { recursive: true });
  const helper = join(packageDir, "zk", "server_help.go");
  const text = readFileSync(helper, "utf8");
  if (!text.includes(FLWSRVR_WAIT)) throw new Error(`${helper} has changed: its start check was not found`);
  writeFileSync(helper, text.replace(FLWSRVR_WAIT, PASS_WAIT));
  return join(packageDir, "zk");
}

function goEnv(work: string, shimDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GO111MODULE: "off",
    GOPATH: join(work, "gopath"),
    GOFLAGS: "",
    GOCACHE: join(work, "gocache"),
    // The harness looks for $ZOOKEEPER_PATH/contrib/fatjar/zookeeper-*-fatjar.jar; the shim
    // never opens it.
    ZOOKEEPER_PATH: join(work, "zookeeper"),
    PATH: `${shimDir}:${process.env.PATH}`,
  };
}

/** Runs go; the worker must keep answering vitest meanwhile, so never spawnSync here. */
async function runGo(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn("go", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (b: Buffer) => {
    output += b.toString();
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const killer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  clearTimeout(killer);
  return { code, output };
}

/** Runs `tests` in `cwd`; the servers the harness starts live under TMPDIR, and go with the run. */
async function runSuite(cwd: string, env: NodeJS.ProcessEnv, tests: string[]): Promise<GoRun> {
  const tmp = env.TMPDIR!;
  mkdirSync(tmp, { recursive: true });
  const timeout = `-timeout=${RUN_TIMEOUT_MS / 1000 - 20}s`;
  const pattern = `^(${tests.join("|")})$`;
  const { output } = await runGo(["test", "-count=1", "-v", timeout, "-run", pattern, "."], cwd, env);
  spawnSync("pkill", ["-9", "-f", tmp]);
  const outcomes = new Map<string, string>();
  for (const m of output.matchAll(/^--- (PASS|FAIL|SKIP): (\S+)/gm)) outcomes.set(m[2]!, m[1]!);
  return { outcomes, output };
}

/** The shim dir that makes the samuel harness's `java -jar ... server` start `target`. */
function fatJarShimDir(work: string, target: "paddock" | "zookeeper"): string {
  const shimDir = join(work, `shim-${target}`);
  mkdirSync(shimDir, { recursive: true });
  writeFatJarShim(
    shimDir,
    target === "paddock" ? { paddock: true } : { zookeeperClasspath: zookeeperClasspath() },
  );
  return shimDir;
}

async function listTests(cwd: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const list = await runGo(["test", "-list", "."], cwd, env);
  if (list.code !== 0) throw new Error(`go test -list failed:\n${list.output}`);
  return list.output.split("\n").filter((name) => /^Test\w+$/.test(name) && !EXCLUDED.has(name));
}

function summary(run: GoRun): string {
  const count = (outcome: string) => [...run.outcomes.values()].filter((o) => o === outcome).length;
  return `${count("PASS")} passed, ${count("FAIL")} failed, ${count("SKIP")} skipped`;
}

/** What one test printed, from its === RUN line to its result line. */
function testOutput(run: GoRun, name: string): string {
  const start = run.output.indexOf(`=== RUN   ${name}\n`);
  const end = run.output.search(new RegExp(`^--- (PASS|FAIL|SKIP): ${name} `, "m"));
  if (start < 0) return `${name}: no output`;
  return run.output.slice(start, end < 0 ? undefined : end + 200).slice(-6000);
}

/** ZooKeeper's outcomes as recorded in ZOOKEEPER_NOT_PASSING, in place of a run. */
function recordedZookeeperRun(tests: string[]): GoRun {
  const outcomes = new Map(tests.map((name) => [name, ZOOKEEPER_NOT_PASSING.get(name) ?? "PASS"]));
  return { outcomes, output: "(ZooKeeper 3.8's outcomes as recorded in this file)" };
}

/**
 * Runs the suite against ZooKeeper (unless `recorded` stands for it) and then Paddock; a test that
 * ended differently (or one of `mustPass` that did not pass on Paddock) runs again alone, three
 * times at most, as the kazoo suite's failures do: on a loaded machine some of these tests miss
 * their time limits on either server now and then. TestIfAuthdataSurvivesReconnect reads as soon
 * as it has restarted the server, and fails ("could not connect to a server") unless the new
 * server listens within the second the client waits before its one retry. In CI it once failed
 * four times in a row against Paddock: under four busy loops it failed 8 of 8 runs, where
 * ZooKeeper passed 6 of 8. Paddock then probed for an O_DIRECT buffer address and scanned its
 * log's zero tail through dozens of thread-pool round trips before listening; without them it
 * passed 20 of 20 under the same load, ZooKeeper 13 of 20 (packages/bench/src/restart.ts
 * measures the restart itself). Each rerun is printed.
 */
async function runBoth(
  label: string,
  cwd: string,
  envFor: (target: "paddock" | "zookeeper") => NodeJS.ProcessEnv,
  tests: string[],
  mustPass: readonly string[] = [],
  recorded?: GoRun,
): Promise<{ zookeeper: GoRun; paddock: GoRun }> {
  const zookeeperEnv = envFor("zookeeper");
  const paddockEnv = envFor("paddock");
  const zookeeper = recorded ?? (await runSuite(cwd, zookeeperEnv, tests));
  const paddock = await runSuite(cwd, paddockEnv, tests);
  const against = recorded === undefined ? "against ZooKeeper" : "ZooKeeper 3.8 as recorded";
  console.log(`${label} ${against}: ${summary(zookeeper)}; against Paddock: ${summary(paddock)}`);
  for (let round = 0; round < 3; round++) {
    const differing = tests.filter(
      (name) =>
        zookeeper.outcomes.get(name) !== paddock.outcomes.get(name) ||
        (mustPass.includes(name) && paddock.outcomes.get(name) !== "PASS"),
    );
    if (differing.length === 0) break;
    const ends = differing.map(
      (n) => `${n} ZooKeeper ${zookeeper.outcomes.get(n)}, Paddock ${paddock.outcomes.get(n)}`,
    );
    console.log(`${label}: ${ends.join("; ")}; running them again`);
    const targets = [
      [zookeeper, zookeeperEnv],
      [paddock, paddockEnv],
    ] as const;
    for (const [run, env] of recorded === undefined ? targets : targets.slice(1)) {
      const again = await runSuite(cwd, env, differing);
      for (const name of differing) run.outcomes.set(name, again.outcomes.get(name) ?? "none");
      run.output += again.output;
    }
  }
  return { zookeeper, paddock };
}

function differences(expected: GoRun, actual: GoRun, tests: string[]): string[] {
  return tests
    .filter((name) => expected.outcomes.get(name) !== actual.outcomes.get(name))
    .map((name) => `${name}: ZooKeeper ${expected.outcomes.get(name)}, Paddock ${actual.outcomes.get(name)}`);
}

describe.skipIf(why !== undefined || skipWithoutZookeeper())("the Go client's own tests", () => {
  const work = makeTempDir("go-client");
  let tests: string[] = [];
  let zookeeper: GoRun;
  let paddock: GoRun;

  beforeAll(
    async () => {
      const zkDir = copySuite(work);
      const jarDir = join(work, "zookeeper", "contrib", "fatjar");
      mkdirSync(jarDir, { recursive: true });
      writeFileSync(join(jarDir, "zookeeper-3.8.0-fatjar.jar"), "");
      tests = await listTests(zkDir, goEnv(work, work));
      // One server after the other: some tests wait on session time-outs and kill servers.
      const envFor = (target: "paddock" | "zookeeper") => ({
        ...goEnv(work, fatJarShimDir(work, target)),
        TMPDIR: join(work, `tmp-${target}`),
      });
      const recorded = LIVE_ZOOKEEPER ? undefined : recordedZookeeperRun(tests);
      ({ zookeeper, paddock } = await runBoth(
        "the Go client's tests",
        zkDir,
        envFor,
        tests,
        MUST_PASS,
        recorded,
      ));
    },
    4 * RUN_TIMEOUT_MS + 60_000,
  );

  afterAll(() => {
    spawnSync("pkill", ["-9", "-f", work]);
  });

  it("every test ends the same way against ZooKeeper 3.8 and Paddock", () => {
    // The run covered the suite on ZooKeeper: clusters, failover, watches, multi, locks, ACLs.
    expect(tests.length, zookeeper.output.slice(-4000)).toBeGreaterThanOrEqual(30);
    expect([...zookeeper.outcomes.values()].filter((o) => o === "PASS").length).toBeGreaterThanOrEqual(25);
    const differing = differences(zookeeper, paddock, tests);
    const outputs = tests
      .filter((name) => zookeeper.outcomes.get(name) !== paddock.outcomes.get(name))
      .map((name) => `ZooKeeper: ${testOutput(zookeeper, name)}\nPaddock: ${testOutput(paddock, name)}`);
    expect(differing, outputs.join("\n")).toEqual([]);
  });

  it("the server tests that matter most passed on Paddock", () => {
    for (const name of MUST_PASS) {
      expect(paddock.outcomes.get(name), testOutput(paddock, name)).toBe("PASS");
    }
  });
});

// go-zookeeper/zk, where the client is maintained now, is not in Debian and CI cannot fetch it:
// GO_ZOOKEEPER_SOURCE=<checkout> runs its suite the same way. Its harness runs
// `$ZOOKEEPER_BIN_PATH/zkServer.sh start-foreground <zoo.cfg>` with its settings (a super digest,
// TTL nodes) in SERVER_JVMFLAGS: Debian's zkServer.sh for ZooKeeper, and for Paddock a zkServer.sh
// that is paddock-server itself, as in Paddock's image. Its start check gets the same change, and
// ZK_VERSION=3.8.0 lets its reconfig tests run.
const UPSTREAM = process.env.GO_ZOOKEEPER_SOURCE;

// Skipped unless GO_ZOOKEEPER_SOURCE names a checkout: the suite is not in Debian and CI cannot
// fetch it, so it is opt-in, not a dependency CI lacks. Once asked for, a missing go or client
// source fails in CI as above (`why`), and a missing ZooKeeper through skipWithoutZookeeper.
describe.skipIf(UPSTREAM === undefined || why !== undefined || skipWithoutZookeeper())(
  "go-zookeeper/zk's own tests (GO_ZOOKEEPER_SOURCE)",
  () => {
    const work = makeTempDir("go-zookeeper");
    let tests: string[] = [];
    let zookeeper: GoRun;
    let paddock: GoRun;

    beforeAll(
      async () => {
        const dir = join(work, "zk");
        cpSync(UPSTREAM!, dir, { recursive: true, filter: (path) => !path.includes("/.git") });
        const helper = join(dir, "server_help_test.go");
        const text = readFileSync(helper, "utf8");
        if (!text.includes(FLWSRVR_WAIT)) throw new Error(`${helper}: its start check was not found`);
        writeFileSync(helper, text.replace(FLWSRVR_WAIT, PASS_WAIT));
        const paddockBin = join(work, "paddock-bin");
        mkdirSync(paddockBin);
        symlinkSync(PADDOCK_SERVER_PATH, join(paddockBin, "zkServer.sh"));
        const base = { ...process.env, GOFLAGS: "-mod=mod", GOPROXY: "off", GOCACHE: join(work, "gocache") };
        tests = await listTests(dir, base);
        const envFor = (target: "paddock" | "zookeeper") => ({
          ...base,
          ZK_VERSION: "3.8.0",
          ZOOKEEPER_BIN_PATH: target === "paddock" ? paddockBin : "/usr/share/zookeeper/bin",
          ZOO_LOG_DIR: join(work, "zookeeper-logs"),
          TMPDIR: join(work, `tmp-${target}`),
        });
        ({ zookeeper, paddock } = await runBoth("go-zookeeper/zk's tests", dir, envFor, tests));
      },
      4 * RUN_TIMEOUT_MS + 60_000,
    );

    afterAll(() => {
      spawnSync("pkill", ["-9", "-f", work]);
    });

    it("every test ends the same way against ZooKeeper 3.8 and Paddock", () => {
      expect(tests.length, zookeeper.output.slice(-4000)).toBeGreaterThanOrEqual(40);
      const outputs = tests
        .filter((name) => zookeeper.outcomes.get(name) !== paddock.outcomes.get(name))
        .map((name) => `ZooKeeper: ${testOutput(zookeeper, name)}\nPaddock: ${testOutput(paddock, name)}`);
      expect(differences(zookeeper, paddock, tests), outputs.join("\n")).toEqual([]);
    });
  },
);
