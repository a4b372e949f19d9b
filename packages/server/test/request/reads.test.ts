import { type ACL, CreateMode, type Id, readStat } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { aclBody, body, createReq, Driver, ErrorCode, newMachine, OpCode, Perms } from "./helpers.js";

const BOB = "bob:fyVmFCwVbTJYrznoSu1koqYEYF0=";
const bobId: Id = { scheme: "digest", id: BOB };
const anon: Id[] = [{ scheme: "ip", id: "127.0.0.1" }];

function setup(opts: { skipAcl?: boolean } = {}) {
  const d = new Driver(newMachine(opts));
  const sid = d.session(0x77n);
  const bobCtx = d.ctx(sid, [...anon, bobId]);
  const ctx = d.ctx(sid, anon);
  // /secret: bob only; /wo: world may only WRITE; /ad: world ADMIN only, bob READ
  d.write(createReq("/secret", { acl: [{ perms: Perms.ALL, id: bobId }] }), bobCtx);
  d.write(createReq("/wo", { acl: [{ perms: Perms.WRITE, id: { scheme: "world", id: "anyone" } }] }), ctx);
  const adAcl: ACL[] = [
    { perms: Perms.ADMIN, id: { scheme: "world", id: "anyone" } },
    { perms: Perms.READ, id: bobId },
  ];
  d.write(createReq("/ad", { acl: adAcl }), ctx);
  return { d, ctx, bobCtx, sid };
}

describe("exists", () => {
  it("returns the stat and registers a data watch on request", () => {
    const { d, ctx } = setup();
    const res = d.read({ type: OpCode.exists, path: "/wo", watch: false }, d.ctx(0x77n, [bobId]));
    expect(res.err).toBe(ErrorCode.NoAuth);
    const ok = d.read({ type: OpCode.exists, path: "/ad", watch: true }, ctx);
    expect(ok.err).toBe(ErrorCode.NoAuth);
    expect(ok.watch).toBeUndefined();
    d.write(createReq("/open"), ctx);
    const open = d.read({ type: OpCode.exists, path: "/open", watch: true }, ctx);
    expect(readStat(body(open)).czxid).toBe(d.zxid);
    expect(open.watch).toEqual({ path: "/open", table: "data" });
  });

  it("registers the watch even when the node is missing", () => {
    const { d, ctx } = setup();
    expect(d.read({ type: OpCode.exists, path: "/none", watch: true }, ctx)).toEqual({
      err: ErrorCode.NoNode,
      watch: { path: "/none", table: "data" },
    });
    expect(d.read({ type: OpCode.exists, path: "/none", watch: false }, ctx)).toEqual({
      err: ErrorCode.NoNode,
    });
  });

  it("rejects a NUL in the path before anything else", () => {
    const { d, ctx } = setup();
    expect(d.read({ type: OpCode.exists, path: "/a\u0000", watch: true }, ctx)).toEqual({
      err: ErrorCode.BadArguments,
    });
  });

  it("returns NoAuth for an existing node without READ (3.8.4+)", () => {
    const { d, ctx, bobCtx } = setup();
    expect(d.read({ type: OpCode.exists, path: "/secret", watch: true }, ctx).err).toBe(ErrorCode.NoAuth);
    expect(d.read({ type: OpCode.exists, path: "/secret", watch: true }, bobCtx).err).toBe(0);
  });
});

describe("getData / getChildren", () => {
  it("checks NoNode, then READ, and only then registers the watch", () => {
    const { d, ctx, bobCtx } = setup();
    expect(d.read({ type: OpCode.getData, path: "/none", watch: true }, ctx)).toEqual({
      err: ErrorCode.NoNode,
    });
    expect(d.read({ type: OpCode.getData, path: "/secret", watch: true }, ctx)).toEqual({
      err: ErrorCode.NoAuth,
    });
    expect(d.read({ type: OpCode.getChildren, path: "/secret", watch: true }, ctx)).toEqual({
      err: ErrorCode.NoAuth,
    });
    const ok = d.read({ type: OpCode.getData, path: "/secret", watch: true }, bobCtx);
    expect(body(ok).readBuffer()).toEqual(Buffer.from("x"));
    expect(ok.watch).toEqual({ path: "/secret", table: "data" });
    const kids = d.read({ type: OpCode.getChildren2, path: "/", watch: true }, ctx);
    expect(kids.watch).toEqual({ path: "/", table: "child" });
    const r = body(kids);
    expect(r.readStringVector()).toEqual(["ad", "secret", "wo", "zookeeper"]);
    expect(readStat(r).numChildren).toBe(4);
  });

  it("returns sorted children that follow every create and delete", () => {
    const { d, ctx } = setup();
    d.write(createReq("/k"), ctx);
    const kids = () =>
      body(d.read({ type: OpCode.getChildren, path: "/k", watch: false }, ctx)).readStringVector();
    expect(kids()).toEqual([]);
    for (const name of ["b", "a", "c"]) d.write(createReq(`/k/${name}`), ctx);
    expect(kids()).toEqual(["a", "b", "c"]);
    expect(kids()).toEqual(["a", "b", "c"]);
    d.write({ type: OpCode.delete, path: "/k/b", version: -1 }, ctx);
    expect(kids()).toEqual(["a", "c"]);
    d.write(createReq("/k/0"), ctx);
    expect(kids()).toEqual(["0", "a", "c"]);
  });

  it("does not validate paths: an invalid one is just missing", () => {
    const { d, ctx } = setup();
    expect(d.read({ type: OpCode.getData, path: "/a\u0000", watch: false }, ctx).err).toBe(ErrorCode.NoNode);
    expect(d.read({ type: OpCode.getData, path: "", watch: false }, ctx).err).toBe(ErrorCode.NoNode);
  });

  it("skipACL and super bypass READ", () => {
    const { d, ctx } = setup({ skipAcl: true });
    expect(d.read({ type: OpCode.getData, path: "/secret", watch: false }, ctx).err).toBe(0);
    const plain = setup();
    const superCtx = plain.d.ctx(0x77n, [{ scheme: "super", id: "" }]);
    expect(plain.d.read({ type: OpCode.getData, path: "/secret", watch: false }, superCtx).err).toBe(0);
  });
});

