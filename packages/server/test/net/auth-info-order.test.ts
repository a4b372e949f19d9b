import { describe, expect, it } from "vitest";
import { javaIdHash, zookeeperAuthInfoOrder } from "../../src/net/auth-info-order.js";

// The expected values were printed by a JVM: org.apache.zookeeper.data.Id's hashCode from
// Debian's zookeeper-jute.jar, and a list copied from Collections.newSetFromMap(new
// ConcurrentHashMap<Id, Boolean>()) filled in the order below, as ServerCnxn.authInfo is.
describe("a connection's ids in ZooKeeper's order", () => {
  it("hashes an Id as the jute-generated hashCode does", () => {
    expect(javaIdHash({ scheme: "ip", id: "127.0.0.1" })).toBe(1506146057);
    expect(javaIdHash({ scheme: "digest", id: "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=" })).toBe(-1203572718);
  });

  it("lists them as the ConcurrentHashMap-backed set iterates them", () => {
    const added = [
      { scheme: "ip", id: "127.0.0.1" },
      ...["alice", "bob", "carol", "dave"].map((user) => ({ scheme: "digest", id: `${user}:x` })),
      { scheme: "super", id: "" },
    ];
    expect(zookeeperAuthInfoOrder(added).map((i) => `${i.scheme}:${i.id}`)).toEqual([
      "digest:carol:x",
      "digest:dave:x",
      "super:",
      "digest:alice:x",
      "ip:127.0.0.1",
      "digest:bob:x",
    ]);
  });
});
