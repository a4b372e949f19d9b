// Launchers for the servers the comparison benchmark measures. They differ from the test
// launchers in test/support on purpose: ports come from the bench range (25000–25999), both
// servers keep fsync on, ZooKeeper runs with a production-like JVM (full JIT, 1 GiB heap as
// zkServer.sh uses) instead of start-up-optimised flags, and the pid is exposed so the
// benchmark can account server CPU time.
import { type ChildProcess, execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fourLetterWord } from "@paddock/client";
import { SERVER_NODE_FLAGS } from "@paddock/server/node-flags";
import {
  type StartedProcess as Proc,
  portAllocator,
  showsMode,
  startProcess,
  stopProcess,
  waitForImok,
} from "./processes.js";
import { zookeeperJavaArgs, zookeeperMissing } from "./zookeeper-java.js";

export { JAVA_DIR, ZOOKEEPER_JARS, zookeeperMissing } from "./zookeeper-java.js";

export type ServerKind = "zookeeper" | "paddock";
export type Topology =
  | { kind: "standalone" }
  | {
      kind: "ensemble";
      size: number;
      /**
       * The last `joiners` servers start outside the ensemble (their zoo.cfg names the others and
       * themselves; the others' do not name them), ready to be added by reconfig. Server lines
       * then carry their client part, as reconfig wants.
       */
      joiners?: number;
    };

export const BENCH_PORT_MIN = 25000;
export const BENCH_PORT_MAX = 25999;

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const PADDOCK_SERVER_PATH = join(repoRoot, "dist", "paddock-server.mjs");

export interface LaunchOptions {
  tickTimeMs: number;
  zookeeperHeapMb: number;
  /** Extra zoo.cfg lines for both servers. */
  extraCfg: string[];
  readyTimeoutMs: number;
  /** The bundled Paddock server to run; another build (e.g. of a given commit) can be measured. */
  paddockServerPath: string;
  /** Node flags for every Paddock process (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  paddockNodeArgs?: readonly string[];
  /**
   * Java system properties for ZooKeeper (e.g. readonlymode.enabled, which it reads nowhere
   * else); Paddock takes the same settings as zoo.cfg lines.
   */
  zookeeperSystemProperties?: Readonly<Record<string, string>>;
}

export const DEFAULT_LAUNCH_OPTIONS: LaunchOptions = {
  tickTimeMs: 2000,
  zookeeperHeapMb: 1024,
  extraCfg: [],
  readyTimeoutMs: 60_000,
  paddockServerPath: PADDOCK_SERVER_PATH,
};

/** One or more server processes presented as a single thing to benchmark. */
export interface LaunchedTarget {
  kind: ServerKind;
  topology: Topology;
  connectString: string;
  /** Data directories (one per server) for inspecting what was written. */
  dataDirs: string[];
  /** Total CPU seconds (user + system) the server processes have used so far. */
  cpuSeconds(): number;
  /** Version string from `srvr`. */
  version(): Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

export function describeTopology(t: Topology): string {
  return t.kind === "standalone" ? "standalone" : `ensemble of ${t.size}`;
}

export function parseTopology(text: string): Topology {
  if (text === "standalone") return { kind: "standalone" };
  const m = /^ensemble(?::(\d+))?$/.exec(text);
  if (m) {
    const size = Number(m[1] ?? "3");
    if (size < 1) throw new Error(`ensemble size must be at least 1, got ${text}`);
    return { kind: "ensemble", size };
  }
  throw new Error(`topology must be standalone or ensemble:N, got ${text}`);
}

export function paddockMissing(serverPath = PADDOCK_SERVER_PATH): string | undefined {
  return existsSync(serverPath) ? undefined : `${serverPath} is missing: run npm run build`;
}

export async function launchTarget(
  kind: ServerKind,
  topology: Topology,
  opts: LaunchOptions = DEFAULT_LAUNCH_OPTIONS,
): Promise<LaunchedTarget> {
  const missing = kind === "zookeeper" ? zookeeperMissing() : paddockMissing(opts.paddockServerPath);
  if (missing) throw new Error(`cannot start ${kind}: ${missing}`);
  if (topology.kind === "ensemble") return launchEnsemble(kind, topology, opts);
  const server = await launchStandalone(kind, opts);
  return {
    kind,
    topology,
    connectString: `127.0.0.1:${server.port}`,
    dataDirs: [server.dataDir],
    cpuSeconds: () => processCpuSeconds(server.child.pid),
    version: async () => {
      const srvr = await fourLetterWord("127.0.0.1", server.port, "srvr", 2000);
      const version = /^Zookeeper version: ([^,\n]+)/m.exec(srvr)?.[1] ?? "unknown";
      // Debian's build leaves an unexpanded Maven placeholder for the git commit in the string.
      return version.replace(/-\$\{[^}]*\}/g, "");
    },
    output: server.output,
    stop: server.stop,
  };
}

