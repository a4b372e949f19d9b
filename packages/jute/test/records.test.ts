import { describe, expect, it } from "vitest";
import {
  type ACL,
  asLatin1,
  type ConnectRequest,
  type ConnectResponse,
  emptyStat,
  isKnownRequestType,
  JuteDecodeError,
  JuteReader,
  JuteWriter,
  OpCode,
  type OpResult,
  type Request,
  readAcl,
  readAclList,
  readClientInfo,
  readConnectRequest,
  readConnectResponse,
  readMultiResponse,
  readReplyHeader,
  readRequest,
  readRequestHeader,
  readStat,
  readWatcherEvent,
  STAT_SIZE_BYTES,
  type Stat,
  writeAcl,
  writeAclList,
  writeClientInfo,
  writeConnectRequest,
  writeConnectResponse,
  writeMultiResponse,
  writeReplyHeader,
  writeRequest,
  writeRequestHeader,
  writeStat,
  writeWatcherEvent,
} from "../src/index.js";
import { asDecoded } from "./decoded.js";
import { randomInt, seededRandom } from "./prng.js";

function encode(write: (w: JuteWriter) => void): Buffer {
  const w = new JuteWriter(8);
  write(w);
  return w.toBuffer();
}

/** Decodes and insists every byte was consumed, so a field the reader skips is caught. */
function decodeAll<T>(buf: Buffer, read: (r: JuteReader) => T): T {
  const r = new JuteReader(buf);
  const value = read(r);
  expect(r.remaining).toBe(0);
  return value;
}

const sampleStat: Stat = {
  czxid: 0x1_0000_0005,
  mzxid: 0x1_0000_0009,
  ctime: 1_763_700_000_123,
  mtime: 1_763_700_000_456,
  version: 3,
  cversion: -1,
  aversion: 0x7fffffff,
  ephemeralOwner: 0x0100000a1b2c0000n,
  dataLength: 2,
  numChildren: 7,
  pzxid: 0x2_0000_0001,
};

const digestAcl: ACL = { perms: 31, id: { scheme: "digest", id: "bob:fyVmFCwVbTJYrznoSu1koqYEYF0=" } };
const worldRead: ACL = { perms: 1, id: { scheme: "world", id: "anyone" } };

describe("Stat", () => {
  it("is 68 bytes and round-trips every field, including negative and 64-bit values", () => {
    const buf = encode((w) => writeStat(w, sampleStat));
    expect(buf.length).toBe(STAT_SIZE_BYTES);
    expect(decodeAll(buf, readStat)).toEqual(sampleStat);
  });

  it("writes fields in wire order", () => {
    const buf = encode((w) => writeStat(w, sampleStat));
    expect(buf.readBigInt64BE(0)).toBe(0x1_0000_0005n);
    expect(buf.readInt32BE(36)).toBe(-1); // cversion after 4 longs and version
    expect(buf.readBigInt64BE(44)).toBe(0x0100000a1b2c0000n);
    expect(buf.readBigInt64BE(60)).toBe(0x2_0000_0001n);
  });

  it("keeps an ephemeralOwner with the top bit set exact (container marker)", () => {
    const stat = { ...emptyStat(), ephemeralOwner: -0x8000000000000000n };
    const buf = encode((w) => writeStat(w, stat));
    expect(buf.subarray(44, 52).toString("hex")).toBe("8000000000000000");
    expect(decodeAll(buf, readStat).ephemeralOwner).toBe(-0x8000000000000000n);
  });

  it("reads zxid -1 as the number -1", () => {
    const buf = encode((w) => writeStat(w, { ...emptyStat(), czxid: -1, pzxid: -1 }));
    const stat = decodeAll(buf, readStat);
    expect(stat.czxid).toBe(-1);
    expect(stat.pzxid).toBe(-1);
  });
});

