// ZooKeeper -> Paddock -> ZooKeeper with real servers: Apache ZooKeeper 3.8 is filled with every
// kind of node, stopped, its files imported (`paddock-server import-zk`), Paddock started on
// them, and the whole tree (data, every Stat field, every ACL) compared with what ZooKeeper
// served; a client's session and its ephemerals carry over. Then `export-zk` writes Paddock's
// state back and ZooKeeper must serve it unchanged, with its own digest check passing.
//
// PADDOCK_MIGRATE_ZNODES sets the bulk size (default 5000; the issue's 100k run:
// PADDOCK_MIGRATE_ZNODES=100000).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateMode, digestId, fourLetterWord, Ops, Perms, ZooKeeperClient } from "@paddock/client";
import { afterAll, describe, expect, it } from "vitest";
import { adler32 } from "../../packages/server/src/migrate/zookeeper-format/adler32.js";
import { paddockBuilt } from "../support/paddock.js";
import { freePort, SUPER_AUTH } from "../support/process.js";
import { skipWithoutZookeeper } from "../support/zookeeper.js";
import { type KeptServer, paddockServerCommand, startPaddockIn, startZooKeeperIn } from "./servers.js";
import { diffDumps, dumpTree } from "./tree-dump.js";

const BULK = Number(process.env.PADDOCK_MIGRATE_ZNODES ?? 5_000);
/** Small, so ZooKeeper snapshots several times while the tree is filled (fuzzy snapshots). */
const SNAP_COUNT = Math.max(1000, Math.floor(BULK / 8));
const ZK_CFG = [`snapCount=${SNAP_COUNT}`, "forceSync=no", "preAllocSize=4096", "autopurge.purgeInterval=0"];

const skip = skipWithoutZookeeper() || (!paddockBuilt() && process.env.CI !== "true");

async function connect(connectString: string, sessionTimeoutMs = 30_000): Promise<ZooKeeperClient> {
  const c = new ZooKeeperClient({ connectString, sessionTimeoutMs });
  await c.connect();
  return c;
}

