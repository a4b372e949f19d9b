// Curator's connection states, session renewal, retry policies, watches as async iterators and
// typed errors, against a real Paddock server behind a TCP proxy that can be cut.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPaddock } from "../../../test/support/paddock.js";
import type { ServerHandle } from "../../../test/support/process.js";
import { seededRandom } from "../../chaos/src/rng.js";
import {
  ConnectionLossError,
  type ConnectionState,
  type ConnectionStateChange,
  CreateMode,
  ErrorCode,
  EventType,
  ExponentialBackoffRetry,
  KeeperState,
  NodeExistsError,
  NoNodeError,
  RetryNTimes,
  RetryUntilElapsed,
  SessionExpiredError,
  WaitTimeoutError,
  type WatchedEvent,
  WatcherType,
  withRetry,
  ZooKeeperClient,
  type ZooKeeperClientOptions,
  ZooKeeperError,
  zooKeeperError,
} from "../src/index.js";
import { TcpProxy } from "./support/proxy.js";
import { recorder, sleep, waitFor } from "./support/util.js";

describe("retry policies", () => {
  it("exponential backoff: jittered, doubling, capped, bounded", () => {
    const policy = new ExponentialBackoffRetry({
      baseSleepMs: 10,
      maxRetries: 6,
      maxSleepMs: 200,
      random: seededRandom(1),
    });
    const delays: number[] = [];
    for (let n = 0; n < 6; n++) delays.push(policy.delayBeforeRetryMs(n)!);
    expect(policy.delayBeforeRetryMs(6)).toBeUndefined();
    delays.forEach((d, n) => {
      expect(d).toBeGreaterThanOrEqual(10);
      expect(d).toBeLessThanOrEqual(Math.min(10 * (2 ** (n + 1) - 1), 200));
      expect(d % 10).toBe(0);
    });
    // Jitter: a thousand clients do not all pick the same sleep for retry 4.
    const picks = new Set<number>();
    for (let seed = 0; seed < 1000; seed++) {
      picks.add(
        new ExponentialBackoffRetry({ baseSleepMs: 1, random: seededRandom(seed) }).delayBeforeRetryMs(4)!,
      );
    }
    expect(picks.size).toBeGreaterThan(20);
  });

  it("withRetry retries what is retryable, gives up when the policy does, and stops on abort", async () => {
    let calls = 0;
    const result = await withRetry(new RetryNTimes(3, 1), async () => {
      calls++;
      if (calls < 3) throw zooKeeperError(ErrorCode.ConnectionLoss);
      return "ok";
    });
    expect([result, calls]).toEqual(["ok", 3]);

    calls = 0;
    await expect(
      withRetry(new RetryNTimes(2, 1), async () => {
        calls++;
        throw zooKeeperError(ErrorCode.ConnectionLoss);
      }),
    ).rejects.toBeInstanceOf(ConnectionLossError);
    expect(calls).toBe(3);

    calls = 0;
    await expect(
      withRetry(new RetryNTimes(5, 1), async () => {
        calls++;
        throw zooKeeperError(ErrorCode.NodeExists);
      }),
    ).rejects.toBeInstanceOf(NodeExistsError);
    expect(calls).toBe(1);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await expect(
      withRetry(
        new RetryUntilElapsed(60_000, 5),
        () => Promise.reject(zooKeeperError(ErrorCode.ConnectionLoss)),
        {
          signal: controller.signal,
        },
      ),
    ).rejects.toMatchObject({ name: "AbortError" });
  });
});

