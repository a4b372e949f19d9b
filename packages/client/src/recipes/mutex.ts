// Curator's InterProcessMutex: a re-entrant lock across processes, on LockInternals' herd-free
// queue (`<path>/_c_<uuid>-lock-<seq>`), interoperable with Java processes using Curator.
// Every grant carries a fencing token (the lock node's czxid) and a signal that aborts as soon
// as the grant may be lost (connection SUSPENDED) or is lost (session LOST).
import { EventEmitter } from "node:events";
import { abortable, type WaitOptions, waitSignal } from "../abort.js";
import type { ZooKeeperClient } from "../client.js";
import type { ConnectionStateChange } from "../connection-tracker.js";
import type { Data } from "../data.js";
import { isRetryableError } from "../errors.js";
import { type AcquiredNode, type LockDriver, LockInternals, standardDriver } from "./lock-internals.js";

/** Why a hold's signal aborted: the connection was suspended, the session lost, or it was released. */
export class HoldInterruptedError extends Error {
  override name = "HoldInterruptedError";
  constructor(
    readonly why: "suspended" | "lost" | "released",
    what: string,
  ) {
    super(
      why === "suspended"
        ? `${what}: connection suspended, it may have been lost`
        : why === "lost"
          ? `${what}: session lost, it is gone`
          : `${what}: released`,
    );
  }
}

/** One grant of a lock. */
export interface LockHold {
  /**
   * Fencing token: the czxid of the lock node. Every later grant of the same lock (to any
   * process, Java or TypeScript) has a larger one, so a storage service that remembers the
   * largest token it has seen can refuse a stale holder's writes. See docs/client.md.
   */
  token: number;
  /** The lock node. */
  path: string;
  /** Aborts when the hold may be lost (SUSPENDED), is lost (LOST) or is released. */
  signal: AbortSignal;
}

export interface LockEvents {
  /** The connection dropped while holding: stop acting as the holder until `reconnected`. */
  suspended: [];
  /** Reconnected on the same session and the lock node is still ours: a fresh hold. */
  reconnected: [hold: LockHold];
  /** The session is gone and the lock with it. */
  lost: [];
}

interface Held {
  node: AcquiredNode;
  count: number;
  controller: AbortController;
  lost: boolean;
}

/** The shared machinery of InterProcessMutex and the read/write locks' halves. */
export class InterProcessLock extends EventEmitter<LockEvents> {
  protected readonly internals: LockInternals;
  private held: Held | undefined;
  private pending: Promise<LockHold> | undefined;

  protected constructor(
    readonly client: ZooKeeperClient,
    readonly basePath: string,
    lockName: string,
    maxLeases: number,
    driver: LockDriver,
    private readonly nodeData: () => Data,
  ) {
    super();
    this.internals = new LockInternals(client, basePath, lockName, maxLeases, driver);
  }

  /** True while this object holds the lock (at least once) and the hold is not known lost. */
  get isAcquired(): boolean {
    return this.held !== undefined && !this.held.lost;
  }

  /** The current grant, if any. */
  get hold(): LockHold | undefined {
    const held = this.held;
    if (held === undefined) return undefined;
    return { token: held.node.stat.czxid, path: held.node.path, signal: held.controller.signal };
  }

  /** The node of the current grant (Curator's getLockPath). */
  get lockPath(): string | undefined {
    return this.held?.node.path;
  }

  /** Contenders' nodes in queue order; the first maxLeases hold the lock. */
  participantNodes(): Promise<string[]> {
    return this.internals.participantNodes();
  }

