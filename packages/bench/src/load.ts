// The load generator: sets up a keyspace under a bench root, drives N pipelined sessions for
// a warm-up and a measured window, and cleans up. Each reply immediately issues the client's
// next request, so every client keeps exactly `outstanding` requests in flight (closed loop).
import { type ACL, ErrorCode, errorText, OpCode, type Request } from "@paddock/jute";
import type { HostPort, LoadOptions, Workload } from "./args.js";
import { BenchSession, type ReplyHandler, SessionRequester } from "./connection.js";
import { LatencyHistogram, type LatencySummaryMs } from "./histogram.js";
import { SeededRandom } from "./rng.js";

const OPEN_ACL_UNSAFE: ACL[] = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const SETUP_WINDOW = 256;
const DRAIN_TIMEOUT_MS = 15_000;

/** Tags of in-flight requests: which histogram the reply belongs to. */
const TAG_READ = 0;
const TAG_WRITE = 1;

export interface ErrorCount {
  code: number;
  name: string;
  count: number;
}

export interface LoadResult {
  workload: Workload;
  connect: string;
  clients: number;
  outstanding: number;
  valueBytes: number;
  znodes: number;
  readRatio: number | undefined;
  seed: number;
  root: string;
  warmupMs: number;
  /** Length of the measured window as it actually ran. */
  measuredMs: number;
  /** Successful operations completed in the measured window. */
  ops: number;
  opsPerSec: number;
  errorCount: number;
  errors: ErrorCount[];
  /** Latency of successful operations, send to reply. */
  latency: LatencySummaryMs;
  /** For mix: reads and writes separately. */
  readLatency: LatencySummaryMs | undefined;
  writeLatency: LatencySummaryMs | undefined;
  /** CPU time of this process over the measured window, as % of one core; near 100 means the generator may be the bottleneck. */
  loadGenCpuPercent: number;
  /** Clients whose connection ended during the run. */
  lostClients: number;
  cleanupError: string | undefined;
}

export interface LoadHooks {
  onMeasureStart?(): void;
  onMeasureEnd?(): void;
  log?(message: string): void;
}

class RunState {
  issuing = true;
  measuring = false;
  readonly readHist = new LatencyHistogram();
  readonly writeHist = new LatencyHistogram();
  readonly errors = new Map<number, number>();
  lostClients = 0;
  onAllLost: (() => void) | undefined;

  recordError(code: number, count = 1): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + count);
  }
}

class LoadClient implements ReplyHandler {
  private readonly rng: SeededRandom;
  /** Creates issued so far; names are `n<client>-<seq>` so cleanup can delete them without listing. */
  createsIssued = 0;

  constructor(
    readonly index: number,
    readonly session: BenchSession,
    private readonly run: RunState,
    private readonly plan: RequestPlan,
    seed: number,
    private readonly totalClients: number,
  ) {
    this.rng = new SeededRandom(seed + index);
    session.handler = this;
  }

  issue(count: number): void {
    for (let i = 0; i < count; i++) this.issueOne();
    this.session.flush();
  }

  private issueOne(): void {
    const p = this.plan;
    switch (p.workload) {
      case "set":
        this.session.enqueue(p.setRequests[this.rng.nextInt(p.setRequests.length)]!, TAG_WRITE);
        return;
      case "get":
        this.session.enqueue(p.getRequests[this.rng.nextInt(p.getRequests.length)]!, TAG_READ);
        return;
      case "mix": {
        const key = this.rng.nextInt(p.getRequests.length);
        if (this.rng.nextFloat() < p.readRatio) this.session.enqueue(p.getRequests[key]!, TAG_READ);
        else this.session.enqueue(p.setRequests[key]!, TAG_WRITE);
        return;
      }
      case "create": {
        const path = createdPath(p.root, this.index, this.createsIssued);
        this.createsIssued += 1;
        this.session.enqueue(
          { type: OpCode.create, path, data: p.value, acl: OPEN_ACL_UNSAFE, flags: 0 },
          TAG_WRITE,
        );
        return;
      }
    }
  }

