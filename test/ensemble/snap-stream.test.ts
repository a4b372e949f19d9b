// A learner that can only catch up by SNAP, on a 3-server ensemble of processes, while a client
// keeps writing through the leader: the SNAP is streamed in many pieces and the learner ends with
// the leader's tree digest; a learner frozen (SIGSTOP) mid-stream loses its link, and once
// resumed syncs again from scratch.
import { fourLetterWord, type Op, ZooKeeperClient } from "@paddock/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SNAPSHOT_STREAM_CHUNK_BYTES } from "../../packages/server/src/net/peer-frame-limit.js";
import { Ensemble } from "../support/ensemble.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function client(connectString: string): Promise<ZooKeeperClient> {
  const c = new ZooKeeperClient({
    connectString,
    reconnectDelayMs: 50,
    connectTimeoutMs: 15_000,
    sessionTimeoutMs: 10_000,
  });
  await c.connect();
  return c;
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** A client writing through `connectString` until stopped; counts its acknowledged writes. */
function writer(connectString: string) {
  let stop = false;
  let acked = 0;
  const done = (async () => {
    const c = await client(connectString);
    await c.create("/w", "0").catch(() => {});
    while (!stop) {
      await c.setData("/w", String(acked));
      acked++;
    }
    await c.close();
  })();
  return {
    acked: () => acked,
    stop: async () => {
      stop = true;
      await done;
    },
  };
}

async function hash(port: number): Promise<string> {
  return fourLetterWord("127.0.0.1", port, "hash", 2000).catch(() => "");
}

const countOf = (text: string, needle: string) => text.split(needle).length - 1;

describe("streamed SNAP on a 3-server ensemble", () => {
  let ens: Ensemble;
  let leader: number;

  beforeAll(async () => {
    // Without it the leader would send these learners a DIFF read back from its txn log files.
    ens = await Ensemble.create({ size: 3, extraCfg: ["snapshotSizeFactor=-1"] });
    ens.startAll();
    leader = await ens.waitForQuorum();
  }, 60_000);

  afterAll(async () => {
    await ens?.destroy();
  });

  /** Kills `learner`, then grows the tree past several pieces and the leader's in-memory log. */
  async function leaveBehind(learner: number, prefix: string): Promise<void> {
    await ens.kill(learner);
    const c = await client(ens.node(leader).connectString);
    await c.create(`/${prefix}`);
    const value = Buffer.alloc(100, 0x62);
    // 40,000 znodes of 100 bytes: a snapshot of ~7 MB, over a hundred pieces of one 64 KiB chunk.
    for (let p = 0; p < 40; p++) {
      await c.create(`/${prefix}/p${p}`);
      const ops: Op[] = [];
      for (let i = 0; i < 1000; i++)
        ops.push({ type: "create", path: `/${prefix}/p${p}/c${i}`, data: value });
      await c.multi(ops);
    }
    // More txns than the leader keeps in memory (2,000), and reading its log files back is off:
    // only a SNAP can bring the learner back.
    for (let i = 0; i < 3000; i += 300) {
      await Promise.all(Array.from({ length: 300 }, (_, k) => c.setData(`/${prefix}`, String(i + k))));
    }
    await c.close();
  }

  async function sameDigestAsLeader(learner: number): Promise<void> {
    let last = "";
    await until(
      async () => {
        const [a, b] = [await hash(ens.node(leader).clientPort), await hash(ens.node(learner).clientPort)];
        last = `leader ${a.trim()} / learner ${b.trim()}`;
        return a !== "" && a === b;
      },
      30_000,
      `same digest (${last})`,
    );
  }

  it("a learner synced by a SNAP of many pieces while writes go on has the leader's digest", {
    timeout: 120_000,
  }, async () => {
    const learner = ens.nodes.find((n) => n.id !== leader)!.id;
    await leaveBehind(learner, "a");
    const w = writer(ens.node(leader).connectString);
    await until(() => w.acked() > 50, 10_000, "writes before the restart");
    const streamedBefore = countOf(ens.output(leader), '"SNAP streamed"');
    ens.start(learner);
    await until(
      () => /snapshot from the leader installed/.test(ens.output(learner)),
      60_000,
      "SNAP installed",
    );
    const ackedAtInstall = w.acked();
    await until(() => w.acked() > ackedAtInstall + 50, 10_000, "writes after the SNAP");
    await w.stop();
    const leaderLog = ens.output(leader);
    expect(countOf(leaderLog, '"SNAP streamed"')).toBe(streamedBefore + 1);
    const streamed = leaderLog
      .split("\n")
      .filter((l) => l.includes('"SNAP streamed"'))
      .map((l) => JSON.parse(l) as { pieces: number; bytes: number })
      .at(-1)!;
    expect(streamed.pieces).toBeGreaterThan(50);
    // One small chunk per piece (and per turn of the leader's loop), a node's overshoot at most.
    expect(streamed.bytes / streamed.pieces).toBeLessThanOrEqual(SNAPSHOT_STREAM_CHUNK_BYTES + 1024);
    await sameDigestAsLeader(learner);
    expect(await ens.waitForQuorum()).toBe(leader);
  });

  it("a learner frozen mid-stream loses its link, and once resumed syncs again", {
    timeout: 120_000,
  }, async () => {
    const learner = ens.nodes.find((n) => n.id !== leader)!.id;
    await leaveBehind(learner, "b");
    const w = writer(ens.node(leader).connectString);
    const stoppedBefore = countOf(ens.output(leader), "SNAP stream stopped");
    const startedBefore = countOf(ens.output(leader), "streaming a SNAP");
    ens.start(learner);
    // Frozen as soon as the leader starts streaming: the learner's socket fills, the leader waits
    // on it, then drops the silent link.
    await until(
      () => countOf(ens.output(leader), "streaming a SNAP") > startedBefore,
      60_000,
      "stream start",
    );
    const pid = ens.node(learner).proc!.child.pid!;
    process.kill(pid, "SIGSTOP");
    try {
      await until(
        () => countOf(ens.output(leader), "SNAP stream stopped") > stoppedBefore,
        30_000,
        "stream stop",
      );
      // The leader keeps taking writes meanwhile.
      const acked = w.acked();
      await until(() => w.acked() > acked + 20, 10_000, "writes while the learner is frozen");
    } finally {
      process.kill(pid, "SIGCONT");
    }
    await until(
      () => /snapshot from the leader installed/.test(ens.output(learner)),
      60_000,
      "SNAP installed",
    );
    await w.stop();
    await sameDigestAsLeader(learner);
  });
});
