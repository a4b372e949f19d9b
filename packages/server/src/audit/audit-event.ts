// ZooKeeper's audit events (org.apache.zookeeper.audit, 3.6+): the operations it audits and the
// line each event makes, byte for byte: the fields that have a value, as key=value pairs in a
// fixed order, separated by tabs, then result=<result>. Log parsers written for ZooKeeper's
// audit log read Paddock's.

export type AuditOperation =
  | "serverStart"
  | "serverStop"
  | "create"
  | "delete"
  | "setData"
  | "setAcl"
  | "multiOperation"
  | "reconfig"
  | "ephemeralZNodeDeletionOnSessionCloseOrExpire";

/** `invoked`: serverStop, logged before the server has stopped. */
export type AuditResult = "success" | "failure" | "invoked";

export interface AuditEvent {
  /** `0x` and the session id in hex, as ZooKeeper's getSessionIdHex. */
  session?: string;
  /** The session's users, comma-separated (auditUsers), or the server's own user. */
  user?: string;
  /** The client's address; absent for events no client caused. */
  ip?: string;
  operation: AuditOperation;
  znode?: string;
  /** A create's mode, in lower case (`persistent_sequential`, ...). */
  znodeType?: string;
  /** setAcl's new ACL, as ZooKeeper's ZKUtil.aclToString writes it. */
  acl?: string;
  result: AuditResult;
}

/** ZooKeeper's AuditEvent.toString. Written out field by field: it runs once per audited write. */
export function formatAuditEvent(event: AuditEvent): string {
  let line = "";
  if (event.session !== undefined) line += `session=${event.session}\t`;
  if (event.user !== undefined) line += `user=${event.user}\t`;
  if (event.ip !== undefined) line += `ip=${event.ip}\t`;
  line += `operation=${event.operation}\t`;
  if (event.znode !== undefined) line += `znode=${event.znode}\t`;
  if (event.znodeType !== undefined) line += `znode_type=${event.znodeType}\t`;
  if (event.acl !== undefined) line += `acl=${event.acl}\t`;
  return `${line}result=${event.result}`;
}
