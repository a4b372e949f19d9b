// No herd effect, proved by counting: 100 sessions contend for one InterProcessMutex and then
// for one LeaderLatch; every watch notification the server sends to any of them is counted. Each
// release and each change of leader must cost exactly one notification, delivered to the one
// contender next in line, and the server must hold one watch per waiter, each on its own path.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPaddock } from "../../../../test/support/paddock.js";
import { fourLetterWord, type ServerHandle } from "../../../../test/support/process.js";
import { InterProcessMutex, LeaderLatch, ZooKeeperClient } from "../../src/index.js";
import { eventually, waitFor } from "../support/util.js";

const CONTENDERS = 100;

describe(`herd-free recipes with ${CONTENDERS} contenders`, () => {
  let server: ServerHandle;
  let clients: ZooKeeperClient[] = [];
  let notifications: number[] = [];
  const total = () => notifications.reduce((a, b) => a + b, 0);

  /** wchs: "N connections watching P paths" and "Total watches:W". */
  async function watchSummary(): Promise<{ paths: number; watches: number }> {
    const text = await fourLetterWord("127.0.0.1", server.port, "wchs");
    return {
      paths: Number(/watching (\d+) paths/.exec(text)?.[1] ?? -1),
      watches: Number(/Total watches:(\d+)/.exec(text)?.[1] ?? -1),
    };
  }

  beforeAll(async () => {
    server = await startPaddock({ extraCfg: ["maxClientCnxns=0"] });
    clients = Array.from(
      { length: CONTENDERS },
      () => new ZooKeeperClient({ connectString: server.connectString, sessionTimeoutMs: 10_000 }),
    );
    notifications = clients.map(() => 0);
    clients.forEach((c, i) => {
      c.on("notification", () => notifications[i]!++);
    });
    await Promise.all(clients.map((c) => c.connect()));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server?.stop();
  });

  it("InterProcessMutex: each release wakes exactly one waiter", { timeout: 60_000 }, async () => {
    const before = total();
    // Notifications delivered so far, at the moment each holder got the lock.
    const seenAtGrant: number[] = [];
    let first = true;
    await Promise.all(
      clients.map(async (c) => {
        const lock = new InterProcessMutex(c, "/herd/lock");
        await lock.acquire({ timeoutMs: 50_000 });
        seenAtGrant.push(total() - before);
        if (first) {
          first = false;
          // Hold until everyone queued: 99 waiters, 99 watches, on 99 different nodes.
          await eventually(
            async () => {
              const s = await watchSummary();
              return s.watches === CONTENDERS - 1 && s.paths === CONTENDERS - 1;
            },
            30_000,
            "every waiter watching one node",
          );
        }
        await lock.release();
      }),
    );
    // The k-th grant came after exactly k-1 notifications: one per release, none wasted.
    expect(seenAtGrant).toEqual(Array.from({ length: CONTENDERS }, (_, k) => k));
    expect(total() - before).toBe(CONTENDERS - 1);
    expect(notifications.filter((n) => n > 1)).toEqual([]);
  });

  it("LeaderLatch: each change of leader costs exactly one notification", { timeout: 60_000 }, async () => {
    const before = total();
    const latches = clients.map((c, i) => new LeaderLatch(c, "/herd/latch", `p${i}`));
    await Promise.all(latches.map((l) => l.start()));
    expect(latches.filter((l) => l.hasLeadership)).toHaveLength(1);
    await eventually(async () => (await watchSummary()).paths === CONTENDERS - 1, 30_000, "99 watched nodes");
    expect(await watchSummary()).toEqual({ paths: CONTENDERS - 1, watches: CONTENDERS - 1 });
    expect(total() - before).toBe(0);
    const tokens: number[] = [];
    for (let change = 1; change < CONTENDERS; change++) {
      const leader = latches.find((l) => l.hasLeadership)!;
      tokens.push(leader.currentLeadership!.token);
      await leader.close();
      await waitFor(() => latches.some((l) => l.hasLeadership), 10_000, `leader #${change + 1}`);
      expect(total() - before).toBe(change);
    }
    // Fencing tokens of successive leaders only grow.
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]!);
    await latches.find((l) => l.hasLeadership)!.close();
  });
});
