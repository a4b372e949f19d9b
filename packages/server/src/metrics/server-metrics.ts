// The server's metrics registry: ZooKeeper 3.8's counters and summaries (ServerMetrics) under
// ZooKeeper's names, each fed by the part of Paddock that does what ZooKeeper measures. Only
// metrics that something feeds exist here: mntr, /commands/monitor and /metrics print what is in
// the registry, so a metric Paddock does not measure is absent rather than a zero that never
// moves. Observing is a few additions and one array store on the request path; quantiles are
// computed from a window of recent observations only when someone asks (mntr, a scrape).

/** ZooKeeper's DetailLevel: BASIC summaries have avg/min/max/cnt/sum, ADVANCED add percentiles. */
export type SummaryDetail = "basic" | "advanced";

/** How many recent observations a summary keeps for its quantiles. */
const PERCENTILE_WINDOW = 1024;

export class SummaryMetric {
  count = 0;
  sum = 0;
  min = 0;
  max = 0;
  private readonly window = new Float64Array(PERCENTILE_WINDOW);
  private next = 0;

  constructor(
    readonly name: string,
    readonly detail: SummaryDetail,
  ) {}

  observe(value: number): void {
    if (this.count === 0 || value < this.min) this.min = value;
    if (this.count === 0 || value > this.max) this.max = value;
    this.count++;
    this.sum += value;
    this.window[this.next % PERCENTILE_WINDOW] = value;
    this.next++;
  }

  /** Runs `work` and observes how many ms it took. */
  async time<T>(work: () => Promise<T>): Promise<T> {
    const startedMs = performance.now();
    const result = await work();
    this.observe(Math.round(performance.now() - startedMs));
    return result;
  }

  /** The `qs` quantiles of the last PERCENTILE_WINDOW observations (0 each before any). */
  quantiles(qs: readonly number[]): number[] {
    const n = Math.min(this.next, PERCENTILE_WINDOW);
    if (n === 0) return qs.map(() => 0);
    const sorted = this.window.slice(0, n).sort();
    return qs.map((q) => sorted[Math.min(n - 1, Math.floor(q * n))]!);
  }

  /** mntr's p50/p95/p99/p999, for the advanced summaries (ZooKeeper prints none for basic ones). */
  percentiles(): { p50: number; p95: number; p99: number; p999: number } | undefined {
    if (this.detail !== "advanced") return undefined;
    const [p50 = 0, p95 = 0, p99 = 0, p999 = 0] = this.quantiles([0.5, 0.95, 0.99, 0.999]);
    return { p50, p95, p99, p999 };
  }

  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = 0;
    this.max = 0;
    this.next = 0;
  }
}

export class CounterMetric {
  value = 0;

  constructor(readonly name: string) {}

  add(delta = 1): void {
    this.value += delta;
  }
}

/**
 * The registry. Counters and summaries are created once, by name, by the part that feeds them;
 * the same name twice is a wiring bug.
 */
export class ServerMetrics {
  private readonly counterMap = new Map<string, CounterMetric>();
  private readonly summaryMap = new Map<string, SummaryMetric>();
  private readonly derivedCounters = new Map<string, () => number>();

  counter(name: string): CounterMetric {
    this.assertNew(name);
    const c = new CounterMetric(name);
    this.counterMap.set(name, c);
    return c;
  }

  /** A counter another part already keeps (e.g. the proposals of a leader term). */
  derivedCounter(name: string, read: () => number): void {
    this.assertNew(name);
    this.derivedCounters.set(name, read);
  }

  summary(name: string, detail: SummaryDetail): SummaryMetric {
    this.assertNew(name);
    const s = new SummaryMetric(name, detail);
    this.summaryMap.set(name, s);
    return s;
  }

  counterValue(name: string): number | undefined {
    const derived = this.derivedCounters.get(name);
    if (derived !== undefined) return derived();
    return this.counterMap.get(name)?.value;
  }

  counterNames(): string[] {
    return [...this.counterMap.keys(), ...this.derivedCounters.keys()];
  }

  summaries(): IterableIterator<SummaryMetric> {
    return this.summaryMap.values();
  }

  getSummary(name: string): SummaryMetric | undefined {
    return this.summaryMap.get(name);
  }

  /** `srst`: ZooKeeper's ServerStats.reset resets every counter and summary too. */
  resetAll(): void {
    for (const c of this.counterMap.values()) c.value = 0;
    for (const s of this.summaryMap.values()) s.reset();
  }

  private assertNew(name: string): void {
    if (this.counterMap.has(name) || this.summaryMap.has(name) || this.derivedCounters.has(name)) {
      throw new Error(`metric ${name} registered twice`);
    }
  }
}

