// globalOutstandingLimit: with a limit far below what the clients keep in flight, the server
// pauses connections instead of growing or refusing: every request is answered, each session's
// replies in order, nothing lost, nothing stuck; each time the limit is reached counts in
// global_outstanding_limit_reached.
import { ZooKeeperClient } from "@paddock/client";
import { afterAll, describe, expect, it } from "vitest";
import { startPaddock } from "../support/paddock.js";
import { fourLetterWord, type ServerHandle } from "../support/process.js";

async function limitReached(s: ServerHandle): Promise<number> {
  const line = (await fourLetterWord(s.host, s.port, "mntr"))
    .split("\n")
    .find((l) => l.startsWith("zk_global_outstanding_limit_reached\t"));
  expect(line).toBeDefined();
  return Number(line!.split("\t")[1]);
}

let server: ServerHandle | undefined;
afterAll(async () => {
  await server?.stop();
});

describe("globalOutstandingLimit", () => {
  it("pipelining clients far past the limit all get their replies, in order", {
    timeout: 60_000,
  }, async () => {
    server = await startPaddock({ extraCfg: ["globalOutstandingLimit=4"] });
    expect(await limitReached(server)).toBe(0);
    const clients = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const c = new ZooKeeperClient({ connectString: server!.connectString, sessionTimeoutMs: 30_000 });
        await c.connect();
        await c.create(`/g${i}`, "0");
        return c;
      }),
    );
    try {
      const results = await Promise.all(
        clients.map(async (c, i) => {
          // 300 writes and 300 reads in flight at once on each session.
          const ops: Promise<number>[] = [];
          for (let n = 1; n <= 300; n++) {
            ops.push(c.setData(`/g${i}`, String(n)).then((stat) => stat.version));
            ops.push(c.getData(`/g${i}`).then(({ data }) => Number(data?.toString())));
          }
          return Promise.all(ops);
        }),
      );
      for (const values of results) {
        const versions = values.filter((_, k) => k % 2 === 0);
        const reads = values.filter((_, k) => k % 2 === 1);
        expect(versions).toEqual(Array.from({ length: 300 }, (_, k) => k + 1));
        // Each read follows its session's write: FIFO per session survives the throttling.
        expect(reads).toEqual(Array.from({ length: 300 }, (_, k) => k + 1));
      }
      expect(await limitReached(server)).toBeGreaterThan(0);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
