// The leader's side of forwarding: a learner's REQUEST is decoded and prepared exactly as a
// local client's write would be, so its txn carries the same checks, the same zxid order and the
// same error txns; the learner learns the outcome from the commit like every other server.

import { ErrorCode, JuteDecodeError, JuteReader, OpCode, type Request, readRequest } from "@paddock/jute";
import type { Logger } from "../logger.js";
import { decodeForwarded, splitForwarded } from "../quorum/forward.js";
import type { ReplicaState } from "../replica/replica-state.js";
import type { ServingRole } from "../replica/serving-role.js";
import type { RequestContext } from "../request/contract.js";
import type { Proposer } from "./proposer.js";

export class ForwardedIntake {
  constructor(
    private readonly state: ReplicaState,
    private readonly role: ServingRole,
    private readonly proposer: Proposer,
    private readonly maxBufferBytes: number,
    private readonly log: Logger,
    /** localSessionsEnabled: a session unknown here may be a learner's local one. */
    private readonly localSessionsEnabled: boolean,
  ) {}

  /** One REQUEST from a learner: one forwarded write, or a turn's worth of them in order. */
  onForwarded(from: number, payload: Uint8Array): void {
    if (!this.role.replicated || !this.role.prepares) return;
    let parts: Uint8Array[];
    try {
      parts = splitForwarded(payload);
    } catch (err) {
      this.log.warn({ from, err: (err as Error).message }, "undecodable forwarded batch dropped");
      return;
    }
    for (const part of parts) this.onOne(from, part);
  }

  private onOne(from: number, payload: Uint8Array): void {
    let f: ReturnType<typeof decodeForwarded>;
    try {
      f = decodeForwarded(payload);
    } catch (err) {
      this.log.warn({ from, err: (err as Error).message }, "undecodable forwarded request dropped");
      return;
    }
    const nowMs = Date.now();
    if (f.kind === "createSession") {
      this.proposer.createSession(f.sessionId, f.timeoutMs, f.passwd, nowMs);
      return;
    }
    const { sessionId, xid, opcode } = f;
    const live = this.state.isLive(sessionId);
    const learnersLocal = !live && this.isLearnersLocalSession(sessionId);
    if (!live && !learnersLocal) {
      // The learner waits for an answer in order; an error txn gives it one.
      this.proposer.error(sessionId, ErrorCode.SessionExpired, xid, nowMs);
      return;
    }
    const sessions = this.state.sessions;
    const timeoutMs = sessions.timeoutMs(sessionId);
    if (timeoutMs !== undefined) sessions.touch(sessionId, timeoutMs, nowMs);
    if (opcode === OpCode.closeSession) {
      sessions.setClosing(sessionId);
      this.proposer.closeSession(sessionId, nowMs, undefined, xid);
      return;
    }
    let req: Request;
    try {
      req = readRequest(opcode, new JuteReader(f.body, 0, f.body.length, this.maxBufferBytes));
    } catch (err) {
      if (!(err instanceof JuteDecodeError)) throw err;
      this.proposer.error(sessionId, ErrorCode.MarshallingError, xid, nowMs);
      return;
    }
    const ctx: RequestContext = {
      sessionId,
      identities: f.identities,
      ...(learnersLocal ? { localSession: "elsewhere" as const } : {}),
    };
    this.proposer.request(req, ctx, xid, nowMs);
  }

  /**
   * As ZooKeeper's leader decides: with local sessions on, a session it does not know that a
   * learner made (its server id is in the id's top byte) is taken to be that learner's local
   * session; one that names this server is expired.
   */
  private isLearnersLocalSession(sessionId: bigint): boolean {
    if (!this.localSessionsEnabled) return false;
    return Number(BigInt.asUintN(64, sessionId) >> 56n) !== this.state.sessionIds.serverId;
  }
}
