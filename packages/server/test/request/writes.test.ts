import { type ACL, CreateMode, EventType, readStat } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import {
  body,
  createdPath,
  createReq,
  Driver,
  ErrorCode,
  newMachine,
  OPEN,
  OpCode,
  Perms,
  statBody,
  T0,
} from "./helpers.js";

const BOB = "bob:fyVmFCwVbTJYrznoSu1koqYEYF0=";
const bobOnly: ACL[] = [{ perms: Perms.ALL, id: { scheme: "digest", id: BOB } }];

function setup() {
  const d = new Driver();
  const sid = d.session(0x1000_0000_0000_0001n);
  const ctx = d.ctx(sid);
  const bobCtx = d.ctx(sid, [
    { scheme: "ip", id: "127.0.0.1" },
    { scheme: "digest", id: BOB },
  ]);
  return { d, sid, ctx, bobCtx };
}

describe("event ACLs (READ filtering of watch events)", () => {
  it("carry the node's ACL, the parent's for NodeChildrenChanged, and a deleted node's last ACL", () => {
    const { d, bobCtx } = setup();
    expect(d.write(createReq("/p", { acl: bobOnly }), bobCtx).err).toBe(0);
    const created = d.write(createReq("/p/c", { acl: [...OPEN] }), bobCtx);
    expect(created.events.map((e) => [e.type, e.acl])).toEqual([
      [EventType.NodeCreated, OPEN],
      [EventType.NodeChildrenChanged, bobOnly],
    ]);
    const changed = d.write(
      { type: OpCode.setData, path: "/p", data: Buffer.from("x"), version: -1 },
      bobCtx,
    );
    expect(changed.events.map((e) => e.acl)).toEqual([bobOnly]);
    const removed = d.write({ type: OpCode.delete, path: "/p/c", version: -1 }, bobCtx);
    expect(removed.events.map((e) => [e.type, e.acl])).toEqual([
      [EventType.NodeDeleted, OPEN],
      [EventType.NodeChildrenChanged, bobOnly],
    ]);
  });
});

