import { OpCode } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { adler32 } from "../../src/migrate/zookeeper-format/adler32.js";
import {
  javaRandomBytes,
  zooKeeperSessionPassword,
} from "../../src/migrate/zookeeper-format/session-password.js";
import { encodeZkSnapshot, parseZkSnapshot } from "../../src/migrate/zookeeper-format/snapshot.js";
import { ZkTree } from "../../src/migrate/zookeeper-format/tree.js";
import {
  decodeZkTxnEntry,
  encodeZkTxnEntry,
  ZkFormatError,
  type ZkTxnEntry,
} from "../../src/migrate/zookeeper-format/txn.js";

const WORLD = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

describe("checksums and passwords as Java computes them", () => {
  it("adler32 matches java.util.zip.Adler32", () => {
    expect(adler32(Buffer.from("Wikipedia"))).toBe(0x11e60398);
    expect(adler32(Buffer.alloc(0))).toBe(1);
    // Values printed by Java 17 for the same bytes (long input crosses zlib's NMAX blocks).
    const big = Buffer.alloc(100_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    expect(adler32(big)).toBe(1995806735);
    expect(adler32(big.subarray(40_000), adler32(big.subarray(0, 40_000)))).toBe(1995806735);
  });

  it("derives ZooKeeper's session passwords (java.util.Random)", () => {
    // new Random(42).nextInt() is -1170105035 = 0xba419d35, bytes little end first.
    expect(javaRandomBytes(42n, 4).toString("hex")).toBe("359d41ba");
    // Printed by Java 17: new Random(id ^ 0xB3415C00L).nextBytes(new byte[16]).
    expect(zooKeeperSessionPassword(0x1000009e2d70000n).toString("hex")).toBe(
      "3bbd30a5acc5bc88117e89dcd53b1cf9",
    );
    expect(zooKeeperSessionPassword(-42n).toString("hex")).toBe("11aa1db6c570ffcf2a8e92963f9c5f16");
  });
});

function entry(zxid: number, type: number, body: ZkTxnEntry["body"], digest?: bigint): ZkTxnEntry {
  return {
    header: { clientId: 0x100n, cxid: 1, zxid, timeMs: 1000 + zxid, type },
    body,
    digest: digest === undefined ? undefined : { version: 2, treeDigest: digest },
  };
}

describe("ZooKeeper txn records", () => {
  it("round-trips every txn type, with and without a digest", () => {
    const entries: ZkTxnEntry[] = [
      entry(1, OpCode.create, {
        type: "create",
        path: "/a",
        data: Buffer.from("x"),
        acl: WORLD,
        ephemeral: false,
        parentCVersion: 1,
      }),
      entry(
        2,
        OpCode.createTTL,
        { type: "createTTL", path: "/t", data: null, acl: WORLD, parentCVersion: 2, ttlMs: 5000 },
        77n,
      ),
      entry(3, OpCode.createContainer, {
        type: "createContainer",
        path: "/c",
        data: Buffer.alloc(0),
        acl: WORLD,
        parentCVersion: 3,
      }),
      entry(
        4,
        OpCode.setData,
        { type: "setData", path: "/a", data: Buffer.from("y"), version: 1 },
        2n ** 63n + 5n,
      ),
      entry(5, OpCode.setACL, { type: "setACL", path: "/a", acl: WORLD, version: 1 }),
      entry(6, OpCode.delete, { type: "delete", path: "/c" }),
      entry(7, OpCode.createSession, { type: "createSession", timeoutMs: 30000 }),
      entry(8, OpCode.closeSession, { type: "closeSession", paths2Delete: ["/e1", "/e2"] }, 9n),
      entry(9, OpCode.closeSession, { type: "closeSession", paths2Delete: null }, 9n),
      entry(10, OpCode.error, { type: "error", err: -101 }),
      entry(11, OpCode.multi, {
        type: "multi",
        txns: [
          { type: OpCode.check, body: { type: "check", path: "/a", version: 2 } },
          { type: OpCode.delete, body: { type: "delete", path: "/a" } },
        ],
      }),
    ];
    for (const e of entries) expect(decodeZkTxnEntry(encodeZkTxnEntry(e))).toEqual(e);
  });

  it("refuses zxids beyond epoch 2^21 and unknown types", () => {
    const huge = encodeZkTxnEntry(entry(1, OpCode.delete, { type: "delete", path: "/a" }));
    huge.writeUInt32BE(0x0020_0000, 12); // zxid's high word: epoch 2^21
    expect(() => decodeZkTxnEntry(huge)).toThrow(/epoch must be below 2\^21/);
    const odd = encodeZkTxnEntry(entry(1, OpCode.delete, { type: "delete", path: "/a" }));
    odd.writeInt32BE(99, 28);
    expect(() => decodeZkTxnEntry(odd)).toThrow(ZkFormatError);
  });
});

function sampleTree(): ZkTree {
  const t = ZkTree.fresh();
  const hdr = (zxid: number, type: number) => ({ clientId: 0x55n, cxid: 0, zxid, timeMs: 5000 + zxid, type });
  t.apply(hdr(1, OpCode.createSession), { type: "createSession", timeoutMs: 10000 });
  t.apply(hdr(2, OpCode.create), {
    type: "create",
    path: "/a",
    data: Buffer.from("1"),
    acl: WORLD,
    ephemeral: false,
    parentCVersion: -1,
  });
  t.apply(hdr(3, OpCode.create), {
    type: "create",
    path: "/a/e",
    data: null,
    acl: WORLD,
    ephemeral: true,
    parentCVersion: -1,
  });
  t.apply(hdr(4, OpCode.createTTL), {
    type: "createTTL",
    path: "/ttl",
    data: null,
    acl: [{ perms: 1, id: { scheme: "ip", id: "10.0.0.1" } }],
    parentCVersion: -1,
    ttlMs: 1000,
  });
  t.apply(hdr(5, OpCode.setData), { type: "setData", path: "/a", data: Buffer.from("22"), version: 1 });
  return t;
}

describe("ZooKeeper snapshots", () => {
  it("round-trips a tree with its sessions, ACLs and digest", () => {
    const t = sampleTree();
    const parsed = parseZkSnapshot(encodeZkSnapshot(t, 5));
    expect(parsed.digest).toEqual({ zxid: 5, version: 2, digest: t.digest });
    expect(parsed.tree.digest).toBe(t.digest);
    expect([...parsed.tree.sessions]).toEqual([[0x55n, 10000]]);
    expect([...parsed.tree.nodes.keys()].sort()).toEqual([...t.nodes.keys()].sort());
    for (const [path, node] of t.nodes) expect(parsed.tree.nodes.get(path)).toEqual(node);
  });

  it("finds a flipped byte through the checksum", () => {
    const bytes = encodeZkSnapshot(sampleTree(), 5);
    const at = bytes.indexOf(Buffer.from("22"));
    bytes[at] = 0x33;
    expect(() => parseZkSnapshot(bytes)).toThrow(/CRC check failed/);
  });
});

describe("replaying a fuzzy snapshot as ZooKeeper does", () => {
  const hdr = (zxid: number, type = OpCode.create) => ({
    clientId: 0x77n,
    cxid: 0,
    zxid,
    timeMs: zxid,
    type,
  });

  it("ignores a create the snapshot already holds but moves the parent's cversion forward", () => {
    const t = sampleTree();
    const parent = t.nodes.get("/a")!;
    const out = t.apply(hdr(9), {
      type: "create",
      path: "/a/e",
      data: null,
      acl: WORLD,
      ephemeral: false,
      parentCVersion: 7,
    });
    expect(out.err).toBe(-110);
    expect(parent.childCounter).toBe(7);
    expect(parent.pzxid).toBe(9);
  });

  it("keeps pzxid from going back when a delete is replayed twice", () => {
    const t = sampleTree();
    t.apply(hdr(10, OpCode.delete), { type: "delete", path: "/a/e" });
    expect(t.apply(hdr(8, OpCode.delete), { type: "delete", path: "/a/e" }).err).toBe(-101);
    expect(t.nodes.get("/a")!.pzxid).toBe(10);
  });

  it("applies nothing of a multi that holds an error", () => {
    const t = sampleTree();
    const before = t.digest;
    const out = t.apply(hdr(11, OpCode.multi), {
      type: "multi",
      txns: [
        { type: OpCode.delete, body: { type: "delete", path: "/a/e" } },
        { type: OpCode.error, body: { type: "error", err: -101 } },
      ],
    });
    expect(out.err).not.toBe(0);
    expect(t.nodes.has("/a/e")).toBe(true);
    expect(t.digest).toBe(before);
  });

  it("deletes a closed session's ephemerals and keeps quota stats current", () => {
    const t = sampleTree();
    t.apply(hdr(12), {
      type: "create",
      path: "/zookeeper/quota/a",
      data: null,
      acl: WORLD,
      ephemeral: false,
      parentCVersion: -1,
    });
    t.apply(hdr(13), {
      type: "create",
      path: "/zookeeper/quota/a/zookeeper_limits",
      data: Buffer.from("count=5,bytes=-1"),
      acl: WORLD,
      ephemeral: false,
      parentCVersion: -1,
    });
    t.apply(hdr(14), {
      type: "create",
      path: "/zookeeper/quota/a/zookeeper_stats",
      data: Buffer.from("count=0,bytes=0"),
      acl: WORLD,
      ephemeral: false,
      parentCVersion: -1,
    });
    const stats = () => t.nodes.get("/zookeeper/quota/a/zookeeper_stats")!.data!.toString();
    expect(stats()).toBe("count=2,bytes=2");
    t.apply(
      { ...hdr(15, OpCode.closeSession), clientId: 0x55n },
      { type: "closeSession", paths2Delete: ["/a/e"] },
    );
    expect(t.nodes.has("/a/e")).toBe(false);
    expect(t.sessions.size).toBe(0);
    expect(stats()).toBe("count=1,bytes=2");
  });
});
