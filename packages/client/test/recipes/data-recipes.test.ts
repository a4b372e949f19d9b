// Curator's queues, shared count, atomic long, caches, persistent nodes, group member and
// service discovery against a real Paddock server: layouts, data formats, and recovery.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPaddock } from "../../../../test/support/paddock.js";
import type { ServerHandle } from "../../../../test/support/process.js";
import {
  type CacheEvent,
  CreateMode,
  DistributedAtomicLong,
  DistributedIdQueue,
  DistributedPriorityQueue,
  DistributedQueue,
  decodeQueueMessage,
  encodeQueueMessage,
  GroupMember,
  InterProcessSemaphoreV2,
  NodeCache,
  PathChildrenCache,
  PersistentNode,
  PersistentTtlNode,
  RetryNTimes,
  ServiceDiscovery,
  SharedCount,
  stringSerializer,
  TreeCache,
  WaitTimeoutError,
  ZooKeeperClient,
  type ZooKeeperClientOptions,
} from "../../src/index.js";
import { TcpProxy } from "../support/proxy.js";
import { eventually, sleep, waitFor } from "../support/util.js";

describe("Curator data recipes on Paddock", () => {
  let server: ServerHandle;
  const clients: ZooKeeperClient[] = [];
  const proxies: TcpProxy[] = [];

  async function open(opts: Partial<ZooKeeperClientOptions> = {}): Promise<ZooKeeperClient> {
    const c = new ZooKeeperClient({ connectString: server.connectString, sessionTimeoutMs: 4000, ...opts });
    clients.push(c);
    await c.connect();
    return c;
  }

  beforeAll(async () => {
    server = await startPaddock({ extraCfg: ["tickTime=500", "znode.container.checkIntervalMs=100"] });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(proxies.map((p) => p.stop()));
    await server?.stop();
  });

  it("queue messages are Curator's ItemSerializer bytes", () => {
    const bytes = encodeQueueMessage(["ab", ""], stringSerializer);
    expect(bytes.toString("hex")).toBe("00010001" + "01" + "00000002" + "6162" + "01" + "00000000" + "02");
    expect(decodeQueueMessage(bytes, stringSerializer)).toEqual(["ab", ""]);
    expect(() => decodeQueueMessage(Buffer.from("00020001", "hex"), stringSerializer)).toThrow(
      /not a queue message/,
    );
  });

  it("distributed queue: FIFO, each item to exactly one consumer, waits when empty", async () => {
    const [producer, c1, c2] = [await open(), await open(), await open()];
    const q = new DistributedQueue(producer, "/queues/q1", stringSerializer);
    expect(await q.put("a")).toMatch(/^\/queues\/q1\/queue-\d{10}$/);
    await q.putMulti(["b", "c"]);
    await q.put("d");
    const taker = new DistributedQueue(c1, "/queues/q1", stringSerializer);
    expect([await taker.take(), await taker.take(), await taker.take(), await taker.take()]).toEqual([
      "a",
      "b",
      "c",
      "d",
    ]);
    await expect(taker.take({ timeoutMs: 100 })).rejects.toBeInstanceOf(WaitTimeoutError);

    const got: string[] = [];
    const controller = new AbortController();
    const consumers = [c1, c2].map((c) =>
      new DistributedQueue(c, "/queues/q1", stringSerializer)
        .consume(
          async (item) => {
            got.push(item);
          },
          { signal: controller.signal },
        )
        .catch(() => undefined),
    );
    for (let i = 0; i < 20; i++) await q.put(`m${i}`);
    await waitFor(() => got.length === 20, 5000, "20 items consumed");
    controller.abort();
    await Promise.all(consumers);
    expect(got.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    expect(await q.messages()).toEqual([]);
  });

  it("queue with lock safety leaves a message whose handler failed for the next try", async () => {
    const c = await open();
    const q = new DistributedQueue(c, "/queues/safe", stringSerializer, { lockPath: "/queues/safe-locks" });
    await q.put("x");
    const controller = new AbortController();
    let attempts = 0;
    const done = q
      .consume(
        async () => {
          attempts++;
          if (attempts === 1) throw new Error("handler failed");
        },
        { signal: controller.signal },
      )
      .catch((e: unknown) => e);
    expect(((await done) as Error).message).toBe("handler failed");
    expect(await q.messages()).toHaveLength(1);
    // The next consumer gets it again and, this time, the message is deleted once handled.
    const again = q
      .consume(
        async () => {
          attempts++;
        },
        { signal: controller.signal },
      )
      .catch(() => undefined);
    await waitFor(() => attempts === 2, 5000, "second attempt");
    await eventually(async () => (await q.messages()).length === 0);
    controller.abort();
    await again;
    expect(await q.messages()).toEqual([]);
    expect(await c.getChildren("/queues/safe-locks")).toEqual([]);
  });

  it("id queue removes by id; priority queue takes the lowest priority first", async () => {
    const c = await open();
    const ids = new DistributedIdQueue(c, "/queues/ids", stringSerializer);
    await ids.putWithId("one", "job/1");
    await ids.putWithId("two", "job|2");
    await ids.putWithId("three", "job/1");
    expect((await ids.messages())[0]).toMatch(/^queue-\|job_1\|\d{10}$/);
    expect(await ids.remove("job_1")).toBe(2);
    expect(await ids.take()).toBe("two");

    const pq = new DistributedPriorityQueue(c, "/queues/prio", stringSerializer);
    await pq.putWithPriority("low", 10);
    await pq.putWithPriority("negative", -5);
    await pq.putWithPriority("zero", 0);
    await pq.putWithPriority("low-2", 10);
    expect((await pq.messages()).map((n) => n.slice(0, 15))).toEqual([
      "queue-0FFFFFFFB",
      "queue-100000000",
      "queue-10000000A",
      "queue-10000000A",
    ]);
    expect([await pq.take(), await pq.take(), await pq.take(), await pq.take()]).toEqual([
      "negative",
      "zero",
      "low",
      "low-2",
    ]);
  });

  it("shared count: 4-byte big-endian value, compare-and-set, change events, semaphore size", async () => {
    const [a, b] = [await open(), await open()];
    const countA = new SharedCount(a, "/shared/count", 2);
    const countB = new SharedCount(b, "/shared/count", 99);
    await countA.start();
    await countB.start();
    expect(countB.count).toBe(2); // the seed only applies to the creator
    expect((await a.getData("/shared/count")).data?.toString("hex")).toBe("00000002");
    const seen: number[] = [];
    countB.on("change", (n) => seen.push(n));
    const before = countA.versionedValue;
    expect(await countA.trySetCount(before, 3)).toBe(true);
    expect(await countA.trySetCount(before, 4)).toBe(false);
    await waitFor(() => seen.includes(3));
    await countB.setCount(-1);
    await waitFor(() => countA.count === -1);

    // A semaphore whose size is the shared count follows it.
    await countA.setCount(1);
    await waitFor(() => countB.count === 1);
    const sem = new InterProcessSemaphoreV2(b, "/shared/sem", countB);
    const first = await sem.acquire();
    const second = sem.acquire({ timeoutMs: 5000 });
    await sleep(100);
    await countA.setCount(2);
    await second.then((l) => l.close());
    await first.close();
    countA.close();
    countB.close();
  });

  it("atomic long: 8-byte big-endian, increments from many clients add up", async () => {
    const cs = await Promise.all([0, 1, 2, 3].map(() => open()));
    const counters = cs.map((c) => new DistributedAtomicLong(c, "/atomic/n", new RetryNTimes(100, 1)));
    expect((await counters[0]!.get()).postValue).toBe(0n);
    await Promise.all(
      counters.map(async (counter) => {
        for (let i = 0; i < 10; i++) expect((await counter.increment()).succeeded).toBe(true);
      }),
    );
    expect((await counters[0]!.get()).postValue).toBe(40n);
    expect((await cs[0]!.getData("/atomic/n")).data?.toString("hex")).toBe("0000000000000028");
    expect(await counters[1]!.compareAndSet(40n, -7n)).toMatchObject({
      succeeded: true,
      preValue: 40n,
      postValue: -7n,
    });
    expect(await counters[1]!.compareAndSet(40n, 1n)).toMatchObject({ succeeded: false, preValue: -7n });
    expect(await counters[2]!.initialize(5n)).toBe(false);
    await counters[2]!.forceSet(2n ** 62n);
    expect((await counters[3]!.add(1n)).postValue).toBe(2n ** 62n + 1n);
  });

  it("tree cache follows a subtree through one persistent recursive watch, and reloads after a drop", async () => {
    const p = new TcpProxy(server.port);
    proxies.push(p);
    await p.start();
    const watcher = await open({ connectString: p.connectString, reconnectDelayMs: 50 });
    const writer = await open();
    await writer.create("/tree");
    await writer.create("/tree/a", "1");
    await writer.create("/tree/a/deep", "2");
    const cache = new TreeCache(watcher, "/tree");
    const events: string[] = [];
    const controller = new AbortController();
    const loop = (async () => {
      for await (const e of cache.events({ signal: controller.signal })) events.push(label(e));
    })().catch(() => undefined);
    await cache.start();
    expect(cache.entries().map((n) => n.path)).toEqual(["/tree", "/tree/a", "/tree/a/deep"]);
    expect(cache.children("/tree")).toEqual(["a"]);
    // One watch on the server for the whole tree.
    expect(watcher.watches.snapshot().persistentRecursiveWatches).toEqual(["/tree"]);
    await writer.setData("/tree/a/deep", "3");
    // (A change is read when its event arrives; a node deleted by then shows only its deletion.)
    await waitFor(() => cache.get("/tree/a/deep")?.data?.toString() === "3");
    await writer.create("/tree/b", "4");
    await writer.delete("/tree/a/deep");
    await waitFor(() => cache.size === 3 && cache.get("/tree/b") !== undefined, 5000, "cache updated");
    expect(cache.get("/tree/a/deep")).toBeUndefined();
    // Changes while disconnected are found by the reload after RECONNECTED.
    p.block();
    await waitFor(() => watcher.connectionState === "SUSPENDED");
    await writer.delete("/tree/b");
    await writer.create("/tree/c", "5");
    p.unblock();
    await waitFor(
      () => cache.get("/tree/c") !== undefined && cache.get("/tree/b") === undefined,
      5000,
      "reloaded",
    );
    controller.abort();
    await loop;
    expect(events).toEqual([
      "created /tree",
      "created /tree/a",
      "created /tree/a/deep",
      "initialized",
      "changed /tree/a/deep 3",
      "created /tree/b",
      "deleted /tree/a/deep",
      // The reload after RECONNECTED reads the tree, then reports what is no longer there.
      "created /tree/c",
      "deleted /tree/b",
    ]);
    cache.close();
  });

  it("tree cache on one-shot watches (servers without addWatch) sees the same changes", async () => {
    const [c, writer] = [await open(), await open()];
    await writer.create("/tree1");
    await writer.create("/tree1/a", "1");
    const cache = new TreeCache(c, "/tree1", { persistentWatch: false });
    await cache.start();
    expect(c.watches.snapshot().persistentRecursiveWatches).toEqual([]);
    expect(cache.entries().map((n) => n.path)).toEqual(["/tree1", "/tree1/a"]);
    await writer.create("/tree1/a/b", "2");
    await waitFor(() => cache.get("/tree1/a/b") !== undefined, 5000, "grandchild added");
    await writer.setData("/tree1/a/b", "3");
    await waitFor(() => cache.get("/tree1/a/b")?.data?.toString() === "3", 5000, "grandchild changed");
    await writer.create("/tree1/c", "4");
    await writer.delete("/tree1/a/b");
    await waitFor(
      () => cache.get("/tree1/c") !== undefined && cache.get("/tree1/a/b") === undefined,
      5000,
      "updated",
    );
    expect(cache.children("/tree1")).toEqual(["a", "c"]);
    cache.close();
  });

  it("node cache and path-children cache", async () => {
    const [c, writer] = [await open(), await open()];
    const node = new NodeCache(c, "/nc/x");
    await node.start();
    expect(node.current).toBeUndefined();
    await writer.create("/nc/x", "v1", {}).catch(async () => {
      await writer.create("/nc");
      await writer.create("/nc/x", "v1");
    });
    await waitFor(() => node.current?.data?.toString() === "v1");
    await writer.setData("/nc/x", "v2");
    await waitFor(() => node.current?.data?.toString() === "v2");
    node.close();

    const children = new PathChildrenCache(c, "/nc");
    const seen: string[] = [];
    children.on("childAdded", (n) => seen.push(`+${n.path}`));
    children.on("childUpdated", (n) => seen.push(`~${n.path}`));
    children.on("childRemoved", (n) => seen.push(`-${n.path}`));
    await children.start();
    await writer.create("/nc/y", "1");
    await writer.create("/nc/y/grandchild", "ignored");
    await writer.setData("/nc/y", "2");
    await writer.delete("/nc/y/grandchild");
    await writer.delete("/nc/y");
    await waitFor(() => seen.length === 4, 5000, "four child events");
    expect(seen).toEqual(["+/nc/x", "+/nc/y", "~/nc/y", "-/nc/y"]);
    expect(children.currentData.map((n) => n.path)).toEqual(["/nc/x"]);
    children.close();
  });

  it("persistent nodes come back after deletion and after the session is lost", async () => {
    const p = new TcpProxy(server.port);
    proxies.push(p);
    await p.start();
    const c = await open({
      connectString: p.connectString,
      reconnectDelayMs: 50,
      sessionTimeoutMs: 1000,
      renewSessionOnExpiry: true,
    });
    const observer = await open();
    const node = new PersistentNode(c, CreateMode.Ephemeral, "/pn/eph", "mine");
    node.start();
    expect(await node.waitForInitialCreate({ timeoutMs: 5000 })).toBe("/pn/eph");
    await observer.delete("/pn/eph");
    await eventually(async () => (await observer.exists("/pn/eph")) !== null, 5000, "re-created");
    expect((await observer.getData("/pn/eph")).data?.toString()).toBe("mine");
    p.block();
    await waitFor(() => c.connectionState === "LOST", 5000, "LOST");
    p.unblock();
    await waitFor(() => c.connectionState === "RECONNECTED", 5000, "RECONNECTED");
    // Re-created in the new session (after the old session's node expired on the server).
    await eventually(
      async () => (await observer.exists("/pn/eph"))?.ephemeralOwner === c.sessionId,
      5000,
      "the node owned by the new session",
    );
    await node.close();
    expect(await observer.exists("/pn/eph")).toBeNull();

    const protectedSeq = new PersistentNode(c, CreateMode.EphemeralSequential, "/pn/seq-", "s", {
      protection: true,
    });
    protectedSeq.start();
    expect(await protectedSeq.waitForInitialCreate()).toMatch(/^\/pn\/_c_[0-9a-f-]{36}-seq-\d{10}$/);
    await protectedSeq.close();
  });

  it("persistent TTL node: a TTL parent kept alive by a touched TTL child, gone after close", async () => {
    const c = await open();
    const ttl = new PersistentTtlNode(c, "/ttl/node", 800, "data");
    ttl.start();
    await ttl.waitForInitialCreate({ timeoutMs: 5000 });
    // Well past the TTL: the touches keep both nodes.
    await sleep(2000);
    expect((await c.getData("/ttl/node")).data?.toString()).toBe("data");
    expect(await c.getChildren("/ttl/node")).toEqual(["touch"]);
    await ttl.close();
    // The child expires after its TTL, then the parent after its own.
    await eventually(async () => (await c.exists("/ttl/node")) === null, 6000, "TTL nodes gone");
  });

  it("group member: members with payloads, joining and leaving", async () => {
    const [a, b] = [await open(), await open()];
    const ma = new GroupMember(a, "/group/g", "a", "pa");
    const mb = new GroupMember(b, "/group/g", "b", "pb");
    await ma.start();
    await mb.start();
    await waitFor(() => ma.currentMembers().size === 2);
    expect([...ma.currentMembers()].map(([id, d]) => [id, d?.toString()])).toEqual([
      ["a", "pa"],
      ["b", "pb"],
    ]);
    await mb.setThisData("pb2");
    await waitFor(() => ma.currentMembers().get("b")?.toString() === "pb2");
    await mb.close();
    await waitFor(() => ma.currentMembers().size === 1);
    await ma.close();
  });

  it("service discovery: Curator's JSON at basePath/name/id, queries and a live cache", async () => {
    const [a, b] = [await open(), await open()];
    const discoveryA = new ServiceDiscovery<{ zone: string }>(a, "/discovery");
    const discoveryB = new ServiceDiscovery<{ zone: string }>(b, "/discovery");
    await discoveryA.start();
    await discoveryB.start();
    const cache = discoveryB.serviceCache("api");
    await cache.start();
    const registered = await discoveryA.registerService({
      name: "api",
      id: "a1",
      address: "10.0.0.1",
      port: 8080,
      payload: { zone: "eu" },
    });
    const json = JSON.parse((await b.getData("/discovery/api/a1")).data!.toString());
    expect(Object.keys(json)).toEqual([
      "name",
      "id",
      "address",
      "port",
      "sslPort",
      "payload",
      "registrationTimeUTC",
      "serviceType",
      "uriSpec",
    ]);
    expect(json).toMatchObject({
      name: "api",
      id: "a1",
      address: "10.0.0.1",
      port: 8080,
      serviceType: "DYNAMIC",
    });
    expect((await b.exists("/discovery/api/a1"))?.ephemeralOwner).toBe(a.sessionId);
    expect(await discoveryB.queryForNames()).toEqual(["api"]);
    expect(await discoveryB.queryForInstances("api")).toEqual([registered]);
    await waitFor(() => cache.instances.length === 1);
    await discoveryA.updateService({ ...registered, port: 9090 });
    await waitFor(() => cache.instances[0]?.port === 9090);
    await discoveryA.unregisterService(registered);
    await waitFor(() => cache.instances.length === 0);
    cache.close();
  });
});

function label(e: CacheEvent): string {
  switch (e.type) {
    case "initialized":
      return "initialized";
    case "changed":
      return `changed ${e.node.path} ${e.node.data?.toString()}`;
    default:
      return `${e.type} ${e.node.path}`;
  }
}
