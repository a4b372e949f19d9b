// Memory per million znodes and start-up recovery time, Paddock against Apache ZooKeeper 3.8
// (issue 14): each system runs standalone with fsync on, gets a tree of N znodes with 100-byte
// values built by pipelined creates, is measured (RSS as the OS sees it before and after a
// forced GC, data dir size), killed with SIGKILL, and restarted on the same data dir: recovery
// time is from spawning the process until a getData of the last znode created returns its value.
//
//   node --import tsx packages/bench/src/memory-recovery.ts [--znodes 1000000] [--runs 1]
//     [--targets paddock,zookeeper] [--zookeeper-heap-mb 1000] [--json] [--keep-data-dir]
//     [--paddock-node-arg=--cpu-prof ...]
//
// ZooKeeper runs as zkServer.sh starts it: -Xmx from ZK_SERVER_HEAP (1000 MB by default), no
// -Xms, the JVM's default collector (G1 on this machine), forced GC by `jcmd <pid> GC.run`.
// Paddock runs the bundled server with node's defaults; its GC is forced through the inspector
// (activated by SIGUSR1 on a port given at start), which also reports process.memoryUsage().
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type ACL, ErrorCode, JuteReader, OpCode } from "@paddock/jute";
import { SERVER_NODE_FLAGS } from "@paddock/server/node-flags";
import WebSocket from "ws";
import { BenchSession, type ReplyHandler, SessionRequester } from "./connection.js";
import { type StartedProcess, startProcess, stopProcess } from "./processes.js";
import {
  freePort,
  PADDOCK_SERVER_PATH,
  paddockMissing,
  type ServerKind,
  standaloneCfgLines,
  zookeeperMissing,
} from "./servers.js";
import { zookeeperJavaArgs } from "./zookeeper-java.js";

const OPEN_ACL_UNSAFE: ACL[] = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const ROOT = "/mr";
const VALUE_BYTES = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface MemoryRecoveryOptions {
  znodes: number;
  /** Sessions building the tree, each with `inFlight` creates outstanding. */
  sessions: number;
  inFlight: number;
  /** zkServer.sh's default heap (ZK_SERVER_HEAP=1000). */
  zookeeperHeapMb: number;
  readyTimeoutMs: number;
  /** Node flags for the Paddock server (e.g. --cpu-prof for a recovery profile). */
  paddockNodeArgs: readonly string[];
  paddockServerPath: string;
  /** Leave the data dir (and zoo.cfg) in place after the run, for profiling recovery by hand. */
  keepDataDir: boolean;
  /** Wait before each RSS reading, so freed memory has reached the OS. */
  settleMs: number;
  /** Wait after the build for the last background snapshot to land. */
  snapshotWaitMs: number;
  log: (line: string) => void;
}

export const DEFAULT_MEMORY_RECOVERY_OPTIONS: MemoryRecoveryOptions = {
  znodes: 1_000_000,
  sessions: 4,
  inFlight: 250,
  zookeeperHeapMb: 1000,
  readyTimeoutMs: 600_000,
  paddockNodeArgs: [],
  paddockServerPath: PADDOCK_SERVER_PATH,
  keepDataDir: false,
  settleMs: 2000,
  snapshotWaitMs: 5000,
  log: (line) => console.error(line),
};

export interface MemoryRecoveryResult {
  kind: ServerKind;
  znodes: number;
  buildOpsPerSec: number;
  buildSeconds: number;
  rssEmptyMb: number;
  rssBuiltMb: number;
  rssBuiltAfterGcMb: number;
  /** JVM heap used / V8 heapUsed + external + arrayBuffers after the GC, when the runtime tells. */
  heapAfterGcMb: number | undefined;
  snapshotFiles: number;
  snapshotBytes: number;
  logFiles: number;
  logBytes: number;
  /** Bytes the data dir occupies on disk (allocated blocks). */
  dataDirDiskBytes: number;
  /** Txns in the log after the newest snapshot's zxid, replayed on recovery. */
  logTailTxns: number;
  recoveryMs: number;
  rssRecoveredMb: number;
  rssRecoveredAfterGcMb: number;
  loadAvg: { build: string; recovery: string };
}

/** The i-th znode: parents /mr/p0000.., children c0000.. under each; about 1000 x 1000 at 1M. */
export function treeShape(znodes: number): { parents: number; childrenPerParent: number } {
  const parents = Math.max(1, Math.round(Math.sqrt(znodes)));
  return { parents, childrenPerParent: Math.ceil((znodes - parents - 1) / parents) };
}

