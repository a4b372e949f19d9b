// Membership changes under a steady write load, measured the same way for Apache ZooKeeper and
// Paddock: a 3-server ensemble (reconfigEnabled, skipACL) with two more servers started outside it;
// 8 writers create sequential znodes through every member's address; after a warm-up, three steps:
// add the two servers, remove them again, remove the leader. For each step: how long the reconfig
// took, the longest gap between acknowledged writes from the step's start until 3 s after it, and
// the write throughput in that window. At the end every acknowledged create must exist.
//
//   node --import tsx packages/bench/src/reconfig.ts [--targets zookeeper,paddock] [--warmup-ms 20000]
import { parseArgs } from "node:util";
import { ZooKeeperClient } from "@paddock/client";
import { CreateMode } from "@paddock/jute";
import { DEFAULT_LAUNCH_OPTIONS, type LaunchedEnsemble, launchEnsemble, type ServerKind } from "./servers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WINDOW_MS = 3000;

export interface StepResult {
  step: string;
  reconfigMs: number;
  outcome: string;
  longestGapMs: number;
  writesPerSec: number;
}

export interface ReconfigBenchResult {
  kind: ServerKind;
  steps: StepResult[];
  acknowledged: number;
  lost: number;
}

export async function measureReconfig(
  kind: ServerKind,
  warmupMs: number,
  log: (s: string) => void,
): Promise<ReconfigBenchResult> {
  const ens: LaunchedEnsemble = await launchEnsemble(
    kind,
    { kind: "ensemble", size: 5, joiners: 2 },
    { ...DEFAULT_LAUNCH_OPTIONS, extraCfg: ["reconfigEnabled=true", "skipACL=yes"] },
  );
  const acks: number[] = [];
  const acked: string[] = [];
  const writers: ZooKeeperClient[] = [];
  let stop = false;
  const admin = new ZooKeeperClient({ connectString: ens.connectString, sessionTimeoutMs: 30_000 });
  try {
    await admin.connect();
    await admin.create("/rb", "");
    const joinerLines = [4, 5].map((id) => {
      const m = ens.members[id - 1]!;
      return `server.${id}=127.0.0.1:${m.peerPort}:${m.electionPort}:participant;127.0.0.1:${m.clientPort}`;
    });
    for (let w = 0; w < 8; w++) {
      const c = new ZooKeeperClient({
        connectString: ens.connectString,
        sessionTimeoutMs: 30_000,
        reconnectDelayMs: 10,
      });
      await c.connect();
      writers.push(c);
    }
    const loops = writers.map(async (c) => {
      while (!stop) {
        try {
          const path = await c.create("/rb/n-", "x", { mode: CreateMode.PersistentSequential });
          acks.push(Date.now());
          acked.push(path);
        } catch {
          await sleep(2);
        }
      }
    });
    log(`${kind}: warming up for ${warmupMs} ms`);
    await sleep(warmupMs);

    const steps: StepResult[] = [];
    const step = async (name: string, change: () => Promise<unknown>) => {
      const startedMs = Date.now();
      const outcome = await change().then(
        () => "committed",
        (e: unknown) => `failed: ${(e as Error).message}`,
      );
      const reconfigMs = Date.now() - startedMs;
      await sleep(Math.max(0, startedMs + WINDOW_MS - Date.now()));
      const inWindow = acks.filter((t) => t >= startedMs && t <= startedMs + WINDOW_MS);
      // The gap before the first ack in the window counts too.
      let longestGapMs = 0;
      let previous = startedMs;
      for (const t of inWindow) {
        longestGapMs = Math.max(longestGapMs, t - previous);
        previous = t;
      }
      longestGapMs = Math.max(longestGapMs, startedMs + WINDOW_MS - previous);
      const r = {
        step: name,
        reconfigMs,
        outcome,
        longestGapMs,
        writesPerSec: inWindow.length / (WINDOW_MS / 1000),
      };
      log(`${kind}: ${name}: ${JSON.stringify(r)}`);
      steps.push(r);
      await sleep(1000);
    };
    await step("add 2 servers", () => admin.reconfig({ joining: joinerLines }));
    await step("remove them", () => admin.reconfig({ leaving: [4, 5] }));
    const leader = await ens.leader();
    if (leader === undefined) throw new Error(`${kind}: no leader`);
    await step(`remove the leader (${leader.id})`, () => admin.reconfig({ leaving: [leader.id] }));

    stop = true;
    await Promise.all(loops);
    const present = new Set((await admin.retry(() => admin.getChildren("/rb"))).map((n) => `/rb/${n}`));
    const lost = acked.filter((p) => !present.has(p)).length;
    log(`${kind}: ${acked.length} acknowledged creates, ${lost} lost`);
    return { kind, steps, acknowledged: acked.length, lost };
  } finally {
    stop = true;
    for (const c of writers) await c.close().catch(() => {});
    await admin.close().catch(() => {});
    await ens.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      targets: { type: "string", default: "zookeeper,paddock" },
      "warmup-ms": { type: "string", default: "20000" },
    },
  });
  const results: ReconfigBenchResult[] = [];
  for (const kind of values.targets.split(",") as ServerKind[]) {
    results.push(await measureReconfig(kind, Number(values["warmup-ms"]), (s) => console.error(s)));
  }
  console.log("| server | step | reconfig | longest write gap (3 s window) | writes/s in it | outcome |");
  console.log("|---|---|---|---|---|---|");
  for (const r of results) {
    for (const s of r.steps) {
      console.log(
        `| ${r.kind} | ${s.step} | ${s.reconfigMs} ms | ${s.longestGapMs} ms | ${s.writesPerSec.toFixed(0)} | ${s.outcome} |`,
      );
    }
    console.log(`| ${r.kind} | acknowledged creates | ${r.acknowledged} | lost: ${r.lost} | | |`);
  }
  process.exit(0);
}
