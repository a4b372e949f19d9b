// ValueSlab: znode values loaded from a snapshot share slabs, but each must stay its own bytes.
import { JuteReader, JuteWriter } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { ValueSlab } from "../../src/tree/value-slab.js";

describe("ValueSlab", () => {
  it("copies small values into shared slabs, each an independent copy of its bytes", () => {
    const w = new JuteWriter();
    const values = Array.from({ length: 200 }, (_, i) => Buffer.alloc(i % 7 === 0 ? 0 : 100 + i, i));
    for (const v of values) w.writeBuffer(v);
    w.writeBuffer(null);
    const input = w.toBuffer();
    const r = new JuteReader(input);
    const slab = new ValueSlab();
    const loaded = values.map(() => r.readBufferWith(slab.copyOut)!);
    expect(r.readBufferWith(slab.copyOut)).toBeNull();
    expect(loaded.map((b) => b.toString("hex"))).toEqual(values.map((b) => b.toString("hex")));
    // ~40 KiB of values: they share one 64 KiB slab, not the input.
    const backing = new Set(loaded.map((b) => b.buffer));
    expect(backing.size).toBe(1);
    expect(backing.has(input.buffer)).toBe(false);
    input.fill(0xee);
    expect(loaded.map((b) => b.toString("hex"))).toEqual(values.map((b) => b.toString("hex")));
  });

  it("starts a new slab when one is full and gives large values buffers of their own", () => {
    const slab = new ValueSlab();
    const small = Buffer.alloc(3000, 1);
    const large = Buffer.alloc(5000, 2);
    const copies = Array.from({ length: 30 }, () => slab.copyOut(small, 0, small.length));
    const big = slab.copyOut(large, 0, large.length);
    expect(new Set(copies.map((b) => b.buffer)).size).toBe(2);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(5000);
    expect(big.equals(large)).toBe(true);
  });
});
