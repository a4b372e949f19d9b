// The apply stage (ZooKeeper's FinalRequestProcessor): a committed txn, in zxid order, changes
// the tree; its watch events go out before its reply and before any later reply; then the party
// waiting for it is answered (a request's reply, or a new session's handshake), and connections
// of sessions it closed are closed.

import { Perms } from "@paddock/jute";
import type { AuditLog } from "../audit/audit-log.js";
import { type AuditedRequest, ephemeralDeletionEvents, requestAuditEvents } from "../audit/request-audit.js";
import type { Logger } from "../logger.js";
import type { SessionExpiry } from "../maintenance/session-expiry.js";
import type { Snapshotter } from "../maintenance/snapshotter.js";
import type { ClientConnection } from "../net/client-connection.js";
import type { ConnectionRegistry } from "../net/connection-registry.js";
import type { ReplicaState } from "../replica/replica-state.js";
import type { Txn } from "../request/index.js";
import { sessionIdHex } from "../session/session-id.js";
import { checkAcl } from "../tree/acl.js";
import type { WatchEventFilter, WatchManager } from "../watch/watch-manager.js";
import type { ReplyRouting } from "./reply-routing.js";

export interface ApplierDeps {
  state: ReplicaState;
  routing: ReplyRouting;
  watches: WatchManager;
  registry: ConnectionRegistry;
  expiry: SessionExpiry;
  snapshotter: Snapshotter;
  log: Logger;
  skipAcl: boolean;
  letAnySaslUserDoX: string | undefined;
  /** In an ensemble, sessions created through other servers are tracked here too. */
  replicated: boolean;
  /** ms from a txn's preparation (its header time) to its apply here. */
  propagationLatency?: { observe(ms: number): void };
  /** audit.enable: ZooKeeper's audit events of what is applied here. */
  audit?: AuditLog | undefined;
}

export class Applier {
  constructor(private readonly deps: ApplierDeps) {}

  /** ZooKeeper 3.8.4+ (CVE-2024-23944): a watcher sees an event only with READ on its node. */
  private readonly canSeeEvent: WatchEventFilter = (sink, event) =>
    checkAcl(
      event.acl,
      Perms.READ,
      (sink as ClientConnection).identities,
      this.deps.skipAcl,
      this.deps.letAnySaslUserDoX,
    );

  apply(txn: Txn): void {
    const { state, routing, watches, registry, expiry, log } = this.deps;
    const origin = routing.take(txn);
    const requestType = origin?.kind === "request" ? origin.type : undefined;
    const result = state.sm.apply(txn, requestType);
    // Wall clocks of two hosts: skewed clocks can make it negative, which ZooKeeper drops too.
    const propagationMs = Date.now() - txn.timeMs;
    if (propagationMs >= 0) this.deps.propagationLatency?.observe(propagationMs);
    // Notifications go out before the reply of this txn and before any later reply (§13).
    if (result.events.length > 0) watches.deliver(result.events, this.canSeeEvent);

    if (txn.body.type === "createSession" && origin?.kind !== "createSession" && this.deps.replicated) {
      // A session created through another server: the tracker of whoever leads next needs it.
      state.sessions.add(txn.sessionId, txn.body.timeoutMs, Date.now());
      // A local session upgraded to a global one is known to the ensemble from here on.
      if (state.localSessions.isUpgrading(txn.sessionId)) state.localSessions.remove(txn.sessionId);
      expiry.schedule();
    }
    if (origin?.kind === "createSession") {
      const { conn, timeoutMs, passwd } = origin;
      const sessionId = txn.sessionId;
      state.sessions.add(sessionId, timeoutMs, Date.now());
      expiry.schedule();
      if (!conn.isClosed) {
        registry.bind(sessionId, conn);
        conn.completeHandshake(sessionId, timeoutMs, passwd, false);
        log.info({ session: sessionIdHex(sessionId), timeoutMs }, "session established");
      }
    } else if (origin?.kind === "request") {
      if (origin.audited !== undefined) this.audit(origin.audited, txn, result.err);
      const reply = origin.conn.buildReply(origin.xid, txn.zxid, result.err, result.writeBody);
      origin.conn.complete(origin.handle, reply, origin.closeAfter);
    }
    const audit = this.deps.audit;
    if (audit !== undefined && result.deletedEphemerals !== undefined) {
      // Every server logs these, as each ZooKeeper server's DataTree.killSession does.
      for (const event of ephemeralDeletionEvents(txn.sessionId, result.deletedEphemerals, audit.serverUser))
        audit.record(event);
    }
    for (const sessionId of result.closedSessions) {
      state.sessions.remove(sessionId);
      const conn = registry.connectionOf(sessionId);
      if (conn !== undefined && conn !== (origin?.kind === "request" ? origin.conn : undefined)) {
        conn.close("session expired or closed");
      }
      log.info({ session: sessionIdHex(sessionId), zxid: txn.zxid }, "session closed");
    }
    this.deps.snapshotter.applied();
  }

  /** Only the server the client is connected to logs its writes, as in ZooKeeper. */
  private audit(audited: AuditedRequest, txn: Txn, err: number): void {
    for (const event of requestAuditEvents(audited, txn, err)) this.deps.audit?.record(event);
  }
}
