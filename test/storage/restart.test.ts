// A Paddock process restarted on the same data directory: what was acknowledged is there, the
// sequence counters go on, sessions survive, and a session that expired while the server was
// down loses its ephemerals once its timeout passes after the restart.
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CreateMode, ZooKeeperClient } from "@paddock/client";
import { afterEach, describe, expect, it } from "vitest";
import { type RestartablePaddock, startPaddockIn } from "../support/paddock.js";
import { freePort, makeTempDir } from "../support/process.js";

const dirs: string[] = [];
const servers: RestartablePaddock[] = [];
const clients: ZooKeeperClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => {});
  for (const s of servers.splice(0)) await s.kill().catch(() => {});
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(dir: string, port: number, extraCfg: string[] = []): Promise<RestartablePaddock> {
  const s = await startPaddockIn(dir, port, { extraCfg });
  servers.push(s);
  return s;
}

async function client(
  s: RestartablePaddock,
  opts: { sessionTimeoutMs?: number; sessionId?: bigint; sessionPassword?: Buffer } = {},
) {
  const c = new ZooKeeperClient({ connectString: s.connectString, sessionTimeoutMs: 30_000, ...opts });
  clients.push(c);
  await c.connect();
  return c;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe("restart on the same data directory", () => {
  it("keeps acknowledged znodes, sequence counters, sessions and their ephemerals across SIGKILL", async () => {
    const dir = makeTempDir("paddock-restart");
    dirs.push(dir);
    const port = await freePort();
    // A small snapCount makes the server snapshot and roll its log during the test, so recovery
    // goes through snapshot + log replay, not the log alone.
    let s = await start(dir, port, ["snapCount=40"]);
    const a = await client(s);
    await a.create("/r", "root");
    for (let i = 0; i < 100; i++) await a.create("/r/n-", `v${i}`, { mode: CreateMode.PersistentSequential });
    await a.create("/e", "mine", { mode: CreateMode.Ephemeral });
    await a.setData("/r", "changed");
    const { sessionId, sessionPassword } = a;
    const snapshotsBefore = readdirSync(join(s.dataDir, "version-2")).filter((f) =>
      f.startsWith("snapshot."),
    );
    expect(snapshotsBefore.length).toBeGreaterThan(0);

    await s.kill("SIGKILL");
    await a.close().catch(() => {});
    s = await start(dir, port, ["snapCount=40"]);

    const b = await client(s);
    expect((await b.getChildren("/r")).length).toBe(100);
    expect((await b.getData("/r")).data?.toString()).toBe("changed");
    expect((await b.getData("/r/n-0000000099")).data?.toString()).toBe("v99");
    // The parent's creation counter was recovered: numbers are never reused.
    expect(await b.create("/r/n-", "", { mode: CreateMode.PersistentSequential })).toBe("/r/n-0000000100");
    // The session is still alive, and so is its ephemeral.
    expect((await b.exists("/e"))?.ephemeralOwner).toBe(sessionId);
    const resumed = await client(s, { sessionId, sessionPassword });
    expect(resumed.sessionId).toBe(sessionId);
    expect(await resumed.getEphemerals("/")).toEqual(["/e"]);
  });

  it("expires, after the restart, a session whose client went away while the server was down", async () => {
    const dir = makeTempDir("paddock-restart");
    dirs.push(dir);
    const port = await freePort();
    let s = await start(dir, port);
    const a = await client(s, { sessionTimeoutMs: 4000 });
    await a.create("/gone", "", { mode: CreateMode.Ephemeral });
    await s.kill("SIGKILL");
    await a.close().catch(() => {});

    s = await start(dir, port);
    const b = await client(s);
    // Right after the restart the session exists again, with its full timeout ahead of it.
    expect(await b.exists("/gone")).not.toBeNull();
    const startedMs = Date.now();
    expect(await waitFor(async () => (await b.exists("/gone")) === null, 15_000)).toBe(true);
    // Expiry comes from the restarted tracker: not before the 4 s timeout.
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(3000);
  });

  it("refuses to start on a txn log damaged in the middle, naming the file and offset", async () => {
    const dir = makeTempDir("paddock-restart");
    dirs.push(dir);
    const port = await freePort();
    const s = await start(dir, port, ["preAllocSize=1"]);
    const a = await client(s);
    for (let i = 0; i < 20; i++) await a.create(`/n${i}`, "x".repeat(100));
    await s.stop();
    await a.close().catch(() => {});
    const logDir = join(s.dataDir, "version-2");
    const segment = readdirSync(logDir).find((f) => f.startsWith("log."));
    expect(segment).toBeDefined();
    const { openSync, writeSync, closeSync, statSync } = await import("node:fs");
    const path = join(logDir, segment!);
    // Flip a byte a third of the way in: damage with intact records after it is corruption, not
    // a torn tail, and must stop the server.
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.from([0xff]), 0, 1, Math.floor(statSync(path).size / 3));
    closeSync(fd);
    await expect(start(dir, port)).rejects.toThrow(
      new RegExp(`${segment!.replace(".", "\\.")}.*offset|offset.*${segment!.replace(".", "\\.")}`, "s"),
    );
    expect(existsSync(path)).toBe(true);
  });
});
