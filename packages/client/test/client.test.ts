import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddWatchMode,
  CreateMode,
  digestId,
  ErrorCode,
  EventType,
  InvalidPathError,
  KeeperState,
  OpCode,
  Ops,
  Perms,
  WatcherType,
  ZooKeeperClient,
  ZooKeeperError,
} from "../src/index.js";
import { recorder, waitFor } from "./support/util.js";
import { shouldSkipZooKeeperTests, startZooKeeper, type ZooKeeperServer } from "./support/zookeeper.js";

describe.skipIf(shouldSkipZooKeeperTests())("ZooKeeperClient against ZooKeeper 3.8", () => {
  let zk: ZooKeeperServer;
  let client: ZooKeeperClient;
  let other: ZooKeeperClient;
  const clients: ZooKeeperClient[] = [];

  async function open(connectString = zk.connectString, sessionTimeoutMs = 4000): Promise<ZooKeeperClient> {
    const c = new ZooKeeperClient({ connectString, sessionTimeoutMs });
    clients.push(c);
    await c.connect();
    return c;
  }

  beforeAll(async () => {
    zk = await startZooKeeper();
    client = await open();
    other = await open();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await zk?.stop();
  });

  async function expectError(
    p: Promise<unknown>,
    code: ErrorCode,
    message?: string,
  ): Promise<ZooKeeperError> {
    const err = await p.then(
      () => {
        throw new Error(`expected ${ErrorCode[code]}`);
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ZooKeeperError);
    expect((err as ZooKeeperError).code).toBe(code);
    if (message !== undefined) expect((err as ZooKeeperError).message).toBe(message);
    return err as ZooKeeperError;
  }

  it("negotiates a session", () => {
    expect(client.state).toBe("connected");
    expect(client.sessionId).not.toBe(0n);
    expect(client.sessionPassword.length).toBe(16);
    expect(client.negotiatedTimeoutMs).toBe(4000);
  });

  it("creates, reads, updates and deletes nodes", async () => {
    expect(await client.create("/crud", "hello")).toBe("/crud");
    const { data, stat } = await client.getData("/crud");
    expect(data?.toString()).toBe("hello");
    expect(stat.version).toBe(0);
    expect(stat.dataLength).toBe(5);
    expect(stat.czxid).toBeGreaterThan(0);
    const s2 = await client.setData("/crud", Buffer.from("bye"), 0);
    expect(s2.version).toBe(1);
    expect(s2.mzxid).toBeGreaterThan(stat.mzxid);
    await expectError(
      client.setData("/crud", "x", 0),
      ErrorCode.BadVersion,
      "KeeperErrorCode = BadVersion for /crud",
    );
    await expectError(client.delete("/crud", 7), ErrorCode.BadVersion);
    await client.delete("/crud", 1);
    expect(await client.exists("/crud")).toBeNull();
    await expectError(client.getData("/crud"), ErrorCode.NoNode, "KeeperErrorCode = NoNode for /crud");
    await expectError(client.delete("/crud"), ErrorCode.NoNode);
  });

  it("keeps null data distinct from empty data", async () => {
    await client.create("/nulldata");
    await client.create("/emptydata", Buffer.alloc(0));
    expect((await client.getData("/nulldata")).data).toBeNull();
    expect((await client.getData("/emptydata")).data).toEqual(Buffer.alloc(0));
  });

  it("create2 returns the stat; errors carry the client path", async () => {
    const { path, stat } = await client.create2("/c2", "abc");
    expect(path).toBe("/c2");
    expect(stat.dataLength).toBe(3);
    expect(stat.ephemeralOwner).toBe(0n);
    await expectError(client.create("/c2"), ErrorCode.NodeExists, "KeeperErrorCode = NodeExists for /c2");
    await expectError(
      client.create("/missing/child"),
      ErrorCode.NoNode,
      "KeeperErrorCode = NoNode for /missing/child",
    );
    await client.create("/c2/kid");
    await expectError(
      client.delete("/c2"),
      ErrorCode.NotEmpty,
      "KeeperErrorCode = Directory not empty for /c2",
    );
  });

  it("creates sequential, ephemeral, container and TTL nodes", async () => {
    await client.create("/modes");
    const a = await client.create("/modes/seq-", null, { mode: CreateMode.PersistentSequential });
    const b = await client.create("/modes/seq-", null, { mode: CreateMode.PersistentSequential });
    expect(a).toBe("/modes/seq-0000000000");
    expect(b).toBe("/modes/seq-0000000001");
    const eph = await client.create2("/modes/eph", "e", { mode: CreateMode.Ephemeral });
    expect(eph.stat.ephemeralOwner).toBe(client.sessionId);
    const es = await client.create("/modes/es-", null, { mode: CreateMode.EphemeralSequential });
    expect(es).toMatch(/^\/modes\/es-\d{10}$/);
    await expectError(client.create("/modes/eph/kid"), ErrorCode.NoChildrenForEphemerals);
    expect(await client.create("/modes/cont", null, { mode: CreateMode.Container })).toBe("/modes/cont");
    const ttl = await client.create2("/modes/ttl", "t", {
      mode: CreateMode.PersistentWithTtl,
      ttlMs: 60_000,
    });
    expect(ttl.path).toBe("/modes/ttl");
    expect(ttl.stat.ephemeralOwner).toBe(0n);
    const ttlSeq = await client.create("/modes/ts-", null, {
      mode: CreateMode.PersistentSequentialWithTtl,
      ttlMs: 60_000,
    });
    expect(ttlSeq).toMatch(/^\/modes\/ts-\d{10}$/);
    await expectError(
      client.create("/modes/bad", null, { mode: CreateMode.PersistentWithTtl }),
      ErrorCode.BadArguments,
    );
    expect((await client.getEphemerals("/modes")).sort()).toEqual([es, "/modes/eph"].sort());
    expect(await other.getEphemerals("/modes")).toEqual([]);
  });

  it("rejects invalid paths before sending", async () => {
    await expect(client.create("nope")).rejects.toThrow(InvalidPathError);
    await expect(client.getData("/a/")).rejects.toThrow("Path must not end with / character");
    await expect(client.exists("/a//b")).rejects.toThrow(InvalidPathError);
    await expect(client.create("/a/./b")).rejects.toThrow(InvalidPathError);
    // Sequential creates may end with "/" because the suffix is appended first.
    await client.create("/seqdir");
    expect(await client.create("/seqdir/", null, { mode: CreateMode.PersistentSequential })).toBe(
      "/seqdir/0000000000",
    );
  });

  it("lists children and counts descendants", async () => {
    await client.create("/kids");
    await client.create("/kids/a");
    await client.create("/kids/b");
    await client.create("/kids/b/c");
    expect((await client.getChildren("/kids")).sort()).toEqual(["a", "b"]);
    const { children, stat } = await client.getChildren2("/kids");
    expect(children.sort()).toEqual(["a", "b"]);
    expect(stat.numChildren).toBe(2);
    expect(await client.getAllChildrenNumber("/kids")).toBe(3);
    await expectError(client.getChildren("/nokids"), ErrorCode.NoNode);
  });

  it("reads and writes ACLs with digest auth", async () => {
    const alice = digestId("alice:secret");
    await client.create("/acl", "x", {
      acl: [
        { perms: Perms.ALL, id: { scheme: "digest", id: alice } },
        { perms: Perms.READ, id: { scheme: "world", id: "anyone" } },
      ],
    });
    const { acl, stat } = await other.getACL("/acl");
    expect(stat.aversion).toBe(0);
    // Without ADMIN the digest is masked.
    expect(acl).toContainEqual({ perms: Perms.ALL, id: { scheme: "digest", id: "alice:x" } });
    await expectError(other.setData("/acl", "y"), ErrorCode.NoAuth, "KeeperErrorCode = NoAuth for /acl");
    const authed = await open();
    await authed.addAuth("digest", "alice:secret");
    expect((await authed.getACL("/acl")).acl).toContainEqual({
      perms: Perms.ALL,
      id: { scheme: "digest", id: alice },
    });
    await authed.setData("/acl", "y");
    await expectError(
      authed.setACL("/acl", [{ perms: 31, id: { scheme: "world", id: "anyone" } }], 3),
      ErrorCode.BadVersion,
    );
    const s = await authed.setACL(
      "/acl",
      [{ perms: Perms.READ | Perms.WRITE, id: { scheme: "world", id: "anyone" } }],
      0,
    );
    expect(s.aversion).toBe(1);
    await expectError(authed.setACL("/acl", [], 1), ErrorCode.InvalidACL);
    // ADMIN is checked before the version.
    await expectError(
      authed.setACL("/acl", [{ perms: 31, id: { scheme: "world", id: "anyone" } }], 0),
      ErrorCode.NoAuth,
    );
    await other.setData("/acl", "z");
    const who = await authed.whoAmI();
    expect(who).toContainEqual({ authScheme: "digest", user: "alice" });
    expect(who).toContainEqual({ authScheme: "ip", user: "127.0.0.1" });
  });

  it("syncs", async () => {
    expect(await client.sync("/")).toBe("/");
  });

  it("runs multi atomically and reports the failing op", async () => {
    await client.create("/tx");
    const results = await client.multi([
      Ops.create("/tx/a", "1"),
      Ops.setData("/tx/a", "2", 0),
      Ops.check("/tx", 0),
      Ops.create("/tx/c", null, { mode: CreateMode.Container }),
    ]);
    expect(results.map((r) => r.type)).toEqual([OpCode.create, OpCode.setData, OpCode.check, OpCode.create2]);
    expect(results[0]).toEqual({ type: OpCode.create, path: "/tx/a" });
    const err = await expectError(
      client.multi([Ops.create("/tx/b"), Ops.delete("/tx/missing"), Ops.setData("/tx/a", "3")]),
      ErrorCode.NoNode,
      "KeeperErrorCode = NoNode for /tx/missing",
    );
    expect(err.results?.map((r) => (r.type === OpCode.error ? r.err : 0))).toEqual([
      ErrorCode.OK,
      ErrorCode.NoNode,
      ErrorCode.RuntimeInconsistency,
    ]);
    expect(await client.exists("/tx/b")).toBeNull();
    const built = await client.transaction().create("/tx/d", "d").delete("/tx/d").check("/tx/a", 1).commit();
    expect(built).toHaveLength(3);
    expect(await client.exists("/tx/d")).toBeNull();
  });

  it("multiRead returns per-op results", async () => {
    await client.create("/mr", "data");
    await client.create("/mr/k");
    const res = await client.multiRead([Ops.getData("/mr"), Ops.getChildren("/mr"), Ops.getData("/mr/none")]);
    expect(res[0]?.type).toBe(OpCode.getData);
    if (res[0]?.type === OpCode.getData) expect(res[0].data?.toString()).toBe("data");
    expect(res[1]).toEqual({ type: OpCode.getChildren, children: ["k"] });
    expect(res[2]).toEqual({ type: OpCode.error, err: ErrorCode.NoNode });
  });

  it("fires one-shot data, exist and child watches once", async () => {
    const onExists = recorder();
    expect(await client.exists("/w", onExists)).toBeNull();
    await other.create("/w", "1");
    await waitFor(() => onExists.events.length === 1);
    expect(onExists.events[0]).toEqual({
      type: EventType.NodeCreated,
      state: KeeperState.SyncConnected,
      path: "/w",
    });

    const onData = recorder();
    const onChild = recorder();
    await client.getData("/w", onData);
    await client.getChildren("/w", onChild);
    await other.setData("/w", "2");
    await other.setData("/w", "3");
    await other.create("/w/k");
    await waitFor(() => onData.events.length === 1 && onChild.events.length === 1);
    expect(onData.events[0]?.type).toBe(EventType.NodeDataChanged);
    expect(onChild.events[0]).toMatchObject({ type: EventType.NodeChildrenChanged, path: "/w" });
    await other.sync("/");
    await client.sync("/");
    expect(onData.events).toHaveLength(1);
    expect(onExists.events).toHaveLength(1);
    // A failed getData registers nothing.
    const onMissing = recorder();
    await expectError(client.getData("/w-missing", onMissing), ErrorCode.NoNode);
    await other.create("/w-missing");
    await client.sync("/");
    expect(onMissing.events).toHaveLength(0);
  });

  it("delivers the writer's own notification before the reply", async () => {
    await client.create("/order", "a");
    const seen: string[] = [];
    await client.getData("/order", () => seen.push("event"));
    await client.setData("/order", "b");
    seen.push("reply");
    expect(seen).toEqual(["event", "reply"]);
  });

  it("keeps persistent and recursive watches after they fire", async () => {
    await client.create("/pw");
    const persistent = recorder();
    const recursive = recorder();
    await client.addWatch("/pw", AddWatchMode.Persistent, persistent);
    // ZooKeeper 3.8 keeps one watch mode per (connection, path), so the recursive one lives on
    // another connection.
    const third = await open();
    await third.addWatch("/pw", AddWatchMode.PersistentRecursive, recursive);
    await other.setData("/pw", "1");
    await other.create("/pw/a");
    await other.create("/pw/a/b");
    await other.setData("/pw/a/b", "2");
    await other.setData("/pw", "3");
    await waitFor(() => persistent.events.length === 3 && recursive.events.length === 5, 2000).catch((e) => {
      throw new Error(`${e}: ${JSON.stringify([persistent.events, recursive.events])}`);
    });
    expect(persistent.events.map((e) => [e.type, e.path])).toEqual([
      [EventType.NodeDataChanged, "/pw"],
      [EventType.NodeChildrenChanged, "/pw"],
      [EventType.NodeDataChanged, "/pw"],
    ]);
    expect(recursive.events.map((e) => [e.type, e.path])).toEqual([
      [EventType.NodeDataChanged, "/pw"],
      [EventType.NodeCreated, "/pw/a"],
      [EventType.NodeCreated, "/pw/a/b"],
      [EventType.NodeDataChanged, "/pw/a/b"],
      [EventType.NodeDataChanged, "/pw"],
    ]);
  });

  it("checks and removes watches", async () => {
    await client.create("/rw");
    const onData = recorder();
    const onChild = recorder();
    await client.getData("/rw", onData);
    await client.getChildren("/rw", onChild);
    await client.checkWatches("/rw", WatcherType.Data);
    await client.checkWatches("/rw", WatcherType.Children);
    await client.removeWatches("/rw", WatcherType.Data);
    expect(onData.events).toEqual([
      { type: EventType.DataWatchRemoved, state: KeeperState.SyncConnected, path: "/rw" },
    ]);
    await expectError(
      client.checkWatches("/rw", WatcherType.Data),
      ErrorCode.NoWatcher,
      "KeeperErrorCode = No such watcher for /rw",
    );
    await expectError(client.removeWatches("/rw", WatcherType.Data), ErrorCode.NoWatcher);
    await other.setData("/rw", "x");
    await client.removeWatches("/rw", WatcherType.Any);
    expect(onChild.events.map((e) => e.type)).toEqual([EventType.ChildWatchRemoved]);
    await other.create("/rw/k");
    await client.sync("/");
    expect(onData.events).toHaveLength(1);
    expect(onChild.events).toHaveLength(1);

    // Persistent watches on 3.8 are removed with WatcherType.Any.
    const p = recorder();
    await client.addWatch("/rw", AddWatchMode.Persistent, p);
    await client.removeWatches("/rw", WatcherType.Any);
    expect(p.events.map((e) => e.type)).toEqual([EventType.PersistentWatchRemoved]);

    // Removing one of two listeners keeps the server watch for the other.
    const a = recorder();
    const b = recorder();
    await client.getData("/rw", a);
    await client.getData("/rw", b);
    await client.removeWatches("/rw", WatcherType.Data, { listener: a });
    await client.checkWatches("/rw", WatcherType.Data);
    await other.setData("/rw", "y");
    await waitFor(() => b.events.length === 1);
    expect(a.events.map((e) => e.type)).toEqual([EventType.DataWatchRemoved]);
  });

  it("works under a chroot", async () => {
    await client.create("/app");
    const chrooted = await open(`${zk.connectString}/app`);
    expect(await chrooted.create("/x", "1")).toBe("/x");
    expect((await client.getData("/app/x")).data?.toString()).toBe("1");
    expect(await chrooted.getChildren("/")).toEqual(["x"]);
    const w = recorder();
    await chrooted.getData("/x", w);
    await client.setData("/app/x", "2");
    await waitFor(() => w.events.length === 1);
    expect(w.events[0]?.path).toBe("/x");
    expect(await chrooted.create("/s-", null, { mode: CreateMode.EphemeralSequential })).toMatch(
      /^\/s-\d{10}$/,
    );
    expect(await chrooted.getEphemerals()).toEqual([expect.stringMatching(/^\/s-\d{10}$/)]);
    const res = await chrooted.multi([Ops.create("/m")]);
    expect(res[0]).toEqual({ type: OpCode.create, path: "/m" });
    expect(await chrooted.sync("/x")).toBe("/x");
  });

  it("skips unreachable hosts in the connect string", async () => {
    const c = await open(`127.0.0.1:1,${zk.connectString}`);
    expect(c.currentHost.port).toBe(zk.port);
    expect(await c.exists("/")).not.toBeNull();
  });

  it("sendRaw returns raw replies", async () => {
    const reply = await client.sendRaw({ type: OpCode.getAllChildrenNumber, path: "/kids" });
    expect(reply.err).toBe(0);
    expect(reply.body.readInt32BE(0)).toBe(3);
    const miss = await client.sendRaw({ type: OpCode.getData, path: "/none", watch: false });
    expect(miss.err).toBe(ErrorCode.NoNode);
    expect(miss.body.length).toBe(0);
  });

  it("goes to authFailed when the server rejects an auth packet", async () => {
    const c = await open();
    const states: string[] = [];
    c.on("state", (s) => states.push(s));
    await expectError(c.addAuth("nosuchscheme", "x"), ErrorCode.AuthFailed);
    expect(c.state).toBe("authFailed");
    expect(states).toEqual(["authFailed"]);
    await expectError(c.exists("/"), ErrorCode.AuthFailed);
  });

  it("closes the session: ephemerals go, calls fail", async () => {
    const c = await open();
    await c.create("/bye", null, { mode: CreateMode.Ephemeral });
    await c.close();
    expect(c.state).toBe("closed");
    expect(await client.exists("/bye")).toBeNull();
    await expectError(c.getData("/"), ErrorCode.SessionExpired);
    await c.close();
  });
});
