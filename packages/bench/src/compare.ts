// The comparison benchmark: the same workloads against Apache ZooKeeper and Paddock, one
// server at a time on this machine, and a markdown table of the results.
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { DEFAULT_LOAD_OPTIONS, type LoadOptions, parseHostList, type Workload } from "./args.js";
import { type LoadResult, runLoad } from "./load.js";
import { formatMs, formatRate } from "./report.js";
import {
  DEFAULT_LAUNCH_OPTIONS,
  describeTopology,
  hasTxnLog,
  type LaunchedTarget,
  launchTarget,
  parseTopology,
  type ServerKind,
  snapshotsIn,
  type Topology,
  znodeCountAt,
} from "./servers.js";
import { flushWriteback } from "./writeback.js";

export interface Scenario {
  name: string;
  workload: Workload;
  clients: number;
  outstanding: number;
}

export interface CompareOptions {
  targets: ServerKind[];
  topology: Topology;
  scenarios: Scenario[];
  durationMs: number;
  warmupMs: number;
  /**
   * Load put on each target once after it starts, before its first scenario: the JVM's JIT
   * needs ~20 s of load before ZooKeeper reaches its steady speed (a 3 s warm-up reads ~3x
   * lower), and both targets get the same so the comparison stays fair.
   */
  serverWarmupMs: number;
  valueBytes: number;
  znodes: number;
  readRatio: number;
  seed: number;
  tickTimeMs: number;
  zookeeperHeapMb: number;
  jsonPath: string | undefined;
  paddockServerPath: string;
  /** Node flags for the Paddock processes (profiling: --cpu-prof --cpu-prof-dir=DIR). */
  paddockNodeArgs: string[];
  /** Extra zoo.cfg lines for both servers (e.g. the AdminServer or the Prometheus provider on). */
  extraCfg: string[];
  /** Runs per scenario and target; the table shows the median by ops/s. */
  rounds: number;
  /** Leave the znodes `create` makes in place, so each server's tree grows by what it managed. */
  keepCreated: boolean;
}

export interface TargetRun {
  kind: ServerKind;
  version: string;
  /** A transaction log file with data appeared in the data directory. */
  wroteTxnLog: boolean;
  results: ScenarioResult[];
  /**
   * The tree and the snapshots after the last round. With --keep-created each server grows its
   * tree by what it managed in the same time, and every snapshot writes the whole tree, so a
   * faster server pays more per write later in the run.
   */
  atEnd?: AtEnd;
  /** Runs whose deletes failed (see noteCleanup); the output names them. */
  cleanupFailures?: string[];
}

export interface AtEnd {
  /** From `mntr` on the first server; undefined if it did not answer. */
  znodes: number | undefined;
  /** Snapshot files in the first server's data directory. */
  snapshots: number;
  largestSnapshotBytes: number;
}

export interface ScenarioResult {
  scenario: Scenario;
  /** The round with the median ops/s. */
  load: LoadResult;
  serverCpuPercent: number;
  /**
   * Server CPU time (utime + stime, summed over every server process of the target) over the
   * measured window divided by the successful operations in it, in µs; the median over the
   * rounds. Moves far less with background load than ops/s.
   */
  serverCpuUsPerOp: number;
  /** ops/s of every round, in run order. */
  roundsOpsPerSec: number[];
  /** CPU µs per op of every round, in run order. */
  roundsCpuUsPerOp: number[];
}

export const TARGET_NAMES: Record<ServerKind, string> = { zookeeper: "ZooKeeper", paddock: "Paddock" };

/**
 * Scenario names are `<workload>` (many clients, deep pipeline: throughput) or
 * `<workload>-1x1` (one client, one request in flight: unloaded latency). Creates run last
 * because they grow the tree for everything after them.
 */
export function scenarioFor(name: string, clients: number, outstanding: number): Scenario {
  const m = /^(set|create|get|mix)(-1x1)?$/.exec(name);
  if (!m) throw new Error(`unknown workload ${name}: use set, get, mix, create, optionally with -1x1`);
  return m[2]
    ? { name, workload: m[1] as Workload, clients: 1, outstanding: 1 }
    : { name, workload: m[1] as Workload, clients, outstanding };
}

