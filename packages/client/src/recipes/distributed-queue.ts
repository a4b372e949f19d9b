// Curator's DistributedQueue: messages are persistent-sequential nodes `<queuePath>/queue-<seq>`
// holding the ItemSerializer bytes (queue-format.ts), taken in name order. Taking a message
// reads it and deletes it at the version read, so exactly one consumer gets it; it is gone
// before it is handled (at most once). With a lockPath, a consumer first creates the ephemeral
// `<lockPath>/<message name>`, handles the items, then deletes the message: a consumer that dies
// midway leaves the message for another (at least once), as Curator's lock safety does.
import { CreateMode, ErrorCode } from "@paddock/jute";
import { abortable, type WaitOptions, waitSignal } from "../abort.js";
import type { ZooKeeperClient } from "../client.js";
import { isZooKeeperError } from "../errors.js";
import { withRetry } from "../retry.js";
import { deleteGuaranteed, ensureNode, joinPath, recipeCreate } from "./protected-create.js";
import { decodeQueueMessage, encodeQueueMessage, type QueueSerializer } from "./queue-format.js";

export const QUEUE_ITEM_NAME = "queue-";

export interface DistributedQueueOptions {
  /** Enables lock safety (at-least-once handling) with lock nodes under this path. */
  lockPath?: string;
}

export class DistributedQueue<T> {
  /** Items of a taken multi-item message not yet returned by take(). */
  private readonly buffered: T[] = [];

  constructor(
    readonly client: ZooKeeperClient,
    readonly queuePath: string,
    readonly serializer: QueueSerializer<T>,
    readonly opts: DistributedQueueOptions = {},
  ) {}

  /** Adds one item; returns the message node's path. */
  put(item: T): Promise<string> {
    return this.putMessage([item], QUEUE_ITEM_NAME);
  }

  /** Adds several items as one message: they are taken together, in order. */
  putMulti(items: readonly T[]): Promise<string> {
    return this.putMessage(items, QUEUE_ITEM_NAME);
  }

  /** Message nodes in the order they are taken. */
  async messages(): Promise<string[]> {
    let children: string[];
    try {
      children = await withRetry(this.client.retryPolicy, () => this.client.getChildren(this.queuePath));
    } catch (e) {
      if (isZooKeeperError(e, ErrorCode.NoNode)) return [];
      throw e;
    }
    return this.sortMessages(children.filter((c) => c.startsWith(QUEUE_ITEM_NAME)));
  }

  /**
   * The next item, waiting while the queue is empty. The message is deleted when taken (at most
   * once): use consume() with a lockPath for at-least-once handling.
   */
  async take(opts: WaitOptions = {}): Promise<T> {
    const buffered = this.buffered.shift();
    if (buffered !== undefined) return buffered;
    const wait = waitSignal(`queue ${this.queuePath}`, opts);
    try {
      for (;;) {
        const { names, changed } = await this.watchMessages(wait.signal);
        for (const name of names) {
          const items = await this.takeMessage(name);
          if (items === undefined) continue;
          const [first, ...rest] = items;
          if (first === undefined) continue;
          this.buffered.push(...rest);
          return first;
        }
        await abortable(changed, wait.signal);
      }
    } finally {
      wait.dispose();
    }
  }

  /**
   * Hands every item to `handler` until `signal` aborts (the loop then rejects with its
   * reason). With a lockPath, a message is deleted only after its items were handled; a handler
   * that throws leaves the message in the queue for the next try.
   */
  async consume(handler: (item: T) => Promise<void>, opts: { signal?: AbortSignal } = {}): Promise<never> {
    const signal = opts.signal ?? new AbortController().signal;
    const lockPath = this.opts.lockPath;
    if (lockPath !== undefined) await ensureNode(this.client, lockPath);
    for (;;) {
      const { names, changed } = await this.watchMessages(signal);
      for (const name of names) {
        signal.throwIfAborted();
        if (lockPath === undefined) {
          for (const item of (await this.takeMessage(name)) ?? []) await handler(item);
        } else await this.handleSafely(name, lockPath, handler);
      }
      await abortable(changed, signal);
    }
  }

  protected async putMessage(items: readonly T[], name: string): Promise<string> {
    const data = encodeQueueMessage(items, this.serializer);
    const created = await recipeCreate(this.client, joinPath(this.queuePath, name), {
      data,
      mode: CreateMode.PersistentSequential,
      protection: false,
    });
    return created.path;
  }

  /** The order messages are taken in; subclasses (id, priority) change it. */
  protected sortMessages(names: string[]): string[] {
    return names.sort();
  }

  /** Message names now, and a promise that settles when the list changes. */
  private async watchMessages(signal: AbortSignal): Promise<{ names: string[]; changed: Promise<void> }> {
    await ensureNode(this.client, this.queuePath);
    let wake!: () => void;
    const changed = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const children = await withRetry(
      this.client.retryPolicy,
      () => this.client.getChildren(this.queuePath, () => wake()),
      {
        signal,
      },
    );
    return { names: this.sortMessages(children.filter((c) => c.startsWith(QUEUE_ITEM_NAME))), changed };
  }

  /** Reads and deletes one message; undefined when another consumer got it first. */
  private async takeMessage(name: string): Promise<T[] | undefined> {
    const path = joinPath(this.queuePath, name);
    try {
      const { data, stat } = await this.client.getData(path);
      await this.client.delete(path, stat.version);
      return decodeQueueMessage(data ?? Buffer.alloc(0), this.serializer);
    } catch (e) {
      if (isZooKeeperError(e, ErrorCode.NoNode) || isZooKeeperError(e, ErrorCode.BadVersion))
        return undefined;
      throw e;
    }
  }

  private async handleSafely(
    name: string,
    lockPath: string,
    handler: (item: T) => Promise<void>,
  ): Promise<void> {
    const lockNode = joinPath(lockPath, name);
    try {
      await this.client.create(lockNode, null, { mode: CreateMode.Ephemeral });
    } catch (e) {
      if (isZooKeeperError(e, ErrorCode.NodeExists)) return;
      throw e;
    }
    try {
      const path = joinPath(this.queuePath, name);
      let bytes: Buffer | null;
      try {
        bytes = (await this.client.getData(path)).data;
      } catch (e) {
        if (isZooKeeperError(e, ErrorCode.NoNode)) return;
        throw e;
      }
      for (const item of decodeQueueMessage(bytes ?? Buffer.alloc(0), this.serializer)) await handler(item);
      await deleteGuaranteed(this.client, path);
    } finally {
      await deleteGuaranteed(this.client, lockNode);
    }
  }
}