async function inBatches<T>(
  items: readonly T[],
  size: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

const DIGEST_ACL = { perms: Perms.ALL, id: { scheme: "digest", id: digestId("mig:secret") } };

/** Every kind of node, ACLs, a quota, multis, deletes; the bulk under /bulk. */
async function fill(zk: ZooKeeperClient, owner: ZooKeeperClient, shortLived: ZooKeeperClient): Promise<void> {
  await zk.create("/mig", "root of the kinds");
  await zk.create("/mig/persistent", Buffer.from([0, 1, 2, 255]));
  await zk.create("/mig/null-data", null);
  await zk.create("/mig/empty-data", "");
  for (let i = 0; i < 3; i++)
    await zk.create("/mig/seq-", `s${i}`, { mode: CreateMode.PersistentSequential });
  await zk.create("/mig/container", "c", { mode: CreateMode.Container });
  await zk.create("/mig/container/kid", "k");
  await zk.create("/mig/ttl", "t", { mode: CreateMode.PersistentWithTtl, ttlMs: 3_600_000 });
  await zk.create("/mig/ttl-seq-", "t", { mode: CreateMode.PersistentSequentialWithTtl, ttlMs: 7_200_000 });
  // Ephemerals of a session that stays open across the migration, and of one that closes.
  await owner.create("/mig/eph", "e", { mode: CreateMode.Ephemeral });
  await owner.create("/mig/eph-seq-", "e", { mode: CreateMode.EphemeralSequential });
  await shortLived.create("/mig/gone", "g", { mode: CreateMode.Ephemeral });
  // ACLs: read-only world, digest, ip, several entries; setACL bumps aversion.
  await zk.create("/mig/acl-read", "r", {
    acl: [{ perms: Perms.READ, id: { scheme: "world", id: "anyone" } }],
  });
  await zk.create("/mig/acl-digest", "d", { acl: [DIGEST_ACL] });
  await zk.create("/mig/acl-ip", "i", {
    acl: [
      { perms: Perms.READ | Perms.WRITE, id: { scheme: "ip", id: "127.0.0.1" } },
      { perms: Perms.READ, id: { scheme: "ip", id: "10.0.0.0/8" } },
      { perms: Perms.ADMIN, id: { scheme: "world", id: "anyone" } },
    ],
  });
  await zk.setACL("/mig/acl-read", [
    { perms: Perms.READ | Perms.CREATE, id: { scheme: "world", id: "anyone" } },
  ]);
  // Versions, cversion != numChildren, pzxid of a delete.
  for (let i = 0; i < 5; i++) await zk.setData("/mig/persistent", `v${i}`);
  await zk.create("/mig/churn");
  for (let i = 0; i < 4; i++) await zk.create(`/mig/churn/c${i}`);
  await zk.delete("/mig/churn/c1");
  await zk.delete("/mig/churn/c3");
  // A multi that commits and one that fails (an error txn).
  await zk.multi([
    Ops.create("/mig/multi", "m"),
    Ops.setData("/mig/persistent", "from multi"),
    Ops.delete("/mig/churn/c0"),
  ]);
  await expect(
    zk.multi([Ops.create("/mig/never", "x"), Ops.delete("/mig/does-not-exist")]),
  ).rejects.toThrow();
  // A quota as zkCli's setquota writes it, then nodes below it.
  await zk.create("/mig/quota");
  await zk.create("/zookeeper/quota/mig");
  await zk.create("/zookeeper/quota/mig/quota");
  await zk.create("/zookeeper/quota/mig/quota/zookeeper_limits", "count=1000,bytes=-1");
  await zk.create("/zookeeper/quota/mig/quota/zookeeper_stats", "count=0,bytes=0");
  for (let i = 0; i < 10; i++) await zk.create(`/mig/quota/q${i}`, "x".repeat(i * 10));
  await zk.setData("/mig/quota/q1", "grown to forty bytes of data............");
  await zk.delete("/mig/quota/q9");
  // A node near jute.maxbuffer.
  await zk.create("/mig/big", Buffer.alloc(900 * 1024, 7));
  // The bulk: 100 directories, data of varying size.
  await zk.create("/bulk");
  const dirs = Array.from({ length: 100 }, (_, i) => `/bulk/d${String(i).padStart(2, "0")}`);
  await inBatches(dirs, 100, (d) => zk.create(d));
  const nodes = Array.from({ length: BULK }, (_, i) => `${dirs[i % dirs.length]}/n${i}`);
  await inBatches(nodes, 1000, (p) =>
    zk.create(p, p.length % 3 === 0 ? null : `data of ${p}`.repeat((p.length % 5) + 1)),
  );
  // Some churn in the bulk after the fuzzy snapshots started.
  await inBatches(nodes.slice(0, Math.floor(BULK / 20)), 500, (p) => zk.setData(p, "changed"));
  await inBatches(nodes.slice(BULK - Math.floor(BULK / 50)), 500, (p) => zk.delete(p));
  await shortLived.close();
}

/** ZooKeeper's zk_digest_mismatches_count (mntr is retried until it answers in full). */
async function digestMismatches(port: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const m = /^zk_digest_mismatches_count\t(\d+)$/m.exec(await fourLetterWord("127.0.0.1", port, "mntr"));
    if (m !== null) return Number(m[1]);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`mntr on ${port} never reported zk_digest_mismatches_count`);
}

/** The snapshot's trailing digest record plus one, its final seal recomputed. */
function withDigestOffByOne(snapshot: Buffer): Buffer {
  const sealBytes = 8 + 4 + 1;
  const out = Buffer.from(snapshot);
  const digestAt = out.length - sealBytes - 8;
  out.writeBigInt64BE(out.readBigInt64BE(digestAt) + 1n, digestAt);
  out.writeBigUInt64BE(BigInt(adler32(out.subarray(0, out.length - sealBytes))), out.length - sealBytes);
  return out;
}

function countFiles(dir: string, prefix: string): number {
  return readdirSync(dir).filter((n) => n.startsWith(prefix)).length;
}