/** One member of a benchmark ensemble; `restart` brings a killed member back on the same data. */
export interface EnsembleMember {
  id: number;
  clientPort: number;
  peerPort: number;
  electionPort: number;
  pid(): number | undefined;
  kill(signal: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
}

export interface LaunchedEnsemble extends LaunchedTarget {
  members: EnsembleMember[];
  /** The member whose `srvr` says `Mode: leader`, or undefined while there is none. */
  leader(): Promise<EnsembleMember | undefined>;
}

/** A member ended before the ensemble elected a leader (typically a port taken after probing). */
class MemberExitedError extends Error {}

/** Launches tried on fresh ports, standalone or ensemble, before the launcher gives up. */
const LAUNCH_ATTEMPTS = 3;

/**
 * N servers of one kind on loopback with the same zoo.cfg (server.X lines, 3 ports each) and a
 * myid per data directory; ready when every member serves and exactly one leads.
 */
export async function launchEnsemble(
  kind: ServerKind,
  topology: Extract<Topology, { kind: "ensemble" }>,
  opts: LaunchOptions,
): Promise<LaunchedEnsemble> {
  // As for a standalone server: a member that loses its port to another process exits, and
  // the ensemble is tried again on fresh ports rather than left waiting for a quorum.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchEnsembleOnce(kind, topology, opts);
    } catch (err) {
      if (!(err instanceof MemberExitedError) || attempt >= LAUNCH_ATTEMPTS) throw err;
    }
  }
}