  /**
   * Waits for the lock. Re-entrant: while this object holds it, acquire() only counts, and
   * release() must be called as often. One object is one owner: separate tasks of a process
   * that must exclude each other use separate objects. Rejects with the signal's reason on
   * abort, WaitTimeoutError after `timeoutMs`; our queue node is removed in both cases.
   */
  async acquire(opts: WaitOptions = {}): Promise<LockHold> {
    const wait = waitSignal(`lock ${this.basePath}`, opts);
    let granting: Promise<LockHold> | undefined;
    try {
      // Calls on one object queue behind each other; the later ones then count re-entrantly.
      while (this.pending !== undefined) {
        await abortable(
          this.pending.catch(() => undefined),
          wait.signal,
        );
      }
      const held = this.held;
      if (held !== undefined && !held.lost) {
        held.count++;
        return this.hold as LockHold;
      }
      granting = this.grant(wait.signal);
      this.pending = granting;
      return await granting;
    } finally {
      if (granting !== undefined && this.pending === granting) this.pending = undefined;
      wait.dispose();
    }
  }

  /** Tries for at most `timeoutMs`: the hold, or undefined when the lock stayed taken. */
  async tryAcquire(timeoutMs: number, signal?: AbortSignal): Promise<LockHold | undefined> {
    try {
      return await this.acquire(signal === undefined ? { timeoutMs } : { timeoutMs, signal });
    } catch (e) {
      if (e instanceof Error && e.name === "WaitTimeoutError") return undefined;
      throw e;
    }
  }

  /** Undoes one acquire(); the last one deletes the lock node (even after the hold was lost). */
  async release(): Promise<void> {
    const held = this.held;
    if (held === undefined) throw new Error(`lock ${this.basePath} is not held by this object`);
    held.count--;
    if (held.count > 0) return;
    this.held = undefined;
    this.client.off("connectionState", this.onConnectionState);
    held.controller.abort(new HoldInterruptedError("released", `lock ${this.basePath}`));
    await this.internals.release(held.node.path);
  }

  private async grant(signal: AbortSignal): Promise<LockHold> {
    const node = await this.internals.acquire(this.nodeData(), { signal });
    this.held = { node, count: 1, controller: new AbortController(), lost: false };
    this.client.on("connectionState", this.onConnectionState);
    return this.hold as LockHold;
  }

  private readonly onConnectionState = (change: ConnectionStateChange): void => {
    const held = this.held;
    if (held === undefined || held.lost) return;
    const what = `lock ${this.basePath}`;
    if (change.state === "SUSPENDED") {
      held.controller.abort(new HoldInterruptedError("suspended", what));
      this.emit("suspended");
    } else if (change.state === "LOST" || (change.state === "RECONNECTED" && change.newSession)) {
      this.markLost(held);
    } else if (change.state === "RECONNECTED") {
      void this.verify(held);
    }
  };

  private markLost(held: Held): void {
    held.lost = true;
    held.controller.abort(new HoldInterruptedError("lost", `lock ${this.basePath}`));
    this.emit("lost");
  }

  /** After a reconnection on the same session: is the lock node still there and ours? */
  private async verify(held: Held): Promise<void> {
    let ours = false;
    try {
      const stat = await this.client.exists(held.node.path);
      ours = stat !== null && stat.ephemeralOwner === this.client.sessionId;
    } catch (e) {
      // Cut off again: the next SUSPENDED/RECONNECTED decides.
      if (isRetryableError(e)) return;
    }
    if (this.held !== held || held.lost) return;
    if (!ours) {
      this.markLost(held);
      return;
    }
    if (held.controller.signal.aborted) held.controller = new AbortController();
    this.emit("reconnected", this.hold as LockHold);
  }
}

export interface MutexOptions {
  /** Stored in the lock node (Curator stores the local address by default; we store nothing). */
  data?: Data;
}

/**
 * Curator's InterProcessMutex: `new InterProcessMutex(client, "/locks/orders")`, then
 * `const hold = await lock.acquire(); try { ... } finally { await lock.release(); }`.
 */
export class InterProcessMutex extends InterProcessLock {
  constructor(client: ZooKeeperClient, path: string, opts: MutexOptions = {}) {
    super(client, path, "lock-", 1, standardDriver, () => opts.data);
  }
}