describe.skipIf(skip)(`migration between ZooKeeper 3.8 and Paddock (${BULK} bulk znodes)`, () => {
  const base = mkdtempSync(join(tmpdir(), "paddock-migrate-"));
  const running: KeptServer[] = [];
  const clients: ZooKeeperClient[] = [];
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    for (const s of running) await s.stop().catch(() => {});
    rmSync(base, { recursive: true, force: true });
  });

  async function superClient(connectString: string): Promise<ZooKeeperClient> {
    const c = await connect(connectString);
    await c.addAuth("digest", SUPER_AUTH);
    clients.push(c);
    return c;
  }

  it("imports every node, Stat, ACL and session, and exports them back", async () => {
    const timings: Record<string, number> = {};
    const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const t0 = Date.now();
      try {
        return await fn();
      } finally {
        timings[name] = Date.now() - t0;
      }
    };
    const port = await freePort();
    const zkDir = join(base, "zk");
    const zk = await time("zk start", () => startZooKeeperIn(zkDir, port, ZK_CFG));
    running.push(zk);
    const admin = await superClient(zk.connectString);
    const owner = await connect(zk.connectString, 40_000);
    clients.push(owner);
    const shortLived = await connect(zk.connectString);
    await time("fill", () => fill(admin, owner, shortLived));
    const served = await time("dump zk", () => dumpTree(admin));
    expect(served.get("/mig/eph")?.stat.ephemeralOwner).toBe(owner.sessionId);
    expect(served.has("/mig/gone")).toBe(false);
    expect(served.get("/zookeeper/quota/mig/quota/zookeeper_stats")?.data).toBe(
      Buffer.from("count=10,bytes=390").toString("hex"),
    );
    await admin.close();
    await zk.stop();
    running.splice(running.indexOf(zk), 1);
    const zkVersion2 = join(zkDir, "data", "version-2");
    expect(countFiles(zkVersion2, "snapshot.")).toBeGreaterThan(1);
    expect(countFiles(zkVersion2, "log.")).toBeGreaterThan(1);

    // Pointed at ZooKeeper's dataDir, Paddock refuses in one line and touches nothing.
    const refused = paddockServerCommand([join(zkDir, "zoo.cfg")]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is an Apache ZooKeeper (txn log|snapshot), not a Paddock file/);
    expect(refused.stderr).toContain("paddock-server import-zk");
    expect(refused.stderr).not.toMatch(/\n\s+at /);

    const pdDir = join(base, "paddock");
    const imported = paddockServerCommand(["import-zk", join(zkDir, "data"), join(pdDir, "data")]);
    timings.import = imported.ms;
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/imported \d+ znodes and 1 session\(s\) at zxid 0x/);
    expect(imported.stdout).toMatch(/[1-9]\d* digest\(s\) checked/);

    // Same port: the owner's client reconnects and resumes its session on Paddock.
    const pd = await time("paddock start", () => startPaddockIn(pdDir, port));
    running.push(pd);
    const pdAdmin = await superClient(pd.connectString);
    await expect.poll(() => owner.state, { timeout: 20_000 }).toBe("connected");
    const owned = [...served].filter(([, n]) => n.stat.ephemeralOwner === owner.sessionId).map(([p]) => p);
    expect(owned).toHaveLength(2);
    expect((await owner.getEphemerals("/mig")).sort()).toEqual(owned.sort());
    const importedTree = await time("dump paddock", () => dumpTree(pdAdmin));
    expect(diffDumps(served, importedTree)).toEqual([]);

    // Paddock takes writes on top, then goes back to ZooKeeper.
    await pdAdmin.create("/mig/after-import", "p");
    await pdAdmin.setData("/mig/persistent", "written by Paddock");
    await pdAdmin.create("/mig/quota/q-new", "12345");
    await owner.create("/mig/eph-2", "", { mode: CreateMode.Ephemeral });
    // The session ends on Paddock: its ephemerals go with it, and the export carries that.
    await owner.close();
    const beforeExport = await dumpTree(pdAdmin);
    expect(beforeExport.has("/mig/eph")).toBe(false);
    await pdAdmin.close();
    await pd.stop();
    running.splice(running.indexOf(pd), 1);

    const zk2Dir = join(base, "zk2");
    const exported = paddockServerCommand(["export-zk", join(pdDir, "data"), join(zk2Dir, "data")]);
    timings.export = exported.ms;
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);
    // The control, kept aside before ZooKeeper rewrites the snapshot on start: the same file
    // with its digest off by one must make ZooKeeper count a mismatch.
    const zk3Dir = join(base, "zk3");
    const snapName = readdirSync(join(zk2Dir, "data", "version-2")).find((n) =>
      /^snapshot\.[0-9a-f]+$/.test(n),
    )!;
    mkdirSync(join(zk3Dir, "data", "version-2"), { recursive: true });
    writeFileSync(
      join(zk3Dir, "data", "version-2", snapName),
      withDigestOffByOne(readFileSync(join(zk2Dir, "data", "version-2", snapName))),
    );
    const zk2Port = await freePort();
    const zk2 = await time("zk2 start", () => startZooKeeperIn(zk2Dir, zk2Port, ZK_CFG));
    running.push(zk2);
    expect(await digestMismatches(zk2.port)).toBe(0);
    const zk2Admin = await superClient(zk2.connectString);
    const back = await dumpTree(zk2Admin);
    expect(diffDumps(beforeExport, back)).toEqual([]);
    await zk2Admin.close();
    await zk2.stop();
    running.splice(running.indexOf(zk2), 1);

    const zk3 = await startZooKeeperIn(zk3Dir, await freePort(), ZK_CFG);
    running.push(zk3);
    expect(await digestMismatches(zk3.port)).toBe(1);
    console.log(
      `migration (${served.size} znodes): ${Object.entries(timings)
        .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
        .join(", ")}`,
    );
  }, 600_000);
});