const DEFAULT_SCENARIOS = "set,get,mix,set-1x1,get-1x1,create";

/**
 * The scenarios in the order given, except that creates run after everything else. With
 * `--keep-created` a create leaves its znodes behind, and the faster server leaves more: a
 * workload run after it would be measured on a larger tree (larger snapshots, a larger heap) on
 * the faster server than on the slower one. Without it, the order still keeps the warm-up's
 * creates (see warmUpPlan) out of every other workload's way.
 */
export function orderScenarios(scenarios: readonly Scenario[]): Scenario[] {
  return [
    ...scenarios.filter((s) => s.workload !== "create"),
    ...scenarios.filter((s) => s.workload === "create"),
  ];
}

export interface WarmUpStep {
  workload: Workload;
  durationMs: number;
}

/**
 * How a target's one-time warm-up is spent: `serverWarmupMs` split evenly over the run's distinct
 * workloads, as ever, but create's share is held back until just before the first create
 * scenario (`beforeCreates`), for the reason orderScenarios gives. The workloads before it
 * share the whole of `serverWarmupMs` instead, so the JVM still gets all of it before the first
 * measured round.
 */
export function warmUpPlan(
  scenarios: readonly Scenario[],
  serverWarmupMs: number,
): { atStart: WarmUpStep[]; beforeCreates: WarmUpStep[] } {
  const workloads = [...new Set(scenarios.map((s) => s.workload))];
  if (serverWarmupMs <= 0 || workloads.length === 0) return { atStart: [], beforeCreates: [] };
  const others = workloads.filter((w) => w !== "create");
  if (others.length === 0)
    return { atStart: [{ workload: "create", durationMs: serverWarmupMs }], beforeCreates: [] };
  const atStartMs = Math.max(1, Math.round(serverWarmupMs / others.length));
  const createShareMs = Math.max(1, Math.round(serverWarmupMs / workloads.length));
  return {
    atStart: others.map((workload) => ({ workload, durationMs: atStartMs })),
    beforeCreates: workloads.includes("create") ? [{ workload: "create", durationMs: createShareMs }] : [],
  };
}

export const COMPARE_USAGE = `usage: node scripts/bench.mjs [options]

  --quick                2 s measured + 0.5 s warm-up per workload (default 10 s + 2 s),
                         2 s server warm-up (default 20 s)
  --duration-ms D        measured time per workload
  --warmup-ms W          warm-up per workload
  --server-warmup-ms S   load on each server once after start, before its first workload,
                         split over the workloads run (default 20000: the JVM's JIT);
                         create's share runs just before the creates
  --rounds N             runs per workload and server; the median by ops/s is shown (default 1)
  --targets LIST         zookeeper,paddock (default both, in that order)
  --topology T           standalone (default) | ensemble:N (N servers on loopback)
  --workloads LIST       default ${DEFAULT_SCENARIOS}; creates always run last
  --clients N            clients for throughput workloads (default 32)
  --outstanding K        pipelined requests per client for throughput workloads (default 8)
  --value-bytes B        default 1024
  --znodes M             keyspace for set/get/mix (default 1000)
  --read-ratio R         gets in mix (default 0.9)
  --tick-time-ms T       tickTime for both servers (default 2000)
  --zookeeper-heap-mb H  ZooKeeper -Xms/-Xmx (default 1024)
  --json PATH            also write every result as JSON
  --paddock-server PATH  Paddock bundle to run (default dist/paddock-server.mjs)
  --extra-cfg LINE       one more zoo.cfg line for both servers (repeatable)
  --keep-created         leave the znodes create makes (default: deleted after each run,
                         so every round starts from the same tree on both servers)
  --paddock-node-arg A   one more node flag for every Paddock process (repeatable), e.g.
                         --paddock-node-arg=--cpu-prof --paddock-node-arg=--cpu-prof-dir=/tmp/prof
`;