describe("ACL, Id, ClientInfo, WatcherEvent, headers", () => {
  it("round-trips an ACL and an ACL list", () => {
    expect(
      decodeAll(
        encode((w) => writeAcl(w, digestAcl)),
        readAcl,
      ),
    ).toEqual(digestAcl);
    const list = [digestAcl, worldRead];
    expect(
      decodeAll(
        encode((w) => writeAclList(w, list)),
        readAclList,
      ),
    ).toEqual(list);
  });

  it("distinguishes a null ACL list from an empty one", () => {
    const nullBuf = encode((w) => writeAclList(w, null));
    expect(nullBuf.toString("hex")).toBe("ffffffff");
    expect(decodeAll(nullBuf, readAclList)).toBeNull();
    expect(
      decodeAll(
        encode((w) => writeAclList(w, [])),
        readAclList,
      ),
    ).toEqual([]);
  });

  it("maps a null scheme to a marker that is not a valid scheme", () => {
    const buf = encode((w) => w.writeInt(31).writeString(null).writeString("anyone"));
    const acl = decodeAll(buf, readAcl);
    expect(acl.id.scheme).not.toBe("");
    expect(acl.id.scheme).not.toBe("world");
    expect(acl.id.id).toBe("anyone");
  });

  it("round-trips ClientInfo and WatcherEvent", () => {
    const ci = { authScheme: "digest", user: "bob" };
    expect(
      decodeAll(
        encode((w) => writeClientInfo(w, ci)),
        readClientInfo,
      ),
    ).toEqual(ci);
    const ev = { type: 4, state: 3, path: "/a/ü" };
    expect(
      decodeAll(
        encode((w) => writeWatcherEvent(w, ev)),
        readWatcherEvent,
      ),
    ).toEqual(ev);
  });

  it("round-trips request and reply headers with special xids", () => {
    for (const xid of [-8, -4, -2, -1, 0, 1, 0x7fffffff]) {
      const rh = { xid, type: OpCode.closeSession };
      expect(
        decodeAll(
          encode((w) => writeRequestHeader(w, rh)),
          readRequestHeader,
        ),
      ).toEqual(rh);
      const rep = { xid, zxid: xid === -1 ? -1 : 0x1_0000_0002, err: -101 };
      const buf = encode((w) => writeReplyHeader(w, rep));
      expect(buf.length).toBe(16);
      expect(decodeAll(buf, readReplyHeader)).toEqual(rep);
    }
  });
});

describe("longs from bigints", () => {
  it("writes what Buffer.writeBigInt64BE writes, whatever the order of values", () => {
    // writeBigLong keeps the last value's halves and writes 0n directly: repeats, returns to an
    // earlier value and 0n in between must all come out right, as must values that wrap.
    const values = [0n, 5n, 5n, 0n, 5n, -1n, 0x7fff_ffff_ffff_ffffn, -(2n ** 63n), 2n ** 64n + 3n];
    const seq = [...values, ...values.reverse(), 0x1_0000_0001n, 0n, 0x1_0000_0001n];
    const w = new JuteWriter(8);
    for (const v of seq) w.writeBigLong(v);
    const expected = Buffer.alloc(8 * seq.length);
    for (const [i, v] of seq.entries()) expected.writeBigInt64BE(BigInt.asIntN(64, v), 8 * i);
    expect(w.toBuffer().toString("hex")).toBe(expected.toString("hex"));
    const r = new JuteReader(w.toBuffer());
    for (const v of seq) expect(r.readBigLong()).toBe(BigInt.asIntN(64, v));
  });
});