describe("create", () => {
  it("stamps every stat field and updates the parent", () => {
    const { d, ctx } = setup();
    const res = d.write(createReq("/a", { type: OpCode.create2, data: Buffer.from("hello") }), ctx);
    expect(res.err).toBe(0);
    const r = body(res);
    expect(r.readPath()).toBe("/a");
    const stat = readStat(r);
    const zxid = d.zxid;
    expect(stat).toEqual({
      czxid: zxid,
      mzxid: zxid,
      ctime: d.timeMs,
      mtime: d.timeMs,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      dataLength: 5,
      numChildren: 0,
      pzxid: zxid,
    });
    expect(d.sm.nodeStat("/")).toMatchObject({ numChildren: 2, pzxid: zxid, cversion: 0, mzxid: 0 });
    expect(res.events.map(({ type, path }) => ({ type, path }))).toEqual([
      { type: EventType.NodeCreated, path: "/a" },
      { type: EventType.NodeChildrenChanged, path: "/" },
    ]);
    expect(d.sm.nodeCount()).toBe(6);
    expect(d.sm.approximateDataSizeBytes()).toBe(44 + 2 + 5);
  });

  it("answers create with the path only and create2 with path + stat", () => {
    const { d, ctx } = setup();
    const w1 = d.write(createReq("/one"), ctx);
    const r1 = body(w1);
    expect(r1.readPath()).toBe("/one");
    expect(r1.remaining).toBe(0);
    const r2 = body(d.write(createReq("/two", { type: OpCode.create2 }), ctx));
    expect(r2.readPath()).toBe("/two");
    expect(r2.remaining).toBe(68);
  });

  it("keeps null data distinct from empty data", () => {
    const { d, ctx } = setup();
    d.write(createReq("/n", { data: null }), ctx);
    d.write(createReq("/e", { data: Buffer.alloc(0) }), ctx);
    const get = (path: string) =>
      body(d.read({ type: OpCode.getData, path, watch: false }, ctx)).readBuffer();
    expect(get("/n")).toBeNull();
    expect(get("/e")).toEqual(Buffer.alloc(0));
    expect(d.sm.nodeStat("/n")?.dataLength).toBe(0);
  });

  it("creates ephemerals owned by the session", () => {
    const { d, ctx, sid } = setup();
    d.write(createReq("/eph", { flags: CreateMode.Ephemeral }), ctx);
    expect(d.sm.nodeStat("/eph")?.ephemeralOwner).toBe(sid);
    expect(d.sm.ephemeralsOf(sid)).toEqual(["/eph"]);
    expect(d.write(createReq("/eph/child"), ctx).err).toBe(ErrorCode.NoChildrenForEphemerals);
  });

  it("numbers sequential nodes from the parent's creation counter, never reusing numbers", () => {
    const { d, ctx } = setup();
    d.write(createReq("/q"), ctx);
    const seq = () =>
      createdPath(d.write(createReq("/q/n-", { flags: CreateMode.PersistentSequential }), ctx));
    expect(seq()).toBe("/q/n-0000000000");
    expect(seq()).toBe("/q/n-0000000001");
    expect(seq()).toBe("/q/n-0000000002");
    d.write({ type: OpCode.delete, path: "/q/n-0000000002", version: -1 }, ctx);
    expect(seq()).toBe("/q/n-0000000003");
    d.write(createReq("/q/plain"), ctx);
    expect(seq()).toBe("/q/n-0000000005");
    // A sequential name may end with "/" before the suffix is appended.
    expect(createdPath(d.write(createReq("/q/", { flags: CreateMode.PersistentSequential }), ctx))).toBe(
      "/q/0000000006",
    );
  });

  it("shows cversion as 2*creations - children", () => {
    const { d, ctx } = setup();
    d.write(createReq("/p"), ctx);
    for (let i = 0; i < 5; i++) d.write(createReq(`/p/c${i}`), ctx);
    d.write({ type: OpCode.delete, path: "/p/c0", version: -1 }, ctx);
    expect(d.sm.nodeStat("/p")).toMatchObject({ cversion: 6, numChildren: 4 });
    expect(d.sm.nodeStat("/p")?.pzxid).toBe(d.zxid);
  });

  it("rejects bad flags and opcode/flag mismatches with BadArguments", () => {
    const { d, ctx } = setup();
    expect(d.write(createReq("/x", { flags: 7 }), ctx).err).toBe(ErrorCode.BadArguments);
    expect(d.write(createReq("/x", { flags: -1 }), ctx).err).toBe(ErrorCode.BadArguments);
    const container = createReq("/x", { type: OpCode.createContainer, flags: 0 });
    expect(d.write(container, ctx).err).toBe(ErrorCode.BadArguments);
  });

  it("a plain create with the container flag makes a persistent node, as ZooKeeper stores it", () => {
    const { d, ctx } = setup();
    expect(d.write(createReq("/x", { flags: CreateMode.Container }), ctx).err).toBe(ErrorCode.OK);
    const real = createReq("/y", { type: OpCode.createContainer, flags: CreateMode.Container });
    expect(d.write(real, ctx).err).toBe(ErrorCode.OK);
    // Never-used containers past the interval are the reaper's candidates: only the real one.
    expect(d.sm.containerCandidates(d.timeMs + 1000, 500)).toEqual(["/y"]);
  });

  it("a TTL mode through a plain create: Unimplemented without extended types, else BadArguments", () => {
    const { d, ctx } = setup();
    const ttlViaCreate = createReq("/x", { flags: CreateMode.PersistentWithTtl });
    expect(d.write(ttlViaCreate, ctx).err).toBe(ErrorCode.Unimplemented);
    const extended = new Driver(newMachine({ extendedTypesEnabled: true }));
    const sid = extended.session(0x1000_0000_0000_0001n);
    expect(extended.write(ttlViaCreate, extended.ctx(sid)).err).toBe(ErrorCode.BadArguments);
  });

  it("checks in ZooKeeper's order", () => {
    const { d, ctx, bobCtx } = setup();
    d.write(createReq("/p", { acl: bobOnly }), bobCtx);
    d.write(createReq("/p/c"), bobCtx);
    // no '/' -> BadArguments, before ACL fixup
    expect(d.write(createReq("abc", { acl: [] }), ctx).err).toBe(ErrorCode.BadArguments);
    expect(d.write(createReq("/a\u0000b", { acl: [] }), ctx).err).toBe(ErrorCode.BadArguments);
    // ACL fixup before parent lookup
    expect(d.write(createReq("/nope/x", { acl: [] }), ctx).err).toBe(ErrorCode.InvalidACL);
    // parent before path validation
    expect(d.write(createReq("/nope/x/"), ctx).err).toBe(ErrorCode.NoNode);
    // CREATE permission before existence
    expect(d.write(createReq("/p/c"), ctx).err).toBe(ErrorCode.NoAuth);
    expect(d.write(createReq("/p/c"), bobCtx).err).toBe(ErrorCode.NodeExists);
    // full validation after the parent check
    expect(d.write(createReq("/p/"), bobCtx).err).toBe(ErrorCode.BadArguments);
    expect(d.write(createReq("/p/."), bobCtx).err).toBe(ErrorCode.BadArguments);
    expect(d.write(createReq("/"), ctx).err).toBe(ErrorCode.NodeExists);
    expect(d.write(createReq("/zookeeper"), ctx).err).toBe(ErrorCode.NodeExists);
  });

  it("rejects ephemeral and plain writes of an unknown session", () => {
    const { d } = setup();
    const ghost = d.ctx(0xdeadn);
    expect(d.write(createReq("/g"), ghost).err).toBe(ErrorCode.SessionExpired);
    expect(d.write({ type: OpCode.setData, path: "/", data: null, version: -1 }, ghost).err).toBe(
      ErrorCode.SessionExpired,
    );
  });

  it("expands auth ACLs into the caller's digest identity", () => {
    const { d, ctx, bobCtx } = setup();
    const authAcl: ACL[] = [{ perms: Perms.ALL, id: { scheme: "auth", id: "" } }];
    expect(d.write(createReq("/auth", { acl: authAcl }), ctx).err).toBe(ErrorCode.InvalidACL);
    expect(d.write(createReq("/auth", { acl: authAcl }), bobCtx).err).toBe(0);
    expect(d.write({ type: OpCode.setData, path: "/auth", data: null, version: -1 }, ctx).err).toBe(
      ErrorCode.NoAuth,
    );
    expect(d.write({ type: OpCode.setData, path: "/auth", data: null, version: -1 }, bobCtx).err).toBe(0);
  });

  it("failed writes are txns: they take a zxid and change nothing", () => {
    const { d, ctx } = setup();
    const before = d.sm.digest();
    const res = d.write(createReq("/nope/x"), ctx);
    expect(res).toEqual({ err: ErrorCode.NoNode, events: [], closedSessions: [] });
    expect(d.sm.lastZxid).toBe(d.zxid);
    expect(d.sm.digest()).toBe(before);
  });
});

