import { CreateMode, EventType, type Request } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { CONTAINER_OWNER, ttlOwner } from "../../src/tree/node.js";
import { body, createReq, Driver, ErrorCode, newMachine, OpCode } from "./helpers.js";

const container = (path: string): Request => createReq(path, { type: OpCode.createContainer, flags: 4 });
const ttlReq = (path: string, ttl: number, flags = CreateMode.PersistentWithTtl): Request =>
  createReq(path, { type: OpCode.createTTL, flags, ttl });

function setup(extendedTypesEnabled = true) {
  const d = new Driver(newMachine({ extendedTypesEnabled }));
  const ctx = d.ctx(d.session(0x0100_0000_0000_0001n));
  return { d, ctx };
}

describe("containers", () => {
  it("are created only via createContainer, show owner 0 and answer with a stat", () => {
    const { d, ctx } = setup(false);
    const res = d.write(container("/c"), ctx);
    expect(res.err).toBe(0);
    const r = body(res);
    expect(r.readPath()).toBe("/c");
    expect(r.remaining).toBe(68);
    expect(d.sm.nodeStat("/c")?.ephemeralOwner).toBe(0n);
    expect(d.log.at(-1)?.body).toMatchObject({ type: "create", ephemeralOwner: CONTAINER_OWNER });
  });

  it("become candidates once they had a child and are empty again", () => {
    const { d, ctx } = setup(false);
    d.write(container("/c"), ctx);
    d.write(container("/never"), ctx);
    expect(d.sm.containerCandidates(d.timeMs + 1e9)).toEqual([]);
    d.write(createReq("/c/kid"), ctx);
    expect(d.sm.containerCandidates(d.timeMs)).toEqual([]);
    d.write({ type: OpCode.delete, path: "/c/kid", version: -1 }, ctx);
    expect(d.sm.containerCandidates(d.timeMs)).toEqual(["/c"]);
    // never-used containers only with an explicit interval
    expect(d.sm.containerCandidates(d.timeMs + 1000, 500)).toEqual(["/c", "/never"]);
  });

  it("stop being candidates once their delete is prepared", () => {
    const { d, ctx } = setup(false);
    d.write(container("/c"), ctx);
    d.write(createReq("/c/k"), ctx);
    d.write({ type: OpCode.delete, path: "/c/k", version: -1 }, ctx);
    expect(d.sm.containerCandidates(d.timeMs)).toEqual(["/c"]);
    const t = d.sm.prepareDeleteContainer("/c", ++d.zxid, d.tick());
    expect(d.sm.containerCandidates(d.timeMs)).toEqual([]);
    d.applyTxn(t);
    expect(d.sm.nodeStat("/c")).toBeUndefined();
  });

  it("may have ephemeral children; deleteContainer removes them when empty, with delete events", () => {
    const { d, ctx } = setup(false);
    d.write(container("/c"), ctx);
    d.write(createReq("/c/e", { flags: CreateMode.Ephemeral }), ctx);
    const notEmpty = d.applyTxn(d.sm.prepareDeleteContainer("/c", ++d.zxid, d.tick()));
    expect(notEmpty.err).toBe(ErrorCode.NotEmpty);
    d.write({ type: OpCode.closeSession }, ctx);
    const res = d.applyTxn(d.sm.prepareDeleteContainer("/c", ++d.zxid, d.tick()));
    expect(res.err).toBe(0);
    expect(res.events.map(({ type, path }) => ({ type, path }))).toEqual([
      { type: EventType.NodeDeleted, path: "/c" },
      { type: EventType.NodeChildrenChanged, path: "/" },
    ]);
    expect(d.sm.nodeStat("/c")).toBeUndefined();
    expect(d.sm.containerCandidates(d.timeMs)).toEqual([]);
  });

  it("deleteContainer refuses session ephemerals (BadVersion), special and missing paths", () => {
    const { d, ctx } = setup(false);
    d.write(createReq("/e", { flags: CreateMode.Ephemeral }), ctx);
    const dc = (path: string) => d.applyTxn(d.sm.prepareDeleteContainer(path, ++d.zxid, d.tick())).err;
    expect(dc("/e")).toBe(ErrorCode.BadVersion);
    expect(dc("/zookeeper")).toBe(ErrorCode.BadArguments);
    expect(dc("/missing")).toBe(ErrorCode.NoNode);
  });
});

describe("TTL nodes", () => {
  it("need extended types (Unimplemented) and a ttl in range (BadArguments)", () => {
    expect(setup(false).d.write(ttlReq("/t", 1000), setup(false).ctx).err).toBe(ErrorCode.Unimplemented);
    const { d, ctx } = setup();
    expect(d.write(ttlReq("/t", 0), ctx).err).toBe(ErrorCode.BadArguments);
    expect(d.write(ttlReq("/t", -5), ctx).err).toBe(ErrorCode.BadArguments);
    expect(d.write(ttlReq("/t", 0xff_ffff_ffff + 1), ctx).err).toBe(ErrorCode.BadArguments);
    expect(d.write(ttlReq("/t", 0xff_ffff_ffff), ctx).err).toBe(0);
    // createTTL takes only the TTL modes (ZooKeeper also took plain ones with ttl < 0, and 3.8.0
    // shut down applying them); containers never
    expect(d.write(ttlReq("/p", 5, CreateMode.Persistent), ctx).err).toBe(ErrorCode.BadArguments);
    expect(d.write(ttlReq("/p", -1, CreateMode.Persistent), ctx).err).toBe(ErrorCode.BadArguments);
    expect(d.write(ttlReq("/p2", -1, CreateMode.Container), ctx).err).toBe(ErrorCode.BadArguments);
  });

  it("store the TTL marker, show owner 0, and are sequential with flags 6", () => {
    const { d, ctx } = setup();
    const res = d.write(ttlReq("/t-", 5000, CreateMode.PersistentSequentialWithTtl), ctx);
    expect(res.err).toBe(0);
    const path = "/t-0000000000";
    expect(d.log.at(-1)?.body).toMatchObject({ path, ephemeralOwner: ttlOwner(5000) });
    expect(d.sm.nodeStat(path)?.ephemeralOwner).toBe(0n);
    // TTL parents may have children
    expect(d.write(createReq(`${path}/kid`), ctx).err).toBe(0);
  });

  it("are candidates when childless and now - mtime > ttl; setData resets the clock", () => {
    const { d, ctx } = setup();
    d.write(ttlReq("/t", 1000), ctx);
    const mtime = d.sm.nodeStat("/t")!.mtime;
    expect(d.sm.containerCandidates(mtime + 1000)).toEqual([]);
    expect(d.sm.containerCandidates(mtime + 1001)).toEqual(["/t"]);
    d.write(createReq("/t/k"), ctx);
    expect(d.sm.containerCandidates(mtime + 5000)).toEqual([]);
    d.write({ type: OpCode.delete, path: "/t/k", version: -1 }, ctx);
    expect(d.sm.containerCandidates(mtime + 1001)).toEqual(["/t"]);
    d.write({ type: OpCode.setData, path: "/t", data: null, version: -1 }, ctx);
    const mtime2 = d.sm.nodeStat("/t")!.mtime;
    expect(mtime2).toBeGreaterThan(mtime);
    expect(d.sm.containerCandidates(mtime2 + 1000)).toEqual([]);
    expect(d.applyTxn(d.sm.prepareDeleteContainer("/t", ++d.zxid, d.tick())).err).toBe(0);
    expect(d.sm.containerCandidates(mtime2 + 5000)).toEqual([]);
  });
});
