import { describe, expect, it } from "vitest";
import { javaTrim, parseProperties } from "../../src/config/index.js";
import { expectConfigError } from "./helpers.js";

const pairs = (text: string): [string, string][] =>
  parseProperties(text, "zoo.cfg").map((e) => [e.key, e.value]);

describe("parseProperties (java.util.Properties rules)", () => {
  it("accepts =, : and whitespace as separators, with blanks around them", () => {
    expect(pairs("a=1\nb:2\nc 3\nd = 4\ne : 5\nf\t=\t6\n")).toEqual([
      ["a", "1"],
      ["b", "2"],
      ["c", "3"],
      ["d", "4"],
      ["e", "5"],
      ["f", "6"],
    ]);
  });

  it("eats only one separator: the rest belongs to the value", () => {
    expect(pairs("a==1\nb = =2\nc :=3\n")).toEqual([
      ["a", "=1"],
      ["b", "=2"],
      ["c", "=3"],
    ]);
  });

  it("splits at the first separator, so values may contain = and :", () => {
    expect(pairs("server.1=zoo1:2888:3888;2181\nurl=http://x:1/a=b\n")).toEqual([
      ["server.1", "zoo1:2888:3888;2181"],
      ["url", "http://x:1/a=b"],
    ]);
  });

  it("skips # and ! comments and blank lines, even indented", () => {
    expect(pairs("# c1\n  ! c2\n\n   \n\ta=1\n")).toEqual([["a", "1"]]);
  });

  it("has no trailing comments", () => {
    expect(pairs("tickTime=2000 # two seconds\n")).toEqual([["tickTime", "2000 # two seconds"]]);
  });

  it("keeps trailing whitespace of values (ZooKeeper trims later)", () => {
    expect(pairs("a=1  \n")).toEqual([["a", "1  "]]);
  });

  it("gives a key with no value an empty value", () => {
    expect(pairs("lonely\nempty=\n")).toEqual([
      ["lonely", ""],
      ["empty", ""],
    ]);
  });

  it("continues a line ending in an odd number of backslashes, dropping the next line's indent", () => {
    expect(pairs("a=one,\\\n    two,\\\n\tthree\nb=x\\\\\nc=y\n")).toEqual([
      ["a", "one,two,three"],
      ["b", "x\\"],
      ["c", "y"],
    ]);
  });

  it("does not treat # at the start of a continuation line as a comment", () => {
    expect(pairs("a=1\\\n#2\n")).toEqual([["a", "1#2"]]);
  });

  it("does not continue a comment that ends in a backslash", () => {
    expect(pairs("# comment \\\na=1\n")).toEqual([["a", "1"]]);
  });

  it("decodes \\t \\n \\r \\f \\uXXXX and \\<char>", () => {
    expect(pairs("a=x\\ty\\nz\\r\\f\nb=\\u00e9\\u0041\nc=C:\\\\data\\q\n")).toEqual([
      ["a", "x\ty\nz\r\f"],
      ["b", "éA"],
      ["c", "C:\\dataq"],
    ]);
  });

  it("lets escaped separators be part of a key", () => {
    expect(pairs("my\\ key\\=x\\:y=v\n")).toEqual([["my key=x:y", "v"]]);
  });

  it("rejects a malformed \\u escape with file and line", () => {
    expectConfigError(() => parseProperties("a=1\nb=\\u12G4\n", "conf/zoo.cfg"), {
      file: "conf/zoo.cfg",
      line: 2,
      detail: "Malformed \\uxxxx encoding.",
    });
  });

  it("accepts \\r\\n and bare \\r line ends and reports the starting line of each entry", () => {
    const entries = parseProperties("a=1\r\n\r\nb=2\\\r\n  3\rc=4", "f");
    expect(entries).toEqual([
      { key: "a", value: "1", line: 1 },
      { key: "b", value: "23", line: 3 },
      { key: "c", value: "4", line: 5 },
    ]);
  });

  it("keeps duplicates in order (the caller applies last-wins)", () => {
    expect(pairs("a=1\na=2\n")).toEqual([
      ["a", "1"],
      ["a", "2"],
    ]);
  });

  it("drops a lone backslash at the end of the file", () => {
    expect(pairs("a=1\\")).toEqual([["a", "1"]]);
  });
});

describe("javaTrim", () => {
  it("strips control characters too, like String.trim()", () => {
    expect(javaTrim("\u0001 \t x y \u0000\r")).toBe("x y");
    expect(javaTrim("\u00a0x\u00a0")).toBe("\u00a0x\u00a0");
  });
});
