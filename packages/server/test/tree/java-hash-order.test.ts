// The expected orders were printed by a real JVM (OpenJDK 17, Debian's default-jdk-headless):
// each case's paths added to a new HashSet<String> in the order given, the set cloned, and the
// clone copied into an ArrayList, as ZooKeeper's DataTree.getEphemerals and closeSession do.
import { describe, expect, it } from "vitest";
import {
  cloneCapacity,
  grownCapacity,
  javaHashSetCloneOrder,
  javaStringHash,
} from "../../src/tree/java-hash-order.js";

describe("java-hash-order", () => {
  it("hashes strings as java.lang.String.hashCode does, UTF-16 code units included", () => {
    expect(javaStringHash("/a")).toBe(1554);
    expect(javaStringHash("/app/members/n-1")).toBe(1566375327);
    expect(javaStringHash("/éphémère")).toBe(-1480815835);
    expect(javaStringHash("")).toBe(0);
  });

  it("sizes tables as HashSet and its clone do", () => {
    expect([1, 12, 13, 24, 25].map(grownCapacity)).toEqual([16, 16, 32, 32, 64]);
    // (int) (n / 0.75f + 1), rounded up to a power of two.
    expect([1, 2, 3, 6, 12].map(cloneCapacity)).toEqual([2, 4, 8, 16, 32]);
  });

  it("orders paths as a JVM iterates the clone", () => {
    expect(javaHashSetCloneOrder(["/app/members/n-1", "/app/members/n-2", "/app/members/n-3"])).toEqual([
      "/app/members/n-1",
      "/app/members/n-2",
      "/app/members/n-3",
    ]);
    expect(javaHashSetCloneOrder(["/x", "/y", "/z", "/locks/l-0000000007", "/éphémère", "/a/b/c"])).toEqual([
      "/locks/l-0000000007",
      "/a/b/c",
      "/x",
      "/éphémère",
      "/y",
      "/z",
    ]);
    const fourteen = Array.from({ length: 14 }, (_, i) => `/e${i}`);
    expect(javaHashSetCloneOrder(fourteen).join(" ")).toBe(
      "/e6 /e11 /e7 /e12 /e8 /e9 /e10 /e13 /e0 /e1 /e2 /e3 /e4 /e5",
    );
  });
});
