// Curator's GroupMember: membership in a group as an ephemeral node `<membershipPath>/<id>`
// holding this member's payload, kept by a PersistentNode, and the group as seen through a
// PathChildrenCache of the membership path.
import { CreateMode } from "@paddock/jute";
import type { ZooKeeperClient } from "../client.js";
import type { Data } from "../data.js";
import { toBuffer } from "../requests.js";
import { PathChildrenCache } from "./path-children-cache.js";
import { PersistentNode } from "./persistent-node.js";
import { joinPath, nodeName } from "./protected-create.js";

export class GroupMember {
  private readonly node: PersistentNode;
  readonly cache: PathChildrenCache;

  constructor(
    readonly client: ZooKeeperClient,
    readonly membershipPath: string,
    readonly thisId: string,
    payload: Data = null,
  ) {
    this.node = new PersistentNode(client, CreateMode.Ephemeral, joinPath(membershipPath, thisId), payload);
    this.cache = new PathChildrenCache(client, membershipPath);
  }

  /** Joins the group and starts following it. */
  async start(): Promise<void> {
    this.node.start();
    await this.node.waitForInitialCreate();
    await this.cache.start();
  }

  setThisData(data: Data): Promise<void> {
    return this.node.setData(data);
  }

  /** Leaves the group. */
  async close(): Promise<void> {
    this.cache.close();
    await this.node.close();
  }

  /** The members by id, with their payloads; this member is always among them. */
  currentMembers(): Map<string, Buffer | null> {
    const out = new Map<string, Buffer | null>();
    for (const child of this.cache.currentData) out.set(nodeName(child.path), child.data);
    if (!out.has(this.thisId)) out.set(this.thisId, toBuffer(this.node.currentData));
    return out;
  }
}
