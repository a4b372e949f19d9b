// Local processes of dist/paddock-server.mjs on loopback. Partitions need network namespaces,
// which plain processes do not have, so this target does not offer them.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ZooKeeperClient } from "@paddock/client";
import { SERVER_NODE_FLAGS } from "@paddock/server/node-flags";
import { type FaultName, type MembershipChange, type Reconfigurable, Target } from "./target.js";

const PORT_MIN = 27000;
const PORT_MAX = 27999;
let nextPort = PORT_MIN + ((process.pid * 97) % (PORT_MAX - PORT_MIN + 1));

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ port, host: "127.0.0.1", exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  for (let i = 0; i <= PORT_MAX - PORT_MIN; i++) {
    const port = nextPort;
    nextPort = nextPort >= PORT_MAX ? PORT_MIN : nextPort + 1;
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${PORT_MIN}-${PORT_MAX}`);
}

/** dist/paddock-server.mjs next to the bundled chaos command, or from the source tree. */
export function defaultServerPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, "paddock-server.mjs"),
    join(here, "..", "..", "..", "..", "dist", "paddock-server.mjs"),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined)
    throw new Error(`paddock-server.mjs not found (run npm run build): ${candidates.join(", ")}`);
  return found;
}

interface LocalNode {
  id: number;
  clientPort: number;
  peerPort: number;
  electionPort: number;
  dir: string;
  child: ChildProcess | undefined;
  exited: Promise<void> | undefined;
  log: string;
}

const liveChildren = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of liveChildren) c.kill("SIGKILL");
});

export class ProcessTarget extends Target {
  readonly name = "processes" as const;
  private readonly nodes: LocalNode[] = [];
  private root = "";

  constructor(
    readonly size: number,
    private readonly serverPath = defaultServerPath(),
    private readonly tickTimeMs = 200,
    /**
     * With spares, the ensemble runs with reconfigEnabled (and skipACL) and its last `spares`
     * nodes start outside it, as servers waiting to be added (the reconfig nemesis adds them).
     */
    private readonly spares = 0,
  ) {
    super();
  }

  supports(fault: FaultName): boolean {
    return (
      fault === "kill-leader" ||
      fault === "kill-random" ||
      fault === "pause-leader" ||
      fault === "kill-all-but-one" ||
      (fault === "reconfig" && this.spares > 0)
    );
  }

  override reconfigurable(): Reconfigurable | undefined {
    if (this.spares === 0) return undefined;
    return {
      currentConfig: () => this.withClient(async (c) => (await c.getConfig()).data?.toString("utf8") ?? ""),
      reconfigure: (change) => this.withClient((c) => this.sendReconfig(c, change)),
      serverLine: (id, role) => this.serverLine(id, role),
      rejoin: async (id, members) => {
        await this.kill(id);
        this.writeConfig(this.node(id), [
          ...members.filter((l) => !l.startsWith(`server.${id}=`)),
          this.serverLine(id, "participant"),
        ]);
        await this.restart(id);
      },
    };
  }

  private async sendReconfig(c: ZooKeeperClient, change: MembershipChange): Promise<string> {
    const r = await c.reconfig({
      ...(change.joining === undefined ? {} : { joining: change.joining }),
      ...(change.leaving === undefined ? {} : { leaving: change.leaving }),
    });
    return r.data?.toString("utf8") ?? "";
  }

  /** A short-lived session on any node; gives up after 15 s (the ensemble may be electing). */
  private async withClient<T>(work: (c: ZooKeeperClient) => Promise<T>): Promise<T> {
    const c = new ZooKeeperClient({ connectString: this.connectString, sessionTimeoutMs: 6000 });
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        (async () => {
          await c.connect();
          return work(c);
        })(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("no answer within 15 s")), 15_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      await c.close().catch(() => {});
    }
  }

  private serverLine(id: number, role: "participant" | "observer"): string {
    const n = this.node(id);
    return `server.${id}=127.0.0.1:${n.peerPort}:${n.electionPort}:${role};127.0.0.1:${n.clientPort}`;
  }

  private writeConfig(n: LocalNode, serverLines: string[]): void {
    const cfg = [
      `tickTime=${this.tickTimeMs}`,
      "initLimit=10",
      "syncLimit=5",
      `dataDir=${join(n.dir, "data")}`,
      `clientPort=${n.clientPort}`,
      "clientPortAddress=127.0.0.1",
      "4lw.commands.whitelist=*",
      "admin.enableServer=false",
      "preAllocSize=1024",
      // A server cut off from its quorum serves the workload's read-only clients, if any.
      "readonlymode.enabled=true",
      ...(this.spares > 0 ? ["reconfigEnabled=true", "skipACL=yes"] : []),
      ...serverLines,
      "",
    ];
    writeFileSync(join(n.dir, "zoo.cfg"), cfg.join("\n"));
  }

  clientAddress(id: number): { host: string; port: number } {
    return { host: "127.0.0.1", port: this.node(id).clientPort };
  }

  private node(id: number): LocalNode {
    const n = this.nodes[id - 1];
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  async start(): Promise<void> {
    this.root = mkdtempSync(join(tmpdir(), "paddock-chaos-"));
    const ports: { client: number; peer: number; election: number }[] = [];
    for (let id = 1; id <= this.size; id++) {
      ports.push({ client: await freePort(), peer: await freePort(), election: await freePort() });
    }
    for (let id = 1; id <= this.size; id++) {
      const dir = join(this.root, `n${id}`);
      mkdirSync(join(dir, "data"), { recursive: true });
      writeFileSync(join(dir, "data", "myid"), `${id}\n`);
      const p = ports[id - 1]!;
      this.nodes.push({
        id,
        clientPort: p.client,
        peerPort: p.peer,
        electionPort: p.election,
        dir,
        child: undefined,
        exited: undefined,
        log: "",
      });
    }
    const members = this.size - this.spares;
    const lineOf = (id: number) =>
      this.spares > 0
        ? this.serverLine(id, "participant")
        : `server.${id}=127.0.0.1:${this.node(id).peerPort}:${this.node(id).electionPort}`;
    const base = Array.from({ length: members }, (_, i) => lineOf(i + 1));
    for (const n of this.nodes) this.writeConfig(n, n.id <= members ? base : [...base, lineOf(n.id)]);
    for (const id of this.ids) await this.restart(id);
  }

  private alive(n: LocalNode): boolean {
    return n.child !== undefined && n.child.exitCode === null && n.child.signalCode === null;
  }

  async restart(id: number): Promise<void> {
    const n = this.node(id);
    if (this.alive(n)) return;
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, this.serverPath, join(n.dir, "zoo.cfg")], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PADDOCK_LOG_PRETTY: "" },
    });
    liveChildren.add(child);
    const keep = (c: Buffer) => {
      n.log = (n.log + c.toString("utf8")).slice(-32_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    n.child = child;
    n.exited = new Promise((resolve) =>
      child.once("exit", () => {
        liveChildren.delete(child);
        resolve();
      }),
    );
  }

  async kill(id: number): Promise<void> {
    const n = this.node(id);
    if (!this.alive(n)) return;
    // A stopped process must be continued to die promptly on some kernels; SIGKILL works anyway.
    n.child!.kill("SIGKILL");
    await n.exited;
  }

  async pause(id: number): Promise<void> {
    this.node(id).child?.kill("SIGSTOP");
  }

  async unpause(id: number): Promise<void> {
    this.node(id).child?.kill("SIGCONT");
  }

  async partition(): Promise<void> {
    throw new Error("partitions are not supported for local processes (no network namespaces)");
  }

  async heal(): Promise<void> {}

  output(id: number): string {
    return this.node(id).log;
  }

  async destroy(): Promise<void> {
    for (const n of this.nodes) {
      if (this.alive(n)) {
        n.child!.kill("SIGKILL");
        await n.exited;
      }
    }
    if (this.root !== "") rmSync(this.root, { recursive: true, force: true });
  }
}
