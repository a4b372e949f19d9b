// The tree digest is kept only once read, and then summed lazily (a changed node is hashed when
// the digest is next read, or when too many wait): whatever the order of reads and changes, it
// must equal the digest of a tree built from scratch with the same nodes.
import { describe, expect, it } from "vitest";
import { DataTree } from "../../src/tree/data-tree.js";
import type { ZNode } from "../../src/tree/node.js";
import { rng } from "../storage/helpers.js";

function node(seed: number, acl = 0): ZNode {
  return {
    data: `data-${seed}`,
    acl: acl === 0 ? [] : [{ perms: acl, id: { scheme: "world", id: "anyone" } }],
    czxid: seed,
    mzxid: seed,
    ctimeMs: seed * 7,
    mtimeMs: seed * 7,
    version: seed % 13,
    childCounter: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    pzxid: seed,
    children: new Set(),
  };
}

/** A fresh tree holding the same nodes (fields copied, parents first). */
function rebuilt(tree: DataTree): DataTree {
  const copy = new DataTree(false);
  const paths = [...tree.paths()].sort((a, b) => a.split("/").length - b.split("/").length);
  for (const path of paths) {
    const { children: _c, treeSeq: _s, treeCrc: _crc, ...fields } = tree.get(path)!;
    copy.restore(path, { ...fields, children: new Set() });
  }
  copy.restored();
  return copy;
}

describe("tree digest", () => {
  it("counts nodes restored over the initial ones, whatever bookkeeping the loaded node carries", () => {
    const tree = new DataTree(false);
    tree.insert("/a", node(5));
    tree.update("/zookeeper", { data: "root data", version: 3 });
    const loaded = new DataTree(false);
    // As a snapshot decoder builds them: bookkeeping fields present, zero.
    for (const path of ["/zookeeper", "/a"]) {
      const { children: _c, ...fields } = tree.get(path)!;
      loaded.restore(path, { ...fields, treeSeq: 0, treeCrc: 0, children: new Set() });
    }
    loaded.restored();
    expect(loaded.digest).toBe(tree.digest);
  });

  for (const seed of [1, 2, 3]) {
    it(`equals a rebuilt tree's after random inserts, updates and removals, read at random points (seed ${seed})`, () => {
      const rnd = rng(seed);
      const tree = new DataTree(false);
      const live: string[] = [];
      // Enough changes between reads to pass the bound on waiting nodes more than once.
      for (let step = 0; step < 20_000; step++) {
        const r = rnd();
        if (live.length < 10 || r < 0.4) {
          const path = `/n${Math.floor(rnd() * 100_000)}`;
          if (!tree.has(path)) {
            // Half the inserts as a create makes them, changing the parent (the root) too.
            if (rnd() < 0.5) tree.insert(path, node(step));
            else tree.insertChild(path, node(step), step, step);
            live.push(path);
          }
        } else if (r < 0.85) {
          const path = live[Math.floor(rnd() * live.length)]!;
          const change =
            rnd() < 0.2 ? { acl: node(0, 1 + (step % 31)).acl } : { data: `d${step}`, version: step };
          tree.update(path, change);
        } else {
          const i = Math.floor(rnd() * live.length);
          tree.remove(live[i]!);
          live.splice(i, 1);
        }
        if (step === 9_000 || rnd() < 0.0002) expect(tree.digest).toBe(rebuilt(tree).digest);
      }
      expect(tree.digest).toBe(rebuilt(tree).digest);
    });
  }

  it("is the same whether it was read all along or only at the end", () => {
    const readAllAlong = new DataTree(false);
    const readAtEnd = new DataTree(false);
    const rnd = rng(7);
    const live: string[] = [];
    for (let step = 0; step < 5_000; step++) {
      const r = rnd();
      if (live.length < 10 || r < 0.5) {
        const path = `/n${step}`;
        for (const t of [readAllAlong, readAtEnd]) t.insert(path, node(step));
        live.push(path);
      } else if (r < 0.85) {
        const path = live[Math.floor(rnd() * live.length)]!;
        for (const t of [readAllAlong, readAtEnd]) t.update(path, { data: `d${step}`, version: step });
      } else {
        const [path] = live.splice(Math.floor(rnd() * live.length), 1);
        for (const t of [readAllAlong, readAtEnd]) t.remove(path!);
      }
      if (step % 100 === 0) readAllAlong.digest;
    }
    expect(readAtEnd.digest).toBe(readAllAlong.digest);
    expect(readAtEnd.digest).toBe(rebuilt(readAtEnd).digest);
  });

  it("changes when a node changes, and comes back when the change is undone", () => {
    const tree = new DataTree(false);
    tree.insert("/a", node(1));
    const before = tree.digest;
    tree.update("/a", { data: "other" });
    const changed = tree.digest;
    expect(changed).not.toBe(before);
    tree.update("/a", { data: "data-1" });
    expect(tree.digest).toBe(before);
    tree.remove("/a");
    tree.insert("/a", node(1));
    expect(tree.digest).toBe(before);
  });
});
