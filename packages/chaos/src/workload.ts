// The workload: clients doing register reads/writes/cas on a few znodes, unique appends through
// sequential znodes, and taking part in a leader election, while every operation's invocation,
// completion and outcome are recorded.
import { performance } from "node:perf_hooks";
import { CreateMode, ErrorCode, isZooKeeperError, LeaderElection, ZooKeeperClient } from "@paddock/client";
import type {
  AppendOp,
  HistoryEntry,
  LeaderClaim,
  Outcome,
  ReadOnlyRead,
  RegisterOp,
} from "./checker/history.js";

export const ROOT = "/chaos";
export const REGISTER_INITIAL = "init";

export interface WorkloadOptions {
  connectString: string;
  clients: number;
  registerKeys: number;
  random: () => number;
  /** Give up waiting on one operation after this long; its outcome is then unknown. */
  opTimeoutMs?: number;
  sessionTimeoutMs?: number;
  log?: (line: string) => void;
  /** Parent of every znode the run uses; a fresh one per run lets runs share an ensemble. */
  root?: string;
  /**
   * A leader steps down after holding leadership this long, so that every run, however short
   * or unlucky its random draws, moves leadership and gives the election check something to
   * check. Random resignations come on top.
   */
  leaderTermMs?: number;
  /**
   * Extra sessions that accept read-only servers (canBeReadOnly) and only read the registers,
   * without sync: while the ensemble has no quorum they read from a read-only server.
   */
  readOnlyClients?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Errors that prove the request did not take effect; anything else might have. */
const DEFINITE_FAILURES = new Set<number>([
  ErrorCode.BadVersion,
  ErrorCode.NoNode,
  ErrorCode.NodeExists,
  ErrorCode.NotEmpty,
  ErrorCode.BadArguments,
]);

function classify(e: unknown): { outcome: Outcome; error: string } {
  if (isZooKeeperError(e)) {
    return {
      outcome: DEFINITE_FAILURES.has(e.code) ? "fail" : "unknown",
      error: ErrorCode[e.code] ?? String(e.code),
    };
  }
  return { outcome: "unknown", error: e instanceof Error ? e.message : String(e) };
}

class TimeoutError extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`no reply in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export class Workload {
  readonly history: HistoryEntry[] = [];
  private nextId = 0;
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly clients: ZooKeeperClient[] = [];
  private readonly elections = new Map<number, LeaderElection>();
  /** Clients whose current candidacy is in place (joined, not resigned or lost). */
  private readonly inElection = new Set<number>();
  /** performance.now() at which each client's current leadership began. */
  private readonly leaderSinceMs = new Map<number, number>();
  private readonly opTimeoutMs: number;
  private readonly leaderTermMs: number;

  private readonly root: string;

  constructor(private readonly opts: WorkloadOptions) {
    this.opTimeoutMs = opts.opTimeoutMs ?? 5000;
    this.leaderTermMs = opts.leaderTermMs ?? 1000;
    this.root = opts.root ?? ROOT;
  }

  get keys(): string[] {
    return Array.from({ length: this.opts.registerKeys }, (_, i) => `${this.root}/reg/k${i}`);
  }

  record<T extends HistoryEntry>(e: Omit<T, "id">): T {
    const entry = { ...e, id: this.nextId++ } as T;
    this.history.push(entry);
    return entry;
  }

  private async newClient(): Promise<ZooKeeperClient> {
    const c = new ZooKeeperClient({
      connectString: this.opts.connectString,
      sessionTimeoutMs: this.opts.sessionTimeoutMs ?? 6000,
      reconnectDelayMs: 50,
      connectTimeoutMs: 30_000,
    });
    await c.connect();
    return c;
  }

  /** Creates the znodes the workload uses (before any fault). */
  async setup(): Promise<void> {
    const c = await this.newClient();
    try {
      for (const p of [this.root, `${this.root}/reg`, `${this.root}/set`, `${this.root}/election`]) {
        await c.create(p).catch((e: unknown) => {
          if (!isZooKeeperError(e, ErrorCode.NodeExists)) throw e;
        });
      }
      for (const k of this.keys) await c.create(k, REGISTER_INITIAL);
    } finally {
      await c.close();
    }
  }

  start(): void {
    for (let i = 0; i < this.opts.clients; i++) this.loops.push(this.clientLoop(i));
    const readers = this.opts.readOnlyClients ?? 0;
    for (let i = 0; i < readers; i++) this.loops.push(this.readOnlyLoop(this.opts.clients + i));
  }

  /** A reader that takes read-only service when that is all there is. */
  private async readOnlyLoop(index: number): Promise<void> {
    while (!this.stopping) {
      const client = new ZooKeeperClient({
        connectString: this.opts.connectString,
        sessionTimeoutMs: this.opts.sessionTimeoutMs ?? 6000,
        reconnectDelayMs: 50,
        connectTimeoutMs: 30_000,
        canBeReadOnly: true,
        renewSessionOnExpiry: true,
      });
      try {
        await client.connect();
      } catch {
        await sleep(200);
        continue;
      }
      this.clients.push(client);
      while (!this.stopping && client.state !== "closed") {
        if (client.state !== "connected") {
          await client.waitForConnection({ timeoutMs: 1000 }).catch(() => undefined);
          continue;
        }
        const key = this.keys[Math.floor(this.opts.random() * this.keys.length)]!;
        const op = this.record<ReadOnlyRead>({
          kind: "ro-read",
          client: index,
          key,
          value: null,
          readOnly: client.readOnly,
          invokeMs: performance.now(),
          outcome: "unknown",
        });
        try {
          const { data } = await withTimeout(client.getData(key), this.opTimeoutMs);
          op.value = data?.toString("utf8") ?? null;
          op.readOnly = op.readOnly && client.readOnly;
          op.outcome = "ok";
        } catch (e) {
          Object.assign(op, classify(e));
          await sleep(50);
        }
        op.completeMs = performance.now();
        await sleep(5);
      }
      await client.close().catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
    await Promise.all([...this.elections.values()].map((e) => e.close().catch(() => undefined)));
    await Promise.all(this.clients.map((c) => c.close().catch(() => undefined)));
  }

  /** One client: a session (replaced if it expires), an election candidacy, and ops in turn. */
  private async clientLoop(index: number): Promise<void> {
    let seq = 0;
    while (!this.stopping) {
      let client: ZooKeeperClient;
      try {
        client = await this.newClient();
      } catch {
        await sleep(200);
        continue;
      }
      this.clients.push(client);
      let expired = false;
      client.once("expired", () => {
        expired = true;
      });
      await this.joinElection(index, client);
      while (!this.stopping && !expired && client.state !== "closed") {
        // A join cut off by a fault is retried, or this client would sit out the election for good.
        if (!this.inElection.has(index)) await this.joinElection(index, client);
        if (this.termOver(index)) {
          await this.resign(index, client);
          continue;
        }
        if (client.state !== "connected") {
          // A request sent now fails at once with ConnectionLoss, an "unknown" that never
          // reached a server; hundreds of those during an outage only slow the checker down.
          await client.waitForConnection({ timeoutMs: 1000 }).catch(() => undefined);
          continue;
        }
        const r = this.opts.random();
        if (r < 0.35) await this.registerOp(index, client, "read");
        else if (r < 0.55) await this.registerOp(index, client, "write", seq++);
        else if (r < 0.75) await this.registerOp(index, client, "cas", seq++);
        else if (r < 0.97) await this.append(index, client, seq++);
        else await this.resign(index, client);
      }
      await client.close().catch(() => undefined);
    }
  }

  private async joinElection(index: number, client: ZooKeeperClient): Promise<void> {
    const election = new LeaderElection(client, `${this.root}/election`, { id: `client-${index}` });
    this.elections.set(index, election);
    election.on("leader", (info) => {
      this.leaderSinceMs.set(index, performance.now());
      this.record<LeaderClaim>({
        kind: "leader",
        client: index,
        session: client.sessionId.toString(16),
        seq: info.sequence,
        invokeMs: info.check.invokeMs,
        completeMs: info.check.completeMs,
        outcome: "ok",
      });
    });
    election.on("error", (e) => this.opts.log?.(`client ${index}: election error ${String(e)}`));
    election.on("lost", () => this.inElection.delete(index));
    try {
      await withTimeout(election.start(), this.opTimeoutMs);
      this.inElection.add(index);
    } catch {
      this.inElection.delete(index);
      // The failed attempt may have created a candidate; leaving deletes it (retrying through
      // connection losses) so that it cannot stand first in line for a client that is not there.
      void election.close().catch(() => undefined);
    }
  }

  private termOver(index: number): boolean {
    const since = this.leaderSinceMs.get(index);
    return (
      since !== undefined &&
      this.elections.get(index)?.isLeader === true &&
      performance.now() - since > this.leaderTermMs
    );
  }

  /** Leaves and rejoins the election so leadership moves during the run. */
  private async resign(index: number, client: ZooKeeperClient): Promise<void> {
    const e = this.elections.get(index);
    if (e !== undefined && !e.isLeader) return;
    this.inElection.delete(index);
    try {
      await withTimeout(e?.close() ?? Promise.resolve(), this.opTimeoutMs);
    } catch {
      return;
    }
    await this.joinElection(index, client);
  }

  private pickKey(): string {
    return this.keys[Math.floor(this.opts.random() * this.keys.length)]!;
  }

  private async registerOp(
    index: number,
    client: ZooKeeperClient,
    type: "read" | "write" | "cas",
    seq = 0,
  ): Promise<void> {
    const key = this.pickKey();
    if (type === "read") {
      // sync first: a plain read may be served from a lagging follower (sequential consistency).
      const op = this.record<RegisterOp>({
        kind: "register",
        client: index,
        key,
        type: "read",
        value: null,
        invokeMs: performance.now(),
        outcome: "unknown",
      });
      try {
        await withTimeout(client.sync(key), this.opTimeoutMs);
        const { data } = await withTimeout(client.getData(key), this.opTimeoutMs);
        op.value = data?.toString("utf8") ?? null;
        op.outcome = "ok";
      } catch (e) {
        op.outcome = "fail";
        op.error = classify(e).error;
      }
      op.completeMs = performance.now();
      return;
    }
    const value = `c${index}-${seq}`;
    let expected: string | null | undefined;
    let version = -1;
    if (type === "cas") {
      // Not recorded: unsynced, it only picks the version the cas compares against.
      try {
        const { data, stat } = await withTimeout(client.getData(key), this.opTimeoutMs);
        expected = data?.toString("utf8") ?? null;
        version = stat.version;
      } catch {
        return;
      }
    }
    const op = this.record<RegisterOp>({
      kind: "register",
      client: index,
      key,
      type,
      value,
      ...(type === "cas" ? { expected } : {}),
      invokeMs: performance.now(),
      outcome: "unknown",
    });
    await this.settleWrite(op, client.setData(key, value, version));
  }

  private async append(index: number, client: ZooKeeperClient, seq: number): Promise<void> {
    const element = `a${index}-${seq}`;
    const op = this.record<AppendOp>({
      kind: "append",
      client: index,
      element,
      invokeMs: performance.now(),
      outcome: "unknown",
    });
    await this.settleWrite(
      op,
      client.create(`${this.root}/set/e-`, element, { mode: CreateMode.PersistentSequential }),
    );
  }

  /** Waits for a recorded write and notes how it ended: ok, or what classify() makes of the error. */
  private async settleWrite(op: RegisterOp | AppendOp, write: Promise<unknown>): Promise<void> {
    try {
      await withTimeout(write, this.opTimeoutMs);
      op.outcome = "ok";
    } catch (e) {
      const c = classify(e);
      op.outcome = c.outcome;
      op.error = c.error;
    }
    op.completeMs = performance.now();
  }

  /** Every element in the set, read with a fresh session once the ensemble is healed. */
  async readFinalSet(deadlineMs = 60_000): Promise<string[]> {
    const until = Date.now() + deadlineMs;
    for (;;) {
      let c: ZooKeeperClient | undefined;
      try {
        c = await this.newClient();
        await c.sync(`${this.root}/set`);
        const names = await c.getChildren(`${this.root}/set`);
        const out: string[] = [];
        for (const n of names)
          out.push((await c.getData(`${this.root}/set/${n}`)).data?.toString("utf8") ?? "");
        return out;
      } catch (e) {
        if (Date.now() > until) throw e;
        await sleep(500);
      } finally {
        await c?.close().catch(() => undefined);
      }
    }
  }
}
