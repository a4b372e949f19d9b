// The first stage after the handshake: a request of an established session is checked (the
// server serves, the session is live), counts as session activity, and goes to the stage that
// handles its kind: a ping is answered in order, a write goes to the prepare stage (leader,
// standalone) or to the leader (learner), a read to the read path, `sync` to ZAB in an ensemble,
// an auth packet to the auth providers. What no client may send is refused. A local session
// (localSessionsEnabled) closes without a txn and becomes global before its first ephemeral (or
// is refused it). In read-only mode the session is local, every change and `sync` get
// NotReadOnly, and the rest is served from the applied state.

import {
  CreateMode,
  ErrorCode,
  type Id,
  JuteDecodeError,
  JuteReader,
  OpCode,
  type Request,
  readRequest,
} from "@paddock/jute";
import {
  type AuditedClient,
  type AuditedRequest,
  auditedClient,
  isAuditedOpcode,
} from "../audit/request-audit.js";
import type { Logger } from "../logger.js";
import type { LearnerTouches } from "../maintenance/learner-touches.js";
import type { SessionExpiry } from "../maintenance/session-expiry.js";
import type { ClientConnection } from "../net/client-connection.js";
import type { ReplicaState } from "../replica/replica-state.js";
import type { ServingRole } from "../replica/serving-role.js";
import type { RequestContext } from "../request/contract.js";
import { isWriteRequest } from "../request/index.js";
import { sessionIdHex } from "../session/session-id.js";
import type { AuthProviders } from "./auth.js";
import type { Forwarder } from "./forwarder.js";
import type { Proposer } from "./proposer.js";
import type { QuorumSyncs } from "./quorum-syncs.js";
import type { ReadPath } from "./read-path.js";
import type { SaslAuthenticator } from "./sasl.js";

/** Requests a client may send that never reach the state machine or the read path. */
const REJECTED_OPCODES: ReadonlySet<number> = new Set([
  OpCode.notification,
  OpCode.check, // top-level check: Unimplemented + close since ZooKeeper 3.8.5 (ZOOKEEPER-2623)
  OpCode.createSession,
  OpCode.deleteContainer, // internal to the container manager; ZooKeeper's acceptance is a hole
  OpCode.error,
]);

/** What ZooKeeper's read-only server answers with NotReadOnly, before looking at the body. */
const NOT_READ_ONLY_OPCODES: ReadonlySet<number> = new Set([
  OpCode.sync,
  OpCode.create,
  OpCode.create2,
  OpCode.createTTL,
  OpCode.createContainer,
  OpCode.delete,
  OpCode.deleteContainer,
  OpCode.setData,
  OpCode.reconfig,
  OpCode.setACL,
  OpCode.multi,
  OpCode.check,
]);

export interface RequestRouterDeps {
  state: ReplicaState;
  role: ServingRole;
  /** localSessionsUpgradingEnabled: a local session's first ephemeral makes it global. */
  localSessionsUpgradingEnabled: boolean;
  maxBufferBytes: number;
  proposer: Proposer;
  /** Learners only (undefined standalone). */
  forwarder: Forwarder | undefined;
  /** Ensemble only (undefined standalone, where sync is a plain read). */
  syncs: QuorumSyncs | undefined;
  /** Learners only. */
  touches: LearnerTouches | undefined;
  readPath: ReadPath;
  auth: AuthProviders;
  /** SASL packets and enforced authentication (enforce.auth.*). */
  sasl: SaslAuthenticator;
  expiry: SessionExpiry;
  log: Logger;
  /** audit.enable: audited writes keep the request until their txn is applied. */
  auditRequests: boolean;
}

export class RequestRouter {
  private readonly auditedClients = new WeakMap<
    ClientConnection,
    { identities: readonly Id[]; client: AuditedClient }
  >();

  constructor(private readonly deps: RequestRouterDeps) {}

