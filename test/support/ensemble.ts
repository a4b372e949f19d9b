// Launches a replicated Paddock ensemble: N processes of dist/paddock-server.mjs on loopback,
// each with its own zoo.cfg + myid, ports taken from 26000–26999 (our range for ensemble tests).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { PADDOCK_SERVER_PATH, paddockBuilt } from "./paddock.js";
import { fourLetterWord, makeTempDir, type StartedProcess, startProcess, stopProcess } from "./process.js";

// Each of vitest's concurrent workers (VITEST_POOL_ID 1..maxWorkers, 2 in vitest.config.ts) takes
// ports from a slice of its own. Over one shared range, a port a test freed by killing a server
// could be handed to another worker's ensemble before the test restarted that server on it
// (seen once in CI: peer-fuzz's restarted leader found its election port taken).
const RANGE_MIN = 26000;
const RANGE_MAX = 26999;
const WORKER_SLICES = 2;
const SLICE_PORTS = Math.floor((RANGE_MAX - RANGE_MIN + 1) / WORKER_SLICES);
const slice = (Math.max(1, Number.parseInt(process.env.VITEST_POOL_ID ?? "", 10) || 1) - 1) % WORKER_SLICES;
const PORT_MIN = RANGE_MIN + slice * SLICE_PORTS;
const PORT_MAX = PORT_MIN + SLICE_PORTS - 1;
let nextPort = PORT_MIN + ((process.pid * 131) % SLICE_PORTS);

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ port, host: "127.0.0.1", exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

