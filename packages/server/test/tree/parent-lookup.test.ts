// DataTree remembers the last parent it looked up (children arrive in runs under one parent):
// what it remembers must never outlive that parent, nor match a path that merely shares a prefix.
import { describe, expect, it } from "vitest";
import { DataTree, TreeInvariantError } from "../../src/tree/data-tree.js";
import { testZNode as node } from "./znode.js";

const childrenOf = (tree: DataTree, path: string) => [...tree.get(path)!.children].sort();

describe("DataTree parent lookup", () => {
  it("puts a child under a parent re-created at the same path, not under the removed one", () => {
    const tree = new DataTree(false);
    tree.insert("/p", node());
    tree.insert("/p/a", node());
    const removedParent = tree.get("/p")!;
    tree.remove("/p/a");
    tree.remove("/p");
    tree.insert("/p", node());
    tree.insert("/p/b", node());
    expect(childrenOf(tree, "/p")).toEqual(["b"]);
    expect(removedParent.children.size).toBe(0);
  });

  it("tells apart parents that share a prefix, and deeper or shallower paths", () => {
    const tree = new DataTree(false);
    for (const path of ["/p", "/pq", "/p/x", "/p/x/y", "/pq/z", "/p/w", "/q"]) tree.insert(path, node());
    expect(childrenOf(tree, "/p")).toEqual(["w", "x"]);
    expect(childrenOf(tree, "/pq")).toEqual(["z"]);
    expect(childrenOf(tree, "/p/x")).toEqual(["y"]);
    expect(childrenOf(tree, "/")).toEqual(["p", "pq", "q", "zookeeper"]);
    tree.remove("/p/w");
    tree.remove("/pq/z");
    expect(childrenOf(tree, "/p")).toEqual(["x"]);
    expect(childrenOf(tree, "/pq")).toEqual([]);
  });

  it("refuses a child whose parent was removed after being looked up", () => {
    const tree = new DataTree(false);
    tree.insert("/p", node());
    tree.insert("/p/a", node());
    tree.remove("/p/a");
    tree.remove("/p");
    expect(() => tree.insert("/p/b", node())).toThrow(/parent of \/p\/b is missing/);
  });

  it("refuses a path that is already there, as a broken invariant", () => {
    const tree = new DataTree(false);
    tree.insert("/p", node());
    tree.insert("/p/a", node());
    expect(() => tree.insert("/p/a", node())).toThrow(TreeInvariantError);
    expect(() => tree.insert("/p/a", node())).toThrow(/\/p\/a already exists/);
    expect(() => tree.insert("/", node())).toThrow(/\/ already exists/);
    expect(() => tree.insertChild("/p/a", node(), 7, 9)).toThrow(/\/p\/a already exists/);
  });

  it("leaves the tree as it was when it refuses a path that is already there", () => {
    const tree = new DataTree(false);
    tree.insert("/p", node());
    const first = node({ data: "first" });
    tree.insertChild("/p/a", first, 1, 5);
    expect(() => tree.insertChild("/p/a", node({ data: "second" }), 2, 6)).toThrow(TreeInvariantError);
    expect(tree.get("/p/a")).toBe(first);
    expect(childrenOf(tree, "/p")).toEqual(["a"]);
    expect(tree.get("/p")).toMatchObject({ childCounter: 1, pzxid: 5 });
    expect(tree.size).toBe(6);
  });

  it("insertChild records the create on the parent and returns it", () => {
    const tree = new DataTree(false);
    tree.insert("/p", node());
    const parent = tree.insertChild("/p/a", node(), 1, 0x101);
    expect(parent).toBe(tree.get("/p"));
    expect(parent).toMatchObject({ childCounter: 1, pzxid: 0x101 });
    expect(childrenOf(tree, "/p")).toEqual(["a"]);
    expect(() => tree.insertChild("/q/a", node(), 1, 0x102)).toThrow(/parent of \/q\/a is missing/);
  });

  it("insertChild keeps a parent's fields as they were for a view opened before", () => {
    const tree = new DataTree(false);
    tree.insert("/p", node({ pzxid: 3 }));
    const view = tree.openView();
    tree.insertChild("/p/a", node(), 1, 0x200);
    const seen = new Map([...view.nodes()].map((n) => [n.path, n.fields]));
    expect(seen.get("/p")).toMatchObject({ childCounter: 0, pzxid: 3 });
    expect(seen.has("/p/a")).toBe(false);
  });
});

// A snapshot load adds each node's name to its parent's child set only at restored() (or a remove):
// until then the names wait, by parent, where the CPU's cache keeps them.
describe("DataTree restore (snapshot load)", () => {
  it("loads interleaved children of more parents than it keeps at once, and overwrites the initial nodes in place", () => {
    const tree = new DataTree(false);
    const parents = 5000; // past the 4096 parents the restore keeps at hand
    const initialZookeeper = tree.get("/zookeeper")!;
    tree.restore("/", node({ pzxid: 9 }));
    tree.restore("/zookeeper", node({ version: 4 }));
    for (let p = 0; p < parents; p++) tree.restore(`/p${p}`, node());
    for (let c = 0; c < 3; c++) for (let p = 0; p < parents; p++) tree.restore(`/p${p}/c${c}`, node());
    tree.restored();
    expect(tree.size).toBe(4 + parents * 4);
    expect(tree.get("/zookeeper")).toBe(initialZookeeper);
    expect(initialZookeeper.version).toBe(4);
    expect(childrenOf(tree, "/zookeeper")).toEqual(["config", "quota"]);
    expect(tree.get("/")!.pzxid).toBe(9);
    for (const p of [0, 4095, 4096, parents - 1])
      expect(childrenOf(tree, `/p${p}`)).toEqual(["c0", "c1", "c2"]);
  });

  it("refuses a path a snapshot holds twice, and a node whose parent it has not loaded", () => {
    const tree = new DataTree(false);
    tree.restore("/p", node());
    tree.restore("/p/a", node());
    expect(() => tree.restore("/p/a", node())).toThrow(/\/p\/a already exists/);
    expect(() => tree.restore("/p", node())).toThrow(/\/p already exists/);
    expect(() => tree.restore("/q/a", node())).toThrow(/parent of \/q\/a is missing/);
  });

  it("counts children still waiting for restored() when asked to remove their parent", () => {
    const tree = new DataTree(false);
    tree.restore("/p", node());
    tree.restore("/p/a", node());
    expect(() => tree.remove("/p")).toThrow(/\/p has children/);
    expect(childrenOf(tree, "/p")).toEqual(["a"]);
  });

  it("does not hand a later restore a parent removed since", () => {
    const tree = new DataTree(false);
    tree.restore("/p", node());
    tree.restore("/q", node());
    tree.restore("/p/a", node());
    tree.restore("/q/a", node());
    tree.remove("/p/a");
    tree.remove("/p");
    expect(() => tree.restore("/p/b", node())).toThrow(/parent of \/p\/b is missing/);
    tree.restore("/p", node());
    tree.restore("/q/b", node());
    tree.restore("/p/b", node());
    tree.restored();
    expect(childrenOf(tree, "/p")).toEqual(["b"]);
    expect(childrenOf(tree, "/q")).toEqual(["a", "b"]);
    expect(() => tree.remove("/q")).toThrow(/\/q has children/);
  });
});