describe("strings and buffers", () => {
  it("encodes string lengths in UTF-8 bytes, not characters", () => {
    const buf = encode((w) => w.writeString("/é"));
    expect(buf.toString("hex")).toBe("000000032fc3a9");
    expect(new JuteReader(buf).readString()).toBe("/é");
  });

  it("writes strings of every UTF-8 width as Buffer.from does, up to an exact fit", () => {
    // 1-, 2-, 3- and 4-byte characters, a lone surrogate (written as U+FFFD) and the empty string.
    const strings = ["/a/b", "/é", "€€€", "/\u{1F600}x", "\uD800", "", "/zookeeper/quota"];
    const expected = Buffer.concat(
      strings.map((s) => {
        const bytes = Buffer.from(s, "utf8");
        const len = Buffer.alloc(4);
        len.writeInt32BE(bytes.length);
        return Buffer.concat([len, bytes]);
      }),
    );
    const w = new JuteWriter(4);
    for (const s of strings) w.writeString(s);
    expect(w.toBuffer().toString("hex")).toBe(expected.toString("hex"));
    const r = new JuteReader(w.toBuffer());
    for (const s of strings) expect(r.readString()).toBe(s === "\uD800" ? "\uFFFD" : s);
    // Malformed UTF-8 decodes as Buffer's toString does: each bad sequence as U+FFFD.
    const bad = Buffer.from([0x2f, 0xff, 0xc3, 0x2f, 0xe2, 0x82]);
    const framed = Buffer.concat([Buffer.from([0, 0, 0, bad.length]), bad]);
    expect(new JuteReader(framed).readString()).toBe(bad.toString("utf8"));
    // Three 3-byte characters need all 9 bytes the writer reserves for 3 UTF-16 units.
    const exact = new JuteWriter(13);
    exact.writeString("€€€");
    expect(exact.toBuffer().toString("hex")).toBe("00000009e282ace282ace282ac");
  });

  it("keeps null and empty buffers distinct", () => {
    const nullBuf = encode((w) => w.writeBuffer(null));
    const emptyBuf = encode((w) => w.writeBuffer(Buffer.alloc(0)));
    expect(nullBuf.toString("hex")).toBe("ffffffff");
    expect(emptyBuf.toString("hex")).toBe("00000000");
    expect(new JuteReader(nullBuf).readBuffer()).toBeNull();
    expect(new JuteReader(emptyBuf).readBuffer()).toEqual(Buffer.alloc(0));
  });

  it("reads a buffer into memory of its own, not a slice of a shared pool", () => {
    // A stored znode's data must not pin a pool slab shared with short-lived buffers.
    const data = Buffer.alloc(1024, 7);
    const b = new JuteReader(encode((w) => w.writeBuffer(data))).readBuffer()!;
    expect(b).toEqual(data);
    expect(b.byteOffset).toBe(0);
    expect(b.buffer.byteLength).toBe(1024);
  });

  it("writes and reads a buffer as a latin1 string, one char per byte, for every byte value", () => {
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256));
    const latin1 = String.fromCharCode(...bytes);
    const fromString = encode((w) => w.writeBuffer(latin1));
    expect(fromString.equals(encode((w) => w.writeBuffer(bytes)))).toBe(true);
    const r = new JuteReader(fromString);
    const read = r.readLatin1()!;
    expect(read).toBe(latin1);
    expect(r.remaining).toBe(0);
    expect(asLatin1(bytes)).toBe(latin1);
    expect(Buffer.from(latin1, "latin1").equals(bytes)).toBe(true);
    expect(new JuteReader(encode((w) => w.writeBuffer(null))).readLatin1()).toBeNull();
    expect(new JuteReader(encode((w) => w.writeBuffer(""))).readLatin1()).toBe("");
    expect(encode((w) => w.writeBuffer("")).toString("hex")).toBe("00000000");
  });

  it("checks a latin1 field's length against the input like any buffer field", () => {
    const truncated = encode((w) => w.writeBuffer("abcdef")).subarray(0, 7);
    expect(() => new JuteReader(truncated).readLatin1()).toThrow(JuteDecodeError);
  });

  it("treats any non-zero boolean byte as true, like the Java reader", () => {
    expect(new JuteReader(Buffer.from([0x02])).readBool()).toBe(true);
    expect(new JuteReader(Buffer.from([0xff])).readBool()).toBe(true);
    expect(new JuteReader(Buffer.from([0x00])).readBool()).toBe(false);
  });

  it("rejects lengths below -1 and above the reader's limit", () => {
    expect(() => new JuteReader(Buffer.from("fffffffe", "hex")).readString()).toThrow(JuteDecodeError);
    expect(() => new JuteReader(Buffer.from("7fffffff00", "hex")).readBuffer()).toThrow(JuteDecodeError);
    expect(() => new JuteReader(Buffer.from("0000000a", "hex"), 0, 4, 4).readStringVector()).toThrow(
      JuteDecodeError,
    );
  });

  it("rejects a null path where the field must not be null", () => {
    expect(() => new JuteReader(Buffer.from("ffffffff", "hex")).readPath()).toThrow(JuteDecodeError);
  });

  it("writes ints and longs as Buffer's own big-endian writes would", () => {
    for (const v of [0, 1, -1, 255, 256, -256, 0x7fffffff, -0x80000000, 0x80000000, 0xffffffff, 1.9, -1.9]) {
      const expected = Buffer.alloc(4);
      expected.writeInt32BE(v | 0);
      expect(encode((w) => w.writeInt(v)).toString("hex"), String(v)).toBe(expected.toString("hex"));
    }
    for (const v of [
      0,
      1,
      -1,
      0xffffffff,
      0x1_0000_0000,
      -0x1_0000_0001,
      1_733_000_000_123,
      Number.MAX_SAFE_INTEGER,
      -(2 ** 53 - 1),
    ]) {
      const expected = Buffer.alloc(8);
      expected.writeBigInt64BE(BigInt(v));
      expect(encode((w) => w.writeLong(v)).toString("hex"), String(v)).toBe(expected.toString("hex"));
    }
  });

  it("reads ints and longs as Buffer's own big-endian reads would", () => {
    const bytes = Buffer.from("80000000ffffffff7fffffff00000001fedcba9876543210", "hex");
    for (let at = 0; at + 8 <= bytes.length; at++) {
      expect(new JuteReader(bytes, at).readInt()).toBe(bytes.readInt32BE(at));
      const hi = bytes.readInt32BE(at);
      const lo = bytes.readUInt32BE(at + 4);
      expect(new JuteReader(bytes, at).readLong()).toBe(hi * 0x1_0000_0000 + lo);
    }
  });

  it("round-trips longs across the 32-bit boundary and negatives", () => {
    for (const v of [
      0,
      1,
      -1,
      0xffffffff,
      0x1_0000_0000,
      -0x1_0000_0001,
      Number.MAX_SAFE_INTEGER,
      -(2 ** 53 - 1),
    ]) {
      expect(new JuteReader(encode((w) => w.writeLong(v))).readLong()).toBe(v);
    }
  });
});

