// Read-only mode on a real 3-server ensemble (SIGKILLed members, fsync'd logs). What goes beyond
// ZooKeeper: a read-only server serves only txns it saw committed, never one it logged but whose
// commit it never saw (the next quorum may truncate it); and the mode stays off unless asked for.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { ZooKeeperClient } from "@paddock/client";
import { afterEach, describe, expect, it } from "vitest";
import { Ensemble } from "../support/ensemble.js";
import { PADDOCK_SERVER_PATH } from "../support/paddock.js";
import { fourLetterWord } from "../support/process.js";

const PADDOCK_CLI = join(PADDOCK_SERVER_PATH, "..", "paddock-cli.mjs");
const run = promisify(execFile);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

const isro = async (port: number) => (await fourLetterWord("127.0.0.1", port, "isro", 1000)).trim();

describe("read-only mode (Paddock)", () => {
  let ens: Ensemble | undefined;
  const clients: ZooKeeperClient[] = [];
  const client = (port: number, canBeReadOnly: boolean, connectTimeoutMs = 15_000) => {
    const c = new ZooKeeperClient({
      connectString: `127.0.0.1:${port}`,
      canBeReadOnly,
      connectTimeoutMs,
      reconnectDelayMs: 50,
    });
    clients.push(c);
    return c;
  };

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
    await ens?.destroy();
    ens = undefined;
  });

  it("serves only the committed prefix: a txn the leader logged but never saw committed stays invisible", {
    timeout: 90_000,
  }, async () => {
    ens = await Ensemble.create({ size: 3, extraCfg: ["readonlymode.enabled=true"] });
    ens.startAll();
    const leaderId = await ens.waitForQuorum();
    const leader = ens.node(leaderId);
    const writer = client(leader.clientPort, false);
    await writer.connect();
    await writer.create("/seen", "committed");

    // The followers freeze (SIGSTOP keeps their sockets open, so the leader notices only after
    // syncLimit); the leader still takes the next write and logs it, but no quorum will ever
    // acknowledge it. Then the followers die.
    const followers = ens.nodes.filter((n) => n.id !== leaderId);
    for (const n of followers) n.proc?.child.kill("SIGSTOP");
    const lost = writer.create("/unseen", "logged, never committed").then(
      () => "acknowledged",
      (e: Error) => e.name,
    );
    await waitFor("the old leader serves read-only", async () => (await isro(leader.clientPort)) === "ro");
    expect(await lost).not.toBe("acknowledged");
    await Promise.all(followers.map((n) => ens!.kill(n.id)));

    const ro = client(leader.clientPort, true);
    await ro.connect();
    expect(ro.readOnly).toBe(true);
    expect((await ro.getData("/seen")).data?.toString()).toBe("committed");
    expect(await ro.exists("/unseen")).toBeNull();
    expect((await ro.getChildren("/")).sort()).toEqual(["seen", "zookeeper"]);
    // paddock-cli -r, as zkCli.sh -r: reads from the read-only server, writes refused.
    const cli = (...args: string[]) =>
      run(process.execPath, [PADDOCK_CLI, "-server", `127.0.0.1:${leader.clientPort}`, "-r", ...args], {
        timeout: 20_000,
      }).then(
        (r) => r.stdout + r.stderr,
        (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
      );
    expect(await cli("get", "/seen")).toContain("committed");
    expect(await cli("create", "/from-cli", "x")).toMatch(/NotReadOnly|Not a read-only call/);

    // The txn was logged: back in a quorum with one follower (whose vote must go to the longer
    // history: two of three elect, so both must agree), the new epoch commits it. Read-only mode
    // had held it back, not lost it. (With both followers back they might elect each other
    // first and truncate it, which ZAB allows.)
    const [first] = followers as [(typeof followers)[0]];
    ens.start(first.id);
    await ens.waitForQuorum(30_000, [leaderId, first.id]);
    await waitFor("the read-only client moves to a read-write server", async () => !ro.readOnly, 60_000);
    expect((await ro.getData("/unseen")).data?.toString()).toBe("logged, never committed");
  });

  it("is off unless readonlymode.enabled: the survivor serves no one", { timeout: 60_000 }, async () => {
    ens = await Ensemble.create({ size: 3 });
    ens.startAll();
    await ens.waitForQuorum();
    const survivor = ens.node(1);
    await Promise.all([ens.kill(2), ens.kill(3)]);
    await waitFor("the survivor stops serving", async () => (await ens!.mode(1)) === "not serving");
    // Past ZooKeeper's grace period (2 s), still nothing.
    await sleep(3000);
    expect(await isro(survivor.clientPort)).toBe("null");
    const ro = client(survivor.clientPort, true, 1500);
    await expect(ro.connect()).rejects.toMatchObject({ name: "ConnectionLossError" });
  });
});
