import { ErrorCode, OpCode, Perms, type Request } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { formatAuditEvent } from "../../src/audit/audit-event.js";
import {
  type AuditedRequest,
  aclText,
  auditedClient,
  auditUsers,
  createModeName,
  ephemeralDeletionEvents,
  isAuditedOpcode,
  requestAuditEvents,
} from "../../src/audit/request-audit.js";
import type { Txn, TxnBody } from "../../src/request/index.js";

const OPEN = [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }];

const IDENTITIES = [
  { scheme: "ip", id: "10.0.0.7" },
  { scheme: "digest", id: "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=" },
  { scheme: "super", id: "" },
];

function audited(request: Request): AuditedRequest {
  return { request, client: auditedClient(0x1000abcn, IDENTITIES, "10.0.0.7") };
}

function txn(body: TxnBody): Txn {
  return { zxid: 5, timeMs: 0, sessionId: 0x1000abcn, cxid: 1, body };
}

const lines = (request: Request, t: Txn, err = 0) =>
  requestAuditEvents(audited(request), t, err).map(formatAuditEvent);

const WHO = "session=0x1000abc\tuser=10.0.0.7,alice\tip=10.0.0.7";

describe("audit events of a committed write (ZooKeeper's AuditHelper)", () => {
  it("names a create by the path it made, and a failed one by the path asked for", () => {
    const req: Request = { type: OpCode.create, path: "/q/job-", data: null, acl: OPEN, flags: 2 };
    const made = txn({
      type: "create",
      path: "/q/job-0000000007",
      data: null,
      acl: OPEN,
      ephemeralOwner: 0n,
      parentChildCounter: 8,
      opcode: OpCode.create,
    });
    expect(lines(req, made)).toEqual([
      `${WHO}\toperation=create\tznode=/q/job-0000000007\tznode_type=persistent_sequential\tresult=success`,
    ]);
    expect(lines(req, txn({ type: "error", err: ErrorCode.NoNode }))).toEqual([
      `${WHO}\toperation=create\tznode=/q/job-\tznode_type=persistent_sequential\tresult=failure`,
    ]);
  });

  it("writes setAcl's ACL as ZooKeeper's aclToString does, entries run together", () => {
    const acl = [...OPEN, { perms: Perms.READ | Perms.ADMIN, id: { scheme: "ip", id: "10.0.0.0/8" } }];
    expect(aclText(acl)).toBe("world:anyone:cdrwaip:10.0.0.0/8:ra");
    const req: Request = { type: OpCode.setACL, path: "/a", acl, version: -1 };
    expect(lines(req, txn({ type: "setACL", path: "/a", acl, aversion: 1 }))).toEqual([
      `${WHO}\toperation=setAcl\tznode=/a\tacl=world:anyone:cdrwaip:10.0.0.0/8:ra\tresult=success`,
    ]);
    // A null ACL list throws in ZooKeeper's helper: no line.
    expect(
      lines({ type: OpCode.setACL, path: "/a", acl: null, version: -1 }, txn({ type: "error", err: -8 })),
    ).toEqual([]);
  });

  it("logs each create, delete and setData of a multi, or one failure", () => {
    const req: Request = {
      type: OpCode.multi,
      ops: [
        { type: OpCode.create, path: "/m", data: null, acl: OPEN, flags: 1 },
        { type: OpCode.create, path: "/m/s-", data: null, acl: OPEN, flags: 2 },
        { type: OpCode.check, path: "/m", version: 0 },
        { type: OpCode.delete, path: "/old", version: -1 },
      ],
    };
    const create = (path: string) =>
      ({
        type: "create",
        path,
        data: null,
        acl: OPEN,
        ephemeralOwner: 0x1000abcn,
        parentChildCounter: 1,
        opcode: OpCode.create,
      }) as const;
    const ok = txn({
      type: "multi",
      ops: [
        create("/m"),
        create("/m/s-0000000000"),
        { type: "check", path: "/m", version: 0 },
        { type: "delete", path: "/old" },
      ],
    });
    expect(lines(req, ok)).toEqual([
      `${WHO}\toperation=create\tznode=/m\tznode_type=ephemeral\tresult=success`,
      `${WHO}\toperation=create\tznode=/m/s-0000000000\tresult=success`,
      `${WHO}\toperation=delete\tznode=/old\tresult=success`,
    ]);
    const failed = txn({
      type: "multi",
      ops: [
        { type: "error", err: 0 },
        { type: "error", err: ErrorCode.NodeExists },
        { type: "error", err: ErrorCode.RuntimeInconsistency },
        { type: "error", err: ErrorCode.RuntimeInconsistency },
      ],
    });
    expect(lines(req, failed)).toEqual([`${WHO}\toperation=multiOperation\tresult=failure`]);
    // One create with a flag CreateMode does not know: ZooKeeper logs nothing of the multi.
    const badFlag: Request = {
      type: OpCode.multi,
      ops: [{ type: OpCode.create, path: "/x", data: null, acl: OPEN, flags: 9 }],
    };
    expect(lines(badFlag, failed)).toEqual([]);
  });

  it("logs a reconfig against /zookeeper/config, without a path when it failed", () => {
    const req: Request = {
      type: OpCode.reconfig,
      joiningServers: null,
      leavingServers: "3",
      newMembers: null,
      curConfigId: -1,
    };
    expect(
      lines(req, txn({ type: "reconfig", data: Buffer.alloc(0), voters: [1, 2], observers: [] })),
    ).toEqual([`${WHO}\toperation=reconfig\tznode=/zookeeper/config\tresult=success`]);
    expect(lines(req, txn({ type: "error", err: ErrorCode.NoAuth }))).toEqual([
      `${WHO}\toperation=reconfig\tresult=failure`,
    ]);
  });

  it("audits ZooKeeper's opcodes only: createTTL is not among them", () => {
    expect(
      [OpCode.create, OpCode.create2, OpCode.createContainer, OpCode.setACL, OpCode.multi].every(
        isAuditedOpcode,
      ),
    ).toBe(true);
    expect(
      [OpCode.createTTL, OpCode.check, OpCode.closeSession, OpCode.getData, OpCode.multiRead].some(
        isAuditedOpcode,
      ),
    ).toBe(false);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(createModeName)).toEqual([
      "persistent",
      "ephemeral",
      "persistent_sequential",
      "ephemeral_sequential",
      "container",
      "persistent_with_ttl",
      "persistent_sequential_with_ttl",
      undefined,
    ]);
  });

  it("names users as ZooKeeper's providers do: a digest id's user, no name for super", () => {
    expect(auditUsers(IDENTITIES)).toBe("10.0.0.7,alice");
    expect(auditUsers([{ scheme: "super", id: "" }])).toBeUndefined();
    expect(
      auditUsers([
        { scheme: "x509", id: "CN=client,O=Example" },
        { scheme: "sasl", id: "bob" },
      ]),
    ).toBe("CN=client,O=Example,bob");
  });

  it("logs a closed session's ephemerals under the server's user, with no address", () => {
    expect(ephemeralDeletionEvents(0xffn, ["/e1", "/e2"], "zookeeper").map(formatAuditEvent)).toEqual([
      "session=0xff\tuser=zookeeper\toperation=ephemeralZNodeDeletionOnSessionCloseOrExpire\tznode=/e1\tresult=success",
      "session=0xff\tuser=zookeeper\toperation=ephemeralZNodeDeletionOnSessionCloseOrExpire\tznode=/e2\tresult=success",
    ]);
    expect(formatAuditEvent({ user: "zookeeper", operation: "serverStop", result: "invoked" })).toBe(
      "user=zookeeper\toperation=serverStop\tresult=invoked",
    );
  });
});
