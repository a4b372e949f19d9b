import { describe, expect, it } from "vitest";
import { QuotaRoots, quotedPathOf, StatsTrack } from "../../src/tree/quota.js";

describe("StatsTrack text", () => {
  it("formats count and bytes first, other keys sorted after '='", () => {
    const t = StatsTrack.parse("count=3,bytes=10");
    expect(t.toString()).toBe("count=3,bytes=10");
    const limits = StatsTrack.parse("count=-1,bytes=-1=;countHardLimit=5;byteHardLimit=100");
    expect(limits.values.get("countHardLimit")).toBe(5);
    expect(limits.toString()).toBe("count=-1,bytes=-1=;byteHardLimit=100;countHardLimit=5");
  });

  it("reads empty values and missing keys as -1 and never throws", () => {
    expect(StatsTrack.parse("count=,bytes=4").count).toBe(-1);
    expect(StatsTrack.parse("").toString()).toBe("count=-1,bytes=-1");
    expect(StatsTrack.parse("garbage=zz,,;").values.get("garbage")).toBe(-1);
  });
});

describe("QuotaRoots", () => {
  it("finds the deepest root at or above a path, never the root itself", () => {
    const roots = new QuotaRoots();
    expect(roots.maxPrefix("/a/b")).toBeUndefined();
    roots.add("/a");
    roots.add("/a/b/c");
    expect(roots.maxPrefix("/a")).toBe("/a");
    expect(roots.maxPrefix("/a/b")).toBe("/a");
    expect(roots.maxPrefix("/a/b/c/d")).toBe("/a/b/c");
    expect(roots.maxPrefix("/ab")).toBeUndefined();
    roots.add("/");
    expect(roots.maxPrefix("/x")).toBeUndefined();
  });

  it("maps quota node parents back to the quoted path", () => {
    expect(quotedPathOf("/zookeeper/quota/a/b")).toBe("/a/b");
    expect(quotedPathOf("/zookeeper/quota")).toBeUndefined();
    expect(quotedPathOf("/zookeeper/quotax/a")).toBeUndefined();
  });
});
