// The leader-failover window of a 3-node ensemble, measured the same way for Apache ZooKeeper and
// Paddock: a client writes in a loop through every member's address; the leader is killed with
// SIGKILL; the window is the time from the kill to the first write acknowledged after it. The
// killed member is restarted and the ensemble settles before the next round.
//
//   node --import tsx packages/bench/src/failover.ts [--rounds 5] [--targets zookeeper,paddock]
import { parseArgs } from "node:util";
import { ZooKeeperClient } from "@paddock/client";
import { DEFAULT_LAUNCH_OPTIONS, type LaunchedEnsemble, launchEnsemble, type ServerKind } from "./servers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FailoverResult {
  kind: ServerKind;
  windowsMs: number[];
}

async function settle(ens: LaunchedEnsemble, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await ens.leader()) !== undefined) return;
    await sleep(100);
  }
  throw new Error(`${ens.kind}: no leader within ${timeoutMs} ms`);
}

export async function measureFailover(kind: ServerKind, rounds: number, log: (s: string) => void) {
  const ens = await launchEnsemble(kind, { kind: "ensemble", size: 3 }, DEFAULT_LAUNCH_OPTIONS);
  const windowsMs: number[] = [];
  const client = new ZooKeeperClient({
    connectString: ens.connectString,
    sessionTimeoutMs: 30_000,
    reconnectDelayMs: 10,
    connectTimeoutMs: 30_000,
  });
  try {
    await client.connect();
    await client.create("/failover", "0").catch(() => {});
    for (let round = 0; round < rounds; round++) {
      const leader = await ens.leader();
      if (leader === undefined) throw new Error("no leader");
      let killedAtMs = Number.POSITIVE_INFINITY;
      let recoveredAtMs: number | undefined;
      let stop = false;
      const writer = (async () => {
        let n = 0;
        while (!stop) {
          const startedMs = Date.now();
          try {
            await client.setData("/failover", String(n++));
            if (startedMs >= killedAtMs && recoveredAtMs === undefined) recoveredAtMs = Date.now();
          } catch {
            await sleep(5);
          }
        }
      })();
      await sleep(500);
      killedAtMs = Date.now();
      await leader.kill("SIGKILL");
      const deadline = Date.now() + 60_000;
      while (recoveredAtMs === undefined && Date.now() < deadline) await sleep(5);
      stop = true;
      await writer;
      if (recoveredAtMs === undefined) throw new Error(`${kind}: no write succeeded within 60 s of the kill`);
      windowsMs.push(recoveredAtMs - killedAtMs);
      log(
        `${kind} round ${round + 1}: leader ${leader.id} killed, writes back after ${recoveredAtMs - killedAtMs} ms`,
      );
      await leader.restart();
      await settle(ens, 60_000);
      await sleep(1000);
    }
  } finally {
    await client.close().catch(() => {});
    await ens.stop();
  }
  return { kind, windowsMs } satisfies FailoverResult;
}

function summary(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return `median ${median} ms, worst ${s.at(-1)} ms, best ${s[0]} ms (${s.length} rounds)`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string", default: "5" },
      targets: { type: "string", default: "zookeeper,paddock" },
    },
  });
  const rounds = Number(values.rounds);
  const results: FailoverResult[] = [];
  for (const kind of values.targets.split(",") as ServerKind[]) {
    results.push(await measureFailover(kind, rounds, (s) => console.error(s)));
  }
  console.log("| server | kill -9 leader -> next acknowledged write |");
  console.log("|---|---|");
  for (const r of results) console.log(`| ${r.kind} | ${summary(r.windowsMs)} |`);
  process.exit(0);
}
