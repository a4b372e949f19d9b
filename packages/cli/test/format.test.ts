import { describe, expect, it } from "vitest";
import {
  formatAcl,
  formatStat,
  formatWatchedEvent,
  javaDateString,
  longHex,
  parseAcl,
  parseArgs,
  tokenize,
} from "../src/index.js";

describe("zkCli formatting and parsing", () => {
  it("tokenizes like zkCli, honouring quotes", () => {
    expect(tokenize("  create /a   'hello world' \"x y\"  ")).toEqual(["create", "/a", "hello world", "x y"]);
    expect(tokenize("set /a ''")).toEqual(["set", "/a", ""]);
    expect(tokenize("")).toEqual([]);
    expect(tokenize("get 'unterminated value")).toEqual(["get", "unterminated value"]);
  });

  it("parses ACL specs, warning about bad entries and letters", () => {
    const warnings: string[] = [];
    const acl = parseAcl("world:anyone:cdrwa,digest:u:h=:rx,bad,ip:10.0.0.0/8:", (w) => warnings.push(w));
    expect(acl).toEqual([
      { perms: 31, id: { scheme: "world", id: "anyone" } },
      { perms: 1, id: { scheme: "digest", id: "u:h=" } },
      { perms: 0, id: { scheme: "ip", id: "10.0.0.0/8" } },
    ]);
    expect(warnings).toEqual(["Unknown perm type: x", "bad does not have the form scheme:id:perm"]);
  });

  it("formats dates like java.util.Date#toString", () => {
    expect(javaDateString(0, "UTC")).toBe("Thu Jan 01 00:00:00 UTC 1970");
    expect(javaDateString(Date.UTC(2026, 10, 21, 8, 5, 9), "UTC")).toBe("Sat Nov 21 08:05:09 UTC 2026");
  });

  it("formats longs as Java's toHexString", () => {
    expect(longHex(0)).toBe("0");
    expect(longHex(0x100000005)).toBe("100000005");
    expect(longHex(0x1000009e2d70000n)).toBe("1000009e2d70000");
    expect(longHex(-1n)).toBe("ffffffffffffffff");
  });

  it("formats stats, ACLs and watch events", () => {
    const stat = {
      czxid: 2,
      mzxid: 17,
      ctime: 0,
      mtime: 1000,
      version: 2,
      cversion: -1,
      aversion: 0,
      ephemeralOwner: 0x1000009e2d70001n,
      dataLength: 5,
      numChildren: 0,
      pzxid: 2,
    };
    expect(formatStat(stat, "UTC")).toBe(
      [
        "cZxid = 0x2",
        "ctime = Thu Jan 01 00:00:00 UTC 1970",
        "mZxid = 0x11",
        "mtime = Thu Jan 01 00:00:01 UTC 1970",
        "pZxid = 0x2",
        "cversion = -1",
        "dataVersion = 2",
        "aclVersion = 0",
        "ephemeralOwner = 0x1000009e2d70001",
        "dataLength = 5",
        "numChildren = 0",
        "",
      ].join("\n"),
    );
    expect(formatAcl([{ perms: 5, id: { scheme: "ip", id: "127.0.0.1" } }])).toBe("'ip,'127.0.0.1\n: cr\n");
    expect(formatWatchedEvent({ type: 3, state: 3, path: "/a" })).toBe(
      "\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDataChanged path:/a\n",
    );
    expect(formatWatchedEvent({ type: -1, state: -112, path: null })).toContain(
      "state:Expired type:None path:null",
    );
  });

  it("parses the command line", () => {
    expect(parseArgs(["-server", "h:1", "-timeout", "5000", "ls", "-R", "/"])).toEqual({
      server: "h:1",
      timeoutMs: 5000,
      readOnly: false,
      command: ["ls", "-R", "/"],
    });
    expect(parseArgs(["-r"])).toEqual({
      server: "localhost:2181",
      timeoutMs: 30000,
      readOnly: true,
      command: [],
    });
    expect(parseArgs(["-server"])).toHaveProperty("error");
    expect(parseArgs(["-timeout", "x"])).toHaveProperty("error");
  });
});