export function parseCompareArgs(argv: readonly string[]): CompareOptions & { help: boolean } {
  const { values: v } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: "boolean" },
      rounds: { type: "string" },
      "duration-ms": { type: "string" },
      "warmup-ms": { type: "string" },
      "server-warmup-ms": { type: "string" },
      targets: { type: "string" },
      topology: { type: "string" },
      workloads: { type: "string" },
      clients: { type: "string" },
      outstanding: { type: "string" },
      "value-bytes": { type: "string" },
      znodes: { type: "string" },
      "read-ratio": { type: "string" },
      seed: { type: "string" },
      "tick-time-ms": { type: "string" },
      "zookeeper-heap-mb": { type: "string" },
      json: { type: "string" },
      "paddock-server": { type: "string" },
      "extra-cfg": { type: "string", multiple: true },
      "paddock-node-arg": { type: "string", multiple: true },
      "keep-created": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const num = (name: string, text: string | undefined, fallback: number, min: number) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || n < min)
      throw new Error(`--${name} must be a number ≥ ${min}`);
    return n;
  };
  const targets = (v.targets ?? "zookeeper,paddock").split(",").map((t) => t.trim());
  for (const t of targets) {
    if (t !== "zookeeper" && t !== "paddock") throw new Error(`unknown target ${t}: use zookeeper, paddock`);
  }
  const clients = num("clients", v.clients, 32, 1);
  const outstanding = num("outstanding", v.outstanding, 8, 1);
  const scenarios = orderScenarios(
    (v.workloads ?? DEFAULT_SCENARIOS).split(",").map((s) => scenarioFor(s.trim(), clients, outstanding)),
  );
  const readRatio = num("read-ratio", v["read-ratio"], DEFAULT_LOAD_OPTIONS.readRatio, 0);
  if (readRatio > 1) throw new Error("--read-ratio must be in 0..1");
  return {
    targets: targets as ServerKind[],
    topology: parseTopology(v.topology ?? "standalone"),
    scenarios,
    durationMs: num("duration-ms", v["duration-ms"], v.quick ? 2000 : 10_000, 1),
    warmupMs: num("warmup-ms", v["warmup-ms"], v.quick ? 500 : 2000, 0),
    serverWarmupMs: num("server-warmup-ms", v["server-warmup-ms"], v.quick ? 2000 : 20_000, 0),
    valueBytes: num("value-bytes", v["value-bytes"], DEFAULT_LOAD_OPTIONS.valueBytes, 0),
    znodes: num("znodes", v.znodes, DEFAULT_LOAD_OPTIONS.znodes, 1),
    readRatio,
    seed: num("seed", v.seed, DEFAULT_LOAD_OPTIONS.seed, 0),
    tickTimeMs: num("tick-time-ms", v["tick-time-ms"], DEFAULT_LAUNCH_OPTIONS.tickTimeMs, 1),
    zookeeperHeapMb: num(
      "zookeeper-heap-mb",
      v["zookeeper-heap-mb"],
      DEFAULT_LAUNCH_OPTIONS.zookeeperHeapMb,
      64,
    ),
    jsonPath: v.json,
    rounds: Math.floor(num("rounds", v.rounds, 1, 1)),
    paddockServerPath: v["paddock-server"] ?? DEFAULT_LAUNCH_OPTIONS.paddockServerPath,
    extraCfg: v["extra-cfg"] ?? [],
    paddockNodeArgs: v["paddock-node-arg"] ?? [],
    keepCreated: v["keep-created"] ?? false,
    help: v.help ?? false,
  };
}

interface RoundSample {
  load: LoadResult;
  serverCpuPercent: number;
  serverCpuUsPerOp: number;
}

interface Launched {
  kind: ServerKind;
  target: LaunchedTarget;
  /** Runs whose deletes failed: the rounds after them started from a larger tree. */
  cleanupFailures: string[];
}

/** Logs and keeps a failed cleanup: the equal start every round relies on did not happen. */
function noteCleanup(l: Launched, what: string, load: LoadResult, log: (m: string) => void): void {
  if (load.cleanupError === undefined) return;
  const failure = `${what}: ${load.cleanupError}`;
  l.cleanupFailures.push(failure);
  log(`    cleanup failed after ${failure}`);
}

/** Below this share of one core, an idle target counts as quiet. */
const QUIET_CPU_PERCENT = 5;
const QUIET_WAIT_MAX_MS = 20_000;

/**
 * Waits until the targets not being measured are quiet: a JVM keeps compiling and collecting
 * for seconds after its load stops, which would otherwise be charged to the next target's round
 * as a busier machine. Gives up after QUIET_WAIT_MAX_MS and says so.
 */