function pad(i: number): string {
  return String(i).padStart(4, "0");
}

function znodeValue(i: number): Buffer {
  const v = Buffer.alloc(VALUE_BYTES, 0x61 + (i % 26));
  v.write(String(i), 0, "latin1");
  return v;
}

function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) / 1024;
}

function loadAvg(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

function dataDirUsage(dir: string) {
  const u = {
    snapshotFiles: 0,
    snapshotBytes: 0,
    logFiles: 0,
    logBytes: 0,
    diskBytes: 0,
    newestSnapshotZxid: -1,
  };
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
        continue;
      }
      const st = statSync(p);
      u.diskBytes += st.blocks * 512;
      // Only finished files: a snapshot being written at the kill has a temporary name.
      if (/^snapshot\.[0-9a-f]+$/.test(e.name)) {
        u.snapshotFiles++;
        u.snapshotBytes += st.size;
        u.newestSnapshotZxid = Math.max(u.newestSnapshotZxid, Number.parseInt(e.name.slice(9), 16));
      } else if (/^log\.[0-9a-f]+$/.test(e.name)) {
        u.logFiles++;
        u.logBytes += st.size;
      }
    }
  };
  walk(dir);
  return u;
}

interface Instance {
  kind: ServerKind;
  dir: string;
  dataDir: string;
  cfgPath: string;
  port: number;
  inspectPort: number;
  proc: StartedProcess | undefined;
  /** process.memoryUsage() after the last forced GC (Paddock). */
  lastUsage?: string;
}

async function prepare(kind: ServerKind): Promise<Instance> {
  const dir = mkdtempSync(join(tmpdir(), `paddock-memrec-${kind}-`));
  const dataDir = join(dir, "data");
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const inspectPort = await freePort();
  const cfgPath = join(dir, "zoo.cfg");
  writeFileSync(cfgPath, [...standaloneCfgLines(2000, dataDir, port), ""].join("\n"));
  return { kind, dir, dataDir, cfgPath, port, inspectPort, proc: undefined };
}

function spawn(inst: Instance, opts: MemoryRecoveryOptions): StartedProcess {
  inst.proc =
    inst.kind === "zookeeper"
      ? startProcess("java", zookeeperJavaArgs(inst.cfgPath, { heapMb: opts.zookeeperHeapMb }))
      : startProcess(
          process.execPath,
          [
            // Not active until SIGUSR1, so it costs nothing before the GC is forced.
            `--inspect-port=127.0.0.1:${inst.inspectPort}`,
            ...SERVER_NODE_FLAGS,
            ...opts.paddockNodeArgs,
            opts.paddockServerPath,
            inst.cfgPath,
          ],
          { ...process.env, PADDOCK_LOG_LEVEL: "warn", PADDOCK_LOG_PRETTY: "" },
        );
  return inst.proc;
}

/**
 * Polls until a session opens and `path` reads back `expected`: the server has its tree. Four-
 * letter words are not enough, ZooKeeper answers them before the database is loaded.
 */
async function waitUntilServes(
  inst: Instance,
  path: string,
  expected: Buffer | undefined,
  deadlineMs: number,
) {
  const until = Date.now() + deadlineMs;
  let exited = false;
  void inst.proc!.exited.then(() => {
    exited = true;
  });
  let lastError = "";
  while (Date.now() < until && !exited) {
    let session: BenchSession | undefined;
    try {
      session = await BenchSession.open({
        host: "127.0.0.1",
        port: inst.port,
        sessionTimeoutMs: 30_000,
        connectTimeoutMs: 5000,
      });
      const r = await new SessionRequester(session).request({ type: OpCode.getData, path, watch: false });
      if (r.err === 0) {
        const data = new JuteReader(r.body).readBuffer();
        if (expected === undefined || data?.equals(expected)) return;
        lastError = `${path} read back different data`;
      } else lastError = `getData ${path}: error ${r.err}`;
    } catch (e) {
      lastError = (e as Error).message;
    } finally {
      session?.destroy();
    }
    await sleep(20);
  }
  throw new Error(
    `${inst.kind} did not serve ${path} (${exited ? "exited" : "timed out"}; ${lastError}):\n${inst.proc!.output().slice(-3000)}`,
  );
}

