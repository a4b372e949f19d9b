// Dynamic membership end to end, on real processes: a 3-server ensemble grows to 5 by reconfig
// while it serves (the new servers start knowing the ensemble, which does not know them, and sync
// as non-voting followers first), keeps serving with two of its original servers SIGKILLed
// because the new ones now vote, refuses a shrink whose voters are not in sync, shrinks back to
// 3 (the removed servers stop serving), and a restarted member comes back with the config it
// wrote to zoo.cfg.dynamic.<version>.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCommandLine } from "@paddock/cli";
import { ZooKeeperClient } from "@paddock/client";
import { ErrorCode } from "@paddock/jute";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ensemble } from "../support/ensemble.js";
import { paddockBuilt } from "../support/paddock.js";
import { fourLetterWord } from "../support/process.js";

const ALL = [1, 2, 3, 4, 5];

async function configOf(e: Ensemble, id: number): Promise<string> {
  const c = new ZooKeeperClient({ connectString: e.node(id).connectString, sessionTimeoutMs: 4000 });
  try {
    await c.connect();
    await c.sync("/");
    return (await c.getConfig()).data?.toString("utf8") ?? "";
  } finally {
    await c.close().catch(() => {});
  }
}

function versionOf(config: string): string {
  return /^version=([0-9a-f]+)$/m.exec(config)?.[1] ?? "";
}

