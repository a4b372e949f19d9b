// Our recipes against Apache Curator's, on the same server in one run (not part of npm test):
//   - InterProcessMutex acquire+release per second, 1 contender and 50 (each its own session);
//   - LeaderLatch hand-over: from SIGKILL of the leader's process (its session must expire) and
//     from the leader's close() (its node is deleted at once) until the next participant, in
//     another process, reports leadership. Median of several rounds.
// Usage: npx tsx test/interop/bench-vs-curator.ts [--server paddock|zookeeper|both] [--seconds 5]
//        [--lock-rounds 3] [--rounds 5] [--session-timeout-ms 4000]   (`npm run build` first)
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InterProcessMutex, ZooKeeperClient } from "../../packages/client/src/index.js";
import { startLineProcess } from "../support/line-process.js";
import { startPaddock } from "../support/paddock.js";
import type { ServerHandle } from "../support/process.js";
import { startZookeeper } from "../support/zookeeper.js";
import { type CuratorPeer, curatorMissing, startCuratorPeer } from "./curator-peer.js";

const argValue = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const which = argValue("--server", "both");
const seconds = Number(argValue("--seconds", "5"));
const lockRounds = Number(argValue("--lock-rounds", "3"));
const rounds = Number(argValue("--rounds", "5"));
const sessionTimeoutMs = Number(argValue("--session-timeout-ms", "4000"));
const nodePeerScript = join(fileURLToPath(import.meta.url), "..", "node-peer.ts");

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

async function ourLockRate(connectString: string, path: string, contenders: number): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: contenders }, async () => {
      const c = new ZooKeeperClient({ connectString, sessionTimeoutMs: 10_000 });
      await c.connect();
      return c;
    }),
  );
  const locks = clients.map((c) => new InterProcessMutex(c, path));
  for (const lock of locks) {
    await lock.acquire();
    await lock.release();
  }
  let ops = 0;
  const startMs = performance.now();
  const deadline = startMs + seconds * 1000;
  await Promise.all(
    locks.map(async (lock) => {
      while (performance.now() < deadline) {
        await lock.acquire();
        await lock.release();
        ops++;
      }
    }),
  );
  const rate = ops / ((performance.now() - startMs) / 1000);
  await Promise.all(clients.map((c) => c.close()));
  return rate;
}

async function curatorLockRate(connectString: string, path: string, contenders: number): Promise<number> {
  const peer = startCuratorPeer(
    ["bench-lock", connectString, path, String(contenders), String(seconds * 1000)],
    {
      benchmark: true,
    },
  );
  const line = await peer.waitFor(/^ops /, (seconds + 60) * 1000);
  await peer.exited;
  const [, ops, secs] = /^ops (\d+) seconds ([\d.]+)/.exec(line) ?? [];
  return Number(ops) / Number(secs);
}

type PeerKind = "ours" | "curator";

function leaderPeer(kind: PeerKind, connectString: string, path: string): CuratorPeer {
  return kind === "curator"
    ? startCuratorPeer(["bench-leader", connectString, path, String(sessionTimeoutMs)], { benchmark: true })
    : // One process (node with tsx's loader, not the tsx launcher), so SIGKILL ends the session's owner.
      startLineProcess(process.execPath, [
        "--import",
        "tsx",
        nodePeerScript,
        "latch",
        connectString,
        path,
        String(sessionTimeoutMs),
      ]);
}

/** Milliseconds from the leader's end (kill or close) to the follower's "leader" line. */
async function handOverMs(
  kind: PeerKind,
  connectString: string,
  path: string,
  how: "kill" | "close",
): Promise<number> {
  const leader = leaderPeer(kind, connectString, path);
  await leader.waitFor(/^leader /, 60_000);
  const follower = leaderPeer(kind, connectString, path);
  await follower.waitFor(/^started$/, 60_000);
  // Give the follower time to set its watch on the leader's node.
  await new Promise((r) => setTimeout(r, 500));
  const endMs = Date.now();
  if (how === "kill") leader.kill("SIGKILL");
  else leader.send("close");
  const line = await follower.waitFor(/^leader /, sessionTimeoutMs * 5 + 10_000);
  const took = Number(line.split(" ")[1]) - endMs;
  leader.kill();
  follower.kill();
  await Promise.all([leader.exited, follower.exited]);
  return took;
}

async function benchOn(name: string, server: ServerHandle): Promise<void> {
  const cs = server.connectString;
  console.log(
    `\n## ${name}: ${lockRounds} x ${seconds} s lock runs per side, ${rounds} hand-over rounds, session timeout ${sessionTimeoutMs} ms`,
  );
  console.log("| measure | @paddock/client | Curator 5.4 | ours / Curator |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const contenders of [1, 50]) {
    // Alternated, so a neighbour's load on this shared machine hits both sides alike.
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < lockRounds; r++) {
      ours.push(await ourLockRate(cs, `/bench/lock-ours-${contenders}`, contenders));
      theirs.push(await curatorLockRate(cs, `/bench/lock-curator-${contenders}`, contenders));
    }
    const o = median(ours);
    const t = median(theirs);
    const label = `lock acquire+release/s, ${contenders} contender${contenders > 1 ? "s" : ""}, median`;
    console.log(`| ${label} | ${o.toFixed(0)} | ${t.toFixed(0)} | ${(o / t).toFixed(2)} |`);
    console.log(
      `|   (all runs) | ${ours.map((x) => x.toFixed(0)).join(", ")} | ${theirs.map((x) => x.toFixed(0)).join(", ")} | |`,
    );
  }
  for (const how of ["close", "kill"] as const) {
    const results: Record<PeerKind, number[]> = { ours: [], curator: [] };
    for (let r = 0; r < rounds; r++) {
      for (const kind of ["ours", "curator"] as const) {
        results[kind].push(await handOverMs(kind, cs, `/bench/latch-${how}-${kind}-${r}`, how));
      }
    }
    const o = median(results.ours);
    const c = median(results.curator);
    console.log(
      `| leader hand-over after ${how === "kill" ? "SIGKILL (session expiry)" : "close()"}, median ms | ${o} | ${c} | ${(o / c).toFixed(2)} |`,
    );
    console.log(`|   (all rounds, ms) | ${results.ours.join(", ")} | ${results.curator.join(", ")} | |`);
  }
}

const missing = curatorMissing();
if (missing !== undefined) {
  console.error(`cannot run Curator: ${missing}`);
  process.exit(1);
}
for (const [name, start] of [
  ["Paddock", () => startPaddock()],
  ["ZooKeeper 3.8", () => startZookeeper()],
] as const) {
  if (which !== "both" && !name.toLowerCase().startsWith(which)) continue;
  const server = await start();
  try {
    await benchOn(name, server);
  } finally {
    await server.stop();
  }
}
process.exit(0);