describe("delete", () => {
  it("removes the node, bumps the parent's pzxid but not its creation counter", () => {
    const { d, ctx } = setup();
    d.write(createReq("/p"), ctx);
    d.write(createReq("/p/c"), ctx);
    const res = d.write({ type: OpCode.delete, path: "/p/c", version: 0 }, ctx);
    expect(res.err).toBe(0);
    expect(body(res).remaining).toBe(0);
    expect(res.events.map(({ type, path }) => ({ type, path }))).toEqual([
      { type: EventType.NodeDeleted, path: "/p/c" },
      { type: EventType.NodeChildrenChanged, path: "/p" },
    ]);
    expect(d.sm.nodeStat("/p")).toMatchObject({ numChildren: 0, cversion: 2, pzxid: d.zxid });
    expect(d.sm.approximateDataSizeBytes()).toBe(44 + 2 + 1);
  });

  it("checks in ZooKeeper's order", () => {
    const { d, ctx, bobCtx } = setup();
    d.write(createReq("/p", { acl: bobOnly }), bobCtx);
    d.write(createReq("/p/c"), bobCtx);
    d.write(createReq("/s"), ctx);
    d.write(createReq("/s/k"), ctx);
    const del = (path: string, version = -1) => ({ type: OpCode.delete, path, version }) as const;
    for (const special of ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"]) {
      expect(d.write(del(special), ctx).err).toBe(ErrorCode.BadArguments);
    }
    expect(d.write(del("abc"), ctx).err).toBe(ErrorCode.BadArguments);
    expect(d.write(del("/x\u0000"), ctx).err).toBe(ErrorCode.BadArguments);
    expect(d.write(del("/nope/x"), ctx).err).toBe(ErrorCode.NoNode);
    // DELETE on the parent is checked before the node's existence
    expect(d.write(del("/p/missing"), ctx).err).toBe(ErrorCode.NoAuth);
    expect(d.write(del("/p/missing"), bobCtx).err).toBe(ErrorCode.NoNode);
    // version before emptiness
    expect(d.write(del("/s", 5), ctx).err).toBe(ErrorCode.BadVersion);
    expect(d.write(del("/s"), ctx).err).toBe(ErrorCode.NotEmpty);
    // no full path validation: a trailing slash is just a missing node
    expect(d.write(del("/s/"), ctx).err).toBe(ErrorCode.NoNode);
  });
});

