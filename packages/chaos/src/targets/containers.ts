// A docker-compose (v1) project from deploy/docker-compose.<n>.yml. kill = docker kill (SIGKILL),
// pause = docker pause (cgroup freezer), partitions = moving containers off the compose network
// onto per-side networks where they keep their service names as DNS aliases.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type FaultName, Target } from "./target.js";

const run = promisify(execFile);

async function freeHostPort(): Promise<number> {
  // The published ports bind every interface, so probe 0.0.0.0 in our 27000–27999 range.
  for (let i = 0; i < 1000; i++) {
    const port = 27000 + ((process.pid * 13 + i * 7 + Math.floor(Math.random() * 1000)) % 1000);
    const ok = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once("error", () => resolve(false));
      probe.listen({ port, host: "0.0.0.0", exclusive: true }, () => probe.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error("no free host port in 27000-27999");
}

export function defaultComposeFile(size: number): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, "..", "deploy", `docker-compose.${size}.yml`),
    join(here, "..", "..", "..", "..", "deploy", `docker-compose.${size}.yml`),
    join(process.cwd(), "deploy", `docker-compose.${size}.yml`),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`docker-compose.${size}.yml not found: ${candidates.join(", ")}`);
  return found;
}

/** Why Docker cannot be used here, or undefined when it can. */
export async function dockerUnavailable(): Promise<string | undefined> {
  try {
    await run("docker", ["info", "--format", "{{.ServerVersion}}"], { timeout: 20_000 });
  } catch (e) {
    return `docker engine not usable: ${(e as Error).message.split("\n")[0]}`;
  }
  try {
    await run("docker-compose", ["version", "--short"], { timeout: 20_000 });
  } catch {
    return "docker-compose (v1) is not installed";
  }
  return undefined;
}

export class ContainerTarget extends Target {
  readonly name = "containers" as const;
  private ports: number[] = [];
  private partitionNets: string[] = [];
  private upCalled = false;

  constructor(
    readonly size: number,
    readonly project = `paddockchaos${process.pid}`,
    private readonly composeFile = defaultComposeFile(size),
  ) {
    super();
  }

  /** A project someone else brought up (e.g. testcontainers), with its published client ports. */
  static attach(size: number, project: string, ports: number[], composeFile?: string): ContainerTarget {
    const t = new ContainerTarget(size, project, composeFile ?? defaultComposeFile(size));
    t.ports = [...ports];
    return t;
  }

  supports(_fault: FaultName): boolean {
    return true;
  }

  clientAddress(id: number): { host: string; port: number } {
    const port = this.ports[id - 1];
    if (port === undefined) throw new Error(`no node ${id}`);
    return { host: "127.0.0.1", port };
  }

  container(id: number): string {
    return `${this.project}_zoo${id}_1`;
  }

  private get network(): string {
    return `${this.project}_default`;
  }

  async compose(args: string[]): Promise<string> {
    // A server cut off from its quorum serves the workload's read-only clients, if any.
    const env: NodeJS.ProcessEnv = { ...process.env, ZOO_CFG_EXTRA: "readonlymode.enabled=true" };
    this.ports.forEach((p, i) => {
      env[`PADDOCK_ZOO${i + 1}_PORT`] = String(p);
    });
    const { stdout } = await run("docker-compose", ["-p", this.project, "-f", this.composeFile, ...args], {
      env,
      timeout: 180_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  }

  private async docker(args: string[]): Promise<string> {
    const { stdout } = await run("docker", args, { timeout: 60_000 });
    return stdout;
  }

  async start(): Promise<void> {
    this.ports = [];
    for (let i = 0; i < this.size; i++) {
      let p = await freeHostPort();
      while (this.ports.includes(p)) p = await freeHostPort();
      this.ports.push(p);
    }
    this.upCalled = true;
    await this.compose(["up", "-d", "--no-build"]);
  }

  async kill(id: number): Promise<void> {
    await this.docker(["kill", "--signal", "KILL", this.container(id)]).catch(() => undefined);
  }

  async restart(id: number): Promise<void> {
    await this.docker(["start", this.container(id)]);
  }

  async pause(id: number): Promise<void> {
    await this.docker(["pause", this.container(id)]);
  }

  async unpause(id: number): Promise<void> {
    await this.docker(["unpause", this.container(id)]);
  }

  /**
   * The largest group stays on the compose network, so its members keep their addresses and
   * published ports; every other group moves to a network of its own. A node in two groups (a
   * bridge) stays where it is and also joins the other side's network.
   */
  async partition(groups: number[][]): Promise<void> {
    const sorted = [...groups].sort((a, b) => b.length - a.length);
    const stay = new Set(sorted[0] ?? []);
    const moved = new Set<number>();
    for (const [i, group] of sorted.slice(1).entries()) {
      const net = `${this.project}_side${i}`;
      await this.docker(["network", "create", net]);
      this.partitionNets.push(net);
      for (const id of group) {
        await this.docker(["network", "connect", "--alias", `zoo${id}`, net, this.container(id)]);
        if (!stay.has(id)) moved.add(id);
      }
    }
    for (const id of moved) await this.docker(["network", "disconnect", this.network, this.container(id)]);
  }

  async heal(): Promise<void> {
    for (const id of this.ids) {
      const nets = await this.docker([
        "inspect",
        "-f",
        "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
        this.container(id),
      ]);
      if (!nets.split(/\s+/).includes(this.network)) {
        await this.docker(["network", "connect", "--alias", `zoo${id}`, this.network, this.container(id)]);
      }
    }
    for (const net of this.partitionNets) {
      for (const id of this.ids) {
        await this.docker(["network", "disconnect", "--force", net, this.container(id)]).catch(
          () => undefined,
        );
      }
      await this.docker(["network", "rm", net]).catch(() => undefined);
    }
    this.partitionNets = [];
  }

  async logs(): Promise<string> {
    return this.compose(["logs", "--no-color", "--tail=50"]).catch((e: Error) => e.message);
  }

  /** Undoes every fault; takes the project down only if start() brought it up. */
  async destroy(): Promise<void> {
    for (const id of this.ids) await this.docker(["unpause", this.container(id)]).catch(() => undefined);
    await this.heal().catch(() => undefined);
    if (this.upCalled) await this.compose(["down", "-v", "--timeout", "5"]).catch(() => undefined);
  }
}
