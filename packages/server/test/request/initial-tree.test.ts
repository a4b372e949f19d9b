import { emptyStat, Perms } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { StateMachine } from "../../src/request/state-machine.js";
import { aclBody, body, Driver, newMachine, OpCode } from "./helpers.js";

describe("initial tree", () => {
  const sm = newMachine();
  const ctx = { sessionId: 1n, identities: [] };

  it("has ZooKeeper's four nodes with all-zero stats and derived cversion", () => {
    expect(sm.nodeStat("/")).toEqual({ ...emptyStat(), cversion: -1, numChildren: 1 });
    expect(sm.nodeStat("/zookeeper")).toEqual({ ...emptyStat(), cversion: -2, numChildren: 2 });
    expect(sm.nodeStat("/zookeeper/quota")).toEqual(emptyStat());
    expect(sm.nodeStat("/zookeeper/config")).toEqual({ ...emptyStat(), aversion: -1 });
    expect(sm.lastZxid).toBe(0);
  });

  it("counts nodes like zk_znode_count and sizes like ZooKeeper", () => {
    expect(sm.nodeCount()).toBe(5);
    expect(sm.approximateDataSizeBytes()).toBe(1 + 10 + 16 + 17);
  });

  it("gives /zookeeper/config a world-readable ACL and the others open ACLs", () => {
    expect(aclBody(sm.read({ type: OpCode.getACL, path: "/zookeeper/config" }, ctx)).acl).toEqual([
      { perms: Perms.READ, id: { scheme: "world", id: "anyone" } },
    ]);
    for (const path of ["/", "/zookeeper", "/zookeeper/quota"]) {
      expect(aclBody(sm.read({ type: OpCode.getACL, path }, ctx)).acl).toEqual([
        { perms: Perms.ALL, id: { scheme: "world", id: "anyone" } },
      ]);
    }
  });

  it("has empty data and the expected children", () => {
    const data = body(sm.read({ type: OpCode.getData, path: "/", watch: false }, ctx)).readBuffer();
    expect(data).toEqual(Buffer.alloc(0));
    const kids = body(sm.read({ type: OpCode.getChildren, path: "/zookeeper", watch: false }, ctx));
    expect(kids.readStringVector()).toEqual(["config", "quota"]);
    const total = body(sm.read({ type: OpCode.getAllChildrenNumber, path: "/" }, ctx)).readInt();
    expect(total).toBe(3);
  });

  it("puts the configured ensemble config into /zookeeper/config", () => {
    const cfg = Buffer.from("server.1=a:2888:3888:participant\nversion=0");
    const m = new StateMachine({
      extendedTypesEnabled: false,
      skipAcl: false,
      superDigest: undefined,
      configData: cfg,
    });
    expect(m.nodeStat("/zookeeper/config")?.dataLength).toBe(cfg.length);
    expect(m.approximateDataSizeBytes()).toBe(44 + cfg.length);
  });

  it("two fresh machines have the same digest", () => {
    expect(new Driver().sm.digest()).toBe(newMachine().digest());
  });
});