async function launchEnsembleOnce(
  kind: ServerKind,
  topology: Extract<Topology, { kind: "ensemble" }>,
  opts: LaunchOptions,
): Promise<LaunchedEnsemble> {
  const dir = mkdtempSync(join(tmpdir(), `paddock-bench-${kind}-ensemble-`));
  const ids = Array.from({ length: topology.size }, (_, i) => i + 1);
  const ports = new Map<number, { client: number; peer: number; election: number }>();
  for (const id of ids)
    ports.set(id, { client: await freePort(), peer: await freePort(), election: await freePort() });
  const joiners = topology.joiners ?? 0;
  const lineOf = (id: number) => {
    const p = ports.get(id)!;
    return `server.${id}=127.0.0.1:${p.peer}:${p.election}${joiners > 0 ? `:participant;127.0.0.1:${p.client}` : ""}`;
  };
  const initial = ids.filter((id) => id <= topology.size - joiners);
  const serverLinesOf = (id: number) => (initial.includes(id) ? initial : [...initial, id]).map(lineOf);
  const procs = new Map<number, Proc>();
  const cfgOf = new Map<number, string>();
  for (const id of ids) {
    const dataDir = join(dir, String(id));
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, "myid"), `${id}\n`);
    const cfgPath = join(dir, `zoo${id}.cfg`);
    writeFileSync(
      cfgPath,
      [
        `tickTime=${opts.tickTimeMs}`,
        "initLimit=10",
        "syncLimit=5",
        `dataDir=${dataDir}`,
        `clientPort=${ports.get(id)!.client}`,
        "clientPortAddress=127.0.0.1",
        "4lw.commands.whitelist=*",
        "admin.enableServer=false",
        "maxClientCnxns=0",
        ...serverLinesOf(id),
        ...opts.extraCfg,
        "",
      ].join("\n"),
    );
    cfgOf.set(id, cfgPath);
  }
  const spawnMember = (id: number): Proc => {
    const cfg = cfgOf.get(id)!;
    // Three JVMs share two cores here: a third of the standalone heap each is plenty.
    const memberOpts = { ...opts, zookeeperHeapMb: Math.max(256, Math.floor(opts.zookeeperHeapMb / 2)) };
    const proc =
      kind === "zookeeper"
        ? spawnZookeeper(cfg, memberOpts)
        : spawnPaddock(cfg, opts.paddockServerPath, opts.paddockNodeArgs);
    procs.set(id, proc);
    return proc;
  };
  for (const id of ids) spawnMember(id);
  const stopAll = async () => {
    await Promise.all([...procs.values()].map((p) => stopProcess(p, STOP_GRACE_MS)));
    rmSync(dir, { recursive: true, force: true });
  };
  const modeOf = async (id: number): Promise<string | undefined> => {
    try {
      return /^Mode: (\w+)/m.exec(
        await fourLetterWord("127.0.0.1", ports.get(id)!.client, "srvr", 1000),
      )?.[1];
    } catch {
      return undefined;
    }
  };
  const members: EnsembleMember[] = ids.map((id) => ({
    id,
    clientPort: ports.get(id)!.client,
    peerPort: ports.get(id)!.peer,
    electionPort: ports.get(id)!.election,
    pid: () => procs.get(id)?.child.pid,
    kill: async (signal) => {
      const proc = procs.get(id)!;
      proc.child.kill(signal);
      if (signal === "SIGKILL" || signal === "SIGTERM") await proc.exited;
    },
    restart: async () => {
      spawnMember(id);
      const until = Date.now() + opts.readyTimeoutMs;
      while (Date.now() < until && (await modeOf(id)) === undefined)
        await new Promise((r) => setTimeout(r, 100));
    },
  }));
  const leader = async () => {
    for (const m of members) if ((await modeOf(m.id)) === "leader") return m;
    return undefined;
  };
  const until = Date.now() + opts.readyTimeoutMs;
  for (;;) {
    const modes = await Promise.all(ids.map(modeOf));
    if (modes.every((m) => m !== undefined) && modes.filter((m) => m === "leader").length === 1) break;
    const gone = ids.find((id) => {
      const child = procs.get(id)!.child;
      return child.exitCode !== null || child.signalCode !== null;
    });
    if (gone !== undefined) {
      const out = procs.get(gone)!.output().slice(-3000);
      await stopAll();
      throw new MemberExitedError(`${kind} ensemble member ${gone} exited during start-up:\n${out}`);
    }
    if (Date.now() > until) {
      const out = [...procs.values()].map((p) => p.output().slice(-1500)).join("\n---\n");
      await stopAll();
      throw new Error(`${kind} ensemble did not elect a leader (modes ${modes.join(", ")}):\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    kind,
    topology,
    connectString: ids.map((id) => `127.0.0.1:${ports.get(id)!.client}`).join(","),
    dataDirs: ids.map((id) => join(dir, String(id))),
    cpuSeconds: () => [...procs.values()].reduce((sum, p) => sum + processCpuSeconds(p.child.pid), 0),
    version: async () => {
      const srvr = await fourLetterWord("127.0.0.1", ports.get(1)!.client, "srvr", 2000);
      const version = /^Zookeeper version: ([^,\n]+)/m.exec(srvr)?.[1] ?? "unknown";
      return version.replace(/-\$\{[^}]*\}/g, "");
    },
    output: () => [...procs.values()].map((p) => p.output()).join("\n"),
    stop: stopAll,
    members,
    leader,
  };
}

interface StandaloneServer {
  port: number;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

async function launchStandalone(kind: ServerKind, opts: LaunchOptions): Promise<StandaloneServer> {
  let lastOutput = "";
  // A port free when probed can be taken before the server binds it: retry on another.
  for (let attempt = 0; attempt < LAUNCH_ATTEMPTS; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), `paddock-bench-${kind}-`));
    const dataDir = join(dir, "data");
    mkdirSync(dataDir, { recursive: true });
    const port = await freePort();
    const cfgPath = join(dir, "zoo.cfg");
    writeFileSync(
      cfgPath,
      [...standaloneCfgLines(opts.tickTimeMs, dataDir, port), ...opts.extraCfg, ""].join("\n"),
    );
    const proc =
      kind === "zookeeper"
        ? spawnZookeeper(cfgPath, opts)
        : spawnPaddock(cfgPath, opts.paddockServerPath, opts.paddockNodeArgs);
    const stop = async () => {
      await stopProcess(proc, STOP_GRACE_MS);
      rmSync(dir, { recursive: true, force: true });
    };
    if (await waitForImok(proc, "127.0.0.1", port, opts.readyTimeoutMs, showsMode)) {
      return { port, dataDir, child: proc.child, output: proc.output, stop };
    }
    lastOutput = proc.output();
    await stop();
  }
  throw new Error(`${kind} did not start; last output:\n${lastOutput.slice(-4000)}`);
}

function spawnZookeeper(cfgPath: string, opts: LaunchOptions): Proc {
  return startProcess(
    "java",
    zookeeperJavaArgs(cfgPath, {
      heapMb: opts.zookeeperHeapMb,
      fixedHeap: true,
      systemProperties: opts.zookeeperSystemProperties,
    }),
  );
}

function spawnPaddock(cfgPath: string, serverPath: string, nodeArgs: readonly string[] = []): Proc {
  // Same log threshold as ZooKeeper gets above, so neither pays for per-connection info lines.
  // Launched as the image and `npm start` launch it; --paddock-node-arg flags come after and win.
  return startProcess(process.execPath, [...SERVER_NODE_FLAGS, ...nodeArgs, serverPath, cfgPath], {
    ...process.env,
    // BENCH_PADDOCK_LOG_LEVEL=info shows what a benchmark's servers did (e.g. how a learner synced).
    PADDOCK_LOG_LEVEL: process.env.BENCH_PADDOCK_LOG_LEVEL ?? "warn",
    PADDOCK_LOG_PRETTY: "",
  });
}

/** Whether any transaction log file (`log.*`) under dir has data: evidence the server persisted writes. */
/** A standalone zoo.cfg for a benchmark server, valid for Paddock and ZooKeeper alike. */
export function standaloneCfgLines(tickTimeMs: number, dataDir: string, port: number): string[] {
  return [
    `tickTime=${tickTimeMs}`,
    `dataDir=${dataDir}`,
    `clientPort=${port}`,
    "clientPortAddress=127.0.0.1",
    "4lw.commands.whitelist=*",
    "admin.enableServer=false",
    // One machine opens every client connection; lift the per-IP cap (60) on both.
    "maxClientCnxns=0",
  ];
}

/** Every file under `dir`, at any depth, with its name and path; nothing if `dir` is missing. */
function* filesUnder(dir: string): Generator<{ name: string; path: string }> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile()) yield { name: entry.name, path };
  }
}

export function hasTxnLog(dir: string): boolean {
  for (const f of filesUnder(dir)) if (f.name.startsWith("log.") && statSync(f.path).size > 0) return true;
  return false;
}

/** Snapshot files a server wrote in `dir` (unfinished ones left out) and the largest one's size. */
export function snapshotsIn(dir: string): { count: number; largestBytes: number } {
  let count = 0;
  let largestBytes = 0;
  for (const f of filesUnder(dir)) {
    if (!f.name.startsWith("snapshot.") || f.name.endsWith(".tmp")) continue;
    count++;
    largestBytes = Math.max(largestBytes, statSync(f.path).size);
  }
  return { count, largestBytes };
}

/** The znode count `mntr` reports (zk_znode_count), undefined when the server does not answer. */
export async function znodeCountAt(host: string, port: number): Promise<number | undefined> {
  try {
    const mntr = await fourLetterWord(host, port, "mntr", 5000);
    const m = /^zk_znode_count\s+(\d+)/m.exec(mntr);
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

let clockTicksPerSec: number | undefined;

/** utime + stime of a process from /proc, in seconds; 0 where /proc is unavailable. */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name (which may contain spaces): state is
    // field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    clockTicksPerSec ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSec;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Process plumbing (processes.ts); the benchmark's own port range

export const freePort: () => Promise<number> = portAllocator(BENCH_PORT_MIN, BENCH_PORT_MAX, 53);
/** A JVM under load may take a while to flush and exit on SIGTERM. */
const STOP_GRACE_MS = 10_000;
