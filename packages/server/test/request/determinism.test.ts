import { type ACL, CreateMode, Perms, type Request } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { StateMachine } from "../../src/request/state-machine.js";
import type { Txn } from "../../src/request/txn.js";
import { decodeTxn, encodeTxn, TxnDecodeError } from "../../src/request/txn-codec.js";
import { rng } from "../storage/helpers.js";
import { createReq, Driver, newMachine, OpCode } from "./helpers.js";

const PATHS = ["/a", "/b", "/a/x", "/a/y", "/b/z", "/a/x/q", "/c"];
const ACLS: ACL[][] = [
  [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }],
  [{ perms: Perms.READ | Perms.CREATE, id: { scheme: "world", id: "anyone" } }],
];

function randomWorkload(seed: number, steps: number): { leader: Driver; log: Txn[] } {
  const rnd = rng(seed);
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
      } else if (r < 0.1) {
        // Mostly what the scanner would pick, sometimes any path (which usually fails).
        const candidates = leader.sm.containerCandidates(leader.timeMs);
        const path = candidates.length > 0 && rnd() < 0.8 ? pick(candidates) : pick(PATHS);
        batch.push(leader.sm.prepareDeleteContainer(path, ++leader.zxid, leader.tick()));
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

  it("the digest exposes a divergent apply and is cheap to query after every txn", () => {
    const { log } = randomWorkload(31, 300);
    const a = newMachine({ extendedTypesEnabled: true });
    const b = newMachine({ extendedTypesEnabled: true });
    let diverged = false;
    for (const t of log) {
      a.apply(t);
      // One follower gets a different clock for one setData: the digests must part ways.
      const skewed = !diverged && t.body.type === "setData" ? { ...t, timeMs: t.timeMs + 1 } : t;
      if (skewed !== t) diverged = true;
      b.apply(skewed);
      if (!diverged) expect(b.digest()).toBe(a.digest());
    }
    expect(diverged).toBe(true);
    expect(b.digest()).not.toBe(a.digest());
    expect(a.treeDigest()).toBe(BigInt(`0x${a.digest().slice(0, 16)}`));
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

describe("txn codec", () => {
  it("round-trips every txn of a workload exactly", () => {
    const { leader, log } = randomWorkload(99, 300);
    const follower = newMachine({ extendedTypesEnabled: true });
    const kinds = new Set<string>();
    for (const t of log) {
      const decoded = decodeTxn(encodeTxn(t));
      expect(decoded).toEqual(t);
      kinds.add(decoded.body.type);
      follower.apply(decoded);
    }
    expect(follower.digest()).toBe(leader.sm.digest());
    expect([...kinds].sort()).toEqual(
      [
        "closeSession",
        "create",
        "createSession",
        "delete",
        "deleteContainer",
        "error",
        "multi",
        "setACL",
        "setData",
      ].sort(),
    );
  });

  it("round-trips null data, failed multis and negative counters", () => {
    const txn: Txn = {
      zxid: 0x1_0000_0005,
      timeMs: 1_700_000_000_123,
      sessionId: -0x7f00_0000_0000_0001n,
      cxid: -3,
      body: {
        type: "multi",
        ops: [
          {
            type: "create",
            path: "/n",
            data: null,
            acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
            ephemeralOwner: -0x8000_0000_0000_0000n,
            parentChildCounter: -2147483648,
            opcode: OpCode.createContainer,
          },
          { type: "check", path: "/n", version: -1 },
          { type: "error", err: -2 },
        ],
      },
    };
    expect(decodeTxn(encodeTxn(txn))).toEqual(txn);
  });

  it("refuses bytes it did not write", () => {
    const good = encodeTxn({
      zxid: 1,
      timeMs: 2,
      sessionId: 3n,
      cxid: 4,
      body: { type: "delete", path: "/a" },
    });
    expect(() => decodeTxn(good.subarray(0, good.length - 1))).toThrow();
    expect(() => decodeTxn(Buffer.concat([good, Buffer.from([0])]))).toThrow(TxnDecodeError);
    const badTag = Buffer.from(good);
    badTag.writeInt32BE(77, 4 + 8 + 8 + 8 + 4);
    expect(() => decodeTxn(badTag)).toThrow(TxnDecodeError);
    const badVersion = Buffer.from(good);
    badVersion.writeInt32BE(9, 0);
    expect(() => decodeTxn(badVersion)).toThrow(TxnDecodeError);
  });
});

describe("snapshots", () => {
  const opts = { extendedTypesEnabled: true, skipAcl: false, superDigest: undefined };

  for (const chunkBytes of [64, 512 * 1024]) {
    it(`restore gives the same state and keeps applying identically (chunks of ${chunkBytes} bytes)`, () => {
      const { leader, log } = randomWorkload(5, 300);
      const half = Math.floor(log.length / 2);
      const a = newMachine({ extendedTypesEnabled: true });
      for (const t of log.slice(0, half)) a.apply(t);
      const chunks = a.snapshotChunks(chunkBytes);
      if (chunkBytes === 64) expect(chunks.length).toBeGreaterThan(3);
      const b = StateMachine.fromSnapshot(opts, chunks);
      expect(b.lastZxid).toBe(a.lastZxid);
      expect(b.digest()).toBe(a.digest());
      expect(b.nodeCount()).toBe(a.nodeCount());
      expect(b.approximateDataSizeBytes()).toBe(a.approximateDataSizeBytes());
      expect(b.sessionIds()).toEqual(a.sessionIds());
      for (const id of a.sessionIds()) expect(b.ephemeralsOf(id)).toEqual(a.ephemeralsOf(id));
      for (const p of ["/", "/zookeeper", "/zookeeper/config", ...PATHS])
        expect(b.nodeStat(p)).toEqual(a.nodeStat(p));
      expect(b.containerCandidates(T_FAR)).toEqual(a.containerCandidates(T_FAR));
      for (const t of log.slice(half)) {
        a.apply(t);
        b.apply(t);
      }
      expect(b.digest()).toBe(leader.sm.digest());
    });
  }

  it("a snapshot view keeps the state of when it was taken while later txns are applied", () => {
    const { leader, log } = randomWorkload(11, 400);
    const half = Math.floor(log.length / 2);
    const a = newMachine({ extendedTypesEnabled: true });
    for (const t of log.slice(0, half)) a.apply(t);
    const digestAtView = a.digest();
    const zxidAtView = a.lastZxid;
    const view = a.snapshotView();
    const chunks = view.chunks(64);
    // Serialise only part of it, then change the tree (setData, deletes, creates, closes)...
    const first = [chunks.next().value!, chunks.next().value!];
    for (const t of log.slice(half)) a.apply(t);
    expect(a.digest()).toBe(leader.sm.digest());
    expect(a.digest()).not.toBe(digestAtView);
    // ...and the rest still describes the state at the view.
    const b = StateMachine.fromSnapshot(opts, [...first, ...chunks]);
    expect(view.zxid).toBe(zxidAtView);
    expect(b.lastZxid).toBe(zxidAtView);
    expect(b.digest()).toBe(digestAtView);
  });

  it.each([21, 22, 23, 24, 25])(
    "two overlapping views, read a chunk at a time between applies, each restore their moment (seed %i)",
    (seed) => {
      const { leader, log } = randomWorkload(seed, 600);
      const a = newMachine({ extendedTypesEnabled: true });
      const third = Math.floor(log.length / 3);
      for (const t of log.slice(0, third)) a.apply(t);
      const first = { digest: a.digest(), zxid: a.lastZxid, view: a.snapshotView() };
      const firstChunks = first.view.chunks(48);
      const firstRead: Buffer[] = [];
      let i = third;
      // Interleave: a few txns, one chunk of the first view, until a second view opens midway.
      for (; i < 2 * third; i++) {
        a.apply(log[i]!);
        if (i % 3 === 0) {
          const c = firstChunks.next();
          if (!c.done) firstRead.push(c.value);
        }
      }
      const second = { digest: a.digest(), zxid: a.lastZxid, view: a.snapshotView() };
      const secondChunks = second.view.chunks(48);
      const secondRead: Buffer[] = [];
      for (; i < log.length; i++) {
        a.apply(log[i]!);
        for (const [it, out] of [
          [firstChunks, firstRead],
          [secondChunks, secondRead],
        ] as const) {
          const c = it.next();
          if (!c.done) out.push(c.value);
        }
      }
      expect(a.digest()).toBe(leader.sm.digest());
      firstRead.push(...firstChunks);
      secondRead.push(...secondChunks);
      for (const [v, chunks] of [
        [first, firstRead],
        [second, secondRead],
      ] as const) {
        const b = StateMachine.fromSnapshot(opts, chunks);
        expect(b.lastZxid).toBe(v.zxid);
        expect(b.digest()).toBe(v.digest);
      }
    },
  );

  it("a released view stops copying, and the tree's own snapshot still matches it", () => {
    const { log } = randomWorkload(31, 300);
    const a = newMachine({ extendedTypesEnabled: true });
    for (const t of log.slice(0, 150)) a.apply(t);
    const view = a.snapshotView();
    view.release();
    for (const t of log.slice(150)) a.apply(t);
    // Nothing was kept for the released view; a fresh snapshot restores the current state.
    const b = StateMachine.fromSnapshot(opts, a.snapshotChunks(64));
    expect(b.digest()).toBe(a.digest());
  });

  it("rejects a snapshot with missing chunks", () => {
    const { leader } = randomWorkload(8, 100);
    const chunks = leader.sm.snapshotChunks(64);
    expect(() => StateMachine.fromSnapshot(opts, chunks.slice(0, -1))).toThrow(/promised/);
    expect(() => StateMachine.fromSnapshot(opts, [])).toThrow();
  });
});

const T_FAR = 1_800_000_000_000;
