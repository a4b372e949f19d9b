// Curator's LeaderLatch: every participant keeps a protected ephemeral-sequential node
// `<latchPath>/_c_<uuid>-latch-<seq>` holding its id (UTF-8); the first in sequence order leads,
// each other one watches only the node just before its own. Leadership is given up on SUSPENDED
// (the session may be gone) and checked again on RECONNECTED; a lost session's node is created
// anew in the new session. Java processes with Curator's LeaderLatch on the same path take part
// in the same election.
import { EventEmitter } from "node:events";
import { CreateMode, ErrorCode, EventType } from "@paddock/jute";
import { type WaitOptions, waitSignal } from "../abort.js";
import type { ZooKeeperClient } from "../client.js";
import type { ConnectionStateChange } from "../connection-tracker.js";
import { isRetryableError, isZooKeeperError } from "../errors.js";
import { withRetry } from "../retry.js";
import type { WatchedEvent } from "../watches.js";
import { type AcquiredNode, sortChildren, sortKeyAfter } from "./lock-internals.js";
import { childrenOrEmpty, deleteGuaranteed, joinPath, nodeName, recipeCreate } from "./protected-create.js";

const LATCH_NAME = "latch-";
const latchDriver = { sortKey: sortKeyAfter, decide: () => ({ owns: false }) };

export interface Participant {
  id: string;
  isLeader: boolean;
}

/** What a leader gets: a fencing token and a signal that aborts when leadership ends. */
export interface Leadership {
  /** The czxid of this participant's node: larger for every later leader. */
  token: number;
  signal: AbortSignal;
}

export interface LeaderLatchEvents {
  isLeader: [leadership: Leadership];
  notLeader: [];
  /** A failure the latch could not retry past (e.g. the client was closed). */
  error: [err: unknown];
}

export type LeaderLatchState = "latent" | "started" | "closed";

export class LeaderLatch extends EventEmitter<LeaderLatchEvents> {
  private latchState: LeaderLatchState = "latent";
  private node: AcquiredNode | undefined;
  private leadership: AbortController | undefined;
  private chain: Promise<void> = Promise.resolve();

  /** `closeMode` "notifyLeader" emits notLeader on close() (Curator's CloseMode.NOTIFY_LEADER). */
  constructor(
    readonly client: ZooKeeperClient,
    readonly latchPath: string,
    readonly id = "",
    private readonly closeMode: "silent" | "notifyLeader" = "silent",
  ) {
    super();
  }

  get state(): LeaderLatchState {
    return this.latchState;
  }

  get hasLeadership(): boolean {
    return this.latchState === "started" && this.leadership !== undefined;
  }

  /** This participant's node, once created. */
  get ourPath(): string | undefined {
    return this.node?.path;
  }

  /** While leading: the fencing token and a signal that aborts when leadership ends. */
  get currentLeadership(): Leadership | undefined {
    if (!this.hasLeadership || this.node === undefined || this.leadership === undefined) return undefined;
    return { token: this.node.stat.czxid, signal: this.leadership.signal };
  }

  /** Joins the election; resolves once this participant knows whether it leads. */
  async start(): Promise<void> {
    if (this.latchState !== "latent") throw new Error("LeaderLatch: already started");
    this.latchState = "started";
    this.client.on("connectionState", this.onConnectionState);
    await this.run(() => this.reset());
  }

  /** Leaves the election; the next participant leads. */
  async close(): Promise<void> {
    if (this.latchState !== "started") throw new Error("LeaderLatch: not started or already closed");
    this.latchState = "closed";
    this.client.off("connectionState", this.onConnectionState);
    const node = this.node;
    this.node = undefined;
    if (this.closeMode === "silent") this.removeAllListeners("isLeader").removeAllListeners("notLeader");
    this.setLeadership(false);
    this.wakeWaiters();
    if (node !== undefined) await deleteGuaranteed(this.client, node.path);
  }

  /** Waits until this participant leads; rejects if the latch is closed meanwhile. */
  async await(opts: WaitOptions = {}): Promise<Leadership> {
    const wait = waitSignal(`leadership of ${this.latchPath}`, opts);
    try {
      for (;;) {
        if (this.latchState !== "started") throw new Error("LeaderLatch: closed or not started");
        const now = this.currentLeadership;
        if (now !== undefined) return now;
        await new Promise<void>((resolve, reject) => {
          const done = () => {
            this.waiters.delete(done);
            wait.signal.removeEventListener("abort", onAbort);
            resolve();
          };
          const onAbort = () => {
            this.waiters.delete(done);
            reject(wait.signal.reason);
          };
          if (wait.signal.aborted) return onAbort();
          wait.signal.addEventListener("abort", onAbort, { once: true });
          this.waiters.add(done);
        });
      }
    } finally {
      wait.dispose();
    }
  }