  route(conn: ClientConnection, xid: number, type: number, body: JuteReader): void {
    const { state, role, proposer, log } = this.deps;
    if (!conn.isEstablished) return;
    // As ZooKeeper's processPacket: SASL packets first, then every request but auth needs an
    // enforced scheme (when enforce.auth is on).
    if (type === OpCode.sasl) {
      this.deps.sasl.handle(conn, xid, body);
      return;
    }
    if (type !== OpCode.auth && !this.deps.sasl.admit(conn, xid)) return;
    if (role.readOnly) {
      if (this.routeReadOnly(conn, xid, type)) return;
    } else if (!role.isServing) {
      conn.close("not serving: this server is not in a quorum");
      return;
    }
    const sessionId = conn.sessionId;
    const nowMs = Date.now();
    const learner = role.isLearner;
    const localSessions = state.localSessions;
    const local = localSessions.has(sessionId);
    if (local) {
      if (!role.readOnly) localSessions.touch(sessionId, conn.sessionTimeoutMs, nowMs);
    } else if (!state.isLive(sessionId)) {
      // ZooKeeper drops requests of a closing/unknown session; its connection closes shortly.
      return;
    } else {
      state.sessions.touch(sessionId, conn.sessionTimeoutMs, nowMs);
      this.deps.expiry.schedule();
      if (learner) this.deps.touches?.record(sessionId, conn.sessionTimeoutMs);
    }
    const upgrading = local && localSessions.isUpgrading(sessionId);
    if (local && !upgrading) {
      if (type === OpCode.closeSession) {
        this.closeLocal(conn, xid, type);
        return;
      }
      if (this.createsEphemeral(type, body)) {
        if (this.deps.localSessionsUpgradingEnabled) {
          this.upgrade(conn, sessionId);
        } else if (learner && type !== OpCode.multi) {
          // ZooKeeper's follower answers this itself; a multi goes to the leader, which does
          // not know the session and answers SessionExpired.
          const handle = conn.enqueuePending(xid, type);
          conn.complete(handle, conn.buildReply(xid, state.lastZxid, ErrorCode.EphemeralOnLocalSession));
          return;
        }
      }
    }

    if (type === OpCode.ping) {
      conn.enqueueRead(xid, type, () => conn.buildReply(xid, state.lastZxid, ErrorCode.OK), false);
      return;
    }
    if (learner && (type === OpCode.closeSession || (isWriteRequest(type) && !REJECTED_OPCODES.has(type)))) {
      this.forward(conn, sessionId, xid, type, body);
      return;
    }
    if (type === OpCode.closeSession) {
      const handle = conn.enqueuePending(xid, type);
      state.sessions.setClosing(sessionId);
      proposer.closeSession(sessionId, nowMs, { kind: "request", conn, handle, xid, type, closeAfter: true });
      return;
    }
    if (REJECTED_OPCODES.has(type) || !(type in OpCode)) {
      log.info({ conn: conn.connectionId, type }, "unimplemented or forbidden opcode");
      const handle = conn.enqueuePending(xid, type);
      conn.complete(handle, conn.buildReply(xid, -1, ErrorCode.Unimplemented), true);
      return;
    }

    let req: Request;
    try {
      req = readRequest(type, body);
    } catch (err) {
      if (!(err instanceof JuteDecodeError)) throw err;
      // The frame boundary is intact, so the stream is still in sync: answer MarshallingError
      // and keep the connection, as ZooKeeper does.
      const suppressed = conn.warnings.take();
      if (suppressed !== undefined) {
        log.warn(
          { conn: conn.connectionId, type, reason: err.message, ...(suppressed > 0 ? { suppressed } : {}) },
          "undecodable request body",
        );
      }
      if (isWriteRequest(type)) {
        // A write is a txn even when its body is unreadable: it consumes a zxid, as in ZooKeeper.
        const handle = conn.enqueuePending(xid, type);
        proposer.error(sessionId, ErrorCode.MarshallingError, xid, nowMs, {
          kind: "request",
          conn,
          handle,
          xid,
          type,
          closeAfter: false,
        });
        return;
      }
      conn.enqueueRead(xid, type, () => conn.buildReply(xid, state.lastZxid, ErrorCode.MarshallingError));
      return;
    }

    if (req.type === OpCode.auth) {
      this.deps.auth.authenticate(conn, xid, req.scheme, req.auth);
      return;
    }
    // The connection replaces its identity list on an auth, never changes it: no copy needed.
    const ctx: RequestContext =
      local && !upgrading
        ? { sessionId, identities: conn.identities, localSession: "here" }
        : { sessionId, identities: conn.identities };
    if (req.type === OpCode.sync && this.deps.syncs !== undefined) {
      this.deps.syncs.start(conn, xid, type, req.path);
      return;
    }
    if (isWriteRequest(type)) {
      if (role.readOnly) throw new Error(`read-only mode let a write through (opcode ${type})`);
      const handle = conn.enqueuePending(xid, type);
      const audited = this.deps.auditRequests ? this.audited(conn, req) : undefined;
      proposer.request(req, ctx, xid, nowMs, {
        kind: "request",
        conn,
        handle,
        xid,
        type,
        closeAfter: false,
        audited,
      });
      return;
    }
    this.deps.readPath.enqueue(conn, xid, req, ctx);
  }

