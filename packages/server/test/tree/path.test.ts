import { describe, expect, it } from "vitest";
import { formatSequence, isSpecialPath, parentOf, validatePath } from "../../src/tree/path.js";

describe("validatePath", () => {
  it.each(["/", "/a", "/a/b", "/a.b", "/.x", "/a..", "/..a", "/a/...", "/ü/日本", "/a b"])(
    "accepts %j",
    (p) => {
      expect(validatePath(p)).toBeUndefined();
    },
  );

  it.each([
    ["", "empty"],
    ["a", "no leading slash"],
    ["/a/", "trailing slash"],
    ["//a", "empty segment"],
    ["/a//b", "empty segment"],
    ["/.", "dot"],
    ["/a/./b", "dot"],
    ["/..", "dotdot"],
    ["/a/..", "dotdot"],
    ["/a\u0000b", "NUL"],
    ["/a\u0001", "control"],
    ["/a\u001f", "control"],
    ["/a\u007f", "DEL"],
    ["/a\u009f", "C1"],
    ["/a\ud83d\ude00", "surrogates (non-BMP)"],
    ["/a\ue000", "private use"],
    ["/a\uf8ff", "private use end"],
    ["/a\ufff0", "specials"],
    ["/a\uffff", "noncharacter"],
  ])("rejects %j (%s)", (p) => {
    expect(validatePath(p)).toBeTypeOf("string");
  });

  it("accepts characters just outside the forbidden ranges", () => {
    expect(validatePath("/a\u00a0\ud7ff\uf900\uffef")).toBeUndefined();
  });

  it("allows a trailing slash only for sequential names", () => {
    expect(validatePath("/s/", true)).toBeUndefined();
    expect(validatePath("/s/")).toBeTypeOf("string");
    expect(validatePath("/s//", true)).toBeTypeOf("string");
  });
});

describe("path helpers", () => {
  it("computes parents like ZooKeeper (the parent of /a is the root)", () => {
    expect(parentOf("/a")).toBe("/");
    expect(parentOf("/")).toBe("/");
    expect(parentOf("/a/b")).toBe("/a");
    expect(parentOf("/a/")).toBe("/a");
    expect(parentOf("a/b")).toBe("a");
    expect(parentOf("abc")).toBeUndefined();
  });

  it("knows the special nodes", () => {
    for (const p of ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"])
      expect(isSpecialPath(p)).toBe(true);
    expect(isSpecialPath("/zookeeper/x")).toBe(false);
  });

  it("formats sequence numbers as Java's %010d", () => {
    expect(formatSequence(0)).toBe("0000000000");
    expect(formatSequence(42)).toBe("0000000042");
    expect(formatSequence(2147483647)).toBe("2147483647");
    expect(formatSequence(-2147483648)).toBe("-2147483648");
    expect(formatSequence(-5)).toBe("-000000005");
  });
});