async function waitUntilQuiet(others: readonly Launched[], log: (m: string) => void): Promise<void> {
  if (others.length === 0) return;
  const startedMs = Date.now();
  const windowMs = 500;
  for (;;) {
    const before = others.map((o) => o.target.cpuSeconds());
    await new Promise((r) => setTimeout(r, windowMs));
    const busiest = Math.max(
      ...others.map((o, i) => ((o.target.cpuSeconds() - before[i]!) / (windowMs / 1000)) * 100),
    );
    const waitedMs = Date.now() - startedMs;
    if (busiest < QUIET_CPU_PERCENT) {
      if (waitedMs > 2 * windowMs)
        log(`    waited ${(waitedMs / 1000).toFixed(1)} s for the idle target to go quiet`);
      return;
    }
    if (waitedMs >= QUIET_WAIT_MAX_MS) {
      log(
        `    the idle target still used ${busiest.toFixed(0)} % of a core after ${QUIET_WAIT_MAX_MS / 1000} s; measuring anyway`,
      );
      return;
    }
  }
}

/** Above either, a round's flush of the page cache is logged with the round. */
const FLUSH_LOG_MS = 1000;
const FLUSH_LOG_BYTES = 64 * 1024 * 1024;

/** The previous rounds' dirty pages go to disk now, not in the middle of the next round. */
async function settleWriteback(log: (m: string) => void): Promise<void> {
  const { unwrittenBytesBefore, tookMs } = await flushWriteback();
  if (tookMs < FLUSH_LOG_MS && (unwrittenBytesBefore ?? 0) < FLUSH_LOG_BYTES) return;
  const what = unwrittenBytesBefore === undefined ? "" : ` ${(unwrittenBytesBefore / 1e6).toFixed(0)} MB of`;
  log(`    flushed${what} dirty pages to disk first (${(tookMs / 1000).toFixed(1)} s)`);
}

async function runScenario(
  launched: Launched,
  scenario: Scenario,
  opts: CompareOptions,
  log: (m: string) => void,
  others: readonly Launched[],
): Promise<RoundSample> {
  const { kind, target } = launched;
  const loadOpts: LoadOptions = {
    ...DEFAULT_LOAD_OPTIONS,
    hosts: parseHostList(target.connectString),
    workload: scenario.workload,
    clients: scenario.clients,
    outstanding: scenario.outstanding,
    readRatio: opts.readRatio,
    valueBytes: opts.valueBytes,
    znodes: opts.znodes,
    durationMs: opts.durationMs,
    warmupMs: opts.warmupMs,
    seed: opts.seed,
    cleanup: cleansUp(scenario.workload, opts),
  };
  let cpuAtStart = 0;
  let cpuSeconds = 0;
  let othersCpuAtStart = 0;
  let othersCpuSeconds = 0;
  const othersCpu = () => others.reduce((sum, o) => sum + o.target.cpuSeconds(), 0);
  log(`  ${TARGET_NAMES[kind]}: ${scenario.name} (${scenario.clients}x${scenario.outstanding})`);
  await settleWriteback(log);
  await waitUntilQuiet(others, log);
  let load: LoadResult;
  try {
    load = await runLoad(loadOpts, {
      onMeasureStart: () => {
        cpuAtStart = target.cpuSeconds();
        othersCpuAtStart = othersCpu();
      },
      onMeasureEnd: () => {
        cpuSeconds = target.cpuSeconds() - cpuAtStart;
        othersCpuSeconds = othersCpu() - othersCpuAtStart;
      },
    });
  } catch (e) {
    throw new Error(
      `${TARGET_NAMES[kind]}: ${(e as Error).message}\nserver output:\n${target.output().slice(-2000)}`,
    );
  }
  const serverCpuPercent = load.measuredMs > 0 ? (cpuSeconds / (load.measuredMs / 1000)) * 100 : 0;
  // No completed op: no figure (NaN prints as "–"), never a made-up zero.
  const serverCpuUsPerOp = load.ops > 0 ? (cpuSeconds * 1e6) / load.ops : Number.NaN;
  log(
    `    ${formatRate(load.opsPerSec)} ops/s, ${formatCpuUs(serverCpuUsPerOp)} µs CPU/op, ` +
      `p50 ${formatMs(load.latency.p50Ms)} ms, p99 ${formatMs(load.latency.p99Ms)} ms, errors ${load.errorCount}` +
      (others.length > 0 && load.measuredMs > 0
        ? `, idle target ${((othersCpuSeconds / (load.measuredMs / 1000)) * 100).toFixed(1)} % CPU meanwhile`
        : ""),
  );
  noteCleanup(launched, scenario.name, load, log);
  return { load, serverCpuPercent, serverCpuUsPerOp };
}

