// Kill -9 under write load, many times, at seeded moments: after every restart each write that
// had been acknowledged is there, sequential numbers never go backwards, versions never go
// backwards, and the data directory loads. A small snapCount makes kills land during snapshot
// writes and log rolls too. PADDOCK_SOAK=1 runs many more rounds.
import { rmSync } from "node:fs";
import { CreateMode, ZooKeeperClient } from "@paddock/client";
import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../packages/jute/test/prng.js";
import { type RestartablePaddock, startPaddockIn } from "../support/paddock.js";
import { freePort, makeTempDir } from "../support/process.js";

const SEED = Number(process.env.SEED ?? 20261121);
const ROUNDS = process.env.PADDOCK_SOAK === "1" ? 60 : 6;
const WRITERS = 4;

interface Acked {
  /** Paths of persistent znodes whose create was acknowledged. */
  created: Set<string>;
  /** Highest acknowledged sequence number of /seq/s-. */
  maxSeq: number;
  /** Highest acknowledged version of /counter. */
  maxCounterVersion: number;
}

async function writer(c: ZooKeeperClient, id: number, acked: Acked, stop: { now: boolean }): Promise<void> {
  let n = 0;
  while (!stop.now) {
    const pick = n % 3;
    try {
      if (pick === 0) {
        const path = `/crash/w${id}-${Date.now()}-${n}`;
        await c.create(path, "x".repeat(256));
        acked.created.add(path);
      } else if (pick === 1) {
        const path = await c.create("/seq/s-", "", { mode: CreateMode.PersistentSequential });
        acked.maxSeq = Math.max(acked.maxSeq, Number(path.slice(-10)));
      } else {
        const stat = await c.setData("/counter", String(n));
        acked.maxCounterVersion = Math.max(acked.maxCounterVersion, stat.version);
      }
    } catch {
      // In flight when the server died: the outcome is unknown, so it is not counted.
      if (c.state !== "connected") return;
    }
    n++;
  }
}

describe("kill -9 under write load", () => {
  const dir = makeTempDir("paddock-crash");
  let server: RestartablePaddock | undefined;

  afterAll(async () => {
    await server?.kill().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it(`loses no acknowledged write over ${ROUNDS} SIGKILLs (SEED=${SEED})`, {
    timeout: ROUNDS * 20_000,
  }, async () => {
    const random = seededRandom(SEED);
    const port = await freePort();
    const cfg = ["snapCount=300", "preAllocSize=1024"];
    const acked: Acked = { created: new Set(), maxSeq: -1, maxCounterVersion: -1 };
    server = await startPaddockIn(dir, port, { extraCfg: cfg });
    {
      const c = new ZooKeeperClient({ connectString: server.connectString });
      await c.connect();
      await c.create("/crash");
      await c.create("/seq");
      await c.create("/counter", "0");
      await c.close();
    }
    let totalAcked = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const clients = await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          const c = new ZooKeeperClient({ connectString: server!.connectString, reconnectDelayMs: 60_000 });
          await c.connect();
          return c;
        }),
      );
      const stop = { now: false };
      const before = acked.created.size;
      const loops = clients.map((c, i) => writer(c, i, acked, stop));
      await new Promise((r) => setTimeout(r, 200 + Math.floor(random() * 1300)));
      await server.kill("SIGKILL");
      stop.now = true;
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      await Promise.all(loops);
      totalAcked += acked.created.size - before;

      server = await startPaddockIn(dir, port, { extraCfg: cfg });
      const check = new ZooKeeperClient({ connectString: server.connectString });
      await check.connect();
      const present = new Set((await check.getChildren("/crash")).map((name) => `/crash/${name}`));
      const missing = [...acked.created].filter((p) => !present.has(p));
      expect(missing, `round ${round}: acknowledged creates lost`).toEqual([]);
      const next = await check.create("/seq/s-", "", { mode: CreateMode.PersistentSequential });
      expect(Number(next.slice(-10)), `round ${round}: sequence went backwards`).toBeGreaterThan(
        acked.maxSeq,
      );
      acked.maxSeq = Number(next.slice(-10));
      const counter = await check.exists("/counter");
      expect(counter!.version, `round ${round}: version went backwards`).toBeGreaterThanOrEqual(
        acked.maxCounterVersion,
      );
      await check.close();
    }
    // The test means something only if the writers got real work acknowledged.
    expect(totalAcked).toBeGreaterThan(ROUNDS * 10);
  });
});