/** Creates the tree with `sessions` x `inFlight` creates outstanding; every create must succeed. */
async function buildTree(
  inst: Instance,
  opts: MemoryRecoveryOptions,
): Promise<{ seconds: number; lastPath: string; lastValue: Buffer }> {
  const { parents } = treeShape(opts.znodes);
  const sessions = await Promise.all(
    Array.from({ length: opts.sessions }, () =>
      BenchSession.open({ host: "127.0.0.1", port: inst.port, sessionTimeoutMs: 30_000 }),
    ),
  );
  const setup = new SessionRequester(sessions[0]!);
  const mk = async (path: string, data: Buffer) => {
    const r = await setup.request({ type: OpCode.create, path, data, acl: OPEN_ACL_UNSAFE, flags: 0 });
    if (r.err !== 0) throw new Error(`create ${path}: error ${r.err}`);
  };
  // Parents first (1000 at 1M), one at a time is quick; children are the pipelined bulk.
  await mk(ROOT, Buffer.alloc(0));
  for (let p = 0; p < parents; p++) await mk(`${ROOT}/p${pad(p)}`, znodeValue(p));
  const total = opts.znodes - parents - 1;
  const childPath = (i: number) => `${ROOT}/p${pad(i % parents)}/c${pad(Math.floor(i / parents))}`;
  let next = 0;
  let done = 0;
  let lastLogMs = Date.now();
  const startedMs = performance.now();
  await new Promise<void>((resolve, reject) => {
    const send = (s: BenchSession) => {
      while (s.inFlight < opts.inFlight && next < total) {
        const i = next++;
        s.enqueue(
          { type: OpCode.create, path: childPath(i), data: znodeValue(i), acl: OPEN_ACL_UNSAFE, flags: 0 },
          i,
        );
      }
      s.flush();
    };
    const handler: ReplyHandler = {
      onReply(s, tag, err) {
        if (err !== 0) {
          reject(new Error(`create ${childPath(tag)}: error ${err} (${ErrorCode[err] ?? "?"})`));
          return;
        }
        done++;
        if (done === total) resolve();
        else send(s);
        if (Date.now() - lastLogMs > 10_000) {
          lastLogMs = Date.now();
          opts.log(
            `  ${inst.kind}: ${done + parents + 1} znodes, ${Math.round(done / ((performance.now() - startedMs) / 1000))} creates/s`,
          );
        }
      },
      onClose(s, inFlight, error) {
        reject(new Error(`${s.label}: closed with ${inFlight} in flight: ${error?.message ?? ""}`));
      },
    };
    for (const s of sessions) {
      s.handler = handler;
      send(s);
    }
    if (total === 0) resolve();
  });
  const seconds = (performance.now() - startedMs) / 1000;
  await Promise.all(sessions.map((s) => s.close()));
  return total > 0
    ? { seconds, lastPath: childPath(total - 1), lastValue: znodeValue(total - 1) }
    : { seconds, lastPath: `${ROOT}/p${pad(parents - 1)}`, lastValue: znodeValue(parents - 1) };
}

