// ZooKeeper's Perl binding, Net::ZooKeeper (zookeeper-contrib-zkperl in Debian's zookeeper 3.8.0
// source package), built against the installed libzookeeper-mt-dev and run with its own t/ tests
// against ZooKeeper 3.8 and Paddock, one after the other. Every test must end the same way on both
// (ok, not ok or skipped, with the same skip reason), and against Paddock none may fail with the
// default settings. Nothing in the tests changes: they take the server from ZK_TEST_HOSTS.
//
// The tests cover the client's handles, ties and watches, connecting with a session id and
// password, every synchronous call, ACLs and digest auth, and watches that fire once. They are
// run twice, the second time with skipACL=yes on both servers: t/50_access.t finds out whether
// the server checks ACLs and takes other paths when it does not. Four of its tests then fail
// against ZooKeeper 3.8 too (the test predates ZooKeeper's refusing an empty ACL, and expects a
// redacted digest id that a server skipping ACLs does not redact), so there only the comparison
// counts.
//
// Measured on this machine: with the default settings, 470 tests in 12 files on each server, 14 of
// them skipped on both: t/70_sasl.t's 6 (Debian's C client has no SASL), 4 that the binding says
// no current server supports, 3 for servers that skip ACLs and 1 that needs a handle to an invalid
// host. With skipACL=yes, the same 4 tests of t/50_access.t fail on both. About 8 s per run.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paddockBuilt, startPaddock } from "../support/paddock.js";
import { type Finished, makeTempDir, runToEnd, type ServerHandle } from "../support/process.js";
import { isCI, skipWithoutZookeeper, startZookeeper } from "../support/zookeeper.js";

/** Where test/interop/c-client/fetch-zookeeper-source.sh puts the binding (.ci/run runs it). */
const SOURCE_DIR =
  process.env.ZOOKEEPER_PERL_SOURCE_DIR ?? "/var/tmp/paddock/zookeeper-source/zookeeper-contrib-zkperl";
const FILE_TIMEOUT_MS = 120_000;

function missing(): string | undefined {
  if (!existsSync(join(SOURCE_DIR, "t", "40_basic.t")))
    return `${SOURCE_DIR} has no t/40_basic.t: run test/interop/c-client/fetch-zookeeper-source.sh`;
  if (!existsSync("/usr/include/zookeeper/zookeeper.h")) return "libzookeeper-mt-dev is not installed";
  for (const [tool, flag] of [
    ["perl", "-v"],
    ["make", "--version"],
    ["cc", "--version"],
  ] as const)
    if (spawnSync(tool, [flag]).status !== 0) return `${tool} is not installed`;
  if (!paddockBuilt()) return "dist/paddock-server.mjs is missing: run npm run build";
  return undefined;
}
const why = missing();
if (isCI && why !== undefined) throw new Error(`CI needs ZooKeeper's Perl binding tests: ${why}`);
// Skipped only outside CI, when the sources, libzookeeper-mt-dev, perl, make or a compiler is
// missing (in CI they are required, above), or ZooKeeper is (skipWithoutZookeeper throws in CI).
const skip = why !== undefined || skipWithoutZookeeper();
if (why !== undefined) console.warn(`skipping ZooKeeper's Perl binding tests: ${why}`);

function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Finished> {
  return runToEnd(command, args, { cwd, env, timeoutMs: FILE_TIMEOUT_MS });
}

/** One TAP result: `ok`, `not ok`, or `skip: <reason>`, keyed by file and test number. */
type Outcomes = Map<string, string>;

interface FileRun {
  outcomes: Outcomes;
  planned: number;
  output: string;
}

/** Parses a test file's TAP: `1..N`, then `ok N - name`, `not ok N - name` or `ok N # skip why`. */
function parseTap(file: string, tap: string): { outcomes: Outcomes; planned: number } {
  const outcomes: Outcomes = new Map();
  let planned = 0;
  for (const line of tap.split("\n")) {
    const plan = /^1\.\.(\d+)/.exec(line);
    if (plan) planned = Number(plan[1]);
    const result = /^(?<verdict>not ok|ok) (?<n>\d+)(?<rest>.*)$/.exec(line)?.groups;
    if (result === undefined) continue;
    const reason = /^\s*# skip\s*(?<why>.*)$/i.exec(result.rest ?? "")?.groups?.why;
    outcomes.set(`${file} ${result.n}`, reason === undefined ? (result.verdict ?? "") : `skip: ${reason}`);
  }
  return { outcomes, planned };
}

async function runFile(buildDir: string, file: string, server: ServerHandle): Promise<FileRun> {
  const env = { ...process.env, ZK_TEST_HOSTS: server.connectString };
  const done = await run("perl", ["-Iblib/lib", "-Iblib/arch", "-I.", join("t", file)], buildDir, env);
  const { outcomes, planned } = parseTap(file, done.stdout);
  return { outcomes, planned, output: `${done.stdout}\n${done.stderr}`.slice(-6000) };
}

async function runSuite(
  buildDir: string,
  files: string[],
  server: ServerHandle,
): Promise<Map<string, FileRun>> {
  const runs = new Map<string, FileRun>();
  for (const file of files) runs.set(file, await runFile(buildDir, file, server));
  return runs;
}