/**
 * Whether a run deletes what it made. Every round starts from the same tree on every server: a
 * faster server's creates would otherwise leave it a larger tree, and every later snapshot,
 * scavenge and map lookup on it would cost that server more than the other. `--keep-created`
 * keeps the creates' znodes, to measure how each server does as its own tree grows.
 */
function cleansUp(workload: Workload, opts: CompareOptions): boolean {
  return workload !== "create" || !opts.keepCreated;
}

/**
 * Runs warm-up `steps` against a target with the throughput clients. Nothing of it is reported.
 */
async function warmUpTarget(
  launched: Launched,
  steps: readonly WarmUpStep[],
  opts: CompareOptions,
  log: (m: string) => void,
) {
  if (steps.length === 0) return;
  const { kind, target } = launched;
  const clients = Math.max(...opts.scenarios.map((s) => s.clients));
  const outstanding = Math.max(...opts.scenarios.map((s) => s.outstanding));
  log(
    `  warming up ${TARGET_NAMES[kind]}: ${steps.map((s) => `${s.workload} ${s.durationMs} ms`).join(", ")}`,
  );
  for (const { workload, durationMs } of steps) {
    const load = await runLoad({
      ...DEFAULT_LOAD_OPTIONS,
      hosts: parseHostList(target.connectString),
      workload,
      clients,
      outstanding,
      readRatio: opts.readRatio,
      valueBytes: opts.valueBytes,
      znodes: opts.znodes,
      durationMs,
      warmupMs: 0,
      seed: opts.seed,
      cleanup: cleansUp(workload, opts),
    });
    if (load.errorCount > 0) log(`    warm-up ${workload}: ${load.errorCount} errors`);
    noteCleanup(launched, `warm-up ${workload}`, load, log);
  }
}

/**
 * Starts every target, warms each up, then runs each scenario against each target in turn (alternating which
 * goes first, and repeating `rounds` times), so a change in the machine's background load
 * during the run hits both servers rather than whichever happened to run later. Only the
 * server being measured has load; each round starts once the page cache's dirty data is on disk
 * (settleWriteback) and the other is quiet (waitUntilQuiet), and the CPU the other used
 * meanwhile is logged with the round.
 */
