// The queue behind Curator's locks, semaphores and leader selector, with its znode layout: each
// contender creates a protected ephemeral-sequential node `<base>/_c_<uuid>-<lockName><seq>`;
// children sort by what follows the lock name (the sequence); a contender owns the lock when
// fewer than maxLeases nodes are before it, and otherwise watches exactly one node (for a
// mutex, the one just before its own), so a release wakes one waiter, not the herd.
import { CreateMode, ErrorCode, type Stat } from "@paddock/jute";
import { abortable, waitSignal } from "../abort.js";
import type { ZooKeeperClient } from "../client.js";
import type { Data } from "../data.js";
import { isZooKeeperError, zooKeeperError } from "../errors.js";
import { withRetry } from "../retry.js";
import { childrenOrEmpty, deleteGuaranteed, joinPath, nodeName, recipeCreate } from "./protected-create.js";

export interface LockDecision {
  owns: boolean;
  /** When not owning: the sibling to wait for (its deletion may change the answer). */
  watch?: string;
}

export interface LockDriver {
  /** What children sort by (Curator's fixForSorting). */
  sortKey(name: string, lockName: string): string;
  /** Whether `ourName` holds the lock given the sorted children; throws NoNode when absent. */
  decide(sorted: readonly string[], ourName: string, maxLeases: number): LockDecision;
  /** A fixed name suffix instead of a sequence (the read lock of a held write lock). */
  fixedSuffix?(): string | undefined;
}

/** Curator's StandardLockInternalsDriver: the text after the last occurrence of the lock name. */
export function sortKeyAfter(name: string, lockName: string): string {
  const at = name.lastIndexOf(lockName);
  return at >= 0 ? name.slice(at + lockName.length) : name;
}

export const standardDriver: LockDriver = {
  sortKey: sortKeyAfter,
  decide(sorted, ourName, maxLeases) {
    const index = sorted.indexOf(ourName);
    if (index < 0) throw zooKeeperError(ErrorCode.NoNode, ourName);
    if (index < maxLeases) return { owns: true };
    return { owns: false, watch: sorted[index - maxLeases] as string };
  },
};

export function sortChildren(children: readonly string[], lockName: string, driver: LockDriver): string[] {
  const keyed = children.map((c) => [driver.sortKey(c, lockName), c] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return keyed.map(([, c]) => c);
}

export interface AcquiredNode {
  path: string;
  /** The node's stat at creation; czxid is the grant's fencing token. */
  stat: Stat;
}

export class LockInternals {
  constructor(
    readonly client: ZooKeeperClient,
    readonly basePath: string,
    readonly lockName: string,
    private readonly maxLeases: number,
    private readonly driver: LockDriver = standardDriver,
  ) {}

  /** The contenders' nodes, in queue order (full paths). */
  async participantNodes(): Promise<string[]> {
    const sorted = sortChildren(
      await childrenOrEmpty(this.client, this.basePath),
      this.lockName,
      this.driver,
    );
    return sorted.map((c) => joinPath(this.basePath, c));
  }

  /**
   * Queues up and waits until the lock is ours. On timeout or abort our node is deleted and the
   * wait's error thrown. A node that vanished while waiting (the session was lost and a new one
   * started) is created again, as Curator does, while the retry policy allows.
   */
  async acquire(data: Data, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<AcquiredNode> {
    const wait = waitSignal(`lock ${this.basePath}`, opts);
    try {
      return await withRetry(this.client.retryPolicy, () => this.attemptOnce(data, wait.signal), {
        signal: wait.signal,
        isRetryable: (e) => isZooKeeperError(e, ErrorCode.NoNode),
      });
    } finally {
      wait.dispose();
    }
  }

  private async attemptOnce(data: Data, signal: AbortSignal): Promise<AcquiredNode> {
    const suffix = this.driver.fixedSuffix?.();
    const created = await recipeCreate(this.client, joinPath(this.basePath, this.lockName + (suffix ?? "")), {
      data,
      mode: suffix === undefined ? CreateMode.EphemeralSequential : CreateMode.Ephemeral,
      signal,
    });
    try {
      await this.waitUntilOwned(nodeName(created.path), signal);
      return created;
    } catch (e) {
      await deleteGuaranteed(this.client, created.path);
      throw e;
    }
  }

  private async waitUntilOwned(ourName: string, signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      const children = await withRetry(
        this.client.retryPolicy,
        () => this.client.getChildren(this.basePath),
        {
          signal,
        },
      );
      const decision = this.driver.decide(
        sortChildren(children, this.lockName, this.driver),
        ourName,
        this.maxLeases,
      );
      if (decision.owns) return;
      const watched = joinPath(this.basePath, decision.watch as string);
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      try {
        // getData, as Curator: the watch fires when the node goes (or changes, or the session ends).
        await withRetry(this.client.retryPolicy, () => this.client.getData(watched, () => wake()), {
          signal,
        });
      } catch (e) {
        if (isZooKeeperError(e, ErrorCode.NoNode)) continue;
        throw e;
      }
      await abortable(woken, signal);
    }
  }

  /** Deletes the node of a grant (retrying through connection losses until it is gone). */
  release(path: string): Promise<void> {
    return deleteGuaranteed(this.client, path);
  }
}
