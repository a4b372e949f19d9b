// A request's scratch changes shadow the pending view until commit publishes them under the
// request's zxid; a few paths are scanned, many are indexed, and both must read the same.
import { describe, expect, it } from "vitest";
import { type NodeView, PendingChanges, Scratch } from "../../src/request/pending.js";
import { DataTree } from "../../src/tree/data-tree.js";
import { testZNode } from "../tree/znode.js";

function view(version: number): NodeView {
  return { version, aversion: 0, childCounter: 0, numChildren: 0, ephemeralOwner: 0n, acl: [] };
}

describe("Scratch", () => {
  for (const count of [2, 8, 9, 40]) {
    it(`reads back its own changes over the pending view, and commits each path once (${count} paths)`, () => {
      const tree = new DataTree(false);
      tree.insert("/stored", testZNode({ version: 4 }));
      const pending = new PendingChanges(tree);
      const scratch = new Scratch(pending);
      const paths = Array.from({ length: count }, (_, i) => `/p${i}`);
      for (const [i, path] of paths.entries()) scratch.set(path, view(i));
      // Changed again: keeps its first slot, holds the last change.
      scratch.set(paths[0]!, view(100));
      scratch.set("/stored", null);
      expect(scratch.get(paths[0]!)?.version).toBe(100);
      expect(scratch.get(paths[count - 1]!)?.version).toBe(count - 1);
      expect(scratch.get("/stored")).toBeUndefined();
      expect(scratch.get("/absent")).toBeUndefined();
      expect(pending.size).toBe(0);

      scratch.commit(0x10);
      expect(pending.size).toBe(count + 1);
      expect(pending.get(paths[0]!)?.version).toBe(100);
      expect(pending.get(paths[1]!)?.version).toBe(1);
      expect(pending.get("/stored")).toBeUndefined();
      // Committed and emptied: the next request starts from the pending view.
      expect(scratch.get(paths[0]!)?.version).toBe(100);
      scratch.set(paths[1]!, view(200));
      scratch.commit(0x11);
      pending.appliedUpTo(0x10);
      expect(pending.size).toBe(1);
      expect(pending.get(paths[1]!)?.version).toBe(200);
      expect(pending.get(paths[0]!)).toBeUndefined();
    });
  }

  it("keeps the pending records in zxid order when a record is put again", () => {
    const tree = new DataTree(false);
    const pending = new PendingChanges(tree);
    pending.put("/parent", 1, view(1));
    pending.put("/a", 1, view(0));
    pending.put("/parent", 2, view(2));
    pending.put("/b", 2, view(0));
    pending.appliedUpTo(1);
    expect(pending.get("/a")).toBeUndefined();
    expect(pending.get("/parent")?.version).toBe(2);
    expect(pending.size).toBe(2);
  });
});
