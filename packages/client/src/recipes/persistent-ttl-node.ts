// Curator's PersistentTtlNode: a TTL node (ZooKeeper deletes it once it has had no children
// and no change for ttlMs) kept alive by a TTL child, `<path>/touch`, whose data is set every
// ttlMs / 2. While this object runs, the child keeps the parent; once it stops (or the process
// dies), the child expires, then the parent: a "persistent" node that goes away by itself.
// Needs extendedTypesEnabled on the server.
import { CreateMode, ErrorCode } from "@paddock/jute";
import type { ZooKeeperClient } from "../client.js";
import type { Data } from "../data.js";
import { isZooKeeperError } from "../errors.js";
import { PersistentNode } from "./persistent-node.js";
import { joinPath } from "./protected-create.js";

export const TOUCH_NODE_NAME = "touch";
const TOUCHES_PER_TTL = 2;

export class PersistentTtlNode {
  private readonly node: PersistentNode;
  private readonly childPath: string;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly client: ZooKeeperClient,
    readonly path: string,
    readonly ttlMs: number,
    data: Data,
  ) {
    this.node = new (class extends PersistentNode {
      protected override deleteOnClose(): boolean {
        return false;
      }
    })(client, CreateMode.PersistentWithTtl, path, data, { ttlMs });
    this.childPath = joinPath(path, TOUCH_NODE_NAME);
  }

  start(): void {
    this.node.start();
    const touchEveryMs = Math.max(1, Math.floor(this.ttlMs / TOUCHES_PER_TTL));
    this.timer = setInterval(() => void this.touch(), touchEveryMs);
    void this.node.waitForInitialCreate().then(
      () => this.touch(),
      () => {},
    );
  }

  waitForInitialCreate(opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<string> {
    return this.node.waitForInitialCreate(opts);
  }

  setData(data: Data): Promise<void> {
    return this.node.setData(data);
  }

  /** Stops touching; the nodes expire on the server after ttlMs. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.node.close();
  }

  private async touch(): Promise<void> {
    try {
      try {
        await this.client.setData(this.childPath, null);
      } catch (e) {
        if (!isZooKeeperError(e, ErrorCode.NoNode)) throw e;
        await this.client.create(this.childPath, null, {
          mode: CreateMode.PersistentWithTtl,
          ttlMs: this.ttlMs,
        });
      }
    } catch {
      // The parent is missing (being re-created) or the connection is down: the next touch tries again.
    }
  }
}