describe("setData", () => {
  it("updates data, version, mzxid and mtime but not ctime/czxid", () => {
    const { d, ctx } = setup();
    d.write(createReq("/a"), ctx);
    const created = d.sm.nodeStat("/a")!;
    const res = d.write({ type: OpCode.setData, path: "/a", data: Buffer.from("abcd"), version: 0 }, ctx);
    expect(res.events.map(({ type, path }) => ({ type, path }))).toEqual([
      { type: EventType.NodeDataChanged, path: "/a" },
    ]);
    const stat = statBody(res);
    expect(stat).toEqual({ ...created, version: 1, mzxid: d.zxid, mtime: d.timeMs, dataLength: 4 });
    expect(stat.mtime).toBeGreaterThan(created.ctime);
    expect(d.sm.approximateDataSizeBytes()).toBe(44 + 2 + 4);
  });

  it("checks in ZooKeeper's order", () => {
    const { d, ctx, bobCtx } = setup();
    d.write(createReq("/p", { acl: bobOnly }), bobCtx);
    const set = (path: string, version = -1) =>
      ({ type: OpCode.setData, path, data: null, version }) as const;
    expect(d.write(set("/nope/"), ctx).err).toBe(ErrorCode.BadArguments);
    expect(d.write(set("/p/missing"), ctx).err).toBe(ErrorCode.NoNode);
    expect(d.write(set("/p", 7), ctx).err).toBe(ErrorCode.NoAuth);
    expect(d.write(set("/p", 7), bobCtx).err).toBe(ErrorCode.BadVersion);
    expect(d.write(set("/p", 0), bobCtx).err).toBe(0);
  });

  it("wraps the version at int32", () => {
    const { d, ctx } = setup();
    d.write(createReq("/v"), ctx);
    // Drive the stored version to MAX_VALUE through the txn path, as a log replay would.
    d.applyTxn({
      zxid: ++d.zxid,
      timeMs: T0,
      sessionId: 0n,
      cxid: 0,
      body: { type: "setData", path: "/v", data: null, version: 2147483647 },
    });
    const res = d.write({ type: OpCode.setData, path: "/v", data: null, version: 2147483647 }, ctx);
    expect(statBody(res).version).toBe(-2147483648);
    expect(d.write({ type: OpCode.setData, path: "/v", data: null, version: -2147483648 }, ctx).err).toBe(0);
    expect(d.sm.nodeStat("/v")?.version).toBe(-2147483647);
  });
});

