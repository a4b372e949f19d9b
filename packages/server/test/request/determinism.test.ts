import { type ACL, CreateMode, Perms, type Request } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import type { Txn } from "../../src/request/txn.js";
import { createReq, Driver, newMachine, OpCode } from "./helpers.js";

/** mulberry32: small, seeded, good enough to pick random ops. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PATHS = ["/a", "/b", "/a/x", "/a/y", "/b/z", "/a/x/q", "/c"];
const ACLS: ACL[][] = [
  [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }],
  [{ perms: Perms.READ | Perms.CREATE, id: { scheme: "world", id: "anyone" } }],
];

function randomWorkload(seed: number, steps: number): { leader: Driver; log: Txn[] } {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const leader = new Driver(newMachine({ extendedTypesEnabled: true }));
  const sessions = [leader.session(11n), leader.session(12n)];
  const randomOp = (): Request => {
    const path = pick(PATHS);
    switch (Math.floor(rnd() * 7)) {
      case 0:
        return createReq(path, { flags: pick([0, 1, 2, 3]), data: Buffer.from([Math.floor(rnd() * 256)]) });
      case 1:
        return { type: OpCode.delete, path, version: rnd() < 0.8 ? -1 : 0 };
      case 2:
        return { type: OpCode.setData, path, data: Buffer.from(String(rnd())), version: -1 };
      case 3:
        return { type: OpCode.setACL, path, acl: pick(ACLS), version: -1 };
      case 4:
        return createReq(path, { type: OpCode.createContainer, flags: CreateMode.Container });
      case 5:
        return createReq(path, { type: OpCode.createTTL, flags: CreateMode.PersistentWithTtl, ttl: 100 });
      default:
        return {
          type: OpCode.multi,
          ops: [createReq(pick(PATHS)), { type: OpCode.delete, path, version: -1 }],
        };
    }
  };
  // Prepare in small batches before applying so that prepare runs against pending state.
  for (let i = 0; i < steps; ) {
    const batch: Txn[] = [];
    const size = 1 + Math.floor(rnd() * 4);
    for (let j = 0; j < size && i < steps; j++, i++) {
      const r = rnd();
      if (r < 0.03) {
        const sid = pick(sessions);
        batch.push(leader.sm.prepareCloseSession(sid, ++leader.zxid, leader.tick()));
      } else if (r < 0.06) {
        const id = BigInt(100 + i);
        sessions.push(id);
        batch.push(
          leader.sm.prepareCreateSession(id, 5000, Buffer.alloc(16, i & 0xff), ++leader.zxid, leader.tick()),
        );
      } else if (r < 0.08) {
        batch.push(leader.sm.prepareDeleteContainer(pick(PATHS), ++leader.zxid, leader.tick()));
      } else {
        batch.push(leader.prepare(randomOp(), leader.ctx(pick(sessions))));
      }
    }
    for (const t of batch) leader.applyTxn(t);
  }
  return { leader, log: [...leader.log].sort((x, y) => x.zxid - y.zxid) };
}

describe("apply determinism", () => {
  for (const seed of [1, 2, 3, 42, 1234]) {
    it(`a follower applying the leader's txns gets the same digest (seed ${seed})`, () => {
      const { leader, log } = randomWorkload(seed, 400);
      // The workload must exercise real changes, not only failures.
      expect(log.filter((t) => t.body.type !== "error").length).toBeGreaterThan(120);
      expect(log.filter((t) => t.body.type === "multi").length).toBeGreaterThan(10);
      const follower = newMachine({ extendedTypesEnabled: true });
      for (const t of log) follower.apply(structuredClone(t));
      expect(follower.lastZxid).toBe(leader.sm.lastZxid);
      expect(follower.digest()).toBe(leader.sm.digest());
      expect(follower.nodeCount()).toBe(leader.sm.nodeCount());
      expect(follower.approximateDataSizeBytes()).toBe(leader.sm.approximateDataSizeBytes());
      for (const p of PATHS) expect(follower.nodeStat(p)).toEqual(leader.sm.nodeStat(p));
      expect(follower.sessionIds()).toEqual(leader.sm.sessionIds());
    });
  }

  it("the digest changes with the tree and with sessions", () => {
    const d = new Driver();
    const d0 = d.sm.digest();
    const ctx = d.ctx(d.session(1n));
    const d1 = d.sm.digest();
    d.write(createReq("/a"), ctx);
    const d2 = d.sm.digest();
    d.write({ type: OpCode.setData, path: "/a", data: Buffer.from("y"), version: -1 }, ctx);
    const d3 = d.sm.digest();
    expect(new Set([d0, d1, d2, d3]).size).toBe(4);
  });

  it("a workload leaves the pending view empty once everything is applied", () => {
    const { leader } = randomWorkload(7, 200);
    // With nothing pending, prepare sees exactly the applied tree: recreating an existing
    // path fails and creating a missing one succeeds.
    const ctx = leader.ctx(11n);
    for (const p of PATHS) {
      const stat = leader.sm.nodeStat(p);
      const parent = leader.sm.nodeStat(p.slice(0, p.lastIndexOf("/")) || "/");
      const t = leader.sm.prepare(createReq(p), ctx, ++leader.zxid, leader.tick(), 0);
      leader.sm.apply(t);
      if (!leader.sm.hasSession(11n)) continue;
      if (stat !== undefined) expect(t.body).toMatchObject({ type: "error" });
      else if (parent !== undefined && parent.ephemeralOwner === 0n) expect(t.body.type).toBe("create");
    }
  });
});
