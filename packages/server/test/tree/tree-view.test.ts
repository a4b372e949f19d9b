// TreeView, the copy-on-write read behind snapshots: the tree as it was at opening, whatever
// happens to it while the view is read, and no bookkeeping left once the view is done.
import { describe, expect, it } from "vitest";
import { DataTree, type NodeFields } from "../../src/tree/data-tree.js";
import type { ZNode } from "../../src/tree/node.js";

function node(version: number, data = `v${version}`): ZNode {
  return {
    data: data,
    acl: [],
    czxid: 1,
    mzxid: version,
    ctimeMs: 0,
    mtimeMs: 0,
    version,
    childCounter: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    pzxid: 1,
    children: new Set(),
  };
}

const read = (it: Iterable<{ path: string; fields: NodeFields }>) =>
  [...it].map(({ path, fields }) => `${path}@${fields.version}:${fields.data?.toString() ?? "null"}`);

describe("TreeView", () => {
  it("yields the tree of its opening, parents first, across updates, removals and re-creations", () => {
    const tree = new DataTree(false);
    tree.insert("/a", node(0));
    tree.insert("/a/b", node(0));
    tree.insert("/a/b/c", node(0));
    tree.insert("/d", node(0));
    const view = tree.openView();
    const walk = view.nodes();
    // Read the first few nodes (the four built-in ones and /a), then change the rest under it.
    const head = [walk.next(), walk.next(), walk.next(), walk.next(), walk.next()].map((r) => r.value!);
    expect(head.map((n) => n.path)).toEqual([
      "/",
      "/zookeeper",
      "/zookeeper/quota",
      "/zookeeper/config",
      "/a",
    ]);
    tree.update("/a", { version: 9, data: "new" }); // already read: not copied
    tree.update("/a/b/c", { version: 1, data: "changed" });
    tree.remove("/a/b/c"); // changed, then removed before the walk got there
    tree.remove("/a/b");
    tree.insert("/a/b", node(5, "recreated")); // same path, a new node: not part of the view
    tree.insert("/e", node(0)); // created after the opening
    tree.update("/d", { version: 3 });
    const rest = read(walk as Iterable<{ path: string; fields: NodeFields }>);
    expect(rest).toEqual(["/d@0:v0", "/a/b@0:v0", "/a/b/c@0:v0"]);
    expect(view.nodeCount).toBe(8);
    expect(tree.openViewCount).toBe(0);
  });

  it("is released by reading it to the end, by breaking off, or by release()", () => {
    const tree = new DataTree(false);
    tree.insert("/x", node(0));
    const whole = tree.openView();
    expect(tree.openViewCount).toBe(1);
    expect(read(whole.nodes())).toHaveLength(5);
    expect(tree.openViewCount).toBe(0);

    const broken = tree.openView();
    for (const _ of broken.nodes()) break;
    expect(tree.openViewCount).toBe(0);

    const unread = tree.openView();
    unread.release();
    expect(tree.openViewCount).toBe(0);
    // Released views keep no copies: mutations after release cost nothing extra and nothing is held.
    tree.update("/x", { version: 1 });
    expect(read(tree.openView().nodes())).toContain("/x@1:v0");
  });
});

describe("ACL sharing", () => {
  it("stores one list per distinct ACL, however many znodes and decoded copies use it", () => {
    const tree = new DataTree(false);
    const aclOf = (id: string) => [{ perms: 31, id: { scheme: "digest", id } }];
    for (let i = 0; i < 100; i++) tree.insert(`/n${i}`, { ...node(0), acl: aclOf("u:x") });
    expect(tree.get("/n0")!.acl).toBe(tree.get("/n99")!.acl);
    const before = tree.distinctAclCount;
    tree.update("/n5", { acl: aclOf("v:y") });
    tree.update("/n6", { acl: aclOf("v:y") });
    expect(tree.get("/n5")!.acl).toBe(tree.get("/n6")!.acl);
    expect(tree.get("/n5")!.acl).not.toBe(tree.get("/n0")!.acl);
    expect(tree.distinctAclCount).toBe(before + 1);
    // The shared list still reads as the ACL each znode was given.
    expect(tree.get("/n6")!.acl).toEqual(aclOf("v:y"));
  });
});
