// Our recipes and Apache Curator's in the same recipe, on Paddock and on Apache ZooKeeper 3.8:
// a Java process and this Node process contend for one InterProcessMutex and never hold it
// together; a Java LeaderLatch and ours elect exactly one leader; a service registered by either
// side is discovered by the other; counts, longs and queue messages written by one are read by
// the other.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateMode,
  DistributedAtomicLong,
  DistributedPriorityQueue,
  DistributedQueue,
  InterProcessMutex,
  isZooKeeperError,
  LeaderLatch,
  RetryNTimes,
  ServiceDiscovery,
  SharedCount,
  stringSerializer,
  ZooKeeperClient,
} from "../../packages/client/src/index.js";
import { startPaddock } from "../support/paddock.js";
import type { ServerHandle } from "../support/process.js";
import { skipWithoutZookeeper, startZookeeper } from "../support/zookeeper.js";
import { type CuratorPeer, skipWithoutCurator, startCuratorPeer } from "./curator-peer.js";

const skipCurator = skipWithoutCurator();
const targets: [string, () => Promise<ServerHandle>, boolean][] = [
  ["Paddock", () => startPaddock(), false],
  ["ZooKeeper 3.8", () => startZookeeper(), skipCurator || skipWithoutZookeeper()],
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skipCurator).each(targets)("Curator interop on %s", (_name, start, skipTarget) => {
  let server: ServerHandle;
  const clients: ZooKeeperClient[] = [];
  const peers: CuratorPeer[] = [];

  async function open(): Promise<ZooKeeperClient> {
    const c = new ZooKeeperClient({ connectString: server.connectString, sessionTimeoutMs: 10_000 });
    clients.push(c);
    await c.connect();
    return c;
  }

  function peer(args: string[]): CuratorPeer {
    const p = startCuratorPeer([args[0]!, server.connectString, ...args.slice(1)]);
    peers.push(p);
    return p;
  }

  beforeAll(async () => {
    if (!skipTarget) server = await start();
  }, 60_000);

  afterAll(async () => {
    for (const p of peers) p.kill();
    await Promise.all(peers.map((p) => p.exited));
    await Promise.all(clients.map((c) => c.close()));
    await server?.stop();
  });

  it.skipIf(skipTarget)(
    "InterProcessMutex: Java and Node never hold it together",
    { timeout: 60_000 },
    async () => {
      const c = await open();
      await c.create("/interop");
      await c.create("/interop/mutex");
      await c.create("/interop/mutex/log");
      const iterations = 15;
      const java = peer(["mutex", "/interop/mutex/lock", String(iterations), "3", "/interop/mutex"]);
      await java.waitFor(/^ready$/);
      const lock = new InterProcessMutex(c, "/interop/mutex/lock");
      let overlaps = 0;
      for (let i = 0; i < iterations; i++) {
        await lock.acquire({ timeoutMs: 30_000 });
        try {
          await c
            .create("/interop/mutex/holder", "node", { mode: CreateMode.Ephemeral })
            .catch((e: unknown) => {
              if (isZooKeeperError(e) && e.name === "NodeExistsError") overlaps++;
              else throw e;
            });
          await c.create("/interop/mutex/log/node-", null, { mode: CreateMode.PersistentSequential });
          await sleep(3);
          await c.delete("/interop/mutex/holder");
        } finally {
          await lock.release();
        }
      }
      expect(await java.waitFor(/^done /)).toBe(`done ${iterations} overlaps 0`);
      expect(overlaps).toBe(0);
      const log = (await c.getChildren("/interop/mutex/log")).sort((a, b) =>
        a.slice(-10).localeCompare(b.slice(-10)),
      );
      expect(log).toHaveLength(2 * iterations);
      // They really took turns: the holder changed sides several times.
      const sides = log.map((n) => n.split("-")[0]);
      const switches = sides.filter((s, i) => i > 0 && s !== sides[i - 1]).length;
      expect(switches).toBeGreaterThanOrEqual(2);
    },
  );

  it.skipIf(skipTarget)(
    "LeaderLatch: a Java latch and ours elect exactly one leader",
    { timeout: 60_000 },
    async () => {
      const c = await open();
      const java = peer(["latch", "/interop/latch", "java"]);
      await java.waitFor(/^leader$/);
      const ours = new LeaderLatch(c, "/interop/latch", "node");
      await ours.start();
      expect(ours.hasLeadership).toBe(false);
      expect(await ours.participants()).toEqual([
        { id: "java", isLeader: true },
        { id: "node", isLeader: false },
      ]);
      java.send("participants");
      expect(await java.waitFor(/^participants /)).toBe("participants java* node");
      // The Java leader leaves: ours leads, and only ours.
      java.send("close");
      await java.waitFor(/^closed$/);
      await ours.await({ timeoutMs: 10_000 });
      expect((await ours.leader())?.id).toBe("node");
      // A new Java participant queues behind ours, and takes over when ours leaves.
      const java2 = peer(["latch", "/interop/latch", "java2"]);
      await java2.waitFor(/^started$/);
      // Curator's start() creates the latch node in the background.
      while ((await ours.participants()).length < 2) await sleep(20);
      java2.send("participants");
      expect(await java2.waitFor(/^participants /)).toBe("participants node* java2");
      expect(java2.lines).not.toContain("leader");
      await ours.close();
      await java2.waitFor(/^leader$/);
      java.send("exit");
      java2.send("exit");
    },
  );

  it.skipIf(skipTarget)(
    "service discovery: each side finds the other's instances",
    { timeout: 60_000 },
    async () => {
      const c = await open();
      const java = peer(["discovery", "/interop/services"]);
      await java.waitFor(/^started$/);
      java.send("register api j1 10.0.0.1 8080");
      await java.waitFor(/^registered j1$/);
      const discovery = new ServiceDiscovery<Record<string, string>>(c, "/interop/services");
      await discovery.start();
      const fromJava = await discovery.queryForInstance("api", "j1");
      expect(fromJava).toMatchObject({
        name: "api",
        id: "j1",
        address: "10.0.0.1",
        port: 8080,
        serviceType: "DYNAMIC",
      });
      expect(fromJava?.payload).toMatchObject({ lang: "java" });
      await discovery.registerService({
        name: "api",
        id: "n1",
        address: "10.0.0.2",
        port: 9090,
        payload: { lang: "node" },
      });
      java.send("list api");
      expect(await java.waitFor(/^instances /)).toBe(
        "instances j1@10.0.0.1:8080/DYNAMIC/{lang=java} n1@10.0.0.2:9090/DYNAMIC/{lang=node}",
      );
      expect((await discovery.queryForInstances("api")).map((i) => i.id)).toEqual(["j1", "n1"]);
      java.send("exit");
      await java.exited;
    },
  );

  it.skipIf(skipTarget)(
    "counts, longs and queue messages cross over in both directions",
    { timeout: 60_000 },
    async () => {
      const c = await open();
      const java = peer(["formats-write", "/interop/formats-j"]);
      await java.waitFor(/^written$/);
      const count = new SharedCount(c, "/interop/formats-j/count", 0);
      await count.start();
      expect(count.count).toBe(-42);
      count.close();
      const along = new DistributedAtomicLong(c, "/interop/formats-j/long", new RetryNTimes(10, 10));
      expect((await along.get()).postValue).toBe(2n ** 40n + 1n);
      const queue = new DistributedQueue(c, "/interop/formats-j/queue", stringSerializer);
      expect([await queue.take(), await queue.take(), await queue.take()]).toEqual(["j1", "j2", "j3"]);
      const prio = new DistributedPriorityQueue(c, "/interop/formats-j/prio", stringSerializer);
      expect([await prio.take(), await prio.take()]).toEqual(["p-3", "p5"]);

      const ourCount = new SharedCount(c, "/interop/formats-n/count", 7);
      await ourCount.start();
      ourCount.close();
      await new DistributedAtomicLong(c, "/interop/formats-n/long", new RetryNTimes(10, 10)).add(99n);
      const ourQueue = new DistributedQueue(c, "/interop/formats-n/queue", stringSerializer);
      await ourQueue.put("n1");
      await ourQueue.putMulti(["n2", "n3"]);
      const reader = peer(["formats-read", "/interop/formats-n"]);
      expect(await reader.waitFor(/^count /)).toBe("count 7");
      expect(await reader.waitFor(/^long /)).toBe("long 99");
      expect(await reader.waitFor(/^queue /)).toBe("queue n1 n2 n3");
    },
  );
});