describe("getACL", () => {
  it("needs READ or ADMIN and masks digests without ADMIN", () => {
    const { d, ctx, bobCtx } = setup();
    expect(d.read({ type: OpCode.getACL, path: "/none" }, ctx).err).toBe(ErrorCode.NoNode);
    expect(d.read({ type: OpCode.getACL, path: "/wo" }, ctx).err).toBe(ErrorCode.NoAuth);
    // world has ADMIN on /ad: full ACL shown
    expect(aclBody(d.read({ type: OpCode.getACL, path: "/ad" }, ctx)).acl[1]).toEqual({
      perms: Perms.READ,
      id: bobId,
    });
    // bob on /secret has ADMIN: unmasked
    expect(aclBody(d.read({ type: OpCode.getACL, path: "/secret" }, bobCtx)).acl).toEqual([
      { perms: Perms.ALL, id: bobId },
    ]);
    // a reader without ADMIN sees bob:x
    d.write(
      createReq("/ro", {
        acl: [
          { perms: Perms.READ, id: { scheme: "world", id: "anyone" } },
          { perms: Perms.ALL, id: bobId },
        ],
      }),
      ctx,
    );
    const masked = aclBody(d.read({ type: OpCode.getACL, path: "/ro" }, ctx));
    expect(masked.acl).toEqual([
      { perms: Perms.READ, id: { scheme: "world", id: "anyone" } },
      { perms: Perms.ALL, id: { scheme: "digest", id: "bob:x" } },
    ]);
    expect(masked.stat.czxid).toBe(d.zxid);
  });
});

describe("getAllChildrenNumber and getEphemerals", () => {
  it("counts all descendants", () => {
    const { d, ctx } = setup();
    d.write(createReq("/t"), ctx);
    d.write(createReq("/t/a"), ctx);
    d.write(createReq("/t/a/b"), ctx);
    d.write(createReq("/t/c"), ctx);
    const count = (path: string) => body(d.read({ type: OpCode.getAllChildrenNumber, path }, ctx)).readInt();
    expect(count("/t")).toBe(3);
    expect(count("/t/a/b")).toBe(0);
    expect(count("/")).toBe(d.sm.nodeCount() - 2);
    expect(d.read({ type: OpCode.getAllChildrenNumber, path: "/secret" }, ctx).err).toBe(ErrorCode.NoAuth);
  });

  // In ZooKeeper's order, a JVM HashSet's (tree/java-hash-order.ts): a JVM printed
  // [/ex, /wo2/e, /e1] for these three.
  it("lists only the caller's ephemerals, filtered by a plain string prefix", () => {
    const { d, ctx } = setup();
    const other = d.ctx(d.session(0x99n));
    d.write(createReq("/e1", { flags: CreateMode.Ephemeral }), ctx);
    d.write(createReq("/ex", { flags: CreateMode.Ephemeral }), ctx);
    d.write(createReq("/wo2"), ctx);
    d.write(createReq("/wo2/e", { flags: CreateMode.Ephemeral }), ctx);
    d.write(createReq("/e2", { flags: CreateMode.Ephemeral }), other);
    const list = (prefixPath: string) =>
      body(d.read({ type: OpCode.getEphemerals, prefixPath }, ctx)).readStringVector();
    expect(list("/")).toEqual(["/ex", "/wo2/e", "/e1"]);
    expect(list("")).toEqual(["/ex", "/wo2/e", "/e1"]);
    expect(list("/e")).toEqual(["/ex", "/e1"]);
    expect(list("/wo2")).toEqual(["/wo2/e"]);
  });

  it("answers Unimplemented for opcodes that are not reads", () => {
    const { d, ctx } = setup();
    expect(d.read({ type: OpCode.sync, path: "/" }, ctx).err).toBe(ErrorCode.Unimplemented);
  });
});
