// A request's scratch changes shadow the pending view until commit publishes them under the
// request's zxid; a few paths are scanned, many are indexed, and both must read the same.
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../chaos/src/rng.js";
import { type NodeView, PendingChanges, Scratch } from "../../src/request/pending.js";
import { DataTree, TreeInvariantError } from "../../src/tree/data-tree.js";
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

  it("refuses a put that does not follow the path's last one: applies rely on zxid order", () => {
    const pending = new PendingChanges(new DataTree(false));
    pending.put("/a", 5, view(1));
    expect(() => pending.put("/a", 5, view(2))).toThrow(TreeInvariantError);
    expect(() => pending.put("/a", 4, view(2))).toThrow(TreeInvariantError);
    expect(pending.get("/a")?.version).toBe(1);
  });

  // Against a plain model: a record per path, holding the zxid of its newest put, gone once that
  // zxid is applied. Long runs of puts ahead of the applies cross the queue's compaction.
  const SEED = 0x5eed14;
  it(`matches a plain model over 40,000 seeded puts and applies (seed ${SEED})`, () => {
    const random = seededRandom(SEED);
    const tree = new DataTree(false);
    tree.insert("/stored", testZNode({ version: 7 }));
    const pending = new PendingChanges(tree);
    const model = new Map<string, { zxid: number; version: number | null }>();
    const paths = ["/stored", ...Array.from({ length: 30 }, (_, i) => `/p${i}`)];
    let zxid = 0x1_0000_0000;
    let applied = zxid;
    const check = (): void => {
      expect(pending.size).toBe(model.size);
      for (const path of paths) {
        const want = model.get(path);
        const got = pending.get(path);
        if (want === undefined) expect(got?.version).toBe(path === "/stored" ? 7 : undefined);
        else expect(got?.version).toBe(want.version ?? undefined);
      }
    };
    let burst = false;
    for (let step = 0; step < 40_000; step++) {
      // Bursts: thousands of puts go by before anything is applied, then part of them is.
      if (random() < 0.001) burst = !burst;
      if (random() < (burst ? 0.0005 : 0.3) || zxid - applied > 6000) {
        const target = applied + Math.floor(random() * (zxid - applied + 1));
        pending.appliedUpTo(target);
        for (const [path, rec] of model) if (rec.zxid <= target) model.delete(path);
        applied = target;
        check();
        continue;
      }
      zxid++;
      // One txn puts one to three distinct paths, as a multi or a create with its parent does.
      const count = 1 + Math.floor(random() * 3);
      const chosen = new Set<string>();
      while (chosen.size < count) chosen.add(paths[Math.floor(random() * paths.length)]!);
      for (const path of chosen) {
        const version = random() < 0.2 ? null : Math.floor(random() * 1000);
        pending.put(path, zxid, version === null ? null : view(version));
        model.set(path, { zxid, version });
      }
    }
    pending.appliedUpTo(zxid);
    model.clear();
    check();
    expect(pending.size).toBe(0);
  });
});
