// Curator's locks, semaphores, leader latch/selector and barriers against a real Paddock server:
// znode layouts, mutual exclusion, fencing tokens, and reactions to connection states.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPaddock } from "../../../../test/support/paddock.js";
import type { ServerHandle } from "../../../../test/support/process.js";
import {
  DistributedBarrier,
  DistributedDoubleBarrier,
  InterProcessMutex,
  InterProcessReadWriteLock,
  InterProcessSemaphoreMutex,
  InterProcessSemaphoreV2,
  LeaderLatch,
  LeaderSelector,
  type LockHold,
  WaitTimeoutError,
  ZooKeeperClient,
  type ZooKeeperClientOptions,
} from "../../src/index.js";
import { TcpProxy } from "../support/proxy.js";
import { sleep, waitFor } from "../support/util.js";

const PROTECTED = "_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-";

describe("Curator recipes on Paddock", () => {
  let server: ServerHandle;
  const clients: ZooKeeperClient[] = [];
  const proxies: TcpProxy[] = [];

  async function open(opts: Partial<ZooKeeperClientOptions> = {}): Promise<ZooKeeperClient> {
    const c = new ZooKeeperClient({ connectString: server.connectString, sessionTimeoutMs: 4000, ...opts });
    clients.push(c);
    await c.connect();
    return c;
  }

  async function openBehindProxy(
    opts: Partial<ZooKeeperClientOptions> = {},
  ): Promise<[ZooKeeperClient, TcpProxy]> {
    const p = new TcpProxy(server.port);
    proxies.push(p);
    await p.start();
    return [await open({ connectString: p.connectString, reconnectDelayMs: 50, ...opts }), p];
  }

  beforeAll(async () => {
    server = await startPaddock({ extraCfg: ["tickTime=500"] });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(proxies.map((p) => p.stop()));
    await server?.stop();
  });

  it("InterProcessMutex: Curator's layout, mutual exclusion, growing fencing tokens", async () => {
    const cs = await Promise.all([0, 1, 2, 3].map(() => open()));
    const observer = await open();
    let inside = 0;
    let maxInside = 0;
    const tokens: number[] = [];
    let sawLayout = false;
    await Promise.all(
      cs.map(async (c) => {
        const lock = new InterProcessMutex(c, "/locks/m1");
        for (let i = 0; i < 8; i++) {
          const hold = await lock.acquire();
          inside++;
          maxInside = Math.max(maxInside, inside);
          tokens.push(hold.token);
          if (!sawLayout) {
            sawLayout = true;
            const children = await observer.getChildren("/locks/m1");
            for (const child of children) expect(child).toMatch(new RegExp(`^${PROTECTED}lock-\\d{10}$`));
            expect(hold.path.startsWith("/locks/m1/")).toBe(true);
          }
          await sleep(2);
          inside--;
          await lock.release();
        }
      }),
    );
    expect(maxInside).toBe(1);
    expect(tokens).toHaveLength(32);
    // Grants happen one after another and each token is larger than the one before.
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]!);
    expect(await observer.getChildren("/locks/m1").catch(() => [])).toEqual([]);
  });

  it("InterProcessMutex is re-entrant per object and times out or aborts a wait cleanly", async () => {
    const [a, b] = [await open(), await open()];
    const lockA = new InterProcessMutex(a, "/locks/m2");
    const first = await lockA.acquire();
    const again = await lockA.acquire();
    expect(again.token).toBe(first.token);
    await lockA.release();
    expect(lockA.isAcquired).toBe(true);
    const lockB = new InterProcessMutex(b, "/locks/m2");
    await expect(lockB.acquire({ timeoutMs: 150 })).rejects.toBeInstanceOf(WaitTimeoutError);
    expect(await lockB.tryAcquire(50)).toBeUndefined();
    const controller = new AbortController();
    const waiting = lockB.acquire({ signal: controller.signal });
    await sleep(50);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
    // Only the holder's node is left: the abandoned waits removed theirs.
    expect(await lockA.participantNodes()).toEqual([first.path]);
    await lockA.release();
    expect(lockA.isAcquired).toBe(false);
    const hold = await lockB.acquire({ timeoutMs: 2000 });
    expect(hold.token).toBeGreaterThan(first.token);
    await lockB.release();
    await expect(lockB.release()).rejects.toThrow(/not held/);
  });

  it("a lock holder hears SUSPENDED (its signal aborts), then gets a fresh hold on RECONNECTED", async () => {
    const [c, p] = await openBehindProxy();
    const lock = new InterProcessMutex(c, "/locks/m3");
    const hold = await lock.acquire();
    const events: string[] = [];
    lock.on("suspended", () => events.push("suspended"));
    let again: LockHold | undefined;
    lock.on("reconnected", (h) => {
      events.push("reconnected");
      again = h;
    });
    p.block();
    await waitFor(() => hold.signal.aborted, 5000, "hold signal aborted");
    expect((hold.signal.reason as Error).name).toBe("HoldInterruptedError");
    p.unblock();
    await waitFor(() => events.length === 2, 5000, "reconnected");
    expect(events).toEqual(["suspended", "reconnected"]);
    expect(again?.token).toBe(hold.token);
    expect(again?.signal.aborted).toBe(false);
    await lock.release();
  });

  it("a lock held by a session that is lost is reported lost; a waiter then gets it", async () => {
    const [c, p] = await openBehindProxy({ sessionTimeoutMs: 1000, renewSessionOnExpiry: true });
    const lock = new InterProcessMutex(c, "/locks/m4");
    const hold = await lock.acquire();
    let lost = false;
    lock.on("lost", () => {
      lost = true;
    });
    const waiter = new InterProcessMutex(await open(), "/locks/m4");
    const next = waiter.acquire({ timeoutMs: 10_000 });
    p.block();
    await waitFor(() => lost, 5000, "lost");
    expect(lock.isAcquired).toBe(false);
    const nextHold = await next;
    expect(nextHold.token).toBeGreaterThan(hold.token);
    p.unblock();
    await lock.release(); // deletes nothing: the node went with the session
    await waiter.release();
  });

  it("read-write lock: readers share, a writer excludes, a reader waits only for writers", async () => {
    const [a, b, c] = [await open(), await open(), await open()];
    const r1 = new InterProcessReadWriteLock(a, "/locks/rw");
    const r2 = new InterProcessReadWriteLock(b, "/locks/rw");
    const w = new InterProcessReadWriteLock(c, "/locks/rw");
    await r1.readLock.acquire();
    await r2.readLock.acquire({ timeoutMs: 1000 });
    expect(await w.writeLock.tryAcquire(100)).toBeUndefined();
    const writing = w.writeLock.acquire({ timeoutMs: 5000 });
    await sleep(50);
    const names = await a.getChildren("/locks/rw");
    expect(names.filter((n) => new RegExp(`^${PROTECTED}__READ__\\d{10}$`).test(n))).toHaveLength(2);
    expect(names.filter((n) => new RegExp(`^${PROTECTED}__WRIT__\\d{10}$`).test(n))).toHaveLength(1);
    await r1.readLock.release();
    await r2.readLock.release();
    await writing;
    // A reader queued behind the writer waits for it.
    expect(await r1.readLock.tryAcquire(100)).toBeUndefined();
    // The writer may take its own read lock (downgrade) at once.
    await w.readLock.acquire({ timeoutMs: 1000 });
    await w.writeLock.release();
    await r1.readLock.acquire({ timeoutMs: 2000 });
    await r1.readLock.release();
    await w.readLock.release();
  });

  it("semaphore: never more than maxLeases out; Curator's locks/ and leases/ layout", async () => {
    const cs = await Promise.all([0, 1, 2, 3, 4].map(() => open()));
    let out = 0;
    let maxOut = 0;
    await Promise.all(
      cs.map(async (c) => {
        const sem = new InterProcessSemaphoreV2(c, "/sem/s1", 2);
        for (let i = 0; i < 4; i++) {
          const lease = await sem.acquire({ timeoutMs: 10_000 });
          out++;
          maxOut = Math.max(maxOut, out);
          expect(lease.path).toMatch(new RegExp(`^/sem/s1/leases/${PROTECTED}lease-\\d{10}$`));
          // Held until a second lease is out too (or briefly, once few clients are left), so
          // that the two maxLeases allow are seen together however slowly the clients run.
          await waitFor(() => out >= 2, 300).catch(() => {});
          out--;
          await lease.close();
        }
      }),
    );
    expect(maxOut).toBe(2);
    const sem = new InterProcessSemaphoreV2(cs[0]!, "/sem/s1", 2);
    const two = await sem.acquireMany(2);
    await expect(
      new InterProcessSemaphoreV2(cs[1]!, "/sem/s1", 2).acquire({ timeoutMs: 150 }),
    ).rejects.toBeInstanceOf(WaitTimeoutError);
    await sem.returnAll(two);
    const mutex = new InterProcessSemaphoreMutex(cs[2]!, "/sem/m");
    await mutex.acquire();
    expect(mutex.isAcquired).toBe(true);
    await expect(
      new InterProcessSemaphoreMutex(cs[3]!, "/sem/m").acquire({ timeoutMs: 100 }),
    ).rejects.toBeInstanceOf(WaitTimeoutError);
    await mutex.release();
  });

  it("LeaderLatch: one leader, ids and order visible, succession on close, growing tokens", async () => {
    const cs = await Promise.all([0, 1, 2].map(() => open()));
    const latches = cs.map((c, i) => new LeaderLatch(c, "/latch/a", `p${i}`));
    for (const l of latches) await l.start();
    expect(latches.map((l) => l.hasLeadership)).toEqual([true, false, false]);
    expect(latches[0]!.ourPath).toMatch(new RegExp(`^/latch/a/${PROTECTED}latch-\\d{10}$`));
    expect(await latches[2]!.participants()).toEqual([
      { id: "p0", isLeader: true },
      { id: "p1", isLeader: false },
      { id: "p2", isLeader: false },
    ]);
    const first = latches[0]!.currentLeadership!;
    const awaited = latches[1]!.await({ timeoutMs: 5000 });
    await latches[0]!.close();
    expect(first.signal.aborted).toBe(true);
    const second = await awaited;
    expect(second.token).toBeGreaterThan(first.token);
    expect((await latches[2]!.leader())?.id).toBe("p1");
    await expect(latches[2]!.await({ timeoutMs: 100 })).rejects.toBeInstanceOf(WaitTimeoutError);
    await latches[1]!.close();
    await latches[2]!.close();
  });

  it("LeaderLatch gives up leadership on SUSPENDED and takes it back on RECONNECTED", async () => {
    const [c, p] = await openBehindProxy();
    const latch = new LeaderLatch(c, "/latch/b", "x");
    const events: string[] = [];
    latch.on("isLeader", () => events.push("isLeader"));
    latch.on("notLeader", () => events.push("notLeader"));
    await latch.start();
    p.block();
    await waitFor(() => events.length === 2, 5000, "notLeader");
    p.unblock();
    await waitFor(() => events.length === 3, 5000, "isLeader again");
    expect(events).toEqual(["isLeader", "notLeader", "isLeader"]);
    await latch.close();
  });

  it("LeaderSelector: leaders take turns, never two at once, interrupt ends a leadership", async () => {
    const cs = await Promise.all([0, 1, 2].map(() => open()));
    let leading = 0;
    let maxLeading = 0;
    const turns: string[] = [];
    const selectors = cs.map(
      (c, i) =>
        new LeaderSelector(
          c,
          "/selector/a",
          async () => {
            leading++;
            maxLeading = Math.max(maxLeading, leading);
            turns.push(`s${i}`);
            await sleep(20);
            leading--;
          },
          { id: `s${i}`, autoRequeue: true },
        ),
    );
    for (const s of selectors) s.start();
    await waitFor(() => turns.length >= 9, 10_000, "nine turns");
    await Promise.all(selectors.map((s) => s.close()));
    expect(maxLeading).toBe(1);
    expect(new Set(turns)).toEqual(new Set(["s0", "s1", "s2"]));

    const held = new LeaderSelector(
      await open(),
      "/selector/b",
      (l) => new Promise((resolve) => l.signal.addEventListener("abort", () => resolve())),
    );
    held.start();
    await waitFor(() => held.hasLeadership);
    held.interruptLeadership();
    await waitFor(() => !held.hasLeadership);
    await held.close();
  });

  it("barrier holds waiters until removed; double barrier enters and leaves together", async () => {
    const [a, b, c] = [await open(), await open(), await open()];
    const barrier = new DistributedBarrier(a, "/barriers/one");
    await barrier.setBarrier();
    let through = 0;
    const waiting = [b, c].map((x) =>
      new DistributedBarrier(x, "/barriers/one").waitOnBarrier().then(() => through++),
    );
    await expect(
      new DistributedBarrier(b, "/barriers/one").waitOnBarrier({ timeoutMs: 100 }),
    ).rejects.toBeInstanceOf(WaitTimeoutError);
    expect(through).toBe(0);
    await barrier.removeBarrier();
    await Promise.all(waiting);
    expect(through).toBe(2);

    const members = [a, b, c].map((x) => new DistributedDoubleBarrier(x, "/barriers/double", 3));
    const entered: number[] = [];
    const firstTwo = members
      .slice(0, 2)
      .map((m, i) => m.enter({ timeoutMs: 5000 }).then(() => entered.push(i)));
    await sleep(200);
    // Two of three: nobody is in yet.
    expect(entered).toEqual([]);
    await Promise.all([...firstTwo, members[2]!.enter({ timeoutMs: 5000 }).then(() => entered.push(2))]);
    expect(entered.sort()).toEqual([0, 1, 2]);
    await Promise.all(members.map((m) => m.leave({ timeoutMs: 5000 })));
    expect(await a.getChildren("/barriers/double")).toEqual([]);
  });
});
