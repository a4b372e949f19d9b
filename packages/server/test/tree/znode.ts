// A znode for tests that build trees by hand: a persistent, childless node with plain stats,
// open to the world unless told otherwise.
import type { ZNode } from "../../src/tree/node.js";

export function testZNode(fields: Partial<ZNode> = {}): ZNode {
  return {
    data: null,
    acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
    czxid: 1,
    mzxid: 1,
    ctimeMs: 0,
    mtimeMs: 0,
    version: 0,
    childCounter: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    pzxid: 1,
    children: new Set(),
    ...fields,
  };
}
