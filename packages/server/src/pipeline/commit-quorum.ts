// Leader commit: txns prepared in one turn of the event loop go to ZAB together, as one PROPOSAL
// batch; ZAB logs them (fsync before its ACK), commits them on a quorum of acks and hands them
// back through the runtime's `commit` effect to the apply stage, in zxid order.

import { ErrorCode } from "@paddock/jute";
import type { Logger } from "../logger.js";
import type { QuorumRuntime } from "../quorum/runtime.js";
import { encodeTxn, type Txn } from "../request/index.js";
import type { ReconfigTxn } from "../request/txn.js";
import { ZabError } from "../zab/types.js";
import type { Committer } from "./committer.js";

/** Sizes of the txns proposed in this leader's term, for srvr/mntr; -1 before the first. */
export interface ProposalStats {
  count: number;
  lastBytes: number;
  minBytes: number;
  maxBytes: number;
}

export class QuorumCommitter implements Committer {
  readonly proposals: ProposalStats = { count: 0, lastBytes: -1, minBytes: -1, maxBytes: -1 };
  /** Txns prepared this turn, proposed together at the end of it. */
  private batch: Txn[] = [];
  private flushScheduled = false;
  /**
   * Txns ZAB accepted as proposals, in zxid order, until their commit: the leader applies these
   * objects rather than decoding its own payloads again (a decode and a copy of the data per
   * write). A zxid names one proposal in all of ZAB's history, so the object is the payload.
   */
  private proposed: Txn[] = [];

  constructor(
    private readonly quorum: QuorumRuntime,
    private readonly log: Logger,
    /** ZAB refused the batch: we stopped leading meanwhile and our clients must go elsewhere. */
    private readonly leadershipLost: (reason: string) => void,
  ) {}

  nextZxid(): number {
    return this.quorum.nextZxid(this.batch.length);
  }

  submit(txn: Txn): void {
    this.batch.push(txn);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Prepared txns that will never be proposed (leadership changed). */
  discardBatch(): void {
    this.batch = [];
    this.proposed = [];
  }

  /** The txn proposed here as `zxid`, if it is the oldest one not yet committed; else undefined. */
  takeProposed(zxid: number): Txn | undefined {
    const proposed = this.proposed;
    let drop = 0;
    while (drop < proposed.length && proposed[drop]!.zxid < zxid) drop++;
    if (drop > 0) proposed.splice(0, drop);
    return proposed.length > 0 && proposed[0]!.zxid === zxid ? proposed.shift() : undefined;
  }

  /** A new term: srvr/mntr report the proposals of this leader's term only. */
  resetStats(): void {
    Object.assign(this.proposals, { count: 0, lastBytes: -1, minBytes: -1, maxBytes: -1 });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    try {
      // Plain txns go as one PROPOSAL batch; a reconfig goes alone, between the runs around it,
      // so the zxids ZAB assigns stay the ones prepare used.
      let run: Txn[] = [];
      for (const txn of batch) {
        if (txn.body.type !== "reconfig") {
          run.push(txn);
          continue;
        }
        this.propose(run);
        run = [];
        const refused = this.proposeReconfig(txn, txn.body);
        if (refused !== undefined) run.push(refused);
      }
      this.propose(run);
    } catch (err) {
      if (!(err instanceof ZabError) || err.code === "INVARIANT") throw err;
      this.log.warn({ err: err.message, txns: batch.length }, "proposals refused: no longer leading");
      this.leadershipLost("leadership lost");
      return;
    }
    const last = batch.at(-1)!.zxid;
    const logged = this.quorum.status().lastZxid;
    if (logged !== last) {
      throw new ZabError(
        "INVARIANT",
        `prepared up to ${last.toString(16)} but ZAB logged up to ${logged.toString(16)}`,
      );
    }
  }

  private encode(txn: Txn): Buffer {
    return encodeTxn(txn);
  }

  private counted(payload: Buffer): void {
    const p = this.proposals;
    p.count++;
    p.lastBytes = payload.length;
    p.minBytes = p.minBytes < 0 ? payload.length : Math.min(p.minBytes, payload.length);
    p.maxBytes = Math.max(p.maxBytes, payload.length);
  }

  /**
   * Proposes `txns` as one batch. They are listed (for the leader's own apply) before the step,
   * exactly as proposed: nothing in the step may commit them yet, but nothing should depend on
   * that; a refused step takes them off again.
   */
  private propose(txns: Txn[]): void {
    if (txns.length === 0) return;
    const payloads = txns.map((t) => this.encode(t));
    for (const txn of txns) this.proposed.push(txn);
    try {
      this.quorum.step({ type: "propose", payloads });
    } catch (err) {
      this.proposed.length -= txns.length;
      throw err;
    }
    for (const payload of payloads) this.counted(payload);
  }

  /**
   * Hands a reconfig to ZAB; when ZAB refuses it (another one uncommitted, or too few of the new
   * voters in sync), returns the error txn that takes its zxid instead, as ZooKeeper answers.
   */
  private proposeReconfig(txn: Txn, body: ReconfigTxn): Txn | undefined {
    if (body.aclDenied) {
      const refusal = this.quorum.reconfigRefusal(body.voters, body.observers);
      const code = refusal === null ? ErrorCode.NoAuth : RECONFIG_REFUSALS.get(refusal.code);
      if (code === undefined) throw refusal;
      const reason = refusal?.message ?? "only the super user may reconfigure (or set skipACL)";
      this.log.warn({ zxid: txn.zxid.toString(16), reason }, "reconfig refused");
      return { ...txn, body: { type: "error", err: code } };
    }
    const payload = this.encode(txn);
    // Listed like any proposal; when ZAB refuses it, the error txn that replaces it is listed
    // instead (the leader must apply what its followers apply).
    this.proposed.push(txn);
    try {
      this.quorum.step({
        type: "reconfig",
        payload,
        voters: body.voters,
        observers: body.observers,
        members: body.data,
      });
      this.counted(payload);
      this.log.info(
        { zxid: txn.zxid.toString(16), voters: body.voters, observers: body.observers },
        "reconfig proposed",
      );
      return undefined;
    } catch (err) {
      this.proposed.pop();
      const code = err instanceof ZabError ? RECONFIG_REFUSALS.get(err.code) : undefined;
      if (code === undefined) throw err;
      this.log.warn({ zxid: txn.zxid.toString(16), reason: (err as Error).message }, "reconfig refused");
      return { ...txn, body: { type: "error", err: code } };
    }
  }
}

/** ZAB's reasons to refuse a reconfig, as the error codes ZooKeeper answers them with. */
const RECONFIG_REFUSALS: ReadonlyMap<string, number> = new Map([
  ["RECONFIG_IN_PROGRESS", ErrorCode.ReconfigInProgress],
  ["NEW_CONFIG_NO_QUORUM", ErrorCode.NewConfigNoQuorum],
  ["BAD_CONFIG", ErrorCode.BadArguments],
]);
