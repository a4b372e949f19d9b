import { CreateMode, EventType } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import type { CreateTxn, Txn } from "../../src/request/txn.js";
import { TreeInvariantError } from "../../src/tree/data-tree.js";
import { createdPath, createReq, Driver, ErrorCode, OpCode } from "./helpers.js";

describe("sessions", () => {
  it("createSession and closeSession are replicated state", () => {
    const d = new Driver();
    expect(d.sm.hasSession(5n)).toBe(false);
    d.session(5n, 4000);
    d.session(3n, 6000);
    expect(d.sm.hasSession(5n)).toBe(true);
    expect(d.sm.session(5n)).toEqual({ timeoutMs: 4000, passwd: Buffer.alloc(16, 7) });
    expect(d.sm.sessionIds()).toEqual([3n, 5n]);
    const res = d.applyTxn(d.sm.prepareCloseSession(5n, ++d.zxid, d.tick()));
    expect(res).toMatchObject({ err: 0, events: [], closedSessions: [5n] });
    expect(d.sm.hasSession(5n)).toBe(false);
    expect(d.sm.sessionIds()).toEqual([3n]);
  });

  it("closeSession deletes the session's ephemerals with delete events, in one zxid", () => {
    const d = new Driver();
    const ctx = d.ctx(d.session(7n));
    const other = d.ctx(d.session(8n));
    d.write(createReq("/dir"), ctx);
    d.write(createReq("/dir/e", { flags: CreateMode.Ephemeral }), ctx);
    d.write(createReq("/a", { flags: CreateMode.EphemeralSequential }), ctx);
    d.write(createReq("/keep", { flags: CreateMode.Ephemeral }), other);
    const res = d.write({ type: OpCode.closeSession }, ctx);
    expect(res.closedSessions).toEqual([7n]);
    expect(res.events.map(({ type, path }) => ({ type, path }))).toEqual([
      { type: EventType.NodeDeleted, path: "/a0000000001" },
      { type: EventType.NodeChildrenChanged, path: "/" },
      { type: EventType.NodeDeleted, path: "/dir/e" },
      { type: EventType.NodeChildrenChanged, path: "/dir" },
    ]);
    expect(d.sm.ephemeralsOf(7n)).toEqual([]);
    expect(d.sm.nodeStat("/dir")?.pzxid).toBe(d.zxid);
    expect(d.sm.nodeStat("/keep")).toBeDefined();
  });

  // ZooKeeper deletes them in a JVM HashSet's order (tree/java-hash-order.ts). A JVM iterates
  // {/e1, /ex, /wo2/e} as [/ex, /wo2/e, /e1], and /m17 and /m0, which share a bucket, in the
  // order they were added.
  it("closeSession deletes ephemerals in ZooKeeper's order, ties in creation order", () => {
    const d = new Driver();
    const ctx = d.ctx(d.session(7n));
    d.write(createReq("/wo2"), ctx);
    for (const path of ["/e1", "/ex", "/wo2/e"])
      d.write(createReq(path, { flags: CreateMode.Ephemeral }), ctx);
    const deleted = (res: { events: readonly { type: EventType; path: string }[] }) =>
      res.events.filter((e) => e.type === EventType.NodeDeleted).map((e) => e.path);
    expect(deleted(d.write({ type: OpCode.closeSession }, ctx))).toEqual(["/ex", "/wo2/e", "/e1"]);

    const tie = d.ctx(d.session(9n));
    for (const path of ["/m17", "/m0"]) d.write(createReq(path, { flags: CreateMode.Ephemeral }), tie);
    expect(deleted(d.write({ type: OpCode.closeSession }, tie))).toEqual(["/m17", "/m0"]);
  });

  it("a repeated createSession re-registers the session instead of failing", () => {
    const d = new Driver();
    d.session(1n, 4000);
    d.applyTxn(d.sm.prepareCreateSession(1n, 9000, Buffer.alloc(16, 1), ++d.zxid, d.tick()));
    expect(d.sm.session(1n)).toEqual({ timeoutMs: 9000, passwd: Buffer.alloc(16, 1) });
    expect(d.sm.sessionIds()).toEqual([1n]);
  });
});

