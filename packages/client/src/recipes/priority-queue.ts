// Curator's DistributedPriorityQueue: a DistributedQueue whose message names start with the
// priority, `queue-<0|1><8 hex digits><seq>` (0 for negative, 1 for non-negative, then the
// 32-bit two's complement in upper-case hex), so plain name order is priority order, lowest
// first, and insertion order within a priority.
import { DistributedQueue, QUEUE_ITEM_NAME } from "./distributed-queue.js";

export function priorityPrefix(priority: number): string {
  if (!Number.isInteger(priority) || priority < -0x80000000 || priority > 0x7fffffff) {
    throw new RangeError("priority must be a 32-bit integer");
  }
  const hex = (priority >>> 0).toString(16).toUpperCase().padStart(8, "0");
  return `${priority >= 0 ? "1" : "0"}${hex}`;
}

export class DistributedPriorityQueue<T> extends DistributedQueue<T> {
  /** Adds an item; lower priorities are taken first. */
  putWithPriority(item: T, priority: number): Promise<string> {
    return this.putMessage([item], QUEUE_ITEM_NAME + priorityPrefix(priority));
  }

  /** Adds several items as one message at `priority`. */
  putMultiWithPriority(items: readonly T[], priority: number): Promise<string> {
    return this.putMessage(items, QUEUE_ITEM_NAME + priorityPrefix(priority));
  }
}
