// ZooKeeper's PrometheusMetricsProvider, on prom-client: GET /metrics on metricsProvider.httpHost:
// httpPort in the text exposition format, with ZooKeeper's metric names and types (gauges for the
// server figures, counters, summaries with the 0.5/0.9/0.99 quantiles of ADVANCED summaries and
// 0.5 of BASIC ones, over the last 1024 observations), and the Node process metrics when exportJvmInfo is on (ZooKeeper exports
// the JVM's). Values come from the same registry and snapshot as mntr and /commands/monitor.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Gauge, Metric, Registry } from "prom-client";
import type { MetricsProviderConfig } from "../../config/index.js";
import { lazyModule } from "../../lazy-module.js";
import type { Logger } from "../../logger.js";
import type { ServerMetrics, SummaryMetric } from "../../metrics/server-metrics.js";
import type { MonitorSnapshot } from "../four-letter-snapshots.js";

const promClient = lazyModule<typeof import("prom-client")>("prom-client", () => require("prom-client"));

/** ZooKeeper's registerGauge names and where the monitor snapshot has each. */
const GAUGES: ReadonlyArray<readonly [string, (m: MonitorSnapshot) => number | undefined]> = [
  ["avg_latency", (m) => m.avgLatencyMs],
  ["max_latency", (m) => m.maxLatencyMs],
  ["min_latency", (m) => m.minLatencyMs],
  ["packets_received", (m) => m.packetsReceived],
  ["packets_sent", (m) => m.packetsSent],
  ["num_alive_connections", (m) => m.aliveConnections],
  ["outstanding_requests", (m) => m.outstandingRequests],
  ["uptime", (m) => m.uptimeMs],
  ["znode_count", (m) => m.znodeCount],
  ["watch_count", (m) => m.watchCount],
  ["ephemerals_count", (m) => m.ephemeralsCount],
  ["approximate_data_size", (m) => m.approximateDataSizeBytes],
  ["global_sessions", (m) => m.globalSessions],
  ["open_file_descriptor_count", (m) => m.openFileDescriptorCount],
  ["max_file_descriptor_count", (m) => m.maxFileDescriptorCount],
  ["last_client_response_size", (m) => m.lastClientResponseSize],
  ["max_client_response_size", (m) => m.maxClientResponseSize],
  ["min_client_response_size", (m) => m.minClientResponseSize],
  ["quorum_size", (m) => m.quorumSize],
  ["learners", (m) => m.leader?.learners],
  ["synced_followers", (m) => m.leader?.syncedFollowers],
  ["synced_non_voting_followers", (m) => m.leader?.syncedNonVotingFollowers],
  ["synced_observers", (m) => m.leader?.syncedObservers],
  ["pending_syncs", (m) => m.leader?.pendingSyncs],
  ["leader_uptime", (m) => m.leader?.leaderUptimeMs],
  ["last_proposal_size", (m) => m.leader?.lastProposalSize],
  ["max_proposal_size", (m) => m.leader?.maxProposalSize],
  ["min_proposal_size", (m) => m.leader?.minProposalSize],
];

/**
 * A summary exported from the registry's own figures: count and sum since start, quantiles over
 * its window of recent observations. prom-client's Summary would feed a t-digest on every
 * observation (about 430 ns, 3-7 % of a request's server CPU); this costs nothing
 * until a scrape.
 */
class RegistrySummary {
  readonly type = "summary";
  readonly aggregator = "sum";
  private readonly qs: readonly number[];

  constructor(private readonly summary: SummaryMetric) {
    this.qs = summary.detail === "advanced" ? [0.5, 0.9, 0.99] : [0.5];
  }

  get name(): string {
    return this.summary.name;
  }

  get help(): string {
    return this.summary.name;
  }

  get() {
    const s = this.summary;
    const quantiles = s.quantiles(this.qs);
    return {
      name: s.name,
      help: s.name,
      type: this.type,
      aggregator: this.aggregator,
      values: [
        ...this.qs.map((q, i) => ({ labels: { quantile: q }, value: quantiles[i]! })),
        { metricName: `${s.name}_sum`, labels: {}, value: s.sum },
        { metricName: `${s.name}_count`, labels: {}, value: s.count },
      ],
    };
  }
}

export class PrometheusEndpoint {
  readonly registry: Registry = new (promClient().Registry)();
  private readonly gauges = new Map<string, Gauge>();
  private readonly server: Server;
  private listening = false;

  constructor(
    private readonly config: MetricsProviderConfig,
    metrics: ServerMetrics,
    /** The server's figures now; undefined while it has no data tree to report on. */
    private readonly snapshot: () => MonitorSnapshot | undefined,
    private readonly log: Logger,
  ) {
    for (const name of metrics.counterNames()) {
      new (promClient().Counter)({
        name,
        help: name,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(metrics.counterValue(name) ?? 0);
        },
      });
    }
    for (const s of metrics.summaries()) {
      this.registry.registerMetric(new RegistrySummary(s) as unknown as Metric);
    }
    if (config.exportJvmInfo) promClient().collectDefaultMetrics({ register: this.registry });
    this.server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://metrics").pathname;
      if (req.method !== "GET" || path !== "/metrics") {
        res.writeHead(path === "/metrics" ? 405 : 404, { "Content-Type": "text/plain" }).end();
        return;
      }
      this.exposition().then(
        (text) => res.writeHead(200, { "Content-Type": this.registry.contentType }).end(text),
        (err: unknown) => {
          this.log.error({ err }, "cannot render /metrics");
          res.writeHead(500).end();
        },
      );
    });
  }

  /** The text exposition; the gauges are sampled from one snapshot, as ZooKeeper samples them. */
  async exposition(): Promise<string> {
    const m = this.snapshot();
    for (const [name, read] of GAUGES) {
      const value = m === undefined ? undefined : read(m);
      let gauge = this.gauges.get(name);
      if (value === undefined) {
        // Not measured now (e.g. leader figures on a follower): not exported, rather than a stale 0.
        if (gauge !== undefined) {
          this.registry.removeSingleMetric(name);
          this.gauges.delete(name);
        }
        continue;
      }
      if (gauge === undefined) {
        gauge = new (promClient().Gauge)({ name, help: name, registers: [this.registry] });
        this.gauges.set(name, gauge);
      }
      gauge.set(value);
    }
    return this.registry.metrics();
  }

  get port(): number | undefined {
    return this.listening ? (this.server.address() as AddressInfo).port : undefined;
  }

  /**
   * Binds httpHost:httpPort. A failure stops the server's start, as in ZooKeeper ("Cannot boot
   * MetricsProvider"): the listen error goes to the caller.
   */
  async start(): Promise<void> {
    const { httpHost, httpPort, exportJvmInfo } = this.config;
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", (err) => {
        this.log.error({ err }, "Cannot start /metrics server");
        reject(err);
      });
      this.server.listen(httpPort, httpHost, () => resolve());
    });
    this.listening = true;
    this.log.info(
      `Starting /metrics HTTP endpoint at host: ${httpHost}, port: ${this.port}, exportJvmInfo: ${exportJvmInfo}`,
    );
  }

  async close(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