async function ensemblePort(): Promise<number> {
  for (let i = 0; i <= PORT_MAX - PORT_MIN; i++) {
    const port = nextPort;
    nextPort = nextPort >= PORT_MAX ? PORT_MIN : nextPort + 1;
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${PORT_MIN}-${PORT_MAX}`);
}

export type NodeMode = "leader" | "follower" | "observer" | "read-only" | "not serving" | "down";

export interface EnsembleNode {
  id: number;
  clientPort: number;
  peerPort: number;
  electionPort: number;
  dir: string;
  connectString: string;
  /** The HTTP AdminServer's port, when the ensemble runs with `adminServer`. */
  adminPort: number | undefined;
  proc: StartedProcess | undefined;
}

export interface EnsembleOptions {
  size: number;
  /** The last `observers` ids are observers. */
  observers?: number;
  tickTimeMs?: number;
  initLimit?: number;
  syncLimit?: number;
  extraCfg?: string[];
  /** Runs each node's AdminServer on loopback, on a port of its own (EnsembleNode.adminPort). */
  adminServer?: boolean;
  /** The host of each server line (default 127.0.0.1); 127.0.0.N keeps every server on loopback. */
  hostOf?: (id: number) => string;
  /** zoo.cfg lines for one server only. */
  extraCfgOf?: (id: number) => string[];
  /**
   * The ids whose server lines a server's zoo.cfg holds (default: every node). A server waiting
   * to be added by a reconfig knows the ensemble and itself; the ensemble does not know it yet.
   */
  membersOf?: (id: number) => number[];
  /** Server lines with their client part (`;127.0.0.1:<clientPort>`), as reconfig wants them. */
  clientPartInServerLines?: boolean;
  /** The server bundle to run (default dist/paddock-server.mjs), e.g. the image's. */
  serverPath?: string;
}

export class Ensemble {
  readonly nodes: EnsembleNode[] = [];

  private constructor(
    readonly root: string,
    readonly opts: EnsembleOptions,
  ) {}

  static async create(opts: EnsembleOptions): Promise<Ensemble> {
    if (!paddockBuilt()) throw new Error(`${PADDOCK_SERVER_PATH} is missing: run npm run build`);
    const e = new Ensemble(makeTempDir("paddock-ensemble"), opts);
    for (let id = 1; id <= opts.size; id++) {
      const clientPort = await ensemblePort();
      const peerPort = await ensemblePort();
      const electionPort = await ensemblePort();
      const adminPort = opts.adminServer === true ? await ensemblePort() : undefined;
      const dir = join(e.root, `n${id}`);
      e.nodes.push({
        id,
        clientPort,
        peerPort,
        electionPort,
        dir,
        connectString: `127.0.0.1:${clientPort}`,
        adminPort,
        proc: undefined,
      });
    }
    e.writeConfigs();
    return e;
  }

  /** zoo.cfg and myid of every node, from the options (rewritten before a restart picks them up). */
  rewriteConfigs(): void {
    this.writeConfigs();
  }

  private writeConfigs(): void {
    for (const n of this.nodes)
      this.writeConfig(n.id, this.opts.membersOf?.(n.id) ?? this.nodes.map((m) => m.id));
  }

  /**
   * Writes one node's zoo.cfg (and myid) with the server lines of `members`: e.g. a server removed
   * by a reconfig, restarted with the ensemble plus itself to be added again.
   */
  writeConfig(id: number, members: number[]): void {
    const observers = this.opts.observers ?? 0;
    const n = this.node(id);
    const serverLines = members.map((m) => this.serverLine(m));
    mkdirSync(join(n.dir, "data"), { recursive: true });
    writeFileSync(join(n.dir, "data", "myid"), `${n.id}\n`);
    const lines = [
      `tickTime=${this.opts.tickTimeMs ?? 200}`,
      `initLimit=${this.opts.initLimit ?? 10}`,
      `syncLimit=${this.opts.syncLimit ?? 5}`,
      `dataDir=${join(n.dir, "data")}`,
      `clientPort=${n.clientPort}`,
      "clientPortAddress=127.0.0.1",
      "4lw.commands.whitelist=*",
      ...(n.adminPort === undefined
        ? ["admin.enableServer=false"]
        : ["admin.enableServer=true", "admin.serverAddress=127.0.0.1", `admin.serverPort=${n.adminPort}`]),
      "preAllocSize=1024",
      ...(n.id > this.opts.size - observers ? ["peerType=observer"] : []),
      ...(this.opts.extraCfg ?? []),
      ...(this.opts.extraCfgOf?.(n.id) ?? []),
      ...serverLines,
      "",
    ];
    writeFileSync(join(n.dir, "zoo.cfg"), lines.join("\n"));
  }

  /** `server.N=...` of a node as its zoo.cfg (and a reconfig joining it) spells it. */
  serverLine(id: number): string {
    const n = this.node(id);
    const role = id > this.opts.size - (this.opts.observers ?? 0) ? ":observer" : "";
    const client = this.opts.clientPartInServerLines === true ? `;127.0.0.1:${n.clientPort}` : "";
    return `server.${id}=${this.opts.hostOf?.(id) ?? "127.0.0.1"}:${n.peerPort}:${n.electionPort}${role}${client}`;
  }

  /** Every client address, for a client that should fail over among them. */
  get connectString(): string {
    return this.nodes.map((n) => n.connectString).join(",");
  }

  node(id: number): EnsembleNode {
    const n = this.nodes.find((x) => x.id === id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  start(id: number): void {
    const n = this.node(id);
    if (n.proc !== undefined && n.proc.child.exitCode === null && n.proc.child.signalCode === null) return;
    const serverPath = this.opts.serverPath ?? PADDOCK_SERVER_PATH;
    n.proc = startProcess(process.execPath, [serverPath, join(n.dir, "zoo.cfg")], {
      ...process.env,
      PADDOCK_LOG_PRETTY: "",
    });
  }

  startAll(): void {
    for (const n of this.nodes) this.start(n.id);
  }

  /** SIGKILL (default) or another signal; resolves once the process is gone. */
  async kill(id: number, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const n = this.node(id);
    const proc = n.proc;
    if (proc === undefined) return;
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill(signal);
      await proc.exited;
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => (n.proc === undefined ? undefined : stopProcess(n.proc, 3000))));
  }

  async destroy(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        if (n.proc !== undefined && n.proc.child.exitCode === null) {
          n.proc.child.kill("SIGKILL");
          await n.proc.exited;
        }
      }),
    );
    rmSync(this.root, { recursive: true, force: true });
  }

  isAlive(id: number): boolean {
    const p = this.node(id).proc;
    return p !== undefined && p.child.exitCode === null && p.child.signalCode === null;
  }

  async mode(id: number): Promise<NodeMode> {
    if (!this.isAlive(id)) return "down";
    const n = this.node(id);
    try {
      const out = await fourLetterWord("127.0.0.1", n.clientPort, "srvr", 1000);
      const m = /^Mode: ([\w-]+)/m.exec(out);
      if (m === null) return "not serving";
      return m[1] as NodeMode;
    } catch {
      return "not serving";
    }
  }

  async modes(ids?: number[]): Promise<Map<number, NodeMode>> {
    const out = new Map<number, NodeMode>();
    const asked = ids ?? this.nodes.map((n) => n.id);
    await Promise.all(asked.map(async (id) => out.set(id, await this.mode(id))));
    return out;
  }

  /**
   * Waits until every live node (or those in `ids`, looking at no other) serves, exactly one
   * as leader, and returns the leader's id.
   */
  async waitForQuorum(timeoutMs = 20_000, ids?: number[]): Promise<number> {
    const until = Date.now() + timeoutMs;
    let last = new Map<number, NodeMode>();
    while (Date.now() < until) {
      // Only the watched servers: a paused (SIGSTOP) one would hold every poll for a second.
      last = await this.modes(ids);
      const watched = ids ?? this.nodes.filter((n) => this.isAlive(n.id)).map((n) => n.id);
      const leaders = [...last].filter(([, m]) => m === "leader").map(([id]) => id);
      const allServing = watched.every((id) => ["leader", "follower", "observer"].includes(last.get(id)!));
      if (leaders.length === 1 && allServing) return leaders[0]!;
      await new Promise((r) => setTimeout(r, 100));
    }
    const dump = this.nodes.map((n) => `--- node ${n.id}\n${n.proc?.output().slice(-3000) ?? ""}`).join("\n");
    throw new Error(`no single serving leader within ${timeoutMs} ms: ${JSON.stringify([...last])}\n${dump}`);
  }

  output(id: number): string {
    return this.node(id).proc?.output() ?? "";
  }
}
