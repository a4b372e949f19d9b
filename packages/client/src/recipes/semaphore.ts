// Curator's InterProcessSemaphoreV2: at most maxLeases leases out at once, across processes.
// Layout: `<path>/locks` is a mutex that admits one acquirer at a time, `<path>/leases` holds
// one protected ephemeral-sequential `lease-` node per lease. The acquirer holding the mutex
// creates its lease node and, while there are more lease nodes than maxLeases, waits for the
// leases' children to change; the others wait in the mutex's queue (each on one node), so a
// returned lease wakes one acquirer.
import { CreateMode, ErrorCode } from "@paddock/jute";
import { abortable, type WaitOptions, waitSignal } from "../abort.js";
import type { ZooKeeperClient } from "../client.js";
import type { Data } from "../data.js";
import { isZooKeeperError, zooKeeperError } from "../errors.js";
import { withRetry } from "../retry.js";
import { InterProcessMutex } from "./mutex.js";
import { childrenOrEmpty, deleteGuaranteed, joinPath, nodeName, recipeCreate } from "./protected-create.js";

/** A lease of a semaphore; close() returns it. */
export interface Lease {
  /** The lease node. */
  path: string;
  /** The lease node's czxid: grows with every lease granted. */
  token: number;
  close(): Promise<void>;
}

/** A count that can change, e.g. a SharedCount. */
export interface LeaseCount {
  readonly count: number;
  on(event: "change", listener: (count: number) => void): unknown;
}

export class InterProcessSemaphoreV2 {
  private readonly lock: InterProcessMutex;
  readonly leasesPath: string;
  private readonly wakers = new Set<() => void>();
  private fixedMaxLeases: number;

  constructor(
    readonly client: ZooKeeperClient,
    readonly path: string,
    maxLeases: number | LeaseCount,
    private readonly opts: { data?: Data } = {},
  ) {
    this.lock = new InterProcessMutex(client, joinPath(path, "locks"));
    this.leasesPath = joinPath(path, "leases");
    if (typeof maxLeases === "number") this.fixedMaxLeases = maxLeases;
    else {
      this.fixedMaxLeases = maxLeases.count;
      maxLeases.on("change", (count) => {
        this.fixedMaxLeases = count;
        this.wakeAll();
      });
    }
  }

  get maxLeases(): number {
    return this.fixedMaxLeases;
  }

  /** The lease nodes' names. */
  participantNodes(): Promise<string[]> {
    return childrenOrEmpty(this.client, this.leasesPath);
  }

  /** One lease; waits while all are out. */
  async acquire(opts: WaitOptions = {}): Promise<Lease> {
    return (await this.acquireMany(1, opts))[0] as Lease;
  }

  /** `qty` leases, one after another; on failure the ones already taken are returned. */
  async acquireMany(qty: number, opts: WaitOptions = {}): Promise<Lease[]> {
    if (!Number.isInteger(qty) || qty <= 0) throw new RangeError("qty must be a positive integer");
    const wait = waitSignal(`semaphore ${this.path}`, opts);
    const leases: Lease[] = [];
    try {
      while (leases.length < qty) {
        leases.push(
          await withRetry(this.client.retryPolicy, () => this.acquireOne(wait.signal), {
            signal: wait.signal,
            // Our lease node vanished (a lost session): take a new one.
            isRetryable: (e) => isZooKeeperError(e, ErrorCode.NoNode),
          }),
        );
      }
      return leases;
    } catch (e) {
      await Promise.all(leases.map((l) => l.close()));
      throw e;
    } finally {
      wait.dispose();
    }
  }

  /** Returns every lease given. */
  async returnAll(leases: readonly Lease[]): Promise<void> {
    await Promise.all(leases.map((l) => l.close()));
  }

  private async acquireOne(signal: AbortSignal): Promise<Lease> {
    await this.lock.acquire({ signal });
    try {
      const created = await recipeCreate(this.client, joinPath(this.leasesPath, "lease-"), {
        data: this.opts.data,
        mode: CreateMode.EphemeralSequential,
        signal,
      });
      const lease = this.makeLease(created.path, created.stat.czxid);
      try {
        await this.waitForRoom(nodeName(created.path), signal);
        return lease;
      } catch (e) {
        await lease.close();
        throw e;
      }
    } finally {
      await this.lock.release();
    }
  }

  private async waitForRoom(ourName: string, signal: AbortSignal): Promise<void> {
    for (;;) {
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      this.wakers.add(wake);
      try {
        const children = await withRetry(
          this.client.retryPolicy,
          () => this.client.getChildren(this.leasesPath, () => wake()),
          { signal },
        );
        if (!children.includes(ourName))
          throw zooKeeperError(ErrorCode.NoNode, joinPath(this.leasesPath, ourName));
        if (children.length <= this.fixedMaxLeases) return;
        await abortable(woken, signal);
      } finally {
        this.wakers.delete(wake);
      }
    }
  }

  private wakeAll(): void {
    for (const wake of this.wakers) wake();
  }

  private makeLease(path: string, token: number): Lease {
    let closed = false;
    return {
      path,
      token,
      close: async () => {
        if (closed) return;
        closed = true;
        await deleteGuaranteed(this.client, path);
      },
    };
  }
}

/** Curator's InterProcessSemaphoreMutex: a non-re-entrant mutex made of a one-lease semaphore. */
export class InterProcessSemaphoreMutex {
  private readonly semaphore: InterProcessSemaphoreV2;
  private lease: Lease | undefined;

  constructor(client: ZooKeeperClient, path: string) {
    this.semaphore = new InterProcessSemaphoreV2(client, path, 1);
  }

  get isAcquired(): boolean {
    return this.lease !== undefined;
  }

  /** Waits for the lease; returns its fencing token. Not re-entrant: a second acquire waits. */
  async acquire(opts: WaitOptions = {}): Promise<number> {
    const lease = await this.semaphore.acquire(opts);
    this.lease = lease;
    return lease.token;
  }

  async release(): Promise<void> {
    const lease = this.lease;
    if (lease === undefined) throw new Error("InterProcessSemaphoreMutex: not acquired");
    this.lease = undefined;
    await lease.close();
  }
}
