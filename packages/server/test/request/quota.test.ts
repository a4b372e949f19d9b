import { describe, expect, it } from "vitest";
import { StateMachine } from "../../src/request/state-machine.js";
import { body, createReq, Driver, ErrorCode, OpCode } from "./helpers.js";

function statsOf(d: Driver, path: string): string {
  const r = body(d.read({ type: OpCode.getData, path, watch: false }, d.ctx(1n)));
  return r.readBuffer()?.toString("utf8") ?? "";
}

describe("quota stats (§16)", () => {
  it("tracks count and bytes below a quota root as txns are applied, without events", () => {
    const d = new Driver();
    const ctx = d.ctx(d.session(1n));
    d.write(createReq("/a", { data: Buffer.from("12345") }), ctx);
    d.write(createReq("/a/k", { data: Buffer.from("xy") }), ctx);
    d.write(createReq("/zookeeper/quota/a", { data: null }), ctx);
    d.write(
      createReq("/zookeeper/quota/a/zookeeper_limits", { data: Buffer.from("count=10,bytes=-1") }),
      ctx,
    );
    const created = d.write(
      createReq("/zookeeper/quota/a/zookeeper_stats", { data: Buffer.from("count=0,bytes=0") }),
      ctx,
    );
    expect(created.err).toBe(0);
    const stats = "/zookeeper/quota/a/zookeeper_stats";
    expect(statsOf(d, stats)).toBe("count=2,bytes=7");
    const statBefore = d.sm.nodeStat(stats)!;

    const res = d.write(createReq("/a/n", { data: Buffer.from("hello") }), ctx);
    expect(res.events.map((e) => e.path)).toEqual(["/a/n", "/a"]);
    expect(statsOf(d, stats)).toBe("count=3,bytes=12");
    d.write({ type: OpCode.setData, path: "/a/n", data: Buffer.from("hi"), version: -1 }, ctx);
    expect(statsOf(d, stats)).toBe("count=3,bytes=9");
    d.write({ type: OpCode.delete, path: "/a/n", version: -1 }, ctx);
    expect(statsOf(d, stats)).toBe("count=2,bytes=7");
    // Outside the quota root nothing changes.
    d.write(createReq("/ab"), ctx);
    expect(statsOf(d, stats)).toBe("count=2,bytes=7");
    // The rewrite changes the data only, not the stats node's versions or zxids.
    expect(d.sm.nodeStat(stats)).toMatchObject({ version: statBefore.version, mzxid: statBefore.mzxid });

    d.write({ type: OpCode.delete, path: "/zookeeper/quota/a/zookeeper_limits", version: -1 }, ctx);
    d.write(createReq("/a/after"), ctx);
    expect(statsOf(d, stats)).toBe("count=2,bytes=7");
  });

  it("is rebuilt from a snapshot and stays identical on replicas", () => {
    const d = new Driver();
    const ctx = d.ctx(d.session(1n));
    d.write(createReq("/q"), ctx);
    d.write(createReq("/zookeeper/quota/q"), ctx);
    d.write(createReq("/zookeeper/quota/q/zookeeper_limits", { data: Buffer.from("count=5,bytes=-1") }), ctx);
    d.write(createReq("/zookeeper/quota/q/zookeeper_stats"), ctx);
    const opts = { extendedTypesEnabled: false, skipAcl: false, superDigest: undefined };
    const restored = StateMachine.fromSnapshot(opts, d.sm.snapshotChunks());
    const follower = new StateMachine(opts);
    for (const t of d.log) follower.apply(t);
    const next = d.prepare(createReq("/q/z", { data: Buffer.from("abc") }), ctx);
    d.applyTxn(next);
    restored.apply(next);
    follower.apply(next);
    expect(statsOf(d, "/zookeeper/quota/q/zookeeper_stats")).toBe("count=2,bytes=4");
    expect(restored.digest()).toBe(d.sm.digest());
    expect(follower.digest()).toBe(d.sm.digest());
  });
});

describe("quota enforcement", () => {
  function setup(enforceQuota: boolean, limits: string) {
    const d = new Driver(
      new StateMachine({ extendedTypesEnabled: false, skipAcl: false, superDigest: undefined, enforceQuota }),
    );
    const ctx = d.ctx(d.session(1n));
    d.write(createReq("/a", { data: Buffer.from("12") }), ctx);
    d.write(createReq("/zookeeper/quota/a"), ctx);
    d.write(createReq("/zookeeper/quota/a/zookeeper_limits", { data: Buffer.from(limits) }), ctx);
    d.write(createReq("/zookeeper/quota/a/zookeeper_stats"), ctx);
    return { d, ctx };
  }

  it("refuses creates past countHardLimit and setData past byteHardLimit", () => {
    const { d, ctx } = setup(true, "count=-1,bytes=-1=;byteHardLimit=10;countHardLimit=3");
    expect(d.write(createReq("/a/1", { data: null }), ctx).err).toBe(0);
    expect(d.write(createReq("/a/2", { data: null }), ctx).err).toBe(0);
    expect(d.write(createReq("/a/3", { data: null }), ctx).err).toBe(ErrorCode.QuotaExceeded);
    expect(d.write(createReq("/elsewhere"), ctx).err).toBe(0);
    const set = (data: string, version = -1) =>
      ({ type: OpCode.setData, path: "/a/1", data: Buffer.from(data), version }) as const;
    expect(d.write(set("12345678"), ctx).err).toBe(0);
    // quota (step 5) comes before the version check (step 6)
    expect(d.write(set("123456789", 99), ctx).err).toBe(ErrorCode.QuotaExceeded);
    expect(d.write(set("1234567", 99), ctx).err).toBe(ErrorCode.BadVersion);
  });

  it("only logs for soft limits and does nothing when not enforced", () => {
    const soft = setup(true, "count=1,bytes=1");
    expect(soft.d.write(createReq("/a/x"), soft.ctx).err).toBe(0);
    const off = setup(false, "count=-1,bytes=-1=;countHardLimit=1");
    expect(off.d.write(createReq("/a/x"), off.ctx).err).toBe(0);
  });
});
