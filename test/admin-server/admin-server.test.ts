// The AdminServer in an ensemble (answers compared with captures of a real ZooKeeper 3.8.0
// ensemble's AdminServer, in zookeeper-3.8.0/), while not serving, and with its port taken.
import { readFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { join } from "node:path";
import { ZooKeeperClient } from "@paddock/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PADDOCK_MNTR_COUNTERS } from "../../packages/server/src/admin/mntr.js";
import { Ensemble } from "../support/ensemble.js";
import { startPaddock } from "../support/paddock.js";
import { fourLetterWord, freePort } from "../support/process.js";
import { shapeOf, sortedShape } from "./shape.js";

const CAPTURES = join(import.meta.dirname, "zookeeper-3.8.0");

function captured(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(CAPTURES, file), "utf8")) as Record<string, unknown>;
}

async function command(port: number, name: string): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${port}/commands/${name}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe("AdminServer in a 3-server ensemble", () => {
  let ensemble: Ensemble;
  let leaderId: number;

  beforeAll(async () => {
    ensemble = await Ensemble.create({ size: 3, adminServer: true });
    // One server alone cannot serve: the commands that need a data tree say so.
    ensemble.start(1);
    const admin1 = ensemble.node(1).adminPort!;
    for (let i = 0; i < 100; i++) {
      try {
        await fetch(`http://127.0.0.1:${admin1}/commands/ruok`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }, 30_000);

  afterAll(async () => {
    await ensemble?.destroy();
  });

  it("while electing: ZooKeeper's not-serving error, and zabstate without a peer", async () => {
    const port = ensemble.node(1).adminPort!;
    expect(await command(port, "ruok")).toEqual({
      command: "ruok",
      error: "This ZooKeeper instance is not currently serving requests",
    });
    // The error names the command as it was asked, alias included.
    expect((await command(port, "srvr")).command).toBe("srvr");
    expect(await command(port, "zabstate")).toEqual({
      voting: false,
      zabstate: "",
      command: "zabstate",
      error: null,
    });
    expect((await command(port, "gtmk")).tracemask).toBe(306);
  });

  it("serving: leader, zabstate, voting_view, observers and monitor have ZooKeeper's shape", async () => {
    ensemble.start(2);
    ensemble.start(3);
    leaderId = await ensemble.waitForQuorum(30_000);
    const followerId = [1, 2, 3].find((id) => id !== leaderId)!;
    const leaderPort = ensemble.node(leaderId).adminPort!;
    const followerPort = ensemble.node(followerId).adminPort!;

    const lead = await command(leaderPort, "leader");
    expect(lead).toMatchObject({ is_leader: true, leader_id: leaderId, leader_ip: "127.0.0.1" });
    expect(shapeOf(lead)).toEqual(shapeOf(captured("leader-leader.json")));
    const follow = await command(followerPort, "lead");
    expect(follow).toMatchObject({ is_leader: false, leader_id: leaderId, command: "leader" });
    expect(shapeOf(follow)).toEqual(shapeOf(captured("follower-leader.json")));

    const zab = await command(leaderPort, "zabstate");
    expect(zab).toMatchObject({ myid: leaderId, is_leader: true, voting: true, zabstate: "broadcast" });
    expect(sortedShape(shapeOf(zab))).toEqual(sortedShape(shapeOf(captured("leader-zabstate.json"))));
    expect(Object.keys(zab)).toEqual(Object.keys(captured("leader-zabstate.json")));
    const fzab = await command(followerPort, "zabstate");
    expect(fzab).toMatchObject({ myid: followerId, is_leader: false, zabstate: "broadcast" });
    expect(sortedShape(shapeOf(fzab))).toEqual(sortedShape(shapeOf(captured("follower-zabstate.json"))));

    const view = await command(leaderPort, "voting_view");
    expect(Object.keys(view.current_config as object)).toEqual(["1", "2", "3"]);
    expect(shapeOf(view)).toEqual(shapeOf(captured("leader-voting_view.json")));
    expect(shapeOf(await command(leaderPort, "observers"))).toEqual(
      shapeOf(captured("leader-observers.json")),
    );

    for (const [port, file] of [
      [leaderPort, "leader-monitor.json"],
      [followerPort, "follower-monitor.json"],
    ] as const) {
      const ours = await command(port, "monitor");
      const theirs = captured(file);
      // Paddock's own counters are the only keys ZooKeeper does not have.
      const own: readonly string[] = PADDOCK_MNTR_COUNTERS;
      expect(Object.keys(ours).filter((k) => !(k in theirs) && !own.includes(k))).toEqual([]);
      for (const [k, v] of Object.entries(ours)) {
        expect([k, typeof v]).toEqual([k, own.includes(k) ? "number" : typeof theirs[k]]);
      }
    }
    const monitor = await command(leaderPort, "monitor");
    expect(monitor).toMatchObject({
      server_state: "leader",
      peer_state: "leading - broadcast",
      quorum_size: 3,
    });
    expect(monitor.synced_followers).toBe(2);

    // The quorum metrics are measured: an election, and a write through a follower.
    const c = new ZooKeeperClient({
      connectString: ensemble.node(followerId).connectString,
      sessionTimeoutMs: 30_000,
    });
    await c.connect();
    await c.create("/metered", "x");
    await c.close();
    const leaderMonitor = await command(leaderPort, "monitor");
    expect(leaderMonitor.cnt_election_time).toBeGreaterThanOrEqual(1);
    expect(leaderMonitor.looking_count).toBeGreaterThanOrEqual(1);
    expect(leaderMonitor.commit_count).toBeGreaterThanOrEqual(1);
    expect(leaderMonitor.proposal_count).toBeGreaterThanOrEqual(1);
    const followerMonitor = await command(followerPort, "monitor");
    expect(followerMonitor.learner_proposal_received_count).toBeGreaterThanOrEqual(1);
    expect(followerMonitor.learner_commit_received_count).toBeGreaterThanOrEqual(1);
    expect(followerMonitor.cnt_propagation_latency).toBeGreaterThanOrEqual(1);
    expect(followerMonitor.commit_count).toBe(0);

    const stats = await command(leaderPort, "server_stats");
    expect(stats.proposal_stats).toBeDefined();
    expect((await command(followerPort, "server_stats")).proposal_stats).toBeUndefined();
  }, 60_000);
});

describe("AdminServer port already taken", () => {
  let blocker: Server;

  beforeAll(async () => {
    blocker = createServer();
  });

  afterAll(() => {
    blocker.close();
  });

  it("logs ZooKeeper's message and keeps serving clients", async () => {
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, "127.0.0.1", r));
    const server = await startPaddock({
      extraCfg: ["admin.enableServer=true", "admin.serverAddress=127.0.0.1", `admin.serverPort=${port}`],
    });
    try {
      expect(await fourLetterWord(server.host, server.port, "ruok")).toBe("imok");
      expect(server.output()).toContain(
        `Problem starting AdminServer on address 127.0.0.1, port ${port} and command URL /commands`,
      );
      expect(server.output()).toContain("EADDRINUSE");
    } finally {
      await server.stop();
    }
  });

  it("admin.idleTimeout closes an idle keep-alive connection, as Jetty's idle timeout does", async () => {
    const port = await freePort();
    const server = await startPaddock({
      extraCfg: [
        "admin.enableServer=true",
        "admin.serverAddress=127.0.0.1",
        `admin.serverPort=${port}`,
        "admin.idleTimeout=400",
      ],
    });
    try {
      const socket = connect(port, "127.0.0.1");
      let received = "";
      socket.on("data", (d) => {
        received += d.toString();
      });
      const closed = new Promise<number>((resolve) => socket.on("close", () => resolve(Date.now())));
      await new Promise((r) => socket.once("connect", r));
      const sentMs = Date.now();
      socket.write("GET /commands/ruok HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
      const closedMs = await closed;
      expect(received).toMatch(/^HTTP\/1\.1 200/);
      // Kept open after the answer, then closed once idle for about 400 ms (not 30 s).
      expect(closedMs - sentMs).toBeGreaterThanOrEqual(300);
      expect(closedMs - sentMs).toBeLessThan(5000);
    } finally {
      await server.stop();
    }
  });

  it("admin.enableServer=false binds nothing; a custom command URL moves the commands", async () => {
    const port = await freePort();
    const off = await startPaddock({ extraCfg: [`admin.serverPort=${port}`] });
    try {
      await expect(fetch(`http://127.0.0.1:${port}/commands/ruok`)).rejects.toThrow();
    } finally {
      await off.stop();
    }
    const on = await startPaddock({
      extraCfg: [
        "admin.enableServer=true",
        "admin.serverAddress=127.0.0.1",
        `admin.serverPort=${port}`,
        "admin.commandURL=/zk",
      ],
    });
    try {
      expect((await command(port, "../zk/ruok")).command).toBe("ruok");
      expect((await fetch(`http://127.0.0.1:${port}/commands/ruok`)).status).toBe(404);
    } finally {
      await on.stop();
    }
  });
});

describe("AdminServer with an observer", () => {
  let ensemble: Ensemble;

  afterAll(async () => {
    await ensemble?.destroy();
  });

  it("the leader lists the synced observer; voting_view and zabstate mark it", async () => {
    ensemble = await Ensemble.create({ size: 4, observers: 1, adminServer: true });
    ensemble.startAll();
    const leaderId = await ensemble.waitForQuorum(30_000);
    const leaderPort = ensemble.node(leaderId).adminPort!;
    let observers: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) {
      observers = await command(leaderPort, "observers");
      if (observers.synced_observers === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(observers.synced_observers).toBe(1);
    expect(observers.observers).toEqual([{ sid: 4, last_zxid: expect.any(Number) }]);
    const view = (await command(leaderPort, "voting_view")).current_config as Record<
      string,
      { learner_type: string }
    >;
    expect(view["4"]?.learner_type).toBe("observer");
    const observerPort = ensemble.node(4).adminPort!;
    const zab = await command(observerPort, "zabstate");
    expect(zab).toMatchObject({ myid: 4, is_leader: false, voting: false });
    expect((await command(leaderPort, "monitor")).synced_observers).toBe(1);
  }, 60_000);
});
