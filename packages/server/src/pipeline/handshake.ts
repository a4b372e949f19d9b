// The session stage: a ConnectRequest either creates a session (a txn like any write: prepared
// on the leader or forwarded to it; the handshake completes when it is applied) or resumes one.
// A resumed session moves to the new connection; on a learner, whose copy of the session table
// may lag the leader's (a close in flight), the leader confirms the session first.

import { randomBytes } from "node:crypto";
import type { ConnectRequest } from "@paddock/jute";
import type { Logger } from "../logger.js";
import type { LearnerTouches } from "../maintenance/learner-touches.js";
import type { SessionExpiry } from "../maintenance/session-expiry.js";
import type { ClientConnection } from "../net/client-connection.js";
import type { ConnectionRegistry } from "../net/connection-registry.js";
import { closeIfRefused } from "../quorum/refusal.js";
import type { QuorumRuntime } from "../quorum/runtime.js";
import type { ReplicaState } from "../replica/replica-state.js";
import type { ServingRole } from "../replica/serving-role.js";
import { negotiateTimeoutMs, sessionIdHex } from "../session/session-id.js";
import type { Forwarder } from "./forwarder.js";
import type { Proposer } from "./proposer.js";

export interface HandshakeDeps {
  state: ReplicaState;
  role: ServingRole;
  registry: ConnectionRegistry;
  /** localSessionsEnabled, in an ensemble (ZooKeeper ignores it standalone). */
  localSessionsEnabled: boolean;
  proposer: Proposer;
  expiry: SessionExpiry;
  /** Ensemble only. */
  quorum: QuorumRuntime | undefined;
  forwarder: Forwarder | undefined;
  touches: LearnerTouches | undefined;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  log: Logger;
}

interface Revalidating {
  conn: ClientConnection;
  timeoutMs: number;
}

export class Handshake {
  /** Learner: reconnects of existing sessions waiting for the leader's word. */
  private readonly revalidating = new Map<bigint, Revalidating[]>();

  constructor(private readonly deps: HandshakeDeps) {}

  connect(conn: ClientConnection, req: ConnectRequest): void {
    const { state, role, log } = this.deps;
    if (role.readOnly) {
      this.connectReadOnly(conn, req);
      return;
    }
    if (!role.isServing) {
      conn.close("not serving: this server is not in a quorum");
      return;
    }
    const timeoutMs = this.admit(conn, req);
    if (timeoutMs === undefined) return;
    if (req.sessionId === 0n) {
      if (this.deps.localSessionsEnabled) this.createLocalSession(conn, timeoutMs, false);
      else this.createSession(conn, timeoutMs);
      return;
    }
    // ZooKeeper drops any other connection of the session first, even before the password check.
    const previous = this.deps.registry.connectionOf(req.sessionId);
    if (previous !== undefined && previous !== conn) previous.close("session moved to another connection");
    if (
      this.deps.state.localSessions.has(req.sessionId) &&
      !this.deps.state.localSessions.isUpgrading(req.sessionId)
    ) {
      this.resumeLocalSession(conn, req, timeoutMs, false);
      return;
    }
    const session = state.sm.session(req.sessionId);
    if (
      session === undefined ||
      state.sessions.isClosing(req.sessionId) ||
      !session.passwd.equals(req.passwd)
    ) {
      log.info(
        { session: sessionIdHex(req.sessionId) },
        "refusing reconnect: session expired or wrong password",
      );
      conn.rejectHandshake("invalid session");
      return;
    }
    if (role.isLearner) {
      this.askLeader(conn, req.sessionId, timeoutMs);
      return;
    }
    state.sessions.touch(req.sessionId, timeoutMs, Date.now());
    this.deps.expiry.schedule();
    this.deps.registry.bind(req.sessionId, conn);
    conn.completeHandshake(req.sessionId, timeoutMs, session.passwd, false);
    log.info({ session: sessionIdHex(req.sessionId), timeoutMs }, "session reconnected");
  }

  /** Learner: the leader's answer to a revalidation. */
  revalidated(sessionId: bigint, valid: boolean): void {
    const waiting = this.revalidating.get(sessionId);
    if (waiting === undefined) return;
    this.revalidating.delete(sessionId);
    const { state, registry, log } = this.deps;
    for (const { conn, timeoutMs } of waiting) {
      if (conn.isClosed) continue;
      const session = state.sm.session(sessionId);
      if (!valid || session === undefined) {
        conn.rejectHandshake("invalid session");
        continue;
      }
      registry.connectionOf(sessionId)?.close("session moved to another connection");
      registry.bind(sessionId, conn);
      this.deps.touches?.record(sessionId, timeoutMs);
      conn.completeHandshake(sessionId, timeoutMs, session.passwd, false);
      log.info({ session: sessionIdHex(sessionId), timeoutMs }, "session reconnected");
    }
  }