  private readonly waiters = new Set<() => void>();
  private wakeWaiters(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Every participant in queue order, the first marked leader. */
  async participants(): Promise<Participant[]> {
    const sorted = sortChildren(await childrenOrEmpty(this.client, this.latchPath), LATCH_NAME, latchDriver);
    const out: Participant[] = [];
    for (const name of sorted) {
      try {
        const { data } = await this.client.getData(joinPath(this.latchPath, name));
        out.push({ id: data?.toString("utf8") ?? "", isLeader: out.length === 0 });
      } catch (e) {
        if (!isZooKeeperError(e, ErrorCode.NoNode)) throw e;
      }
    }
    return out;
  }

  /** The current leader, or undefined when there is none. */
  async leader(): Promise<Participant | undefined> {
    return (await this.participants())[0];
  }

  /** Serialises the latch's work: checks triggered by watches and state changes never overlap. */
  private run(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(async () => {
      if (this.latchState !== "started") return;
      try {
        await work();
      } catch (e) {
        this.setLeadership(false);
        if (this.listenerCount("error") > 0) this.emit("error", e);
      }
    });
    this.chain = next;
    return next;
  }

  /** A fresh node (the old one, if any, deleted) and a check of where it stands. */
  private async reset(): Promise<void> {
    this.setLeadership(false);
    const old = this.node;
    this.node = undefined;
    if (old !== undefined) void deleteGuaranteed(this.client, old.path).catch(() => {});
    const created = await recipeCreate(this.client, joinPath(this.latchPath, LATCH_NAME), {
      data: this.id,
      mode: CreateMode.EphemeralSequential,
    });
    if (this.latchState !== "started") {
      await deleteGuaranteed(this.client, created.path);
      return;
    }
    this.node = created;
    await this.check();
  }

  private async check(): Promise<void> {
    const node = this.node;
    if (node === undefined) return this.reset();
    const children = await withRetry(this.client.retryPolicy, () => this.client.getChildren(this.latchPath));
    const sorted = sortChildren(children, LATCH_NAME, latchDriver);
    const index = sorted.indexOf(nodeName(node.path));
    if (index < 0) return this.reset();
    if (index === 0) {
      // First in line: lead only if the node belongs to this session (not a lost one's leftover).
      const stat = await withRetry(this.client.retryPolicy, () => this.client.exists(node.path));
      if (stat === null || stat.ephemeralOwner !== this.client.sessionId) return this.reset();
      this.setLeadership(true);
      return;
    }
    this.setLeadership(false);
    const predecessor = joinPath(this.latchPath, sorted[index - 1] as string);
    try {
      await withRetry(this.client.retryPolicy, () =>
        this.client.getData(predecessor, this.onPredecessorEvent),
      );
    } catch (e) {
      if (isZooKeeperError(e, ErrorCode.NoNode)) return this.check();
      throw e;
    }
  }

  // One function for every watch this latch sets, so re-checks never stack listeners.
  private readonly onPredecessorEvent = (event: WatchedEvent): void => {
    if (event.type === EventType.NodeDeleted || event.type === EventType.None)
      void this.run(() => this.check());
  };

  private readonly onConnectionState = (change: ConnectionStateChange): void => {
    if (change.state === "SUSPENDED" || change.state === "LOST") this.setLeadership(false);
    else if (change.state === "RECONNECTED" || change.state === "CONNECTED") {
      void this.run(() => this.check()).catch((e: unknown) => {
        if (!isRetryableError(e)) this.setLeadership(false);
      });
    }
  };

  private setLeadership(leading: boolean): void {
    if (leading === (this.leadership !== undefined)) return;
    if (leading) {
      this.leadership = new AbortController();
      const token = this.node?.stat.czxid ?? 0;
      this.emit("isLeader", { token, signal: this.leadership.signal });
    } else {
      const controller = this.leadership;
      this.leadership = undefined;
      controller?.abort(new Error(`leadership of ${this.latchPath} ended`));
      this.emit("notLeader");
    }
    this.wakeWaiters();
  }
}
