// The prepare stage (ZooKeeper's PrepRequestProcessor), on the standalone server or the leader:
// turns a write, a session change or a maintenance action into a txn with the next zxid,
// validated against the applied tree plus every txn prepared before it, notes who waits for its
// outcome, and hands it to the committer.

import { OpCode, type Request } from "@paddock/jute";
import type { Logger } from "../logger.js";
import type { ReplicaState } from "../replica/replica-state.js";
import type { RequestContext } from "../request/contract.js";
import type { Txn } from "../request/index.js";
import type { ReconfigContext } from "../request/reconfig-plan.js";
import type { Committer } from "./committer.js";
import type { Origin, ReplyRouting } from "./reply-routing.js";

export class Proposer {
  constructor(
    private readonly state: ReplicaState,
    private readonly routing: ReplyRouting,
    private readonly committer: Committer,
    private readonly reconfig: ReconfigContext,
    private readonly log: Logger,
  ) {}

  /** A client write, from a local connection or forwarded by a learner. */
  request(req: Request, ctx: RequestContext, xid: number, nowMs: number, origin?: Origin): void {
    if (req.type === OpCode.reconfig) {
      const zxid = this.committer.nextZxid();
      const { txn, refusal } = this.state.sm.prepareReconfig(req, ctx, zxid, nowMs, xid, this.reconfig);
      if (refusal !== undefined) {
        const err = txn.body.type === "error" ? txn.body.err : 0;
        this.log.warn(
          { sessionId: `0x${ctx.sessionId.toString(16)}`, err, reason: refusal },
          "reconfig refused",
        );
      }
      this.submit(txn, origin);
      return;
    }
    this.submit(this.state.sm.prepare(req, ctx, this.committer.nextZxid(), nowMs, xid), origin);
  }

  createSession(sessionId: bigint, timeoutMs: number, passwd: Buffer, nowMs: number, origin?: Origin): void {
    const zxid = this.committer.nextZxid();
    this.submit(this.state.sm.prepareCreateSession(sessionId, timeoutMs, passwd, zxid, nowMs), origin);
  }

  /**
   * A client's closeSession, or an expiry (answering nobody). A forwarded close carries its
   * xid in the txn's cxid, as ZooKeeper's learners send it; a local one keeps cxid 0.
   */
  closeSession(sessionId: bigint, nowMs: number, origin?: Origin, forwardedXid?: number): void {
    const txn = this.state.sm.prepareCloseSession(sessionId, this.committer.nextZxid(), nowMs);
    this.submit(forwardedXid === undefined ? txn : { ...txn, cxid: forwardedXid }, origin);
  }

  /** A write that fails before it can be prepared: still a txn with a zxid of its own. */
  error(sessionId: bigint, err: number, xid: number, nowMs: number, origin?: Origin): void {
    this.submit(this.state.sm.prepareError(sessionId, err, this.committer.nextZxid(), nowMs, xid), origin);
  }

  deleteContainer(path: string, nowMs: number): void {
    this.submit(this.state.sm.prepareDeleteContainer(path, this.committer.nextZxid(), nowMs), undefined);
  }

  private submit(txn: Txn, origin: Origin | undefined): void {
    if (origin !== undefined) this.routing.expect(txn.zxid, origin);
    this.committer.submit(txn);
  }
}