  /** Leader: a learner asks whether a reconnecting session is still valid. */
  revalidateFor(from: number, sessionId: bigint, timeoutMs: number): void {
    const { state, expiry } = this.deps;
    const valid = state.isLive(sessionId);
    if (valid) {
      state.sessions.touch(sessionId, timeoutMs, Date.now());
      expiry.schedule();
    }
    this.deps.quorum?.step({ type: "revalidateReply", to: from, sessionId, valid });
  }

  /** Connections waiting for the leader's word on their session. */
  waitingConnections(): ClientConnection[] {
    return [...this.revalidating.values()].flatMap((q) => q.map((r) => r.conn));
  }

  clear(): void {
    this.revalidating.clear();
  }

  /**
   * What every handshake checks first: a client that saw a newer state than ours must try another
   * server (closed, undefined); otherwise the session timeout this server grants.
   */
  private admit(conn: ClientConnection, req: ConnectRequest): number | undefined {
    const lastZxid = this.deps.state.lastZxid;
    if (req.lastZxidSeen > lastZxid) {
      conn.close(
        `client has seen zxid 0x${req.lastZxidSeen.toString(16)}, ours is 0x${lastZxid.toString(16)}`,
      );
      return undefined;
    }
    return negotiateTimeoutMs(req.timeOutMs, this.deps.minSessionTimeoutMs, this.deps.maxSessionTimeoutMs);
  }

  /**
   * Read-only mode, as ZooKeeper's read-only server answers: only clients that asked for
   * read-only service, never a client that saw a newer state, a new session local to this
   * server (ZooKeeper 3.8 makes it local only with localSessionsEnabled; without it, it answers
   * with a reply header no client can read), and no global session: it belongs to the quorum.
   */
  private connectReadOnly(conn: ClientConnection, req: ConnectRequest): void {
    const { state, registry } = this.deps;
    const localSessions = state.localSessions;
    if (req.readOnly !== true) {
      conn.close("refusing session request for not-read-only client: this server is read-only");
      return;
    }
    const timeoutMs = this.admit(conn, req);
    if (timeoutMs === undefined) return;
    if (req.sessionId === 0n) {
      this.createLocalSession(conn, timeoutMs, true);
      return;
    }
    if (!localSessions.has(req.sessionId) && state.sm.session(req.sessionId) !== undefined) {
      conn.close("refusing global session reconnection in read-only mode");
      return;
    }
    const previous = registry.connectionOf(req.sessionId);
    if (previous !== undefined && previous !== conn) previous.close("session moved to another connection");
    this.resumeLocalSession(conn, req, timeoutMs, true);
  }

  /** A session on this server only: no txn, so the handshake completes now. */
  private createLocalSession(conn: ClientConnection, timeoutMs: number, readOnly: boolean): void {
    const sessionId = this.deps.state.sessionIds.next();
    const passwd = randomBytes(16);
    this.deps.state.localSessions.add(sessionId, passwd, timeoutMs, Date.now());
    this.deps.registry.bind(sessionId, conn);
    conn.completeHandshake(sessionId, timeoutMs, passwd, readOnly);
    this.deps.log.info(
      { session: sessionIdHex(sessionId), timeoutMs },
      readOnly ? "read-only session created" : "local session created",
    );
  }

  private resumeLocalSession(
    conn: ClientConnection,
    req: ConnectRequest,
    timeoutMs: number,
    readOnly: boolean,
  ): void {
    const { state, registry, log } = this.deps;
    const localSessions = state.localSessions;
    if (!localSessions.matches(req.sessionId, req.passwd)) {
      conn.rejectHandshake("invalid session");
      return;
    }
    localSessions.touch(req.sessionId, timeoutMs, Date.now());
    registry.bind(req.sessionId, conn);
    conn.completeHandshake(req.sessionId, timeoutMs, req.passwd, readOnly);
    log.info({ session: sessionIdHex(req.sessionId), timeoutMs }, "local session reconnected");
  }

  private createSession(conn: ClientConnection, timeoutMs: number): void {
    const sessionId = this.deps.state.sessionIds.next();
    const passwd = randomBytes(16);
    const origin = { kind: "createSession" as const, conn, timeoutMs, passwd };
    if (this.deps.role.isLearner) {
      const forwarder = this.deps.forwarder;
      if (forwarder === undefined) throw new Error("a learner without a forwarder");
      forwarder.forward(sessionId, origin, { kind: "createSession", sessionId, timeoutMs, passwd });
      return;
    }
    this.deps.proposer.createSession(sessionId, timeoutMs, passwd, Date.now(), origin);
  }

  private askLeader(conn: ClientConnection, sessionId: bigint, timeoutMs: number): void {
    const waiting = this.revalidating.get(sessionId);
    if (waiting === undefined) this.revalidating.set(sessionId, [{ conn, timeoutMs }]);
    else waiting.push({ conn, timeoutMs });
    try {
      this.deps.quorum?.step({ type: "revalidate", sessionId, timeoutMs });
    } catch (err) {
      closeIfRefused(err, conn);
    }
  }
}