// One instance of every Request variant: the table is keyed by opcode so a new variant without
// a sample is noticed by the coverage test below.
const acl = [digestAcl, worldRead];
const samples: Request[] = [
  { type: OpCode.create, path: "/a", data: Buffer.from("hi"), acl, flags: 0 },
  { type: OpCode.create2, path: "/a/b-", data: null, acl: [worldRead], flags: 3 },
  { type: OpCode.createContainer, path: "/c", data: Buffer.alloc(0), acl: null, flags: 4 },
  { type: OpCode.createTTL, path: "/t", data: Buffer.from([0, 255]), acl: [], flags: 5, ttl: 0xffffffffff },
  { type: OpCode.delete, path: "/a", version: -1 },
  { type: OpCode.deleteContainer, path: "/c" },
  { type: OpCode.exists, path: "/missing", watch: true },
  { type: OpCode.getData, path: "/a", watch: false },
  { type: OpCode.getChildren, path: "/", watch: true },
  { type: OpCode.getChildren2, path: "/zookeeper", watch: false },
  { type: OpCode.setData, path: "/a", data: Buffer.from("x".repeat(300)), version: 0x7fffffff },
  { type: OpCode.getACL, path: "/zookeeper/config" },
  { type: OpCode.setACL, path: "/a", acl, version: 2 },
  { type: OpCode.sync, path: "/" },
  { type: OpCode.check, path: "/a", version: -2 },
  {
    type: OpCode.multi,
    ops: [
      { type: OpCode.create, path: "/m", data: null, acl: [worldRead], flags: 0 },
      { type: OpCode.createTTL, path: "/m/t", data: null, acl: [worldRead], flags: 6, ttl: 1000 },
      { type: OpCode.check, path: "/m", version: 0 },
      { type: OpCode.setData, path: "/m", data: Buffer.from("v"), version: -1 },
      { type: OpCode.delete, path: "/m", version: 0 },
    ],
  },
  {
    type: OpCode.multiRead,
    ops: [
      { type: OpCode.getData, path: "/a", watch: false },
      { type: OpCode.getChildren, path: "/", watch: false },
    ],
  },
  { type: OpCode.getAllChildrenNumber, path: "/" },
  { type: OpCode.getEphemerals, prefixPath: "" },
  { type: OpCode.addWatch, path: "/w", mode: 1 },
  { type: OpCode.checkWatches, path: "/w", watcherType: 3 },
  { type: OpCode.removeWatches, path: "/w", watcherType: 2 },
  {
    type: OpCode.setWatches,
    relativeZxid: 0x1_0000_0010,
    dataWatches: ["/a", "/b"],
    existWatches: ["/e"],
    childWatches: [],
    persistentWatches: [],
    persistentRecursiveWatches: [],
  },
  {
    type: OpCode.setWatches2,
    relativeZxid: 7,
    dataWatches: [],
    existWatches: ["/x"],
    childWatches: ["/"],
    persistentWatches: ["/p"],
    persistentRecursiveWatches: ["/r", "/r2"],
  },
  { type: OpCode.auth, authType: 0, scheme: "digest", auth: Buffer.from("user:password") },
  { type: OpCode.ping },
  { type: OpCode.closeSession },
  { type: OpCode.whoAmI },
  {
    type: OpCode.reconfig,
    joiningServers: "server.2=h:1:2",
    leavingServers: null,
    newMembers: "",
    curConfigId: -1,
  },
  { type: OpCode.sasl, token: Buffer.from([1, 2, 3]) },
];