export async function runComparison(opts: CompareOptions, log: (m: string) => void): Promise<TargetRun[]> {
  const launched: Launched[] = [];
  try {
    for (const kind of opts.targets) {
      log(`starting ${TARGET_NAMES[kind]} (${describeTopology(opts.topology)})`);
      const target = await launchTarget(kind, opts.topology, {
        ...DEFAULT_LAUNCH_OPTIONS,
        tickTimeMs: opts.tickTimeMs,
        zookeeperHeapMb: opts.zookeeperHeapMb,
        paddockServerPath: opts.paddockServerPath,
        paddockNodeArgs: opts.paddockNodeArgs,
        extraCfg: opts.extraCfg,
      });
      launched.push({ kind, target, cleanupFailures: [] });
    }
    const warmUp = warmUpPlan(opts.scenarios, opts.serverWarmupMs);
    for (const l of launched) await warmUpTarget(l, warmUp.atStart, opts, log);
    const runs: TargetRun[] = [];
    for (const l of launched) {
      runs.push({
        kind: l.kind,
        version: await l.target.version(),
        wroteTxnLog: false,
        results: [],
        cleanupFailures: l.cleanupFailures,
      });
    }
    const firstCreate = opts.scenarios.findIndex((s) => s.workload === "create");
    for (const [i, scenario] of opts.scenarios.entries()) {
      if (i === firstCreate) for (const l of launched) await warmUpTarget(l, warmUp.beforeCreates, opts, log);
      const samples = launched.map(() => [] as RoundSample[]);
      for (let round = 0; round < opts.rounds; round++) {
        const order = launched.map((_, t) => t);
        if ((i + round) % 2 === 1) order.reverse();
        for (const t of order) {
          const others = launched.filter((_, u) => u !== t);
          samples[t]!.push(await runScenario(launched[t]!, scenario, opts, log, others));
        }
      }
      samples.forEach((s, t) => {
        const byRate = [...s].sort((a, b) => a.load.opsPerSec - b.load.opsPerSec);
        const median = byRate[Math.floor((byRate.length - 1) / 2)]!;
        runs[t]!.results.push({
          scenario,
          load: median.load,
          serverCpuPercent: median.serverCpuPercent,
          serverCpuUsPerOp: medianOf(s.map((x) => x.serverCpuUsPerOp)),
          roundsOpsPerSec: s.map((x) => x.load.opsPerSec),
          roundsCpuUsPerOp: s.map((x) => x.serverCpuUsPerOp),
        });
      });
    }
    for (const [t, l] of launched.entries()) {
      runs[t]!.wroteTxnLog = l.target.dataDirs.some((d) => hasTxnLog(d));
      const [host, port] = l.target.connectString.split(",")[0]!.split(":");
      const snapshots = snapshotsIn(l.target.dataDirs[0]!);
      runs[t]!.atEnd = {
        znodes: await znodeCountAt(host!, Number(port)),
        snapshots: snapshots.count,
        largestSnapshotBytes: snapshots.largestBytes,
      };
    }
    return runs;
  } finally {
    await Promise.all(launched.map((l) => l.target.stop()));
  }
}

function describeAtEnd(e: AtEnd): string {
  const tree = e.znodes === undefined ? "znode count unknown" : `${e.znodes.toLocaleString("en-US")} znodes`;
  const largest = e.snapshots > 0 ? ` (largest ${(e.largestSnapshotBytes / 1e6).toFixed(1)} MB)` : "";
  return `at the end ${tree}, ${e.snapshots} snapshot files on the first server${largest}`;
}

/** The median of the finite values (NaN when there is none). */
function medianOf(values: number[]): number {
  const finite = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return finite.length === 0 ? Number.NaN : finite[Math.floor((finite.length - 1) / 2)]!;
}

function formatCpuUs(us: number): string {
  return Number.isFinite(us) ? us.toFixed(us < 10 ? 1 : 0) : "–";
}

function gitCommit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

function latencyCell(r: ScenarioResult | undefined): string {
  return r ? `${formatMs(r.load.latency.p50Ms)} / ${formatMs(r.load.latency.p99Ms)}` : "–";
}

/** The comparison as markdown: environment, the main table, a details table and caveats. */
export interface RunEnvironment {
  startedAt: Date;
  /** 1-minute load average when the run started and ended: how busy the machine was otherwise. */
  loadAvg1mStart: number;
  loadAvg1mEnd: number;
}

