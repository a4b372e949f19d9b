// Seeded random requests of every variant: encode → frame → split arbitrarily → decode must give
// back the same value, exercising the codec and FrameDecoder together.
import { describe, expect, it } from "vitest";
import {
  type ACL,
  DEFAULT_MAX_BUFFER_BYTES,
  FrameDecoder,
  JuteReader,
  JuteWriter,
  OpCode,
  type Request,
  readRequest,
  readRequestHeader,
  writeRequest,
  writeRequestHeader,
} from "../src/index.js";
import { asDecoded } from "./decoded.js";
import { randomInt, seededRandom } from "./prng.js";

type Rand = () => number;

const pick = <T>(rand: Rand, items: readonly T[]): T => items[randomInt(rand, 0, items.length - 1)]!;

function randomString(rand: Rand): string {
  const alphabet = ["a", "b", "z", "0", "-", ".", "/", "é", "ü", "中", "\u0001"];
  const len = randomInt(rand, 0, 12);
  let s = "";
  for (let i = 0; i < len; i++) s += pick(rand, alphabet);
  return s;
}

const path = (rand: Rand) => `/${randomString(rand)}`;
const int32 = (rand: Rand) => randomInt(rand, -0x80000000, 0x7fffffff);
const long = (rand: Rand) => randomInt(rand, -(2 ** 52), 2 ** 52);

function randomBuffer(rand: Rand): Buffer | null {
  if (rand() < 0.15) return null;
  return Buffer.from(Array.from({ length: randomInt(rand, 0, 40) }, () => randomInt(rand, 0, 255)));
}

function randomAcls(rand: Rand): ACL[] | null {
  if (rand() < 0.1) return null;
  return Array.from({ length: randomInt(rand, 0, 3) }, () => ({
    perms: randomInt(rand, 0, 31),
    id: { scheme: pick(rand, ["world", "digest", "ip", "auth"]), id: randomString(rand) },
  }));
}

const strings = (rand: Rand) => Array.from({ length: randomInt(rand, 0, 4) }, () => path(rand));

function randomRequest(rand: Rand, depth = 0): Request {
  const kinds: Array<() => Request> = [
    () => ({
      type: pick(rand, [OpCode.create, OpCode.create2, OpCode.createContainer] as const),
      path: path(rand),
      data: randomBuffer(rand),
      acl: randomAcls(rand),
      flags: randomInt(rand, 0, 6),
    }),
    () => ({
      type: OpCode.createTTL,
      path: path(rand),
      data: randomBuffer(rand),
      acl: randomAcls(rand),
      flags: randomInt(rand, 5, 6),
      ttl: long(rand),
    }),
    () => ({ type: OpCode.delete, path: path(rand), version: int32(rand) }),
    () => ({ type: OpCode.check, path: path(rand), version: int32(rand) }),
    () => ({ type: OpCode.setData, path: path(rand), data: randomBuffer(rand), version: int32(rand) }),
    () => ({
      type: pick(rand, [OpCode.exists, OpCode.getData, OpCode.getChildren, OpCode.getChildren2] as const),
      path: path(rand),
      watch: rand() < 0.5,
    }),
    () => ({
      type: pick(rand, [
        OpCode.getACL,
        OpCode.sync,
        OpCode.getAllChildrenNumber,
        OpCode.deleteContainer,
      ] as const),
      path: path(rand),
    }),
    () => ({ type: OpCode.setACL, path: path(rand), acl: randomAcls(rand), version: int32(rand) }),
    () => ({ type: OpCode.getEphemerals, prefixPath: randomString(rand) }),
    () => ({ type: OpCode.addWatch, path: path(rand), mode: randomInt(rand, 0, 1) }),
    () => ({
      type: pick(rand, [OpCode.checkWatches, OpCode.removeWatches] as const),
      path: path(rand),
      watcherType: randomInt(rand, 1, 5),
    }),
    () => {
      const two = rand() < 0.5;
      return {
        type: two ? OpCode.setWatches2 : OpCode.setWatches,
        relativeZxid: long(rand),
        dataWatches: strings(rand),
        existWatches: strings(rand),
        childWatches: strings(rand),
        persistentWatches: two ? strings(rand) : [],
        persistentRecursiveWatches: two ? strings(rand) : [],
      };
    },
    () => ({
      type: OpCode.auth,
      authType: int32(rand),
      scheme: randomString(rand),
      auth: randomBuffer(rand) ?? Buffer.alloc(0),
    }),
    () => ({ type: pick(rand, [OpCode.ping, OpCode.closeSession, OpCode.whoAmI] as const) }),
    () => ({
      type: OpCode.reconfig,
      joiningServers: rand() < 0.3 ? null : randomString(rand),
      leavingServers: rand() < 0.3 ? null : randomString(rand),
      newMembers: rand() < 0.3 ? null : randomString(rand),
      curConfigId: long(rand),
    }),
    () => ({ type: OpCode.sasl, token: randomBuffer(rand) }),
  ];
  if (depth === 0 && rand() < 0.15) {
    const read = rand() < 0.3;
    const ops: Request[] = [];
    for (let i = randomInt(rand, 0, 4); i > 0; i--) {
      if (read) {
        ops.push({
          type: pick(rand, [OpCode.getData, OpCode.getChildren] as const),
          path: path(rand),
          watch: false,
        });
      } else {
        let op = randomRequest(rand, 1);
        while (![1, 2, 5, 13, 15, 19, 21].includes(op.type)) op = randomRequest(rand, 1);
        ops.push(op);
      }
    }
    return { type: read ? OpCode.multiRead : OpCode.multi, ops };
  }
  return pick(rand, kinds)();
}

describe("random requests", () => {
  it.each([1, 7, 20261121])("round-trip through framing with random splits (seed %i)", (seed) => {
    const rand = seededRandom(seed);
    const requests = Array.from({ length: 400 }, () => randomRequest(rand));
    const w = new JuteWriter();
    requests.forEach((req, xid) => {
      const at = w.startFrame();
      writeRequestHeader(w, { xid, type: req.type });
      writeRequest(w, req);
      w.finishFrame(at);
    });
    const stream = w.toBuffer();
    const decoder = new FrameDecoder(DEFAULT_MAX_BUFFER_BYTES);
    const decoded: Request[] = [];
    for (let at = 0; at < stream.length; ) {
      const size = randomInt(rand, 1, 64);
      decoder.push(stream.subarray(at, at + size), (body) => {
        const r = new JuteReader(body);
        const header = readRequestHeader(r);
        expect(header.xid).toBe(decoded.length);
        decoded.push(readRequest(header.type, r));
        expect(r.remaining).toBe(0);
      });
      at += size;
    }
    expect(decoded).toEqual(requests.map(asDecoded));
  });
});