function encodeRequest(req: Request): Buffer {
  return encode((w) => writeRequest(w, req));
}

describe("Request union", () => {
  it("has a sample for every opcode with a client-side body", () => {
    const covered = new Set(samples.map((s) => s.type));
    const numeric = Object.values(OpCode).filter((v): v is number => typeof v === "number");
    for (const op of numeric) {
      if (isKnownRequestType(op)) expect(covered, `opcode ${OpCode[op]}`).toContain(op);
    }
  });

  it.each(samples.map((s) => [OpCode[s.type], s] as const))("round-trips %s", (_name, req) => {
    const buf = encodeRequest(req);
    expect(decodeAll(buf, (r) => readRequest(req.type, r))).toEqual(asDecoded(req));
  });

  it("encodes the empty-body requests as zero bytes", () => {
    for (const type of [OpCode.ping, OpCode.closeSession, OpCode.whoAmI] as const) {
      expect(encodeRequest({ type }).length).toBe(0);
    }
  });

  it("encodes setWatches without the two persistent vectors", () => {
    const two = samples.find((s) => s.type === OpCode.setWatches2)!;
    const one = { ...two, type: OpCode.setWatches } as Request;
    // 8 (zxid) + three vectors; setWatches2 adds "/p" (4+4+2) and "/r","/r2" (4+ 6 + 7)
    expect(encodeRequest(two).length - encodeRequest(one).length).toBe(4 + 6 + 4 + 6 + 7);
  });

  it("lays out a multi as headers + bodies + the (-1, true, -1) end marker", () => {
    const buf = encodeRequest({ type: OpCode.multi, ops: [{ type: OpCode.check, path: "/a", version: 1 }] });
    expect(buf.toString("hex")).toBe(
      ["0000000d", "00", "ffffffff", "00000002", "2f61", "00000001", "ffffffff", "01", "ffffffff"].join(""),
    );
  });

  it("accepts an empty multi", () => {
    const buf = encodeRequest({ type: OpCode.multi, ops: [] });
    expect(buf.toString("hex")).toBe("ffffffff01ffffffff");
    expect(decodeAll(buf, (r) => readRequest(OpCode.multi, r))).toEqual({ type: OpCode.multi, ops: [] });
  });

  it("rejects read ops in multi and write ops in multiRead", () => {
    const read = encodeRequest({
      type: OpCode.multiRead,
      ops: [{ type: OpCode.getData, path: "/a", watch: false }],
    });
    expect(() => readRequest(OpCode.multi, new JuteReader(read))).toThrow(JuteDecodeError);
    const write = encodeRequest({
      type: OpCode.multi,
      ops: [{ type: OpCode.delete, path: "/a", version: -1 }],
    });
    expect(() => readRequest(OpCode.multiRead, new JuteReader(write))).toThrow(JuteDecodeError);
  });

  it("rejects a nested multi", () => {
    const inner = encodeRequest({ type: OpCode.multi, ops: [] });
    const w = new JuteWriter();
    w.writeInt(OpCode.multi).writeBool(false).writeInt(-1);
    w.buf = Buffer.concat([w.view(), inner]);
    w.offset = w.buf.length;
    w.writeInt(-1).writeBool(true).writeInt(-1);
    expect(() => readRequest(OpCode.multi, new JuteReader(w.toBuffer()))).toThrow(JuteDecodeError);
  });

  it("rejects opcodes without a request body", () => {
    for (const type of [0, 10, 23, 99, 108, -10, -1]) {
      expect(() => readRequest(type, new JuteReader(Buffer.alloc(16)))).toThrow(JuteDecodeError);
    }
  });

  it("throws JuteDecodeError (never RangeError) for every truncation of every sample", () => {
    for (const req of samples) {
      const buf = encodeRequest(req);
      for (let cut = 0; cut < buf.length; cut++) {
        const attempt = () => readRequest(req.type, new JuteReader(buf.subarray(0, cut)));
        expect(attempt, `${OpCode[req.type]} cut at ${cut}`).toThrow(JuteDecodeError);
      }
    }
  });

  it("never throws anything but JuteDecodeError on random bytes (seed 20261121)", () => {
    const rand = seededRandom(20261121);
    const types = samples.map((s) => s.type);
    for (let i = 0; i < 3000; i++) {
      const len = randomInt(rand, 0, 64);
      const buf = Buffer.alloc(len);
      for (let j = 0; j < len; j++) {
        // Bias towards small ints so lengths and counts are sometimes plausible.
        buf[j] = rand() < 0.6 ? 0 : randomInt(rand, 0, 255);
      }
      const type = types[randomInt(rand, 0, types.length - 1)]!;
      try {
        readRequest(type, new JuteReader(buf));
      } catch (e) {
        expect(e, `type ${type} bytes ${buf.toString("hex")}`).toBeInstanceOf(JuteDecodeError);
      }
    }
  });
});