describe("prepare sees pending (unapplied) txns", () => {
  it("a pending create makes a second create fail with NodeExists", () => {
    const d = new Driver();
    const ctx = d.ctx(d.session(1n));
    const t1 = d.prepare(createReq("/a"), ctx);
    const t2 = d.prepare(createReq("/a"), ctx);
    expect(t1.body.type).toBe("create");
    expect(t2.body).toEqual({ type: "error", err: ErrorCode.NodeExists });
    // A child of the pending node can be created before it is applied.
    expect(d.prepare(createReq("/a/b"), ctx).body.type).toBe("create");
  });

  it("sequence numbers do not repeat across pending creates", () => {
    const d = new Driver();
    const ctx = d.ctx(d.session(1n));
    const seq = createReq("/s-", { flags: CreateMode.PersistentSequential });
    const txns = [d.prepare(seq, ctx), d.prepare(seq, ctx), d.prepare(seq, ctx)];
    const paths = txns.map((t) => (t.body.type === "create" ? t.body.path : ""));
    expect(paths).toEqual(["/s-0000000000", "/s-0000000001", "/s-0000000002"]);
    for (const t of txns) d.applyTxn(t);
    expect(createdPath(d.write(seq, ctx))).toBe("/s-0000000003");
  });

  it("a pending delete, setData and setACL are visible to later prepares", () => {
    const d = new Driver();
    const ctx = d.ctx(d.session(1n));
    d.write(createReq("/a"), ctx);
    d.write(createReq("/p"), ctx);
    d.write(createReq("/p/c"), ctx);
    expect(d.prepare({ type: OpCode.setData, path: "/a", data: null, version: 0 }, ctx).body.type).toBe(
      "setData",
    );
    expect(d.prepare({ type: OpCode.setData, path: "/a", data: null, version: 0 }, ctx).body).toEqual({
      type: "error",
      err: ErrorCode.BadVersion,
    });
    expect(d.prepare({ type: OpCode.delete, path: "/a", version: 1 }, ctx).body.type).toBe("delete");
    expect(d.prepare({ type: OpCode.setData, path: "/a", data: null, version: -1 }, ctx).body).toEqual({
      type: "error",
      err: ErrorCode.NoNode,
    });
    expect(d.prepare({ type: OpCode.delete, path: "/p", version: -1 }, ctx).body).toEqual({
      type: "error",
      err: ErrorCode.NotEmpty,
    });
    expect(d.prepare({ type: OpCode.delete, path: "/p/c", version: -1 }, ctx).body.type).toBe("delete");
    expect(d.prepare({ type: OpCode.delete, path: "/p", version: -1 }, ctx).body.type).toBe("delete");
    const setAcl = d.prepare({ type: OpCode.setACL, path: "/zookeeper/quota", acl: [], version: -1 }, ctx);
    expect(setAcl.body).toEqual({ type: "error", err: ErrorCode.InvalidACL });
  });

  it("a pending closeSession makes the session's later writes fail and hides its ephemerals", () => {
    const d = new Driver();
    const ctx = d.ctx(d.session(1n));
    const other = d.ctx(d.session(2n));
    d.write(createReq("/e", { flags: CreateMode.Ephemeral }), ctx);
    const pendingEph = d.prepare(createReq("/f", { flags: CreateMode.Ephemeral }), ctx);
    const close = d.sm.prepareCloseSession(1n, ++d.zxid, d.tick());
    expect(d.sm.isSessionClosing(1n)).toBe(true);
    const later = [
      d.prepare(createReq("/g"), ctx),
      // Both the applied and the pending ephemeral are gone in the pending view.
      d.prepare(createReq("/e"), other),
      d.prepare(createReq("/f"), other),
    ];
    expect(later.map((t) => t.body)).toMatchObject([
      { type: "error", err: ErrorCode.SessionExpired },
      { type: "create", path: "/e" },
      { type: "create", path: "/f" },
    ]);
    d.applyTxn(pendingEph);
    const res = d.applyTxn(close);
    expect(res.events.filter((e) => e.type === EventType.NodeDeleted).map((e) => e.path)).toEqual([
      "/e",
      "/f",
    ]);
    expect(d.sm.isSessionClosing(1n)).toBe(false);
    for (const t of later) d.applyTxn(t);
    expect(d.sm.nodeStat("/e")?.ephemeralOwner).toBe(0n);
    expect(d.sm.nodeStat("/f")?.ephemeralOwner).toBe(0n);
  });

  it("a pending createSession is a live session", () => {
    const d = new Driver();
    const t = d.sm.prepareCreateSession(9n, 5000, Buffer.alloc(16), ++d.zxid, d.tick());
    const c = d.prepare(createReq("/e", { flags: CreateMode.Ephemeral }), d.ctx(9n));
    expect(c.body).toMatchObject({ type: "create", ephemeralOwner: 9n });
    d.applyTxn(t);
    d.applyTxn(c);
    expect(d.sm.ephemeralsOf(9n)).toEqual(["/e"]);
  });

  it("discardPending forgets unapplied proposals", () => {
    const d = new Driver();
    const ctx = d.ctx(d.session(1n));
    d.prepare(createReq("/a"), ctx);
    d.sm.discardPending();
    d.zxid = d.sm.lastZxid;
    expect(d.prepare(createReq("/a"), ctx).body.type).toBe("create");
  });

  it("throws loudly on a txn that does not fit the tree (divergence, not client input)", () => {
    const d = new Driver();
    const txn = (body: Txn["body"]): Txn => ({ zxid: ++d.zxid, timeMs: 1, sessionId: 0n, cxid: 0, body });
    const create = (path: string): CreateTxn => ({
      type: "create",
      path,
      data: null,
      acl: [],
      ephemeralOwner: 0n,
      parentChildCounter: 1,
      opcode: OpCode.create,
    });
    expect(() => d.sm.apply(txn(create("/missing/child")))).toThrow(TreeInvariantError);
    expect(() => d.sm.apply(txn(create("/zookeeper")))).toThrow(TreeInvariantError);
    expect(() => d.sm.apply(txn({ type: "delete", path: "/nope" }))).toThrow(TreeInvariantError);
    expect(() => d.sm.apply(txn({ type: "delete", path: "/zookeeper" }))).toThrow(TreeInvariantError);
    expect(() => d.sm.apply(txn({ type: "setData", path: "/nope", data: null, version: 1 }))).toThrow(
      TreeInvariantError,
    );
  });

  it("asserts zxid order in prepare and apply", () => {
    const d = new Driver();
    const ctx = d.ctx(d.session(1n));
    const t = d.prepare(createReq("/a"), ctx);
    expect(() => d.sm.prepare(createReq("/b"), ctx, t.zxid, d.tick(), 0)).toThrow(/zxid/);
    d.applyTxn(t);
    expect(() => d.sm.apply(t)).toThrow(/zxid/);
  });
});
