// Which audit events a committed write makes, as ZooKeeper's AuditHelper decides: creates,
// deletes, setData, setACL, multi and reconfig, on the server the client is connected to, with
// the request's own path when the write failed and the txn's (the sequential name) when it
// succeeded; and the deletion of a closed session's ephemerals, on every server. Pure: the
// request, the txn and its outcome in, the events out.

import { type ACL, type Id, OpCode, Perms, type Request } from "@paddock/jute";
import type { Txn } from "../request/index.js";
import { sessionIdHex } from "../session/session-id.js";
import { providerUserName } from "../tree/acl.js";
import type { AuditEvent, AuditOperation, AuditResult } from "./audit-event.js";

/** Who sent a write, in the audit log's words; one per connection and identity list. */
export interface AuditedClient {
  /** `0x` and the session id in hex. */
  session: string;
  /** auditUsers of the connection's identities when the request was routed. */
  user: string | undefined;
  /** The client's address, as its `ip` identity holds it; none for the server's own events. */
  ip: string | undefined;
}

/** A write as the client sent it, with who sent it; kept until its txn is applied. */
export interface AuditedRequest {
  request: Request;
  client: AuditedClient;
}

export function auditedClient(sessionId: bigint, identities: readonly Id[], ip: string): AuditedClient {
  return { session: sessionIdHex(sessionId), user: auditUsers(identities), ip };
}

/** The opcodes ZooKeeper audits (createTTL is not among them: AuditHelper has no case for it). */
export function isAuditedOpcode(type: number): boolean {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.delete:
    case OpCode.deleteContainer:
    case OpCode.setData:
    case OpCode.setACL:
    case OpCode.multi:
    case OpCode.reconfig:
      return true;
    default:
      return false;
  }
}

const CREATE_MODES = [
  "persistent",
  "ephemeral",
  "persistent_sequential",
  "ephemeral_sequential",
  "container",
  "persistent_with_ttl",
  "persistent_sequential_with_ttl",
];

/** CreateMode.fromFlag(flags), lower-cased; undefined where ZooKeeper's throws. */
export function createModeName(flags: number): string | undefined {
  return CREATE_MODES[flags];
}

/** ZKUtil.getPermString. */
function permText(perms: number): string {
  return (
    (perms & Perms.CREATE ? "c" : "") +
    (perms & Perms.DELETE ? "d" : "") +
    (perms & Perms.READ ? "r" : "") +
    (perms & Perms.WRITE ? "w" : "") +
    (perms & Perms.ADMIN ? "a" : "")
  );
}

/** ZKUtil.aclToString: scheme:id:perms per entry, with no separator between entries. */
export function aclText(acl: readonly ACL[]): string {
  return acl.map((entry) => `${entry.id.scheme}:${entry.id.id}:${permText(entry.perms)}`).join("");
}

/**
 * AuthUtil.getUsers: each identity's user name as its provider gives it (a digest id's user
 * part; the id itself for ip, sasl and x509), comma-separated. `super` has no provider and
 * gives none.
 */
export function auditUsers(identities: readonly Id[]): string | undefined {
  const names: string[] = [];
  for (const id of identities) {
    if (id.scheme === "super") continue;
    const name = providerUserName(id);
    if (name.trim() !== "") names.push(name);
  }
  return names.length > 0 ? names.join(",") : undefined;
}

/** One event of `who`, every field present (undefined where absent): one shape for V8. */
function event(
  who: AuditedClient,
  operation: AuditOperation,
  znode: string | undefined,
  znodeType: string | undefined,
  acl: string | undefined,
  result: AuditResult,
): AuditEvent {
  return { session: who.session, user: who.user, ip: who.ip, operation, znode, znodeType, acl, result };
}

/** The events of one committed write, in ZooKeeper's order; `err` is its apply result's. */
export function requestAuditEvents(audited: AuditedRequest, txn: Txn, err: number): AuditEvent[] {
  const req = audited.request;
  const who = audited.client;
  const body = txn.body;
  const failed = body.type === "error";
  const result = failed || err !== 0 ? "failure" : "success";
  const txnPath =
    body.type === "create" || body.type === "delete" || body.type === "setData" || body.type === "setACL"
      ? body.path
      : undefined;
  switch (req.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer: {
      const znodeType = createModeName(req.flags);
      if (znodeType === undefined) return [];
      return [event(who, "create", failed ? req.path : txnPath, znodeType, undefined, result)];
    }
    case OpCode.delete:
    case OpCode.deleteContainer:
      return [event(who, "delete", failed ? req.path : txnPath, undefined, undefined, result)];
    case OpCode.setData:
      return [event(who, "setData", failed ? req.path : txnPath, undefined, undefined, result)];
    case OpCode.setACL:
      if (req.acl === null) return [];
      return [event(who, "setAcl", failed ? req.path : txnPath, undefined, aclText(req.acl), result)];
    case OpCode.reconfig:
      return [
        event(
          who,
          "reconfig",
          result === "success" ? "/zookeeper/config" : undefined,
          undefined,
          undefined,
          result,
        ),
      ];
    case OpCode.multi:
      return multiAuditEvents(req.ops, txn, who);
    default:
      return [];
  }
}

/**
 * A multi that committed logs each create, delete and setData it made; one that failed logs one
 * multiOperation failure. A create's mode is looked up by the path it made among the paths the
 * request named, as ZooKeeper does, so a sequential create in a multi is logged without one.
 */
function multiAuditEvents(ops: readonly Request[], txn: Txn, who: AuditedClient): AuditEvent[] {
  const modes = new Map<string, string>();
  for (const op of ops) {
    if (op.type !== OpCode.create && op.type !== OpCode.create2 && op.type !== OpCode.createContainer)
      continue;
    const mode = createModeName(op.flags);
    // ZooKeeper reads every create's mode before logging anything: one bad flag, no events.
    if (mode === undefined) return [];
    modes.set(op.path, mode);
  }
  const failure = [event(who, "multiOperation", undefined, undefined, undefined, "failure")];
  if (txn.body.type !== "multi") return failure;
  const events: AuditEvent[] = [];
  for (const op of txn.body.ops) {
    switch (op.type) {
      case "create":
        events.push(event(who, "create", op.path, modes.get(op.path), undefined, "success"));
        break;
      case "delete":
        events.push(event(who, "delete", op.path, undefined, undefined, "success"));
        break;
      case "setData":
        events.push(event(who, "setData", op.path, undefined, undefined, "success"));
        break;
      case "error":
        return failure;
    }
  }
  return events;
}

/** DataTree.killSession's events: one per ephemeral deleted, by the server's own user. */
export function ephemeralDeletionEvents(
  sessionId: bigint,
  paths: readonly string[],
  serverUser: string,
): AuditEvent[] {
  const session = sessionIdHex(sessionId);
  const server: AuditedClient = { session, user: serverUser, ip: undefined };
  return paths.map((znode) =>
    event(server, "ephemeralZNodeDeletionOnSessionCloseOrExpire", znode, undefined, undefined, "success"),
  );
}