describe("the client against Paddock", () => {
  let server: ServerHandle;
  const clients: ZooKeeperClient[] = [];
  const proxies: TcpProxy[] = [];

  async function open(opts: Partial<ZooKeeperClientOptions> = {}): Promise<ZooKeeperClient> {
    const c = new ZooKeeperClient({
      connectString: server.connectString,
      sessionTimeoutMs: 4000,
      reconnectDelayMs: 50,
      ...opts,
    });
    clients.push(c);
    await c.connect();
    return c;
  }

  async function proxy(): Promise<TcpProxy> {
    const p = new TcpProxy(server.port);
    proxies.push(p);
    await p.start();
    return p;
  }

  function track(c: ZooKeeperClient): ConnectionStateChange[] {
    const changes: ConnectionStateChange[] = [];
    c.on("connectionState", (change) => changes.push(change));
    return changes;
  }

  const states = (changes: ConnectionStateChange[]): ConnectionState[] => changes.map((c) => c.state);

  beforeAll(async () => {
    // Short ticks: a 1 s session is expired by the server within 1.5 s of its last contact.
    server = await startPaddock({ extraCfg: ["tickTime=500"] });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(proxies.map((p) => p.stop()));
    await server?.stop();
  });

  it("throws the error class of each code, still a ZooKeeperError with Java's message", async () => {
    const c = await open();
    const missing = await c.getData("/no/such/node").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NoNodeError);
    expect(missing).toBeInstanceOf(ZooKeeperError);
    expect(missing).toMatchObject({
      code: ErrorCode.NoNode,
      message: "KeeperErrorCode = NoNode for /no/such/node",
    });
    await c.create("/typed");
    await expect(c.create("/typed")).rejects.toBeInstanceOf(NodeExistsError);
    await expect(c.setData("/typed", "x", 7)).rejects.toMatchObject({ name: "BadVersionError" });
  });

  it("CONNECTED, SUSPENDED when the network drops, RECONNECTED on the same session", async () => {
    const p = await proxy();
    const c = new ZooKeeperClient({
      connectString: p.connectString,
      sessionTimeoutMs: 4000,
      reconnectDelayMs: 50,
    });
    clients.push(c);
    const changes = track(c);
    await c.connect();
    expect(c.connectionState).toBe("CONNECTED");
    const sessionId = c.sessionId;
    p.block();
    await waitFor(() => c.connectionState === "SUSPENDED", 5000, "SUSPENDED");
    p.unblock();
    await waitFor(() => c.connectionState === "RECONNECTED", 5000, "RECONNECTED");
    expect(states(changes)).toEqual(["CONNECTED", "SUSPENDED", "RECONNECTED"]);
    expect(changes.at(-1)).toMatchObject({ sessionId, newSession: false, previous: "SUSPENDED" });
  });

  it("LOST after a session timeout without a server; with renewal, a new session follows", async () => {
    const p = await proxy();
    const c = new ZooKeeperClient({
      connectString: p.connectString,
      sessionTimeoutMs: 1000,
      reconnectDelayMs: 50,
      renewSessionOnExpiry: true,
    });
    clients.push(c);
    const changes = track(c);
    await c.connect();
    const firstSession = c.sessionId;
    await c.create("/renewed-eph", "x", { mode: CreateMode.Ephemeral });
    const w = recorder();
    await c.exists("/renewed-eph", w);
    let expiredEvents = 0;
    c.on("expired", () => expiredEvents++);
    p.block();
    await waitFor(() => c.connectionState === "LOST", 5000, "LOST");
    // The watch died with the session, and said so.
    expect(w.events).toEqual([{ type: EventType.None, state: KeeperState.Expired, path: null }]);
    p.unblock();
    await waitFor(() => c.connectionState === "RECONNECTED", 10_000, "RECONNECTED");
    expect(states(changes)).toEqual(["CONNECTED", "SUSPENDED", "LOST", "RECONNECTED"]);
    expect(changes.at(-1)?.newSession).toBe(true);
    expect(c.sessionId).not.toBe(firstSession);
    expect(c.state).toBe("connected");
    expect(expiredEvents).toBe(1);
    // The old session's ephemeral is gone once the server has expired it; the client works.
    const observer = await open();
    await c.create("/renewed-eph-2", "y", { mode: CreateMode.Ephemeral });
    expect((await observer.exists("/renewed-eph-2"))?.ephemeralOwner).toBe(c.sessionId);
  });

  it("without renewal (ZooKeeper's way) LOST is reported once and the client ends expired", async () => {
    const p = await proxy();
    const c = new ZooKeeperClient({
      connectString: p.connectString,
      sessionTimeoutMs: 1000,
      reconnectDelayMs: 50,
    });
    clients.push(c);
    const changes = track(c);
    await c.connect();
    p.block();
    await waitFor(() => c.connectionState === "LOST", 5000, "LOST");
    // Give the server time to expire the session, then let the client learn it.
    await sleep(1500);
    p.unblock();
    await waitFor(() => c.state === "expired", 10_000, "expired");
    expect(states(changes)).toEqual(["CONNECTED", "SUSPENDED", "LOST"]);
    await expect(c.getData("/")).rejects.toBeInstanceOf(SessionExpiredError);
  });

  it("connectionStates() iterates changes; waitForConnection() honours timeouts and signals", async () => {
    const p = await proxy();
    const c = new ZooKeeperClient({
      connectString: p.connectString,
      sessionTimeoutMs: 4000,
      reconnectDelayMs: 50,
    });
    clients.push(c);
    await c.connect();
    const seen: ConnectionState[] = [];
    const loop = (async () => {
      for await (const change of c.connectionStates()) seen.push(change.state);
    })();
    p.block();
    await waitFor(() => c.state === "disconnected");
    await expect(c.waitForConnection({ timeoutMs: 100 })).rejects.toBeInstanceOf(WaitTimeoutError);
    const controller = new AbortController();
    const waiting = c.waitForConnection({ signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
    p.unblock();
    await c.waitForConnection({ timeoutMs: 5000 });
    await c.close();
    await loop;
    expect(seen).toEqual(["SUSPENDED", "RECONNECTED"]);
  });

  it("client.watch() is an async iterator over a persistent (recursive) watch", async () => {
    const c = await open();
    const writer = await open();
    await writer.create("/it");
    const events: WatchedEvent[] = [];
    const controller = new AbortController();
    const loop = (async () => {
      try {
        for await (const e of c.watch("/it", { recursive: true, signal: controller.signal })) {
          events.push(e);
          if (events.length === 3) break;
        }
      } catch (e) {
        return e;
      }
      return "ended";
    })();
    await waitFor(() => c.watches.has("/it", WatcherType.Any));
    await writer.create("/it/a", "1");
    await writer.setData("/it/a", "2");
    await writer.delete("/it/a");
    expect(await loop).toBe("ended");
    expect(events.map((e) => [e.type, e.path])).toEqual([
      [EventType.NodeCreated, "/it/a"],
      [EventType.NodeDataChanged, "/it/a"],
      [EventType.NodeDeleted, "/it/a"],
    ]);
    // Leaving the loop removed the watch on the client and on the server: no more notifications.
    await waitFor(() => !c.watches.has("/it", WatcherType.Any));
    let notifications = 0;
    c.on("notification", () => notifications++);
    await writer.create("/it/b");
    await c.sync("/it");
    expect(notifications).toBe(0);

    // An aborted loop throws the signal's reason.
    const aborted = (async () => {
      for await (const _ of c.watch("/it", { signal: controller.signal })) {
        // no events expected
      }
    })();
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: "AbortError" });
  });

  it("a watch loop survives a dropped connection and ends with SessionExpiredError", async () => {
    const p = await proxy();
    const c = new ZooKeeperClient({
      connectString: p.connectString,
      sessionTimeoutMs: 1000,
      reconnectDelayMs: 50,
      renewSessionOnExpiry: true,
    });
    clients.push(c);
    await c.connect();
    const writer = await open();
    await writer.create("/it2");
    const types: number[] = [];
    const loop = (async () => {
      for await (const e of c.watch("/it2")) types.push(e.type);
    })().catch((e: unknown) => e);
    await waitFor(() => c.watches.has("/it2", WatcherType.Any));
    c.dropConnection();
    await waitFor(() => c.connectionState === "RECONNECTED");
    await writer.setData("/it2", "after-reconnect");
    await waitFor(() => types.length === 1);
    p.block();
    const err = await loop;
    expect(err).toBeInstanceOf(SessionExpiredError);
    expect(types).toEqual([EventType.NodeDataChanged]);
    p.unblock();
  });
});
