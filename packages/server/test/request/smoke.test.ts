import { describe, expect, it } from "vitest";
import { createdPath, createReq, Driver, OpCode } from "./helpers.js";

describe("state machine smoke", () => {
  it("creates, reads and deletes a node", () => {
    const d = new Driver();
    const s = d.session(0x100n);
    const ctx = d.ctx(s);
    const created = d.write(createReq("/a"), ctx);
    expect(created.err).toBe(0);
    expect(createdPath(created)).toBe("/a");
    expect(d.sm.nodeStat("/a")?.czxid).toBe(2);
    expect(d.write({ type: OpCode.delete, path: "/a", version: -1 }, ctx).err).toBe(0);
    expect(d.sm.nodeStat("/a")).toBeUndefined();
    expect(d.sm.lastZxid).toBe(3);
  });
});
