// The 3-server compose ensemble from deploy/docker-compose.3.yml, brought up by testcontainers
// (docker-compose v1), hurt with Docker: kill -9 and pause of the leader, a node partitioned away
// and healed, a restart of every node, then short chaos runs of the partition faults (the
// process suite covers kill and pause). With CI=true a missing Docker fails the suite.
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { ContainerTarget, type FaultName, formatReport, runChaos } from "@paddock/chaos";
import { CreateMode, ZooKeeperClient } from "@paddock/client";
import { DockerComposeEnvironment, type StartedDockerComposeEnvironment, Wait } from "testcontainers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerForSuite } from "../support/docker.js";

process.env.TESTCONTAINERS_RYUK_DISABLED = "true";

const repoRoot = join(import.meta.dirname, "..", "..");
const long = process.env.PADDOCK_CHAOS_LONG === "1";

const { skip, unavailable } = dockerForSuite("chaos container tests", { compose: true });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries a write until one is acknowledged; returns how long that took. */
async function timeUntilWrite(
  c: ZooKeeperClient,
  path: string,
  fromMs: number,
  timeoutMs = 60_000,
): Promise<number> {
  for (;;) {
    try {
      await c.create(path, "x");
      return Date.now() - fromMs;
    } catch (e) {
      if (Date.now() - fromMs > timeoutMs) throw e;
      await sleep(50);
    }
  }
}