function allOutcomes(runs: Map<string, FileRun>): Outcomes {
  const all: Outcomes = new Map();
  for (const r of runs.values()) for (const [k, v] of r.outcomes) all.set(k, v);
  return all;
}

function differences(zookeeper: Outcomes, paddock: Outcomes): string[] {
  const keys = new Set([...zookeeper.keys(), ...paddock.keys()]);
  return [...keys]
    .filter((k) => zookeeper.get(k) !== paddock.get(k))
    .map(
      (k) => `${k}: ZooKeeper ${zookeeper.get(k) ?? "(not run)"}, Paddock ${paddock.get(k) ?? "(not run)"}`,
    );
}

async function withServer<T>(
  start: () => Promise<ServerHandle>,
  use: (s: ServerHandle) => Promise<T>,
): Promise<T> {
  const server = await start();
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}

describe.skipIf(skip)("ZooKeeper's Perl binding (Net::ZooKeeper) and its own tests", () => {
  let buildDir = "";
  let files: string[] = [];

  beforeAll(async () => {
    buildDir = join(makeTempDir("paddock-zkperl"), "zkperl");
    cpSync(SOURCE_DIR, buildDir, { recursive: true });
    const configure = await run(
      "perl",
      [
        "Makefile.PL",
        "--zookeeper-include=/usr/include/zookeeper",
        "--zookeeper-lib=/usr/lib/x86_64-linux-gnu",
      ],
      buildDir,
    );
    if (configure.code !== 0)
      throw new Error(`perl Makefile.PL failed:\n${configure.stdout}\n${configure.stderr}`);
    const make = await run("make", [], buildDir);
    if (make.code !== 0) throw new Error(`make failed:\n${make.stdout}\n${make.stderr}`);
    files = readdirSync(join(buildDir, "t"))
      .filter((f) => f.endsWith(".t"))
      .sort();
  }, 180_000);

  afterAll(() => {
    if (buildDir !== "") rmSync(dirname(buildDir), { recursive: true, force: true });
  });

  async function compare(
    zookeeperOpts: Parameters<typeof startZookeeper>[0],
    paddockCfg: string[],
  ): Promise<{ zookeeper: Map<string, FileRun>; paddock: Map<string, FileRun> }> {
    const zookeeper = await withServer(
      () => startZookeeper(zookeeperOpts),
      (s) => runSuite(buildDir, files, s),
    );
    const startOurs = () => startPaddock({ extraCfg: paddockCfg });
    const paddock = await withServer(startOurs, (s) => runSuite(buildDir, files, s));
    // A file that ends differently runs once more, alone against a fresh server (a failed file
    // can leave its nodes behind), and says so: the connect tests wait on session time-outs.
    const expected = allOutcomes(zookeeper);
    for (const [file, r] of paddock) {
      if (differences(withPrefix(expected, file), r.outcomes).length === 0) continue;
      console.warn(`Perl binding: ${file} ended differently against Paddock; running it again`);
      paddock.set(file, await withServer(startOurs, (s) => runFile(buildDir, file, s)));
    }
    return { zookeeper, paddock };
  }

  function withPrefix(outcomes: Outcomes, file: string): Outcomes {
    return new Map([...outcomes].filter(([k]) => k.startsWith(`${file} `)));
  }

  function explain(runs: Map<string, FileRun>, diffs: string[]): string {
    const files = new Set(diffs.map((d) => d.split(" ")[0] ?? ""));
    return [
      ...diffs,
      ...[...files].map((f) => `--- ${f} against Paddock:\n${runs.get(f)?.output ?? ""}`),
    ].join("\n");
  }

  it("with the default settings: every test ends as against ZooKeeper 3.8, and none fails", async () => {
    const { zookeeper, paddock } = await compare({}, []);
    const expected = allOutcomes(zookeeper);
    const actual = allOutcomes(paddock);
    const diffs = differences(expected, actual);
    expect(diffs, explain(paddock, diffs)).toEqual([]);
    // Every file ran its whole plan, so no test was lost to a crash of the binding or a hang.
    for (const [file, r] of paddock) expect(r.outcomes.size, `${file}: ${r.output}`).toBe(r.planned);
    const failed = [...actual].filter(([, v]) => v === "not ok").map(([k]) => k);
    expect(failed).toEqual([]);
    expect(actual.size).toBeGreaterThanOrEqual(400);
    // The server checks ACLs, so the ACL tests ran rather than being skipped.
    expect([...actual.values()].filter((v) => v === "skip: ZooKeeper skipping ACLs")).toEqual([]);
  }, 300_000);

  it("with skipACL=yes: every test ends as against ZooKeeper 3.8", async () => {
    const { zookeeper, paddock } = await compare({ systemProperties: { "zookeeper.skipACL": "yes" } }, [
      "skipACL=yes",
    ]);
    const expected = allOutcomes(zookeeper);
    const actual = allOutcomes(paddock);
    const diffs = differences(expected, actual);
    expect(diffs, explain(paddock, diffs)).toEqual([]);
    for (const [file, r] of paddock) expect(r.outcomes.size, `${file}: ${r.output}`).toBe(r.planned);
    // Both servers skipped ACL checks, so t/50_access.t took its other paths.
    expect([...actual.values()].filter((v) => v === "skip: ZooKeeper skipping ACLs").length).toBeGreaterThan(
      0,
    );
  }, 300_000);
});
