// Curator's DistributedIdQueue: a DistributedQueue whose messages carry an id in their name,
// `queue-|<id>|<seq>` (with '/' and '|' in the id replaced by '_'), so they can be removed by id
// before anyone takes them. Order is by name with the id left out, i.e. by sequence.
import { ErrorCode } from "@paddock/jute";
import { isZooKeeperError } from "../errors.js";
import { DistributedQueue, QUEUE_ITEM_NAME } from "./distributed-queue.js";
import { joinPath } from "./protected-create.js";

const SEPARATOR = "|";

function parseId(name: string): { id: string; cleaned: string } {
  const first = name.indexOf(SEPARATOR);
  const second = name.indexOf(SEPARATOR, first + 1);
  if (first < 0 || second < 0) return { id: name, cleaned: name };
  return { id: name.slice(first + 1, second), cleaned: name.slice(0, first) + name.slice(second + 1) };
}

export class DistributedIdQueue<T> extends DistributedQueue<T> {
  /** Adds an item under `id`. */
  putWithId(item: T, id: string): Promise<string> {
    if (id.length === 0) throw new RangeError("id must not be empty");
    const fixed = id.replaceAll("/", "_").replaceAll(SEPARATOR, "_");
    return this.putMessage([item], `${QUEUE_ITEM_NAME}${SEPARATOR}${fixed}${SEPARATOR}`);
  }

  /** Removes the messages put under `id` that nobody has taken yet; returns how many. */
  async remove(id: string): Promise<number> {
    let removed = 0;
    for (const name of await this.messages()) {
      if (parseId(name).id !== id) continue;
      try {
        await this.client.delete(joinPath(this.queuePath, name));
        removed++;
      } catch (e) {
        if (!isZooKeeperError(e, ErrorCode.NoNode)) throw e;
      }
    }
    return removed;
  }

  protected override sortMessages(names: string[]): string[] {
    return names.sort((a, b) => {
      const x = parseId(a).cleaned;
      const y = parseId(b).cleaned;
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
}