async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 15_000,
) {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < until) {
    try {
      last = await probe();
      if (ok(last)) return last;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: last seen ${JSON.stringify(last)}`);
}

// Real processes of the bundled server: without the bundle there is nothing to test, anywhere.
if (!paddockBuilt()) throw new Error("dist/paddock-server.mjs is missing: run npm run build");

describe("reconfig: 3 -> 5 -> 3 while serving", () => {
  let e: Ensemble;
  let admin: ZooKeeperClient;
  /** Given only server 1; follows the membership (Curator's EnsembleTracker). */
  let follower: ZooKeeperClient;

  beforeAll(async () => {
    e = await Ensemble.create({
      size: 5,
      tickTimeMs: 200,
      clientPartInServerLines: true,
      // Servers 4 and 5 know the ensemble and themselves; 1-3 know only 1-3.
      membersOf: (id) => (id <= 3 ? [1, 2, 3] : [1, 2, 3, id]),
      extraCfg: ["reconfigEnabled=true", "skipACL=yes"],
    });
    for (const id of [1, 2, 3]) e.start(id);
    await e.waitForQuorum(30_000, [1, 2, 3]);
    admin = new ZooKeeperClient({ connectString: e.connectString, sessionTimeoutMs: 6000 });
    await admin.connect();
    await admin.create("/before", "written by 3 servers");
    follower = new ZooKeeperClient({
      connectString: e.node(1).connectString,
      sessionTimeoutMs: 8000,
      followEnsemble: true,
    });
    await follower.connect();
  }, 60_000);

  afterAll(async () => {
    await admin?.close().catch(() => {});
    await follower?.close().catch(() => {});
    await e?.destroy();
  });

  it("adds two servers: every member activates the same config, written to zoo.cfg.dynamic.<version>", async () => {
    for (const id of [4, 5]) e.start(id);
    // Not yet members: they sync as non-voting followers of the current leader.
    await e.waitForQuorum(30_000, ALL);
    const before = await configOf(e, 1);
    expect(before).not.toMatch(/^server\.4=/m);
    const v0 = Number.parseInt(versionOf(before), 16);

    const added = await admin.reconfig({ joining: [e.serverLine(4), e.serverLine(5)], fromConfig: v0 });
    const text = added.data?.toString("utf8") ?? "";
    expect(text.split("\n").filter((l) => l.startsWith("server."))).toEqual(
      ALL.map((id) => `${e.serverLine(id).replace(/;127/, ":participant;127")}`),
    );
    const version = versionOf(text);
    expect(Number.parseInt(version, 16)).toBe(added.stat.mzxid);
    expect(added.stat.version).toBe(-1);

    for (const id of ALL) {
      await eventually(
        `server ${id} /zookeeper/config`,
        () => configOf(e, id),
        (c) => c === text,
      );
      const conf = await fourLetterWord("127.0.0.1", e.node(id).clientPort, "conf", 2000);
      expect(conf).toContain(`version=${version}`);
      expect(conf).toMatch(/^server\.5=/m);
    }
    const clientPorts = (ids: number[]) => ids.map((id) => e.node(id).clientPort).sort();
    await eventually(
      "the following client's server list",
      async () => follower.hosts.map((h) => h.port).sort(),
      (ports) => ports.join() === clientPorts(ALL).join(),
    );
    const dynamicFile = join(e.node(1).dir, `zoo.cfg.dynamic.${version}`);
    await eventually(
      "dynamic file",
      async () => existsSync(dynamicFile),
      (x) => x,
    );
    expect(readFileSync(join(e.node(1).dir, "zoo.cfg"), "utf8")).toContain(
      `dynamicConfigFile=${dynamicFile}`,
    );
    expect(readFileSync(join(e.node(1).dir, "zoo.cfg"), "utf8")).not.toMatch(/^server\./m);

    // A second reconfig from the old version is stale.
    await expect(admin.reconfig({ leaving: [5], fromConfig: v0 })).rejects.toMatchObject({
      code: ErrorCode.BadVersion,
    });
  }, 90_000);

  it("serves with two of the original three killed: the new servers vote", async () => {
    await e.kill(1);
    await e.kill(2);
    await e.waitForQuorum(30_000, [3, 4, 5]);
    const c = new ZooKeeperClient({ connectString: e.node(4).connectString, sessionTimeoutMs: 6000 });
    try {
      await c.connect();
      await c.create("/during", "3 of 5 alive");
      expect((await c.getData("/before")).data?.toString()).toBe("written by 3 servers");
    } finally {
      await c.close();
    }
    // Given only server 1, which is down now: it learnt the new members from the reconfig.
    const seen = await follower.retry(() => follower.getData("/during"));
    expect(seen.data?.toString()).toBe("3 of 5 alive");
    // Back to 1-3 only while 1 and 2 are down: the new voters in sync are not a quorum.
    await expect(admin.reconfig({ leaving: [4, 5] })).rejects.toMatchObject({
      code: ErrorCode.NewConfigNoQuorum,
    });
  }, 90_000);

  it("removes two servers again: they stop serving; a restarted member starts from its dynamic file", async () => {
    e.start(1);
    e.start(2);
    await e.waitForQuorum(30_000, ALL);
    // Through a server that stays: the reply of a removed one's client may never come.
    const stays = new ZooKeeperClient({ connectString: e.node(3).connectString, sessionTimeoutMs: 6000 });
    await stays.connect();
    const removed = await stays.reconfig({ leaving: "4,5" }).finally(() => stays.close());
    const text = removed.data?.toString("utf8") ?? "";
    expect(text).not.toMatch(/^server\.[45]=/m);
    for (const id of [4, 5]) {
      await eventually(
        `server ${id} stops serving`,
        () => e.mode(id),
        (m) => m === "not serving",
      );
      await eventually(
        `server ${id} says why`,
        async () => e.output(id),
        (o) => o.includes("removed from the ensemble"),
        5000,
      ).catch((err) => {
        for (const n of ALL) {
          const lines = e
            .output(n)
            .split("\n")
            .filter((l) => !l.includes("session"));
          console.log(`--- ${n}\n${lines.slice(-40).join("\n")}`);
        }
        throw err;
      });
    }
    await e.waitForQuorum(30_000, [1, 2, 3]);

    await e.kill(3);
    e.start(3);
    await e.waitForQuorum(30_000, [1, 2, 3]);
    expect(await configOf(e, 3)).toBe(text);
    expect(readFileSync(join(e.node(3).dir, "zoo.cfg"), "utf8")).toContain(
      `zoo.cfg.dynamic.${versionOf(text)}`,
    );
    const c = new ZooKeeperClient({ connectString: e.node(3).connectString, sessionTimeoutMs: 6000 });
    try {
      await c.connect();
      expect((await c.getData("/during")).data?.toString()).toBe("3 of 5 alive");
    } finally {
      await c.close();
    }
  }, 120_000);

  it("turns a participant into an observer and back", async () => {
    const c = new ZooKeeperClient({ connectString: e.node(1).connectString, sessionTimeoutMs: 6000 });
    await c.connect();
    try {
      const observer = e.serverLine(3).replace(/;127/, ":observer;127");
      // Through paddock-cli, as an operator types it.
      const cli = await runCommandLine(c, `reconfig -add ${observer}`);
      expect(cli.stderr).toBe("");
      expect(cli.stdout).toMatch(/^Committed new configuration:\n/);
      expect(cli.stdout).toContain(observer);
      await eventually(
        "server 3 observes",
        () => e.mode(3),
        (m) => m === "observer",
      );
      await c.create("/with-observer", "2 voters");
      const back = await c.reconfig({ joining: e.serverLine(3) });
      expect(back.data?.toString()).toMatch(/^server\.3=.*:participant;/m);
      await eventually(
        "server 3 votes again",
        () => e.mode(3),
        (m) => m === "follower" || m === "leader",
      );
    } finally {
      await c.close();
    }
  }, 60_000);

  it("removing the leader hands over to a successor; the old leader, restarted, is added back", async () => {
    const leader = await e.waitForQuorum(30_000, [1, 2, 3]);
    const others = [1, 2, 3].filter((id) => id !== leader);
    const c = new ZooKeeperClient({
      connectString: e.node(others[0]!).connectString,
      sessionTimeoutMs: 6000,
    });
    await c.connect();
    try {
      const started = Date.now();
      const removed = await c.reconfig({ leaving: leader });
      expect(removed.data?.toString()).not.toMatch(new RegExp(`^server\\.${leader}=`, "m"));
      const successor = await e.waitForQuorum(30_000, others);
      console.log(`leader ${leader} removed; ${successor} leads after ${Date.now() - started} ms`);
      await eventually(
        `server ${leader} stops serving`,
        () => e.mode(leader),
        (m) => m === "not serving",
      );
      await c.create("/after-handover", "");

      // As with ZooKeeper, its dynamic file no longer names it ("My id N not in the peer list"):
      // it restarts as a joiner does, knowing the ensemble and itself, and syncs as a non-voting
      // follower until a reconfig adds it again.
      await e.kill(leader);
      e.start(leader);
      await eventually(
        `server ${leader} refuses its own config`,
        async () => e.output(leader),
        (o) => o.includes(`My id ${leader} not in the peer list`),
      );
      await e.node(leader).proc?.exited;
      e.writeConfig(leader, [...others, leader]);
      e.start(leader);
      await eventually(
        `server ${leader} syncs`,
        () => e.mode(leader),
        (m) => m === "follower",
      ).catch((err) => {
        console.log(
          e
            .output(leader)
            .split("\n")
            .filter((l) => !l.includes("session"))
            .slice(-30)
            .join("\n"),
        );
        throw err;
      });
      const added = await c.reconfig({ joining: e.serverLine(leader) });
      expect(added.data?.toString()).toMatch(new RegExp(`^server\\.${leader}=`, "m"));
      await e.waitForQuorum(30_000, [1, 2, 3]);
      const cfg = await configOf(e, leader);
      expect(cfg).toBe(added.data?.toString());
    } finally {
      await c.close();
    }
  }, 90_000);
});
