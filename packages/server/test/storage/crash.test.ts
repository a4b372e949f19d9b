import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readEpochFile } from "../../src/storage/epoch-file.js";
import { TxnLog } from "../../src/storage/txn-log.js";
import { captureLogger, payloadFor, randomInt, rng, tempDir } from "./helpers.js";

/*
 * Real crashes: a child process appends as fast as it can and prints what was acknowledged; we
 * SIGKILL it at seeded moments and reopen. SIGKILL keeps the page cache, so this proves the
 * acknowledgement order and recovery logic, not the disk's behaviour on power loss (the torn-tail
 * tests cover the bytes such a loss leaves behind).
 */

const WRITER = fileURLToPath(new URL("./fixtures/crash-writer.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const SEED = Number(process.env.SEED ?? 20261121);
const SOAK = process.env.PADDOCK_SOAK === "1";
const ROUNDS = SOAK ? 40 : 5;
const TIMEOUT_MS = SOAK ? 900_000 : 120_000;

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("crash"));
});
afterEach(async () => {
  await cleanup();
});

/** Runs the writer until `acks` lines arrived plus `extraMs`, then SIGKILLs it. */
function runAndKill(args: string[], acks: number, extraMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", WRITER, ...args], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let killScheduled = false;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      out += d;
      if (!killScheduled && out.split("\n").length > acks) {
        killScheduled = true;
        setTimeout(() => child.kill("SIGKILL"), extraMs);
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      clearTimeout(guard);
      if (signal !== "SIGKILL" || !killScheduled) {
        reject(new Error(`writer ended on its own (signal ${signal}): ${err}`));
        return;
      }
      // A line without its newline was never fully printed: not an acknowledgement.
      const lines = out.split("\n").slice(0, -1);
      resolve(lines.map(Number));
    });
  });
}

describe("crash safety (SIGKILL)", () => {
  it(
    "every acknowledged append survives, in order, across repeated kills",
    async () => {
      const next = rng(SEED);
      const acked: number[] = [];
      let tornTails = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const concurrency = randomInt(next, 1, 64);
        const rollEvery = randomInt(next, 50, 400);
        const got = await runAndKill(
          ["log", dir, String(concurrency), "16384", String(rollEvery)],
          randomInt(next, 20, 600),
          randomInt(next, 0, 60),
        );
        acked.push(...got);
        const logger = captureLogger();
        const log = await TxnLog.open(dir, { preAllocSizeBytes: 16384, forceSync: true, logger });
        tornTails += logger.lines.filter((l) => l.msg.startsWith("truncated torn tail")).length;
        const present = new Map<number, Buffer>();
        let prev = 0;
        for await (const r of log.readFrom(0)) {
          expect(r.zxid).toBeGreaterThan(prev);
          prev = r.zxid;
          present.set(r.zxid, r.payload);
        }
        await log.close();
        const missing = acked.filter((z) => !present.has(z));
        expect(missing, `round ${round} (SEED=${SEED})`).toEqual([]);
        for (const z of got) expect(present.get(z)!.equals(payloadFor(z, 50 + (z % 700)))).toBe(true);
        // Everything up to the highest ack is there without holes (the writer's zxids are dense).
        expect(present.size).toBeGreaterThanOrEqual(Math.max(...acked));
      }
      expect(acked.length).toBeGreaterThan(ROUNDS * 20);
      if (SOAK)
        console.info(`crash test: ${acked.length} acknowledged appends over ${ROUNDS} kills, none lost`);
      if (tornTails > 0) console.info(`crash test: ${tornTails} torn tails cut over ${ROUNDS} kills`);
    },
    TIMEOUT_MS,
  );

  it(
    "an epoch file killed mid-rewrite holds the last acknowledged epoch or a later one",
    async () => {
      const next = rng(SEED + 1);
      const file = join(dir, "acceptedEpoch");
      for (let round = 0; round < (SOAK ? 20 : 2); round++) {
        const got = await runAndKill(["epoch", file], randomInt(next, 5, 60), randomInt(next, 0, 20));
        const last = got.at(-1)!;
        const onDisk = readEpochFile(file);
        expect(onDisk).toBeGreaterThanOrEqual(last);
        expect(onDisk).toBeLessThanOrEqual(last + 1);
      }
    },
    TIMEOUT_MS,
  );
});
