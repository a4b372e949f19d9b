import { CreateMode, EventType, type Request } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { createReq, Driver, ErrorCode, multiResults, newMachine, OpCode } from "./helpers.js";

function setup() {
  const d = new Driver();
  const sid = d.session(0x42n);
  return { d, ctx: d.ctx(sid) };
}

const multi = (...ops: Request[]): Request => ({ type: OpCode.multi, ops });

describe("multi", () => {
  it("applies all ops with one zxid, results per op type, events in op order", () => {
    const { d, ctx } = setup();
    d.write(createReq("/x"), ctx);
    const res = d.write(
      multi(
        createReq("/a"),
        createReq("/b", { type: OpCode.create2 }),
        { type: OpCode.setData, path: "/a", data: Buffer.from("zz"), version: 0 },
        { type: OpCode.check, path: "/a", version: 1 },
        { type: OpCode.delete, path: "/x", version: -1 },
      ),
      ctx,
    );
    expect(res.err).toBe(0);
    const zxid = d.zxid;
    const results = multiResults(res);
    expect(results.map((r) => r.type)).toEqual([
      OpCode.create,
      OpCode.create2,
      OpCode.setData,
      OpCode.check,
      OpCode.delete,
    ]);
    expect(results[0]).toEqual({ type: OpCode.create, path: "/a" });
    expect(results[1]).toMatchObject({ type: OpCode.create2, path: "/b", stat: { czxid: zxid, version: 0 } });
    expect(results[2]).toMatchObject({
      type: OpCode.setData,
      stat: { czxid: zxid, mzxid: zxid, version: 1 },
    });
    expect(res.events.map(({ type, path }) => ({ type, path }))).toEqual([
      { type: EventType.NodeCreated, path: "/a" },
      { type: EventType.NodeChildrenChanged, path: "/" },
      { type: EventType.NodeCreated, path: "/b" },
      { type: EventType.NodeChildrenChanged, path: "/" },
      { type: EventType.NodeDataChanged, path: "/a" },
      { type: EventType.NodeDeleted, path: "/x" },
      { type: EventType.NodeChildrenChanged, path: "/" },
    ]);
    expect(d.sm.nodeStat("/a")?.czxid).toBe(zxid);
    expect(d.sm.nodeStat("/x")).toBeUndefined();
  });

  it("reports createContainer and createTTL results as create2", () => {
    const d = new Driver(newMachine({ extendedTypesEnabled: true }));
    const ctx = d.ctx(d.session(0x43n));
    const res = d.write(
      multi(
        createReq("/c", { type: OpCode.createContainer, flags: CreateMode.Container }),
        createReq("/t", { type: OpCode.createTTL, flags: CreateMode.PersistentWithTtl, ttl: 1000 }),
      ),
      ctx,
    );
    expect(multiResults(res).map((r) => r.type)).toEqual([OpCode.create2, OpCode.create2]);
  });

  it("is all-or-nothing: before -> 0, failing -> its code, after -> RuntimeInconsistency", () => {
    const { d, ctx } = setup();
    const before = d.sm.digest();
    const res = d.write(
      multi(
        createReq("/a"),
        createReq("/a/b"),
        { type: OpCode.setData, path: "/a", data: null, version: 3 },
        createReq("/c"),
        { type: OpCode.delete, path: "/zzz", version: -1 },
      ),
      ctx,
    );
    expect(res.err).toBe(0);
    expect(res.events.map(({ type, path }) => ({ type, path }))).toEqual([]);
    expect(multiResults(res)).toEqual([
      { type: OpCode.error, err: 0 },
      { type: OpCode.error, err: 0 },
      { type: OpCode.error, err: ErrorCode.BadVersion },
      { type: OpCode.error, err: ErrorCode.RuntimeInconsistency },
      { type: OpCode.error, err: ErrorCode.RuntimeInconsistency },
    ]);
    expect(d.sm.digest()).toBe(before);
    expect(d.sm.lastZxid).toBe(d.zxid);
    // Nothing of the failed multi stays in the pending view either.
    expect(d.write(createReq("/a"), ctx).err).toBe(0);
  });

  it("sees its own earlier ops (create then create child, delete then recreate)", () => {
    const { d, ctx } = setup();
    d.write(createReq("/old"), ctx);
    const res = d.write(
      multi(
        createReq("/p"),
        createReq("/p/s-", { flags: CreateMode.PersistentSequential }),
        createReq("/p/s-", { flags: CreateMode.PersistentSequential }),
        { type: OpCode.delete, path: "/old", version: -1 },
        createReq("/old"),
      ),
      ctx,
    );
    const results = multiResults(res);
    expect(results.slice(1, 3)).toEqual([
      { type: OpCode.create, path: "/p/s-0000000000" },
      { type: OpCode.create, path: "/p/s-0000000001" },
    ]);
    expect(d.sm.nodeStat("/old")?.czxid).toBe(d.zxid);
  });

  it("fails a delete of a node whose child was created earlier in the same multi", () => {
    const { d, ctx } = setup();
    d.write(createReq("/p"), ctx);
    const res = d.write(multi(createReq("/p/c"), { type: OpCode.delete, path: "/p", version: -1 }), ctx);
    expect(multiResults(res)).toEqual([
      { type: OpCode.error, err: 0 },
      { type: OpCode.error, err: ErrorCode.NotEmpty },
    ]);
  });

  it("an empty multi is a txn with an empty result", () => {
    const { d, ctx } = setup();
    const before = d.zxid;
    const res = d.write(multi(), ctx);
    expect(res.err).toBe(0);
    expect(multiResults(res)).toEqual([]);
    expect(d.sm.lastZxid).toBe(before + 1);
  });
});

describe("multiRead", () => {
  it("evaluates each op independently", () => {
    const { d, ctx } = setup();
    d.write(createReq("/a", { data: Buffer.from("A") }), ctx);
    d.write(createReq("/a/k2"), ctx);
    d.write(createReq("/a/k1"), ctx);
    const res = d.read(
      {
        type: OpCode.multiRead,
        ops: [
          { type: OpCode.getData, path: "/a", watch: false },
          { type: OpCode.getData, path: "/missing", watch: false },
          { type: OpCode.getChildren, path: "/a", watch: false },
        ],
      },
      ctx,
    );
    expect(res.err).toBe(0);
    const results = multiResults(res);
    expect(results[0]).toMatchObject({
      type: OpCode.getData,
      data: Buffer.from("A"),
      stat: { numChildren: 2 },
    });
    expect(results[1]).toEqual({ type: OpCode.error, err: ErrorCode.NoNode });
    expect(results[2]).toEqual({ type: OpCode.getChildren, children: ["k1", "k2"] });
    expect(res.watch).toBeUndefined();
  });
});

describe("multi built outside the decoder", () => {
  it("refuses ops the wire format does not allow instead of throwing", () => {
    const d = new Driver();
    const ctx = d.ctx(d.session(0x44n));
    const res = d.write(
      multi(createReq("/a"), { type: OpCode.setACL, path: "/", acl: [], version: -1 }, createReq("/b")),
      ctx,
    );
    expect(multiResults(res)).toEqual([
      { type: OpCode.error, err: 0 },
      { type: OpCode.error, err: ErrorCode.MarshallingError },
      { type: OpCode.error, err: ErrorCode.RuntimeInconsistency },
    ]);
  });
});
