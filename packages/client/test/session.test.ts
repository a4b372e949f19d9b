import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddWatchMode,
  type ClientState,
  CreateMode,
  ErrorCode,
  EventType,
  KeeperState,
  ZooKeeperClient,
  ZooKeeperError,
} from "../src/index.js";
import { TcpProxy } from "./support/proxy.js";
import { recorder, sleep, waitFor, waitForState } from "./support/util.js";
import { shouldSkipZooKeeperTests, startZooKeeper, type ZooKeeperServer } from "./support/zookeeper.js";

describe.skipIf(shouldSkipZooKeeperTests())("sessions against ZooKeeper 3.8", () => {
  let zk: ZooKeeperServer;
  let observer: ZooKeeperClient;
  const clients: ZooKeeperClient[] = [];
  const proxies: TcpProxy[] = [];

  async function open(connectString: string, sessionTimeoutMs = 4000): Promise<ZooKeeperClient> {
    const c = new ZooKeeperClient({ connectString, sessionTimeoutMs, reconnectDelayMs: 50 });
    clients.push(c);
    await c.connect();
    return c;
  }

  async function proxy(): Promise<TcpProxy> {
    const p = new TcpProxy(zk.port);
    proxies.push(p);
    await p.start();
    return p;
  }

  beforeAll(async () => {
    // tickTime 500 ms: sessions may be as short as 1 s, so expiry tests stay quick.
    zk = await startZooKeeper({ tickTimeMs: 500 });
    observer = await open(zk.connectString);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(proxies.map((p) => p.stop()));
    await zk?.stop();
  });

  it("keeps the session, ephemerals and watches across a dropped connection", async () => {
    const c = await open(zk.connectString);
    const states: ClientState[] = [];
    c.on("state", (s) => states.push(s));
    const sessionId = c.sessionId;
    await c.create("/r1", "a");
    await c.create("/r1/eph", null, { mode: CreateMode.Ephemeral });
    const onData = recorder();
    const onChild = recorder();
    const onExists = recorder();
    await c.getData("/r1", onData);
    await c.getChildren("/r1", onChild);
    await c.exists("/r1-later", onExists);

    c.dropConnection();
    await waitForState(c, "disconnected");
    await waitForState(c, "connected");
    expect(states).toEqual(["disconnected", "connected"]);
    await c.exists("/");
    expect(c.sessionId).toBe(sessionId);
    expect((await observer.exists("/r1/eph"))?.ephemeralOwner).toBe(sessionId);

    // The old connection's server-side watches died with it: these fire only if SetWatches
    // re-armed them on the new connection.
    await observer.setData("/r1", "b");
    await observer.create("/r1/k");
    await observer.create("/r1-later");
    await waitFor(() => onData.events.length + onChild.events.length + onExists.events.length === 3);
    expect(onData.events[0]).toEqual({
      type: EventType.NodeDataChanged,
      state: KeeperState.SyncConnected,
      path: "/r1",
    });
    expect(onChild.events[0]?.type).toBe(EventType.NodeChildrenChanged);
    expect(onExists.events[0]?.type).toBe(EventType.NodeCreated);
  });

  it("re-arms persistent watches with SetWatches2", async () => {
    const c = await open(zk.connectString);
    await c.create("/r2");
    const persistent = recorder();
    const recursive = recorder();
    await c.addWatch("/r2", AddWatchMode.Persistent, persistent);
    await c.addWatch("/r2-tree", AddWatchMode.PersistentRecursive, recursive);
    c.dropConnection();
    await waitForState(c, "disconnected");
    await waitForState(c, "connected");
    // Replies are FIFO: once this one is back, the server has processed the SetWatches2 sent
    // ahead of it, so the observer's writes below cannot overtake the re-registration.
    await c.exists("/");
    await observer.setData("/r2", "1");
    await observer.create("/r2-tree");
    await observer.create("/r2-tree/a");
    await waitFor(() => persistent.events.length === 1 && recursive.events.length === 2);
    expect(recursive.events.map((e) => e.path)).toEqual(["/r2-tree", "/r2-tree/a"]);
  });

  it("re-sends auth after reconnecting", async () => {
    const c = await open(zk.connectString);
    await c.addAuth("digest", "bob:pw");
    c.dropConnection();
    await waitForState(c, "connected");
    expect(await c.whoAmI()).toContainEqual({ authScheme: "digest", user: "bob" });
  });

  it("replays changes missed while disconnected", async () => {
    const p = await proxy();
    const c = await open(p.connectString);
    await c.create("/r3", "a");
    const onData = recorder();
    await c.getData("/r3", onData);
    const failed = c.getData("/r3").catch((e: unknown) => e);
    p.block();
    await waitForState(c, "disconnected");
    // A request in flight when the connection died fails with ConnectionLoss (or completed).
    const outcome = await failed;
    if (outcome instanceof ZooKeeperError) expect(outcome.code).toBe(ErrorCode.ConnectionLoss);
    await observer.setData("/r3", "b");
    p.unblock();
    await waitForState(c, "connected");
    await waitFor(() => onData.events.length === 1);
    expect(onData.events[0]?.type).toBe(EventType.NodeDataChanged);
    expect(c.lastZxid).toBeGreaterThan(0);
  });

  it("pings keep an idle session alive", async () => {
    const c = await open(zk.connectString, 1500);
    expect(c.negotiatedTimeoutMs).toBe(1500);
    await c.create("/idle", null, { mode: CreateMode.Ephemeral });
    // Twice the session timeout without a single request: only pings keep the session.
    await sleep(3000);
    expect(c.state).toBe("connected");
    expect((await observer.exists("/idle"))?.ephemeralOwner).toBe(c.sessionId);
  });

  it("detects a silent server and reconnects", async () => {
    const p = await proxy();
    // The server expires a session about T after the last ping that reached it, while the client
    // notices silence at 2/3 T: the last third is the margin for reconnecting, so T is not tiny.
    const c = await open(p.connectString, 4000);
    const sessionId = c.sessionId;
    // Stall the proxy without closing sockets: pings go unanswered and the client must notice
    // within 2/3 of the session timeout (2667 ms).
    const stalledAt = Date.now();
    p.stall();
    await waitForState(c, "disconnected", 5000);
    expect(Date.now() - stalledAt).toBeGreaterThan(1000);
    expect(Date.now() - stalledAt).toBeLessThan(3500);
    p.unstall();
    await waitForState(c, "connected", 5000);
    expect(c.sessionId).toBe(sessionId);
  });

  it("reports expiry when the session timed out while partitioned", async () => {
    const p = await proxy();
    const c = await open(p.connectString, 1000);
    await c.create("/exp", null, { mode: CreateMode.Ephemeral });
    const onData = recorder();
    await c.getData("/exp", onData);
    const expired = new Promise<void>((resolve) => c.once("expired", resolve));
    p.block();
    await waitForState(c, "disconnected");
    // Wait until the server has expired the session, then let the client back in.
    const deadline = Date.now() + 8000;
    while ((await observer.exists("/exp")) !== null && Date.now() < deadline) await sleep(100);
    expect(await observer.exists("/exp")).toBeNull();
    p.unblock();
    await expired;
    expect(c.state).toBe("expired");
    expect(onData.events.at(-1)).toEqual({ type: EventType.None, state: KeeperState.Expired, path: null });
    await expect(c.getData("/")).rejects.toMatchObject({ code: ErrorCode.SessionExpired });
    await expect(c.connect()).rejects.toMatchObject({ code: ErrorCode.SessionExpired });
  });

  it("resumes a session from its id and password", async () => {
    // a sits behind a cut link while b uses the session: two live connections for one session
    // would keep kicking each other off the server.
    const link = await proxy();
    const a = await open(link.connectString);
    await a.create("/resume", null, { mode: CreateMode.Ephemeral });
    link.block();
    const b = new ZooKeeperClient({
      connectString: zk.connectString,
      sessionTimeoutMs: 4000,
      sessionId: a.sessionId,
      sessionPassword: a.sessionPassword,
    });
    clients.push(b);
    await b.connect();
    expect(b.sessionId).toBe(a.sessionId);
    expect(await b.getEphemerals()).toEqual(["/resume"]);
    await b.close();
    link.unblock();
    // Closing through b ended the shared session: a finds it expired when it reconnects.
    await waitForState(a, "expired", 10_000);
  });

  it("fails connect() when no server answers", async () => {
    const c = new ZooKeeperClient({
      connectString: "127.0.0.1:1",
      sessionTimeoutMs: 1000,
      connectTimeoutMs: 300,
    });
    await expect(c.connect()).rejects.toMatchObject({ code: ErrorCode.ConnectionLoss });
    expect(c.state).toBe("closed");
  });
});