describe("approximate data size", () => {
  it("counts the root's data twice, like ZooKeeper's \"\" alias", () => {
    const { d, ctx } = setup();
    d.write({ type: OpCode.setData, path: "/", data: Buffer.from("abc"), version: -1 }, ctx);
    expect(d.sm.approximateDataSizeBytes()).toBe(44 + 3 + 3);
  });
});

describe("setACL", () => {
  it("replaces the ACL and bumps aversion only", () => {
    const { d, ctx, bobCtx } = setup();
    d.write(createReq("/a"), ctx);
    const before = d.sm.nodeStat("/a")!;
    const res = d.write({ type: OpCode.setACL, path: "/a", acl: bobOnly, version: 0 }, ctx);
    expect(res.events.map(({ type, path }) => ({ type, path }))).toEqual([]);
    expect(statBody(res)).toEqual({ ...before, aversion: 1 });
    expect(d.write({ type: OpCode.setData, path: "/a", data: null, version: -1 }, ctx).err).toBe(
      ErrorCode.NoAuth,
    );
    expect(d.write({ type: OpCode.setData, path: "/a", data: null, version: -1 }, bobCtx).err).toBe(0);
  });

  it("checks in ZooKeeper's order", () => {
    const { d, ctx, bobCtx } = setup();
    d.write(createReq("/p", { acl: bobOnly }), bobCtx);
    const setAcl = (path: string, acl: ACL[], version = -1) =>
      ({ type: OpCode.setACL, path, acl, version }) as const;
    expect(d.write(setAcl("/bad/", []), ctx).err).toBe(ErrorCode.BadArguments);
    expect(d.write(setAcl("/missing", []), ctx).err).toBe(ErrorCode.InvalidACL);
    expect(d.write(setAcl("/missing", OPEN), ctx).err).toBe(ErrorCode.NoNode);
    expect(d.write(setAcl("/p", OPEN, 9), ctx).err).toBe(ErrorCode.NoAuth);
    expect(d.write(setAcl("/p", OPEN, 9), bobCtx).err).toBe(ErrorCode.BadVersion);
    expect(d.write(setAcl("/p", OPEN, 0), bobCtx).err).toBe(0);
  });
});

describe("check (top level)", () => {
  it("passes without a body or events and fails with the check's error", () => {
    const { d, ctx, bobCtx } = setup();
    d.write(createReq("/c"), ctx);
    d.write(createReq("/secret", { acl: bobOnly }), bobCtx);
    const ok = d.write({ type: OpCode.check, path: "/c", version: 0 }, ctx);
    expect(ok.err).toBe(0);
    expect(ok.events).toEqual([]);
    expect(d.write({ type: OpCode.check, path: "/c", version: 1 }, ctx).err).toBe(ErrorCode.BadVersion);
    expect(d.write({ type: OpCode.check, path: "/c/", version: 1 }, ctx).err).toBe(ErrorCode.BadArguments);
    expect(d.write({ type: OpCode.check, path: "/none", version: 1 }, ctx).err).toBe(ErrorCode.NoNode);
    expect(d.write({ type: OpCode.check, path: "/secret", version: 1 }, ctx).err).toBe(ErrorCode.NoAuth);
  });
});

describe("other write opcodes", () => {
  it("answers client deleteContainer with Unimplemented", () => {
    const { d, ctx } = setup();
    expect(d.write({ type: OpCode.deleteContainer, path: "/zookeeper/quota" }, ctx).err).toBe(
      ErrorCode.Unimplemented,
    );
  });
});