  /**
   * Read-only mode: what ZooKeeper's read-only server answers before decoding. True when the
   * request is answered (or dropped) here; false lets a read through to the shared path.
   */
  private routeReadOnly(conn: ClientConnection, xid: number, type: number): boolean {
    const { state } = this.deps;
    const localSessions = state.localSessions;
    const sessionId = conn.sessionId;
    // A session forgotten here (expired) is dropped, as a closing session is in normal mode.
    if (!localSessions.touch(sessionId, conn.sessionTimeoutMs, Date.now())) return true;
    if (type === OpCode.closeSession) {
      this.closeLocal(conn, xid, type);
      return true;
    }
    if (NOT_READ_ONLY_OPCODES.has(type)) {
      const handle = conn.enqueuePending(xid, type);
      conn.complete(handle, conn.buildReply(xid, state.lastZxid, ErrorCode.NotReadOnly));
      return true;
    }
    return false;
  }

  /** A local session closes without a txn. */
  private closeLocal(conn: ClientConnection, xid: number, type: number): void {
    this.deps.state.localSessions.remove(conn.sessionId);
    const handle = conn.enqueuePending(xid, type);
    conn.complete(handle, conn.buildReply(xid, this.deps.state.lastZxid, ErrorCode.OK), true);
  }

  /** The body decoded with a reader of its own, leaving it to be read again (or forwarded) as it is. */
  private decodeAgain(type: number, body: JuteReader): Request | undefined {
    try {
      return readRequest(
        type,
        new JuteReader(body.buf, body.offset, body.offset + body.remaining, this.deps.maxBufferBytes),
      );
    } catch (err) {
      if (err instanceof JuteDecodeError) return undefined;
      throw err;
    }
  }

  /** What the audit log needs of an audited write; an undecodable one is not logged, as in ZooKeeper. */
  private audited(conn: ClientConnection, req: Request | undefined): AuditedRequest | undefined {
    if (req === undefined || !isAuditedOpcode(req.type)) return undefined;
    // One AuditedClient per connection until an auth replaces its identity list.
    let cached = this.auditedClients.get(conn);
    if (cached === undefined || cached.identities !== conn.identities) {
      const client = auditedClient(conn.sessionId, conn.identities, conn.remoteAddress);
      cached = { identities: conn.identities, client };
      this.auditedClients.set(conn, cached);
    }
    return { request: req, client: cached.client };
  }

  /** Whether a create or multi asks for an ephemeral node: what a local session may not own. */
  private createsEphemeral(type: number, body: JuteReader): boolean {
    if (type !== OpCode.create && type !== OpCode.create2 && type !== OpCode.multi) return false;
    const req = this.decodeAgain(type, body);
    if (req === undefined) return false;
    const ephemeral = (r: Request) =>
      (r.type === OpCode.create || r.type === OpCode.create2) &&
      (r.flags === CreateMode.Ephemeral || r.flags === CreateMode.EphemeralSequential);
    return req.type === OpCode.multi ? req.ops.some(ephemeral) : ephemeral(req);
  }

  /**
   * localSessionsUpgradingEnabled: the session becomes global, a createSession txn with its id
   * and password, prepared (or forwarded) before the request that needs it, so it is in place
   * when that request is prepared. It stays local here until the txn is applied.
   */
  private upgrade(conn: ClientConnection, sessionId: bigint): void {
    const { passwd, timeoutMs } = this.deps.state.localSessions.upgrade(sessionId);
    this.deps.log.info({ session: sessionIdHex(sessionId) }, "upgrading local session to global");
    const nowMs = Date.now();
    if (this.deps.role.isLearner) {
      const forwarder = this.deps.forwarder;
      if (forwarder === undefined) throw new Error("a learner without a forwarder");
      forwarder.forward(
        sessionId,
        { kind: "sessionUpgrade", conn },
        { kind: "createSession", sessionId, timeoutMs, passwd },
      );
      return;
    }
    this.deps.proposer.createSession(sessionId, timeoutMs, passwd, nowMs);
  }

  /** Learner: the leader decodes and prepares it; an undecodable body becomes an error txn there. */
  private forward(
    conn: ClientConnection,
    sessionId: bigint,
    xid: number,
    type: number,
    body: JuteReader,
  ): void {
    const forwarder = this.deps.forwarder;
    if (forwarder === undefined) throw new Error("a learner without a forwarder");
    const handle = conn.enqueuePending(xid, type);
    const closeAfter = type === OpCode.closeSession;
    if (closeAfter) this.deps.state.sessions.setClosing(sessionId);
    // The leader decodes the body; the audit log needs it here, where the reply is sent.
    const audited =
      this.deps.auditRequests && isAuditedOpcode(type)
        ? this.audited(conn, this.decodeAgain(type, body))
        : undefined;
    forwarder.forward(
      sessionId,
      { kind: "request", conn, handle, xid, type, closeAfter, audited },
      {
        kind: "request",
        sessionId,
        xid,
        opcode: type,
        identities: conn.identities,
        // A view, not a copy: encodeForwarded copies it into the REQUEST before this returns.
        body: body.buf.subarray(body.offset, body.offset + body.remaining),
      },
    );
  }
}
