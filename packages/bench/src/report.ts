import type { LatencySummaryMs } from "./histogram.js";
import type { LoadResult } from "./load.js";

export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

export function formatRate(opsPerSec: number): string {
  return Math.round(opsPerSec).toLocaleString("en-US");
}

function latencyLine(l: LatencySummaryMs): string {
  return [
    `p50 ${formatMs(l.p50Ms)}`,
    `p90 ${formatMs(l.p90Ms)}`,
    `p99 ${formatMs(l.p99Ms)}`,
    `p99.9 ${formatMs(l.p999Ms)}`,
    `max ${formatMs(l.maxMs)}`,
    `mean ${formatMs(l.meanMs)}`,
  ].join("  ");
}

/** The human-readable result of one run: an aligned two-column table. */
export function formatResult(r: LoadResult): string {
  const rows: Array<[string, string]> = [
    ["target", r.connect],
    [
      "workload",
      `${r.workload}${r.readRatio === undefined ? "" : ` (read ratio ${r.readRatio})`}, ` +
        `${r.clients} clients x ${r.outstanding} outstanding, ${r.valueBytes} B values` +
        (r.znodes > 0 ? `, ${r.znodes} znodes` : ""),
    ],
    ["measured", `${(r.measuredMs / 1000).toFixed(2)} s after ${(r.warmupMs / 1000).toFixed(2)} s warm-up`],
    ["ops", String(r.ops)],
    ["ops/s", formatRate(r.opsPerSec)],
    [
      "errors",
      r.errorCount === 0
        ? "0"
        : `${r.errorCount} (${r.errors.map((e) => `${e.name} ${e.count}`).join(", ")})`,
    ],
    ["latency ms", latencyLine(r.latency)],
  ];
  if (r.readLatency) rows.push(["  reads", latencyLine(r.readLatency)]);
  if (r.writeLatency) rows.push(["  writes", latencyLine(r.writeLatency)]);
  rows.push(["generator cpu", `${r.loadGenCpuPercent.toFixed(0)}% of one core`]);
  if (r.lostClients > 0) rows.push(["lost clients", String(r.lostClients)]);
  if (r.cleanupError) rows.push(["cleanup", `FAILED: ${r.cleanupError} (root ${r.root})`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}