/** The metrics every server measures, created in one place so their names stay ZooKeeper's. */
export interface CoreMetrics {
  registry: ServerMetrics;
  /** Bytes of each request frame read from a client (ServerCnxn.packetReceived). */
  bytesReceived: CounterMetric;
  /** Bytes of replies to requests (FinalRequestProcessor). */
  responseBytes: CounterMetric;
  /** Bytes of watch notifications sent (ServerCnxn.process). */
  watchBytes: CounterMetric;
  /** ConnectRequests handled (ZooKeeperServer.processConnectRequest). */
  connectionRequests: CounterMetric;
  /** Connections refused for maxClientCnxns. */
  connectionRejected: CounterMetric;
  /** Connections closed for getting no session in time (nio.sessionlessCnxnTimeout). */
  sessionlessConnectionsExpired: CounterMetric;
  /**
   * Times the requests in flight reached globalOutstandingLimit, pausing connections (Paddock's
   * own name: ZooKeeper does not count this).
   */
  globalOutstandingLimitReached: CounterMetric;
  /** Connections the client closed under us (a failed read in ZooKeeper). */
  connectionDrops: CounterMetric;
  /** ms from a read request's arrival to its reply. */
  readLatency: SummaryMetric;
  /** ms from a write request's arrival to its reply. */
  updateLatency: SummaryMetric;
  /** ms from a txn's creation (its header time, on the server that prepared it) to its apply here. */
  propagationLatency: SummaryMetric;
  /** Watches triggered per event, by event type. */
  nodeCreatedWatchCount: SummaryMetric;
  nodeDeletedWatchCount: SummaryMetric;
  nodeChangedWatchCount: SummaryMetric;
  nodeChildrenWatchCount: SummaryMetric;
  /** ms per txn log fsync (only with forceSync), txns per group commit. */
  fsyncTime: SummaryMetric;
  syncBatchSize: SummaryMetric;
  /** ms to write a snapshot; ms to load the data at start. */
  snapshotTime: SummaryMetric;
  dbInitTime: SummaryMetric;
}

export function coreMetrics(registry = new ServerMetrics()): CoreMetrics {
  return {
    registry,
    bytesReceived: registry.counter("bytes_received_count"),
    responseBytes: registry.counter("response_bytes"),
    watchBytes: registry.counter("watch_bytes"),
    connectionRequests: registry.counter("connection_request_count"),
    connectionRejected: registry.counter("connection_rejected"),
    sessionlessConnectionsExpired: registry.counter("sessionless_connections_expired"),
    globalOutstandingLimitReached: registry.counter("global_outstanding_limit_reached"),
    connectionDrops: registry.counter("connection_drop_count"),
    readLatency: registry.summary("readlatency", "advanced"),
    updateLatency: registry.summary("updatelatency", "advanced"),
    propagationLatency: registry.summary("propagation_latency", "advanced"),
    nodeCreatedWatchCount: registry.summary("node_created_watch_count", "basic"),
    nodeDeletedWatchCount: registry.summary("node_deleted_watch_count", "basic"),
    nodeChangedWatchCount: registry.summary("node_changed_watch_count", "basic"),
    nodeChildrenWatchCount: registry.summary("node_children_watch_count", "basic"),
    fsyncTime: registry.summary("fsynctime", "basic"),
    syncBatchSize: registry.summary("sync_processor_batch_size", "basic"),
    snapshotTime: registry.summary("snapshottime", "basic"),
    dbInitTime: registry.summary("dbinittime", "basic"),
  };
}

/** What an ensemble member measures on top (registered only in an ensemble). */
export interface QuorumMetrics {
  /** Leader: txns committed (Leader.commit). */
  commitCount: CounterMetric;
  /** Learner: txns committed by the leader's COMMITs. */
  learnerCommitReceived: CounterMetric;
  /** Learner: proposals received. */
  learnerProposalReceived: CounterMetric;
  /** Times this server started looking for a leader. */
  lookingCount: CounterMetric;
  /** Leader: learners synced by DIFF and by SNAP. */
  diffCount: CounterMetric;
  snapCount: CounterMetric;
  /** ms from looking to serving. */
  electionTime: SummaryMetric;
}

export function quorumMetrics(registry: ServerMetrics): QuorumMetrics {
  return {
    commitCount: registry.counter("commit_count"),
    learnerCommitReceived: registry.counter("learner_commit_received_count"),
    learnerProposalReceived: registry.counter("learner_proposal_received_count"),
    lookingCount: registry.counter("looking_count"),
    diffCount: registry.counter("diff_count"),
    snapCount: registry.counter("snap_count"),
    electionTime: registry.summary("election_time", "basic"),
  };
}
