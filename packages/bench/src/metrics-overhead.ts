// What the metrics add to one request on the server's path, measured in isolation: the end-to-end
// set/get benchmark on a shared 2-core machine cannot resolve a difference this small.
//   node --import tsx packages/bench/src/metrics-overhead.ts
import { coreMetrics } from "../../server/src/metrics/server-metrics.js";
import { ServerStats } from "../../server/src/net/server-stats.js";

const m = coreMetrics();
const stats = new ServerStats();
const N = 5_000_000;
function perOp(i: number) {
  // What one request adds on the path: frame bytes, reply bytes + size stats, a latency observe;
  // a write adds a propagation observe with a Date.now().
  m.bytesReceived.add(64 + (i & 7));
  m.responseBytes.add(100);
  stats.recordResponseSize(100 + (i & 15));
  m.updateLatency.observe(i & 3);
  const p = Date.now() - 1;
  if (p >= 0) m.propagationLatency.observe(p & 7);
}
for (let i = 0; i < 1_000_000; i++) perOp(i);
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) perOp(i);
const ns = Number(process.hrtime.bigint() - t0) / N;
console.log(`metrics work added per write request: ${ns.toFixed(1)} ns`);
