// The Prometheus endpoint: ZooKeeper's PrometheusMetricsProvider keys, names and types, values
// from the same registry as mntr, the Node process metrics for exportJvmInfo, ZooKeeper's failure
// when the port is taken, and the Grafana dashboard in deploy/ asking only for exported names.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { ZooKeeperClient } from "@paddock/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PADDOCK_SERVER_PATH, startPaddock } from "../support/paddock.js";
import {
  fourLetterWord,
  freePort,
  makeTempDir,
  type ServerHandle,
  startProcess,
  stopProcess,
  writeZooCfg,
} from "../support/process.js";

const PROMETHEUS = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider";
const DASHBOARD = join(import.meta.dirname, "..", "..", "deploy", "grafana", "paddock-zookeeper.json");

interface Family {
  type: string;
  samples: Map<string, number>;
}

/** The text exposition format: `# TYPE name type` then `name{labels} value` samples. */
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  let current: Family | undefined;
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type !== null) {
      current = { type: type[2]!, samples: new Map() };
      families.set(type[1]!, current);
      continue;
    }
    if (line === "" || line.startsWith("#")) continue;
    const sample = /^(\S+?)(\{[^}]*\})? (\S+)$/.exec(line);
    expect(sample, line).not.toBeNull();
    current?.samples.set(`${sample![1]}${sample![2] ?? ""}`, Number(sample![3]));
  }
  return families;
}

describe("Prometheus metrics provider", () => {
  let server: ServerHandle;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    server = await startPaddock({
      extraCfg: [
        `metricsProvider.className=${PROMETHEUS}`,
        "metricsProvider.httpHost=127.0.0.1",
        `metricsProvider.httpPort=${metricsPort}`,
      ],
    });
    const c = new ZooKeeperClient({ connectString: server.connectString, sessionTimeoutMs: 30_000 });
    await c.connect();
    await c.create("/p", "x");
    for (let i = 0; i < 20; i++) {
      await c.getData("/p", () => {});
      await c.setData("/p", `v${i}`);
    }
    await c.close();
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
  });

  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await res.text());
  };

  it("exports ZooKeeper's gauges, counters and summaries under their names and types", async () => {
    const m = await scrape();
    for (const gauge of ["znode_count", "watch_count", "ephemerals_count", "approximate_data_size"]) {
      expect([gauge, m.get(gauge)?.type]).toEqual([gauge, "gauge"]);
    }
    for (const gauge of ["outstanding_requests", "num_alive_connections", "global_sessions", "uptime"]) {
      expect([gauge, m.get(gauge)?.type]).toEqual([gauge, "gauge"]);
    }
    for (const counter of [
      "bytes_received_count",
      "response_bytes",
      "watch_bytes",
      "connection_request_count",
    ]) {
      expect([counter, m.get(counter)?.type]).toEqual([counter, "counter"]);
      expect(m.get(counter)!.samples.get(counter)).toBeGreaterThan(0);
    }
    // ADVANCED summaries have the 0.5/0.9/0.99 quantiles, BASIC ones only the median.
    const read = m.get("readlatency")!;
    expect(read.type).toBe("summary");
    expect([...read.samples.keys()].sort()).toEqual(
      [
        'readlatency{quantile="0.5"}',
        'readlatency{quantile="0.9"}',
        'readlatency{quantile="0.99"}',
        "readlatency_count",
        "readlatency_sum",
      ].sort(),
    );
    expect(read.samples.get("readlatency_count")).toBe(20);
    // create + 20 setData, and the session close.
    expect(m.get("updatelatency")!.samples.get("updatelatency_count")).toBeGreaterThanOrEqual(21);
    const batch = m.get("sync_processor_batch_size")!;
    expect([...batch.samples.keys()]).toContain('sync_processor_batch_size{quantile="0.5"}');
    expect([...batch.samples.keys()]).not.toContain('sync_processor_batch_size{quantile="0.9"}');
    // Never a placeholder: no local sessions, no TLS figures, no leader figures standalone.
    for (const absent of [
      "local_sessions",
      "auth_failed_count",
      "learners",
      "quorum_size",
      "throttled_ops",
    ]) {
      expect([absent, m.has(absent)]).toEqual([absent, false]);
    }
  });

  it("gauges agree with mntr: one registry and one snapshot feed both", async () => {
    const m = await scrape();
    const mntr = await fourLetterWord(server.host, server.port, "mntr");
    for (const key of ["znode_count", "approximate_data_size", "global_sessions"]) {
      const inMntr = Number(new RegExp(`^zk_${key}\\t(\\d+)$`, "m").exec(mntr)?.[1]);
      expect([key, m.get(key)!.samples.get(key)]).toEqual([key, inMntr]);
    }
    const cnt = Number(/^zk_cnt_readlatency\t(\d+)$/m.exec(mntr)?.[1]);
    expect(m.get("readlatency")!.samples.get("readlatency_count")).toBe(cnt);
  });

  it("exportJvmInfo: the Node process metrics under the process_ names dashboards use", async () => {
    const m = await scrape();
    for (const name of ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds"]) {
      expect([name, m.has(name)]).toEqual([name, true]);
    }
    expect(m.has("nodejs_eventloop_lag_seconds")).toBe(true);
  });

  it("only GET /metrics is served", async () => {
    expect((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { method: "POST" })).status).toBe(405);
  });

  it("the Grafana dashboard asks only for metrics the endpoint exports", async () => {
    const m = await scrape();
    const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as {
      panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
    };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(8);
    const exported = new Set(
      [...m.values()].flatMap((f) => [...f.samples.keys()].map((k) => k.split("{")[0]!)),
    );
    // Ensemble and leader figures appear only on ensemble members (ZooKeeper's names as well).
    const ensembleOnly = new Set([
      "quorum_size",
      "learners",
      "synced_followers",
      "pending_syncs",
      "election_time_sum",
      "election_time_count",
      "looking_count",
      "diff_count",
      "snap_count",
    ]);
    for (const expr of exprs) {
      // Metric names: identifiers outside label matchers and ranges that are not function calls.
      const bare = expr.replace(/\{[^}]*\}/g, "").replace(/\[[^\]]*\]/g, "");
      const names = [...bare.matchAll(/\b[a-z_][a-z0-9_]*\b(?!\s*\()/g)].map((x) => x[0]);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        expect([expr, name, exported.has(name) || ensembleOnly.has(name)]).toEqual([expr, name, true]);
      }
    }
  });
});

describe("Prometheus metrics port taken", () => {
  it("the server does not start, as ZooKeeper's 'Cannot boot MetricsProvider'", async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, "127.0.0.1", r));
    try {
      const dir = makeTempDir("paddock-metrics-taken");
      const clientPort = await freePort();
      const cfg = writeZooCfg(dir, join(dir, "data"), clientPort, [
        `metricsProvider.className=${PROMETHEUS}`,
        "metricsProvider.httpHost=127.0.0.1",
        `metricsProvider.httpPort=${port}`,
      ]);
      const proc = startProcess(process.execPath, [PADDOCK_SERVER_PATH, cfg]);
      const code = await new Promise<number | null>((resolve) => proc.child.once("exit", (c) => resolve(c)));
      expect(code).toBe(1);
      expect(proc.output()).toContain("metrics port (metricsProvider.httpPort)");
      await stopProcess(proc, 1000);
    } finally {
      blocker.close();
    }
  });
});
