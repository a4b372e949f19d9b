// Who waits for the outcome of each txn. A txn prepared here is matched by its zxid. A learner
// cannot know the zxid of a write it forwarded, but the leader prepares one session's requests
// in the order they were sent and commits reach every server in zxid order, so a committed txn
// of a session with forwarded writes answers the oldest of them.

import { OpCode } from "@paddock/jute";
import type { AuditedRequest } from "../audit/request-audit.js";
import type { ClientConnection } from "../net/client-connection.js";
import type { Txn } from "../request/index.js";

/** The party a committed txn answers. */
export type Origin =
  | {
      kind: "request";
      conn: ClientConnection;
      /** The connection's reply slot for this request (from enqueuePending). */
      handle: object;
      xid: number;
      type: number;
      closeAfter: boolean;
      /** With audit.enable, an audited write as the client sent it (audit/request-audit.ts). */
      audited?: AuditedRequest;
    }
  | { kind: "createSession"; conn: ClientConnection; timeoutMs: number; passwd: Buffer }
  /** A local session's upgrade to a global one: its createSession answers nobody. */
  | { kind: "sessionUpgrade"; conn: ClientConnection };

export class ReplyRouting {
  private readonly byZxid = new Map<number, Origin>();
  /** Learner: writes handed to the leader, per session in request order, awaiting their commit. */
  private readonly forwarded = new Map<bigint, Origin[]>();

  /** A txn prepared on this server. */
  expect(zxid: number, origin: Origin): void {
    this.byZxid.set(zxid, origin);
  }

  /** A write (or session create) this learner handed to the leader. */
  expectForwarded(sessionId: bigint, origin: Origin): void {
    let queue = this.forwarded.get(sessionId);
    if (queue === undefined) {
      queue = [];
      this.forwarded.set(sessionId, queue);
    }
    queue.push(origin);
  }

  /** The party the committed `txn` answers, if any; it is forgotten here. */
  take(txn: Txn): Origin | undefined {
    const local = this.byZxid.get(txn.zxid);
    if (local !== undefined) {
      this.byZxid.delete(txn.zxid);
      return local;
    }
    return this.forwarded.size > 0 ? this.takeForwarded(txn) : undefined;
  }

  /** Connections waiting for the leader's answer to a forwarded write. */
  forwardedConnections(): Set<ClientConnection> {
    const out = new Set<ClientConnection>();
    for (const q of this.forwarded.values()) for (const o of q) out.add(o.conn);
    return out;
  }

  /** Leadership changed: nothing pending here will be answered. */
  clear(): void {
    this.byZxid.clear();
    this.forwarded.clear();
  }

  /**
   * The head of the session's forwarded queue, if `txn` is its answer; a close the leader made
   * on its own (expiry) answers nobody.
   */
  private takeForwarded(txn: Txn): Origin | undefined {
    const queue = this.forwarded.get(txn.sessionId);
    const head = queue?.[0];
    if (queue === undefined || head === undefined) return undefined;
    let matches: boolean;
    if (head.kind === "createSession" || head.kind === "sessionUpgrade") {
      matches = txn.body.type === "createSession";
    } else if (txn.body.type === "closeSession") matches = head.type === OpCode.closeSession;
    else matches = txn.body.type !== "createSession" && txn.cxid === head.xid;
    if (!matches) return undefined;
    queue.shift();
    if (queue.length === 0) this.forwarded.delete(txn.sessionId);
    return head;
  }
}
