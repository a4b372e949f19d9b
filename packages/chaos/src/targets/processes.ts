// Local processes of dist/paddock-server.mjs on loopback. Partitions need network namespaces,
// which plain processes do not have, so this target does not offer them.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FaultName, Target } from "./target.js";

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
  ) {
    super();
  }

  supports(fault: FaultName): boolean {
    return (
      fault === "kill-leader" ||
      fault === "kill-random" ||
      fault === "pause-leader" ||
      fault === "kill-all-but-one"
    );
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
    const servers = ports.map((p, i) => `server.${i + 1}=127.0.0.1:${p.peer}:${p.election}`);
    for (let id = 1; id <= this.size; id++) {
      const dir = join(this.root, `n${id}`);
      mkdirSync(join(dir, "data"), { recursive: true });
      writeFileSync(join(dir, "data", "myid"), `${id}\n`);
      const cfg = [
        `tickTime=${this.tickTimeMs}`,
        "initLimit=10",
        "syncLimit=5",
        `dataDir=${join(dir, "data")}`,
        `clientPort=${ports[id - 1]!.client}`,
        "clientPortAddress=127.0.0.1",
        "4lw.commands.whitelist=*",
        "admin.enableServer=false",
        "preAllocSize=1024",
        // A server cut off from its quorum serves the workload's read-only clients, if any.
        "readonlymode.enabled=true",
        ...servers,
        "",
      ];
      writeFileSync(join(dir, "zoo.cfg"), cfg.join("\n"));
      this.nodes.push({
        id,
        clientPort: ports[id - 1]!.client,
        dir,
        child: undefined,
        exited: undefined,
        log: "",
      });
    }
    for (const id of this.ids) await this.restart(id);
  }

  private alive(n: LocalNode): boolean {
    return n.child !== undefined && n.child.exitCode === null && n.child.signalCode === null;
  }

  async restart(id: number): Promise<void> {
    const n = this.node(id);
    if (this.alive(n)) return;
    const child = spawn(process.execPath, [this.serverPath, join(n.dir, "zoo.cfg")], {
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