/** Forces a full GC in the server; returns the heap in use afterwards (MB) when the runtime reports it. */
async function forceGc(inst: Instance): Promise<number | undefined> {
  const pid = inst.proc!.child.pid!;
  if (inst.kind === "zookeeper") {
    execFileSync("jcmd", [String(pid), "GC.run"], { stdio: "ignore" });
    const info = execFileSync("jcmd", [String(pid), "GC.heap_info"], { encoding: "utf8" });
    const usedKb = /used (\d+)K/.exec(info)?.[1];
    return usedKb === undefined ? undefined : Number(usedKb) / 1024;
  }
  process.kill(pid, "SIGUSR1");
  const deadline = Date.now() + 10_000;
  let targets: { webSocketDebuggerUrl: string }[] | undefined;
  while (targets === undefined) {
    try {
      targets = (await (
        await fetch(`http://127.0.0.1:${inst.inspectPort}/json/list`)
      ).json()) as typeof targets;
    } catch (e) {
      if (Date.now() > deadline)
        throw new Error(`${inst.kind}: inspector did not open: ${(e as Error).message}`);
      await sleep(50);
    }
  }
  const ws = new WebSocket(targets![0]!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  let nextId = 1;
  const call = (method: string, params: object = {}) =>
    new Promise<{ result?: { result?: { value?: unknown } } }>((resolve, reject) => {
      const id = nextId++;
      const onMessage = (raw: WebSocket.RawData) => {
        const msg = JSON.parse(raw.toString()) as { id?: number; error?: { message: string } };
        if (msg.id !== id) return;
        ws.off("message", onMessage);
        if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
        else resolve(msg as { result?: { result?: { value?: unknown } } });
      };
      ws.on("message", onMessage);
      ws.send(JSON.stringify({ id, method, params }));
    });
  try {
    await call("HeapProfiler.collectGarbage");
    const r = await call("Runtime.evaluate", {
      expression: "JSON.stringify(process.memoryUsage())",
      returnByValue: true,
    });
    const usage = JSON.parse(String(r.result?.result?.value)) as NodeJS.MemoryUsage;
    const mb = (b: number) => Math.round(b / 2 ** 20);
    // The rest of the breakdown, for the profile in docs/benchmarks.md.
    inst.lastUsage = `heapTotal ${mb(usage.heapTotal)} MB, heapUsed ${mb(usage.heapUsed)} MB, external ${mb(usage.external)} MB, arrayBuffers ${mb(usage.arrayBuffers)} MB`;
    return (usage.heapUsed + usage.external) / 2 ** 20;
  } finally {
    ws.close();
  }
}

async function settledRss(inst: Instance, settleMs: number): Promise<number> {
  // Let the GC's freeing reach the OS (G1 uncommits, V8 unmaps pages) before reading RSS.
  await sleep(settleMs);
  return rssMb(inst.proc!.child.pid);
}

export async function measureMemoryRecovery(
  kind: ServerKind,
  opts: MemoryRecoveryOptions = DEFAULT_MEMORY_RECOVERY_OPTIONS,
): Promise<MemoryRecoveryResult> {
  const missing = kind === "zookeeper" ? zookeeperMissing() : paddockMissing(opts.paddockServerPath);
  if (missing) throw new Error(`cannot run ${kind}: ${missing}`);
  const inst = await prepare(kind);
  try {
    spawn(inst, opts);
    await waitUntilServes(inst, "/", undefined, 60_000);
    const rssEmptyMb = await settledRss(inst, opts.settleMs);
    const loadBefore = loadAvg();
    opts.log(`${kind}: building ${opts.znodes} znodes (load ${loadBefore})`);
    const { seconds, lastPath, lastValue } = await buildTree(inst, opts);
    const buildLoad = `${loadBefore} -> ${loadAvg()}`;
    const buildOpsPerSec = opts.znodes / seconds;
    opts.log(`${kind}: built in ${seconds.toFixed(1)} s (${Math.round(buildOpsPerSec)} creates/s)`);
    // Snapshots are written in the background: give the last one time to land.
    await sleep(opts.snapshotWaitMs);
    const rssBuiltMb = rssMb(inst.proc!.child.pid);
    const heapAfterGcMb = await forceGc(inst);
    const rssBuiltAfterGcMb = await settledRss(inst, opts.settleMs);
    if (inst.lastUsage) opts.log(`${kind}: after GC ${inst.lastUsage}`);
    const usage = dataDirUsage(inst.dataDir);
    // One epoch throughout the build, so zxids subtract to txn counts: the tail is what the log
    // holds beyond the newest snapshot and recovery replays.
    const lastZxid = await lastZxidOf(inst);
    const logTailTxns = usage.newestSnapshotZxid < 0 ? lastZxid : lastZxid - usage.newestSnapshotZxid;
    if (usage.snapshotFiles === 0 || usage.logFiles === 0)
      opts.log(`${kind}: warning: ${usage.snapshotFiles} snapshots and ${usage.logFiles} log files`);
    inst.proc!.child.kill("SIGKILL");
    await inst.proc!.exited;
    const recoveryLoad = loadAvg();
    const spawnedMs = performance.now();
    spawn(inst, opts);
    await waitUntilServes(inst, lastPath, lastValue, opts.readyTimeoutMs);
    const recoveryMs = performance.now() - spawnedMs;
    opts.log(`${kind}: recovered in ${Math.round(recoveryMs)} ms`);
    const rssRecoveredMb = await settledRss(inst, opts.settleMs);
    await forceGc(inst);
    const rssRecoveredAfterGcMb = await settledRss(inst, opts.settleMs);
    return {
      kind,
      znodes: opts.znodes,
      buildOpsPerSec,
      buildSeconds: seconds,
      rssEmptyMb,
      rssBuiltMb,
      rssBuiltAfterGcMb,
      heapAfterGcMb,
      snapshotFiles: usage.snapshotFiles,
      snapshotBytes: usage.snapshotBytes,
      logFiles: usage.logFiles,
      logBytes: usage.logBytes,
      dataDirDiskBytes: usage.diskBytes,
      logTailTxns,
      recoveryMs,
      rssRecoveredMb,
      rssRecoveredAfterGcMb,
      loadAvg: { build: buildLoad, recovery: `${recoveryLoad} -> ${loadAvg()}` },
    };
  } finally {
    if (inst.proc) await stopProcess(inst.proc, 10_000);
    if (opts.keepDataDir) opts.log(`${kind}: kept ${inst.cfgPath} and its data dir`);
    else rmSync(inst.dir, { recursive: true, force: true });
  }
}

/** The server's last zxid from `srvr` ("Zxid: 0x..."), the same on both systems. */
async function lastZxidOf(inst: Instance): Promise<number> {
  const { fourLetterWord } = await import("@paddock/client");
  const srvr = await fourLetterWord("127.0.0.1", inst.port, "srvr", 5000);
  const hex = /^Zxid: 0x([0-9a-f]+)/m.exec(srvr)?.[1];
  if (hex === undefined) throw new Error(`${inst.kind}: no Zxid in srvr:\n${srvr}`);
  return Number.parseInt(hex, 16);
}

const f0 = (x: number) => Math.round(x).toString();

export function formatTable(results: readonly MemoryRecoveryResult[]): string {
  const lines = [
    "| server | znodes | build creates/s | RSS empty MB | RSS built MB | RSS built, after GC MB | heap after GC MB | data dir MB on disk (snapshots / logs) | log tail txns | recovery ms | RSS recovered MB | RSS recovered, after GC MB | load 1/5/15 (build; recovery) |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    const mb = (b: number) => (b / 2 ** 20).toFixed(0);
    lines.push(
      `| ${r.kind} | ${r.znodes} | ${f0(r.buildOpsPerSec)} | ${f0(r.rssEmptyMb)} | ${f0(r.rssBuiltMb)} | ${f0(r.rssBuiltAfterGcMb)} | ${r.heapAfterGcMb === undefined ? "n/a" : f0(r.heapAfterGcMb)} | ${mb(r.dataDirDiskBytes)} (${r.snapshotFiles}: ${mb(r.snapshotBytes)} / ${r.logFiles}: ${mb(r.logBytes)}) | ${r.logTailTxns} | ${f0(r.recoveryMs)} | ${f0(r.rssRecoveredMb)} | ${f0(r.rssRecoveredAfterGcMb)} | ${r.loadAvg.build}; ${r.loadAvg.recovery} |`,
    );
  }
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      znodes: { type: "string", default: String(DEFAULT_MEMORY_RECOVERY_OPTIONS.znodes) },
      runs: { type: "string", default: "1" },
      targets: { type: "string", default: "paddock,zookeeper" },
      "zookeeper-heap-mb": {
        type: "string",
        default: String(DEFAULT_MEMORY_RECOVERY_OPTIONS.zookeeperHeapMb),
      },
      "paddock-node-arg": { type: "string", multiple: true, default: [] },
      json: { type: "boolean", default: false },
      "keep-data-dir": { type: "boolean", default: false },
    },
  });
  const opts: MemoryRecoveryOptions = {
    ...DEFAULT_MEMORY_RECOVERY_OPTIONS,
    znodes: Number(values.znodes),
    zookeeperHeapMb: Number(values["zookeeper-heap-mb"]),
    paddockNodeArgs: values["paddock-node-arg"],
    keepDataDir: values["keep-data-dir"],
  };
  if (!Number.isInteger(opts.znodes) || opts.znodes < 2) throw new Error("--znodes must be an integer >= 2");
  const results: MemoryRecoveryResult[] = [];
  // Systems alternate within each run so machine noise falls on both.
  for (let run = 0; run < Number(values.runs); run++) {
    for (const kind of values.targets.split(",") as ServerKind[])
      results.push(await measureMemoryRecovery(kind, opts));
  }
  console.log(values.json ? JSON.stringify(results, null, 2) : formatTable(results));
  console.log(
    `ZooKeeper: -Xmx${opts.zookeeperHeapMb}m (zkServer.sh default), no -Xms, JVM default GC; ${execFileSync("nproc", { encoding: "utf8" }).trim()} cores`,
  );
  process.exit(0);
}
