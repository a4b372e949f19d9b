import { type ACL, JuteWriter, NULL_MARK, type Request } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { rng } from "../storage/helpers.js";
import { Driver, newMachine, OpCode } from "./helpers.js";

const NASTY_PATHS = [
  "",
  "/",
  "//",
  "/a",
  "/a/",
  "/a/b",
  "a",
  "a/b",
  "/.",
  "/..",
  "/a\u0000",
  "/\ud800",
  "/zookeeper",
  "/zookeeper/config",
  "/zookeeper/quota",
  "/a/b/c",
  "/x-",
];

describe("client input never throws", () => {
  it("prepare, apply and read survive random and malformed requests", () => {
    const rnd = rng(20261121);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const int = (): number => pick([-1, 0, 1, 2, 7, -2147483648, 2147483647, Math.floor(rnd() * 10)]);
    const acl = (): ACL[] | null =>
      pick([
        null,
        [],
        [{ perms: int(), id: { scheme: "world", id: "anyone" } }],
        [
          {
            perms: 31,
            id: {
              scheme: pick(["auth", "digest", "ip", "x", NULL_MARK]),
              id: pick(["", "a:b", "1.2.3.4/40", NULL_MARK]),
            },
          },
        ],
      ]);
    const path = (): string => pick(NASTY_PATHS);
    const data = (): Buffer | null => pick([null, Buffer.alloc(0), Buffer.from("d")]);
    const op = (depth: number): Request => {
      switch (Math.floor(rnd() * 14)) {
        case 0:
          return {
            type: pick([OpCode.create, OpCode.create2, OpCode.createContainer]),
            path: path(),
            data: data(),
            acl: acl(),
            flags: int(),
          };
        case 1:
          return {
            type: OpCode.createTTL,
            path: path(),
            data: data(),
            acl: acl(),
            flags: int(),
            ttl: pick([-1, 0, 1, 2 ** 40, 2 ** 60]),
          };
        case 2:
          return { type: OpCode.delete, path: path(), version: int() };
        case 3:
          return { type: OpCode.setData, path: path(), data: data(), version: int() };
        case 4:
          return { type: OpCode.setACL, path: path(), acl: acl(), version: int() };
        case 5:
          return { type: OpCode.check, path: path(), version: int() };
        case 6:
          return depth > 1
            ? { type: OpCode.delete, path: path(), version: -1 }
            : { type: OpCode.multi, ops: [op(depth + 1), op(depth + 1), op(depth + 1)] };
        case 7:
          return {
            type: pick([OpCode.exists, OpCode.getData, OpCode.getChildren, OpCode.getChildren2]),
            path: path(),
            watch: rnd() < 0.5,
          };
        case 8:
          return { type: OpCode.getACL, path: path() };
        case 9:
          return { type: OpCode.getAllChildrenNumber, path: path() };
        case 10:
          return { type: OpCode.getEphemerals, prefixPath: path() };
        case 11:
          return { type: OpCode.multiRead, ops: [op(depth + 1), op(depth + 1)] };
        case 12:
          return { type: OpCode.deleteContainer, path: path() };
        default:
          return { type: OpCode.sync, path: path() };
      }
    };
    const d = new Driver(newMachine({ extendedTypesEnabled: true }));
    const sessions = [d.session(1n), d.session(2n), 3n];
    let writes = 0;
    for (let i = 0; i < 3000; i++) {
      const req = op(0);
      const ctx = d.ctx(
        pick(sessions),
        pick([[], [{ scheme: "digest", id: "a:b" }], [{ scheme: "super", id: "" }]]),
      );
      if (rnd() < 0.5) {
        const res = d.write(req, ctx);
        writes++;
        expect(typeof res.err).toBe("number");
        res.writeBody?.(new JuteWriter());
      } else {
        const res = d.read(req, ctx);
        expect(typeof res.err).toBe("number");
        res.writeBody?.(new JuteWriter());
      }
      if (rnd() < 0.01) d.applyTxn(d.sm.prepareDeleteContainer(path(), ++d.zxid, d.tick()));
    }
    expect(writes).toBeGreaterThan(1000);
    expect(d.sm.lastZxid).toBe(d.zxid);
  });
});
