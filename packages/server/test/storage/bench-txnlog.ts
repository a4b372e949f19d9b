/*
 * Group-commit throughput: `node --import tsx packages/server/test/storage/bench-txnlog.ts
 * [appenders=100] [payloadBytes=1024] [seconds=5] [dir]`. Prints appends/s, fsyncs/s and
 * latency percentiles. Not part of the test suite.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TxnLog } from "../../src/storage/txn-log.js";

const appenders = Number(process.argv[2] ?? 100);
const payloadBytes = Number(process.argv[3] ?? 1024);
const seconds = Number(process.argv[4] ?? 5);
const dir = process.argv[5] ?? (await mkdtemp(join(tmpdir(), "paddock-bench-")));

const preAllocSizeBytes = Number(process.env.PREALLOC_BYTES ?? 64 * 1024 * 1024);
const log = await TxnLog.open(dir, { preAllocSizeBytes, forceSync: true });
const payload = Buffer.alloc(payloadBytes, 0x5a);
let next = 0;
const latenciesUs: number[] = [];
const deadline = performance.now() + seconds * 1000;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: appenders }, async () => {
    while (performance.now() < deadline) {
      const start = performance.now();
      await log.append(++next, payload);
      latenciesUs.push((performance.now() - start) * 1000);
    }
  }),
);
const elapsedS = (performance.now() - t0) / 1000;
const s = log.stats;
await log.close();
if (process.argv[5] === undefined) await rm(dir, { recursive: true, force: true });
latenciesUs.sort((a, b) => a - b);
const pct = (p: number) => (latenciesUs[Math.floor((latenciesUs.length - 1) * p)]! / 1000).toFixed(2);
console.log(
  JSON.stringify({
    appenders,
    payloadBytes,
    seconds: Number(elapsedS.toFixed(2)),
    appendsPerSec: Math.round(s.appends / elapsedS),
    fsyncsPerSec: Math.round(s.fsyncs / elapsedS),
    avgBatch: Number((s.appends / s.batches).toFixed(1)),
    mbPerSec: Number((s.bytesWritten / elapsedS / 1e6).toFixed(1)),
    latencyMs: { p50: pct(0.5), p99: pct(0.99), max: pct(1) },
  }),
);