export function formatComparison(runs: TargetRun[], opts: CompareOptions, env: RunEnvironment): string {
  const names = runs.map((r) => TARGET_NAMES[r.kind]);
  const lines: string[] = [];
  const cpu = cpus();
  lines.push(
    `Run ${env.startedAt.toISOString()} on ${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, Node ${process.version}, ` +
      `commit ${gitCommit()}; ${describeTopology(opts.topology)}, tickTime ${opts.tickTimeMs} ms, ` +
      `${opts.valueBytes} B values, ${opts.znodes} znodes, ${opts.durationMs / 1000} s measured after ` +
      `${opts.warmupMs / 1000} s warm-up per workload (${opts.serverWarmupMs / 1000} s per server first)` +
      (opts.rounds > 1 ? `, median of ${opts.rounds} rounds` : "") +
      ", the page cache flushed to disk before each" +
      (opts.scenarios.some((s) => s.workload === "create")
        ? opts.keepCreated
          ? "; created znodes kept"
          : "; created znodes deleted after each run"
        : "") +
      `. Load average ${env.loadAvg1mStart.toFixed(1)} at start, ${env.loadAvg1mEnd.toFixed(1)} at end.`,
  );
  lines.push("");
  lines.push(
    runs
      .map(
        (r) =>
          `- ${TARGET_NAMES[r.kind]}: ${r.version}; transaction log written: ${r.wroteTxnLog ? "yes" : "NO"}` +
          (r.atEnd === undefined ? "" : `; ${describeAtEnd(r.atEnd)}`) +
          (r.kind === "paddock" && opts.paddockServerPath !== DEFAULT_LAUNCH_OPTIONS.paddockServerPath
            ? `; bundle ${opts.paddockServerPath}`
            : ""),
      )
      .join("\n"),
  );
  lines.push("");
  const ratio = runs.length === 2;
  const header = [
    "workload",
    "clients × outstanding",
    ...names.map((n) => `${n} ops/s`),
    ...(ratio ? [`${names[1]}/${names[0]}`] : []),
    ...names.map((n) => `${n} CPU µs/op`),
    ...(ratio ? [`CPU/op ${names[1]}/${names[0]}`] : []),
    ...names.map((n) => `${n} p50 / p99 ms`),
  ];
  lines.push(`| ${header.join(" | ")} |`);
  lines.push(`|${header.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|`);
  for (const [i, scenario] of opts.scenarios.entries()) {
    const cells = runs.map((r) => r.results[i]);
    const rates = cells.map((c) => c?.load.opsPerSec ?? 0);
    const cpuPerOp = cells.map((c) => c?.serverCpuUsPerOp ?? Number.NaN);
    const cpuRatio = cpuPerOp[1]! / cpuPerOp[0]!;
    lines.push(
      `| ${scenario.name} | ${scenario.clients} × ${scenario.outstanding} | ` +
        [
          ...rates.map((x) => formatRate(x)),
          ...(ratio ? [rates[0]! > 0 ? `${(rates[1]! / rates[0]!).toFixed(2)}×` : "–"] : []),
          ...cpuPerOp.map(formatCpuUs),
          ...(ratio ? [Number.isFinite(cpuRatio) ? `${cpuRatio.toFixed(2)}×` : "–"] : []),
          ...cells.map(latencyCell),
        ].join(" | ") +
        " |",
    );
  }
  lines.push("");
  const perTarget = [
    "server CPU",
    "generator CPU",
    "errors",
    ...(opts.rounds > 1 ? ["ops/s by round", "CPU µs/op by round"] : []),
  ];
  const detailHeader = ["workload", ...names.flatMap((n) => perTarget.map((h) => `${n} ${h}`))];
  lines.push(`| ${detailHeader.join(" | ")} |`);
  lines.push(`|${detailHeader.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`);
  for (const [i, scenario] of opts.scenarios.entries()) {
    const cells = runs.flatMap((r) => {
      const c = r.results[i];
      if (!c) return perTarget.map(() => "–");
      return [
        `${c.serverCpuPercent.toFixed(0)}%`,
        `${c.load.loadGenCpuPercent.toFixed(0)}%`,
        c.load.errorCount === 0 ? "0" : c.load.errors.map((e) => `${e.name} ${e.count}`).join(", "),
        ...(opts.rounds > 1
          ? [c.roundsOpsPerSec.map(formatRate).join(", "), c.roundsCpuUsPerOp.map(formatCpuUs).join(", ")]
          : []),
      ];
    });
    lines.push(`| ${scenario.name} | ${cells.join(" | ")} |`);
  }
  const notDurable = runs.filter((r) => !r.wroteTxnLog).map((r) => TARGET_NAMES[r.kind]);
  if (notDurable.length > 0) {
    lines.push("");
    lines.push(
      `**Not like-for-like:** ${notDurable.join(", ")} wrote no transaction log, so its writes were not ` +
        "fsynced before being acknowledged; its write numbers are not comparable with a server that fsyncs.",
    );
  }
  for (const r of runs) {
    if (!r.cleanupFailures?.length) continue;
    lines.push("");
    lines.push(
      `**Unequal trees:** ${TARGET_NAMES[r.kind]} failed to delete what these runs made, so the rounds after ` +
        `them started from a larger tree: ${r.cleanupFailures.join("; ")}.`,
    );
  }
  return lines.join("\n");
}