describe.skipIf(skip)("chaos against the 3-server compose ensemble", () => {
  const project = `paddockchaos${process.pid}`;
  let env: StartedDockerComposeEnvironment | undefined;
  let target: ContainerTarget;
  let client: ZooKeeperClient;
  /** Every znode whose create was acknowledged, to find after the full restart. */
  const acked: string[] = [];
  const clients: ZooKeeperClient[] = [];

  async function open(connectString = target.connectString): Promise<ZooKeeperClient> {
    const c = new ZooKeeperClient({
      connectString,
      sessionTimeoutMs: 10_000,
      reconnectDelayMs: 50,
      connectTimeoutMs: 60_000,
    });
    clients.push(c);
    await c.connect();
    return c;
  }

  async function writeSome(tag: string, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const p = await client.create(`/acked/${tag}-`, tag, { mode: CreateMode.PersistentSequential });
      acked.push(p);
    }
  }

  beforeAll(async () => {
    if (unavailable !== undefined) throw new Error(`CI=true but Docker is unusable: ${unavailable}`);
    if (spawnSync("docker", ["image", "inspect", "paddock:latest"], { stdio: "ignore" }).status !== 0) {
      execFileSync(join(repoRoot, "deploy", "build-image.sh"), { stdio: "inherit", timeout: 280_000 });
    }
    // Published ports from our own range (test/support/process.ts); the file's defaults
    // (2181-2183) may be in use.
    const ports = [29901, 29902, 29903].map((p) => p - (process.pid % 30) * 3);
    env = await new DockerComposeEnvironment(join(repoRoot, "deploy"), "docker-compose.3.yml")
      .withProjectName(project)
      .withEnvironment(Object.fromEntries(ports.map((p, i) => [`PADDOCK_ZOO${i + 1}_PORT`, String(p)])))
      .withClientOptions({ executable: { standalone: true, executablePath: "docker-compose" } })
      .withDefaultWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(120_000)
      .up();
    const mapped = [1, 2, 3].map((i) => env!.getContainer(`${project}_zoo${i}_1`).getMappedPort(2181));
    target = ContainerTarget.attach(3, project, mapped);
    await target.waitForQuorum(60_000);
    client = await open();
    await client.create("/acked");
    await writeSome("start", 20);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await target?.destroy();
    await env?.down({ removeVolumes: true, timeout: 5000 });
  }, 120_000);

  it("kill -9 of the leader container: writes resume, the node rejoins and catches up", {
    timeout: 120_000,
  }, async () => {
    const leader = await target.waitForQuorum();
    const t0 = Date.now();
    await target.kill(leader);
    const recoveryMs = await timeUntilWrite(client, "/after-kill", t0);
    acked.push("/after-kill");
    console.log(
      `[chaos containers] kill -9 leader zoo${leader}: writes acknowledged again after ${recoveryMs} ms`,
    );
    expect(recoveryMs).toBeLessThan(30_000);
    const newLeader = await target.waitForQuorum(
      30_000,
      target.ids.filter((i) => i !== leader),
    );
    expect(newLeader).not.toBe(leader);
    await writeSome("killed", 10);
    await target.restart(leader);
    await target.waitForQuorum(60_000);
    const back = await open(`127.0.0.1:${target.clientAddress(leader).port}`);
    await back.sync("/acked");
    expect((await back.getChildren("/acked")).length).toBe(acked.length - 1);
    await back.close();
  });

  it("pausing the leader container: the others elect a leader and take writes; it rejoins", {
    timeout: 120_000,
  }, async () => {
    const leader = await target.waitForQuorum();
    const t0 = Date.now();
    await target.pause(leader);
    try {
      const recoveryMs = await timeUntilWrite(client, "/after-pause", t0);
      acked.push("/after-pause");
      console.log(
        `[chaos containers] pause leader zoo${leader}: writes acknowledged again after ${recoveryMs} ms`,
      );
      expect(recoveryMs).toBeLessThan(30_000);
      await writeSome("paused", 10);
    } finally {
      await target.unpause(leader);
    }
    await target.waitForQuorum(60_000);
    expect(await target.mode(leader)).toBe("follower");
  });

  it("a node partitioned away stops serving, the rest go on, and it catches up once healed", {
    timeout: 120_000,
  }, async () => {
    const leader = await target.waitForQuorum();
    const isolated = target.ids.find((i) => i !== leader)!;
    await target.partition([[isolated], target.ids.filter((i) => i !== isolated)]);
    try {
      const t0 = Date.now();
      const ms = await timeUntilWrite(client, "/during-partition", t0);
      acked.push("/during-partition");
      console.log(`[chaos containers] isolate zoo${isolated}: a write acknowledged ${ms} ms after the cut`);
      await writeSome("partitioned", 10);
      // The lone node notices it lost the leader (syncLimit x tickTime) and stops serving.
      const cutMs = Date.now();
      let mode = await target.mode(isolated);
      while (mode === "follower" && Date.now() - cutMs < 30_000) {
        await sleep(200);
        mode = await target.mode(isolated);
      }
      console.log(
        `[chaos containers] isolated zoo${isolated} stopped serving (${mode}) after ${Date.now() - t0} ms`,
      );
      expect(["not serving", "down"]).toContain(mode);
    } finally {
      await target.heal();
    }
    await target.waitForQuorum(60_000);
    const healed = await open(`127.0.0.1:${target.clientAddress(isolated).port}`);
    await healed.sync("/acked");
    expect(await healed.exists("/during-partition")).not.toBeNull();
    expect((await healed.getChildren("/acked")).length).toBe(
      acked.filter((p) => p.startsWith("/acked/")).length,
    );
    await healed.close();
  });

  it.each([
    ["partition-one", 31],
    ["partition-majority", 32],
    ["bridge", 33],
    ...(long
      ? ([
          ["kill-leader", 34],
          ["pause-leader", 35],
          ["kill-random", 36],
          ["kill-all-but-one", 37],
        ] as const)
      : []),
  ] as [FaultName, number][])(
    "a short %s chaos run passes every check",
    { timeout: 120_000 },
    async (fault, seed) => {
      const report = await runChaos(target, {
        fault,
        seed,
        durationMs: long ? 30_000 : 7000,
        // Longer than syncLimit x tickTime (4 s in the compose files), so a cut-off node really
        // drops out and has to rejoin after the heal.
        faultMs: 5000,
        quietMs: 1000,
        clients: 4,
        readOnlyClients: 2,
        root: `/chaos-${fault}`,
      });
      const text = formatReport(report);
      console.log(text);
      expect(report.windows.length).toBeGreaterThanOrEqual(1);
      for (const c of report.checks) expect(c.passed, `${c.name}: ${c.detail}\n${text}`).toBe(true);
      expect(report.appends.acknowledged).toBeGreaterThan(20);
    },
  );

  it("after every node restarts (kill -9 all, start all), every acknowledged znode is there", {
    timeout: 150_000,
  }, async () => {
    expect(acked.length).toBeGreaterThan(50);
    await Promise.all(target.ids.map((id) => target.kill(id)));
    await Promise.all(target.ids.map((id) => target.restart(id)));
    await target.waitForQuorum(90_000);
    const c = await open();
    await c.sync("/");
    const missing: string[] = [];
    for (const p of acked) if ((await c.exists(p)) === null) missing.push(p);
    expect(missing).toEqual([]);
  });
});