describe("multi response", () => {
  const results: OpResult[] = [
    { type: OpCode.create, path: "/m" },
    { type: OpCode.create2, path: "/m/t0000000000", stat: sampleStat },
    { type: OpCode.delete },
    { type: OpCode.setData, stat: sampleStat },
    { type: OpCode.check },
    { type: OpCode.getData, data: Buffer.from("hi"), stat: sampleStat },
    { type: OpCode.getData, data: null, stat: emptyStat() },
    { type: OpCode.getChildren, children: ["a", "b"] },
  ];

  it("round-trips every result kind", () => {
    const buf = encode((w) => writeMultiResponse(w, results));
    expect(decodeAll(buf, readMultiResponse)).toEqual(results);
  });

  it("encodes a failed multi: error results repeat the code in header and body", () => {
    const failed: OpResult[] = [
      { type: OpCode.error, err: 0 },
      { type: OpCode.error, err: -101 },
      { type: OpCode.error, err: -2 },
    ];
    const buf = encode((w) => writeMultiResponse(w, failed));
    expect(buf.toString("hex")).toBe(
      [
        "ffffffff00" + "00000000" + "00000000",
        "ffffffff00ffffff9bffffff9b",
        "ffffffff00fffffffefffffffe",
        "ffffffff01ffffffff",
      ].join(""),
    );
    expect(decodeAll(buf, readMultiResponse)).toEqual(failed);
  });

  it("throws JuteDecodeError for every truncation", () => {
    const buf = encode((w) => writeMultiResponse(w, results));
    for (let cut = 0; cut < buf.length; cut++) {
      expect(() => readMultiResponse(new JuteReader(buf.subarray(0, cut)))).toThrow(JuteDecodeError);
    }
  });

  it("rejects an unknown result type", () => {
    const buf = encode((w) => w.writeInt(OpCode.exists).writeBool(false).writeInt(0));
    expect(() => readMultiResponse(new JuteReader(buf))).toThrow(JuteDecodeError);
  });
});

describe("handshake records", () => {
  const passwd = Buffer.from("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", "hex");

  it.each([true, false, undefined])("round-trips a ConnectRequest with readOnly=%s", (readOnly) => {
    const req: ConnectRequest = {
      protocolVersion: 0,
      lastZxidSeen: 0x1_0000_0003,
      timeOutMs: 30_000,
      sessionId: 0x0100000a1b2c0000n,
      passwd,
      readOnly,
    };
    const buf = encode((w) => writeConnectRequest(w, req));
    expect(buf.length).toBe(readOnly === undefined ? 44 : 45);
    expect(decodeAll(buf, readConnectRequest)).toEqual(req);
  });

  it.each([true, false, undefined])("round-trips a ConnectResponse with readOnly=%s", (readOnly) => {
    const res: ConnectResponse = {
      protocolVersion: 0,
      timeOutMs: 4000,
      sessionId: 0x0100000a1b2c0001n,
      passwd,
      readOnly,
    };
    const buf = encode((w) => writeConnectResponse(w, res));
    expect(buf.length).toBe(readOnly === undefined ? 36 : 37);
    expect(decodeAll(buf, readConnectResponse)).toEqual(res);
  });

  it("throws JuteDecodeError for a ConnectRequest cut inside the password", () => {
    const buf = encode((w) =>
      writeConnectRequest(w, {
        protocolVersion: 0,
        lastZxidSeen: 0,
        timeOutMs: 1,
        sessionId: 0n,
        passwd,
        readOnly: false,
      }),
    );
    for (let cut = 0; cut < 44; cut++) {
      expect(() => readConnectRequest(new JuteReader(buf.subarray(0, cut)))).toThrow(JuteDecodeError);
    }
  });
});