  onReply(_s: BenchSession, tag: number, err: number, latencyMs: number): void {
    const run = this.run;
    if (run.measuring) {
      if (err !== ErrorCode.OK) run.recordError(err);
      else if (tag === TAG_READ) run.readHist.recordMs(latencyMs);
      else run.writeHist.recordMs(latencyMs);
    }
    // The session flushes after the whole chunk of replies, so this only queues.
    if (run.issuing) this.issueOne();
  }

  onClose(_s: BenchSession, inFlight: number, _error: Error | undefined): void {
    const run = this.run;
    if (run.measuring && inFlight > 0) run.recordError(ErrorCode.ConnectionLoss, inFlight);
    run.lostClients += 1;
    if (run.lostClients === this.totalClients) run.onAllLost?.();
  }
}

interface RequestPlan {
  workload: Workload;
  root: string;
  value: Buffer;
  readRatio: number;
  setRequests: Request[];
  getRequests: Request[];
}

function keyPath(root: string, i: number): string {
  return `${root}/k${i}`;
}

function createdPath(root: string, client: number, seq: number): string {
  return `${root}/n${client}-${seq}`;
}

function hostLabel(h: HostPort): string {
  return h.host.includes(":") ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`;
}

/** Runs `count` requests with at most `window` in flight on one session. */
async function pipelined(
  requester: SessionRequester,
  count: number,
  make: (i: number) => Request,
  accept: (err: number) => boolean,
  what: string,
): Promise<void> {
  let next = 0;
  let failure: Error | undefined;
  const lane = async () => {
    while (next < count && failure === undefined) {
      const i = next++;
      const { err } = await requester.request(make(i));
      if (!accept(err)) failure ??= new Error(`${what} failed: ${errorText(err)} (${err})`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SETUP_WINDOW, count) }, lane));
  if (failure) throw failure;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function usesKeyspace(workload: Workload): boolean {
  return workload !== "create";
}

export async function runLoad(opts: LoadOptions, hooks: LoadHooks = {}): Promise<LoadResult> {
  const log = hooks.log ?? (() => {});
  const root = opts.root ?? `/paddock-bench-${process.pid}-${Date.now().toString(36)}`;
  const value = Buffer.alloc(opts.valueBytes, 0x61);
  const first = opts.hosts[0]!;
  const admin = await BenchSession.open({ ...first, sessionTimeoutMs: opts.sessionTimeoutMs });
  const adminReq = new SessionRequester(admin);
  const plan: RequestPlan = {
    workload: opts.workload,
    root,
    value,
    readRatio: opts.readRatio,
    setRequests: [],
    getRequests: [],
  };
  const run = new RunState();
  const clients: LoadClient[] = [];
  let cleanupError: string | undefined;
  let result: Omit<LoadResult, "cleanupError"> | undefined;
  // Cleanup deletes by name under the root; never under a root someone else created.
  let rootCreated = false;
  try {
    const created = await adminReq.request({
      type: OpCode.create,
      path: root,
      data: null,
      acl: OPEN_ACL_UNSAFE,
      flags: 0,
    });
    if (created.err === ErrorCode.NodeExists) throw new Error(`${root} already exists; pick another --root`);
    if (created.err !== ErrorCode.OK) throw new Error(`create ${root}: ${errorText(created.err)}`);
    rootCreated = true;

    if (usesKeyspace(opts.workload)) {
      log(`creating ${opts.znodes} znodes of ${opts.valueBytes} bytes under ${root}`);
      await pipelined(
        adminReq,
        opts.znodes,
        (i) => ({ type: OpCode.create, path: keyPath(root, i), data: value, acl: OPEN_ACL_UNSAFE, flags: 0 }),
        (err) => err === ErrorCode.OK,
        "keyspace create",
      );
      for (let i = 0; i < opts.znodes; i++) {
        const path = keyPath(root, i);
        plan.setRequests.push({ type: OpCode.setData, path, data: value, version: -1 });
        plan.getRequests.push({ type: OpCode.getData, path, watch: false });
      }
    }

    log(`opening ${opts.clients} sessions`);
    const opened = await Promise.allSettled(
      Array.from({ length: opts.clients }, (_, i) =>
        BenchSession.open({ ...opts.hosts[i % opts.hosts.length]!, sessionTimeoutMs: opts.sessionTimeoutMs }),
      ),
    );
    const sessions = opened.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
    const refused = opened.find((o) => o.status === "rejected");
    if (refused) {
      // Open sockets would keep the process alive after the error.
      for (const s of sessions) s.destroy();
      throw new Error(
        `${opened.length - sessions.length} of ${opts.clients} sessions failed: ${(refused.reason as Error).message}`,
      );
    }
    sessions.forEach((s, i) => {
      clients.push(new LoadClient(i, s, run, plan, opts.seed, opts.clients));
    });

    const allLost = new Promise<void>((resolve) => {
      run.onAllLost = resolve;
    });
    log(`warming up for ${opts.warmupMs} ms`);
    for (const c of clients) c.issue(opts.outstanding);
    await Promise.race([sleep(opts.warmupMs), allLost]);

    hooks.onMeasureStart?.();
    const cpuStart = process.cpuUsage();
    const startMs = performance.now();
    run.measuring = true;
    log(`measuring for ${opts.durationMs} ms`);
    await Promise.race([sleep(opts.durationMs), allLost]);
    run.measuring = false;
    run.issuing = false;
    const measuredMs = performance.now() - startMs;
    const cpu = process.cpuUsage(cpuStart);
    hooks.onMeasureEnd?.();

    const drainUntil = performance.now() + DRAIN_TIMEOUT_MS;
    while (clients.some((c) => c.session.inFlight > 0 && !c.session.isClosed)) {
      if (performance.now() > drainUntil) break;
      await sleep(5);
    }
    const lostClients = run.lostClients;
    await Promise.all(clients.map((c) => c.session.close()));

    const all = new LatencyHistogram();
    all.merge(run.readHist);
    all.merge(run.writeHist);
    const errors = [...run.errors.entries()]
      .map(([code, count]) => ({ code, name: errorText(code), count }))
      .sort((a, b) => b.count - a.count);
    result = {
      workload: opts.workload,
      connect: opts.hosts.map(hostLabel).join(","),
      clients: opts.clients,
      outstanding: opts.outstanding,
      valueBytes: opts.valueBytes,
      znodes: usesKeyspace(opts.workload) ? opts.znodes : 0,
      readRatio: opts.workload === "mix" ? opts.readRatio : undefined,
      seed: opts.seed,
      root,
      warmupMs: opts.warmupMs,
      measuredMs,
      ops: all.count,
      opsPerSec: measuredMs > 0 ? (all.count * 1000) / measuredMs : 0,
      errorCount: errors.reduce((n, e) => n + e.count, 0),
      errors,
      latency: all.summary(),
      readLatency: opts.workload === "mix" ? run.readHist.summary() : undefined,
      writeLatency: opts.workload === "mix" ? run.writeHist.summary() : undefined,
      loadGenCpuPercent: measuredMs > 0 ? ((cpu.user + cpu.system) / 1000 / measuredMs) * 100 : 0,
      lostClients,
    };
  } finally {
    run.issuing = false;
    run.measuring = false;
    for (const c of clients) c.session.destroy();
    if (opts.cleanup && rootCreated && !admin.isClosed) {
      try {
        log(`cleaning up ${root}`);
        await cleanup(adminReq, root, opts, clients);
      } catch (e) {
        cleanupError = (e as Error).message;
      }
    }
    await admin.close();
  }
  return { ...result!, cleanupError };
}

async function cleanup(
  requester: SessionRequester,
  root: string,
  opts: LoadOptions,
  clients: readonly LoadClient[],
): Promise<void> {
  const gone = (err: number) => err === ErrorCode.OK || err === ErrorCode.NoNode;
  // Issued creates may or may not have happened (a lost connection), so NoNode is fine.
  const created: string[] = [];
  for (const c of clients) {
    for (let seq = 0; seq < c.createsIssued; seq++) created.push(createdPath(root, c.index, seq));
  }
  await pipelined(
    requester,
    created.length,
    (i) => ({ type: OpCode.delete, path: created[i]!, version: -1 }),
    gone,
    "delete",
  );
  if (usesKeyspace(opts.workload)) {
    await pipelined(
      requester,
      opts.znodes,
      (i) => ({ type: OpCode.delete, path: keyPath(root, i), version: -1 }),
      gone,
      "delete",
    );
  }
  const { err } = await requester.request({ type: OpCode.delete, path: root, version: -1 });
  if (!gone(err)) throw new Error(`delete ${root}: ${errorText(err)}`);
}
