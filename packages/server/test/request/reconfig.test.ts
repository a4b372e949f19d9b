// The reconfig request in the state machine: ZooKeeper's order of refusals, the new config's
// text at the reconfig's zxid, and how the txn applies (/zookeeper/config, version -1, a data
// watch event, the reply of a getData).
import {
  ErrorCode,
  EventType,
  JuteReader,
  JuteWriter,
  OpCode,
  type RequestOf,
  readStat,
} from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { parseServerLine, type QuorumServer } from "../../src/config/index.js";
import { decodeTxn, encodeTxn } from "../../src/request/index.js";
import { planReconfig, type ReconfigContext } from "../../src/request/reconfig-plan.js";
import { Driver } from "./helpers.js";

const WHERE = { file: "test" };
const members = new Map<number, QuorumServer>(
  [1, 2, 3].map((id) => [
    id,
    parseServerLine(id, `10.0.0.${id}:2888:3888:participant;2181`, { multiAddressEnabled: false }, WHERE),
  ]),
);
const SUPER = [{ scheme: "super", id: "" }];

function request(change: Partial<RequestOf<OpCode.reconfig>>): RequestOf<OpCode.reconfig> {
  return {
    type: OpCode.reconfig,
    joiningServers: null,
    leavingServers: null,
    newMembers: null,
    curConfigId: -1,
    ...change,
  };
}

function context(over: Partial<ReconfigContext> = {}, inProgress = false): ReconfigContext {
  return {
    enabled: true,
    standaloneEnabled: true,
    members: () => ({ current: { version: 0x100000000, servers: members }, inProgress }),
    ...over,
  };
}

function prepare(
  d: Driver,
  req: RequestOf<OpCode.reconfig>,
  identities: { scheme: string; id: string }[],
  rc: ReconfigContext,
) {
  const sid = d.session(0x1000_0000_0000_0001n + BigInt(d.zxid));
  return d.sm.prepareReconfig(req, { sessionId: sid, identities }, ++d.zxid, d.tick(), 7, rc);
}

describe("reconfig prepare", () => {
  it("refuses in ZooKeeper 3.8's order: disabled, standalone, in progress, the plan, and the ACL last", () => {
    const d = new Driver();
    const leave = request({ leavingServers: "3", curConfigId: 5 });
    const err = (r: { txn: { body: { type: string; err?: number } } }) =>
      r.txn.body.type === "error" ? r.txn.body.err : 0;
    const notSuper = [{ scheme: "ip", id: "127.0.0.1" }];
    expect(err(prepare(d, leave, notSuper, context({ enabled: false })))).toBe(ErrorCode.ReconfigDisabled);
    expect(err(prepare(d, leave, notSuper, { enabled: true, standaloneEnabled: true }))).toBe(
      ErrorCode.Unimplemented,
    );
    expect(err(prepare(d, leave, notSuper, context({}, true)))).toBe(ErrorCode.ReconfigInProgress);
    expect(err(prepare(d, leave, notSuper, context()))).toBe(ErrorCode.BadVersion);
    expect(err(prepare(d, request({ joiningServers: "server.9=x" }), notSuper, context()))).toBe(
      ErrorCode.BadArguments,
    );
    // A request that passes every other check is marked for the committer, which answers NoAuth
    // unless ZAB would refuse the new config's quorum first (ZooKeeper's order).
    const denied = prepare(d, request({ leavingServers: "3" }), notSuper, context());
    expect(denied.txn.body).toMatchObject({ type: "reconfig", aclDenied: true });
    const allowed = prepare(d, request({ leavingServers: "3" }), SUPER, context());
    expect(allowed.txn.body.type === "reconfig" && allowed.txn.body.aclDenied).toBeUndefined();
  });

  it("proposes the new member list at the reconfig's zxid and applies it to /zookeeper/config", () => {
    const d = new Driver();
    const { txn, refusal } = prepare(
      d,
      request({ joiningServers: "server.4=10.0.0.4:2888:3888:observer;10.0.0.4:2181", leavingServers: "1" }),
      SUPER,
      context(),
    );
    expect(refusal).toBeUndefined();
    expect(txn.body).toMatchObject({ type: "reconfig", voters: [2, 3], observers: [4] });
    const text = txn.body.type === "reconfig" ? txn.body.data.toString() : "";
    expect(text).toBe(
      [
        "server.2=10.0.0.2:2888:3888:participant;0.0.0.0:2181",
        "server.3=10.0.0.3:2888:3888:participant;0.0.0.0:2181",
        "server.4=10.0.0.4:2888:3888:observer;10.0.0.4:2181",
        `version=${txn.zxid.toString(16)}`,
      ].join("\n"),
    );
    // It survives the log's encoding, and applies as a getData-shaped reply.
    const again = decodeTxn(encodeTxn(txn));
    expect(again).toEqual(txn);
    const applied = d.applyTxn(again, OpCode.reconfig);
    expect(applied.err).toBe(0);
    expect(applied.events.map((e) => [e.type, e.path])).toEqual([
      [EventType.NodeDataChanged, "/zookeeper/config"],
    ]);
    const writer = new JuteWriter(64);
    applied.writeBody!(writer);
    const r = new JuteReader(writer.toBuffer());
    expect(r.readBuffer()?.toString()).toBe(text);
    const stat = readStat(r);
    expect(stat.mzxid).toBe(txn.zxid);
    expect(stat.version).toBe(-1);
  });
});

describe("planReconfig", () => {
  const current = { version: 9, servers: members };
  it("checks the version, then parses; -1 skips the version check", () => {
    expect(planReconfig(request({ curConfigId: 8, leavingServers: "x" }), current, true)).toMatchObject({
      ok: false,
      err: ErrorCode.BadVersion,
    });
    expect(planReconfig(request({ leavingServers: "x" }), current, true)).toMatchObject({
      ok: false,
      err: ErrorCode.MarshallingError,
    });
    expect(planReconfig(request({ curConfigId: 9, leavingServers: " 3 , " }), current, true)).toMatchObject({
      ok: true,
      plan: { voters: [1, 2], observers: [] },
    });
  });

  it("refuses a joiner without a client port, a duplicate address, and too few voters", () => {
    const bad = (change: Partial<RequestOf<OpCode.reconfig>>, standaloneEnabled = true) =>
      planReconfig(request(change), current, standaloneEnabled);
    expect(bad({ joiningServers: "server.4=10.0.0.4:2888:3888" })).toMatchObject({
      err: ErrorCode.BadArguments,
    });
    expect(bad({ joiningServers: "server.4=10.0.0.1:2888:3999;2181" })).toMatchObject({
      err: ErrorCode.BadArguments,
    });
    expect(bad({ leavingServers: "2,3" })).toMatchObject({ err: ErrorCode.BadArguments });
    expect(bad({ leavingServers: "2,3" }, false)).toMatchObject({ ok: true, plan: { voters: [1] } });
    expect(
      bad({ newMembers: "server.1=10.0.0.1:2888:3888;2181,server.2=10.0.0.2:2888:3888;2181" }),
    ).toMatchObject({
      ok: true,
      plan: { voters: [1, 2] },
    });
    expect(bad({ newMembers: "weight.1=3" })).toMatchObject({ err: ErrorCode.BadArguments });
  });

  it("replaces a member named again (a role change) instead of adding it", () => {
    const r = planReconfig(
      request({ joiningServers: "server.3=10.0.0.3:2888:3888:observer;2181" }),
      current,
      true,
    );
    expect(r).toMatchObject({ ok: true, plan: { voters: [1, 2], observers: [3] } });
  });
});
