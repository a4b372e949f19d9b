// Periodic snapshots are built into one reused buffer ("borrowed" chunks) and written by the
// snapshot store as they come: the file must hold exactly the chunks an owning reader gets.
import { describe, expect, it } from "vitest";
import { snapshotChunksOf } from "../../src/request/snapshot-format.js";
import { SnapshotStore } from "../../src/storage/snapshots.js";
import { DataTree } from "../../src/tree/data-tree.js";
import { rng, tempDir } from "../storage/helpers.js";
import { testZNode } from "../tree/znode.js";

function treeOf(nodeCount: number, seed: number): DataTree {
  const rnd = rng(seed);
  const tree = new DataTree(false);
  tree.insert("/t", testZNode());
  for (let i = 0; i < nodeCount; i++) {
    // Values from empty to larger than a whole chunk, so chunks are staged and written in place.
    const size = rnd() < 0.05 ? 150_000 + Math.floor(rnd() * 50_000) : Math.floor(rnd() * 3000);
    tree.insert(`/t/n${i}`, testZNode({ data: String.fromCharCode(i % 251).repeat(size) }));
  }
  return tree;
}

describe("borrowed snapshot chunks", () => {
  it("are written to a file that loads as the owned chunks", async () => {
    const tree = treeOf(400, 3);
    const owned = [...snapshotChunksOf(9, [], tree.openView()).chunks(16 * 1024)];
    const { dir, cleanup } = await tempDir("paddock-borrowed-");
    try {
      const store = await SnapshotStore.open(dir);
      const borrowed = snapshotChunksOf(9, [], tree.openView()).chunks(16 * 1024, { borrowed: true });
      const name = await store.write(9, borrowed, { durable: false });
      const loaded: Buffer[] = [];
      for await (const chunk of store.load(name)) loaded.push(Buffer.from(chunk));
      expect(loaded.length).toBe(owned.length);
      expect(loaded.every((chunk, i) => chunk.equals(owned[i]!))).toBe(true);
    } finally {
      await cleanup();
    }
  });

  it("share one buffer, so a consumer that keeps them sees them overwritten", () => {
    const tree = treeOf(200, 4);
    const owned = [...snapshotChunksOf(9, [], tree.openView()).chunks(4 * 1024)];
    const kept = [...snapshotChunksOf(9, [], tree.openView()).chunks(4 * 1024, { borrowed: true })];
    expect(kept.length).toBe(owned.length);
    // The header is built once; every node chunk lives in the one reused buffer.
    expect(new Set(kept.slice(1).map((c) => c.buffer)).size).toBeLessThan(kept.length - 1);
    expect(kept.slice(1).some((chunk, i) => !chunk.equals(owned[i + 1]!))).toBe(true);
  });
});
