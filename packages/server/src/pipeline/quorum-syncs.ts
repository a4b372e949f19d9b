// `sync` in an ensemble: the reply waits until every txn the leader proposed before the sync is
// applied here, so a read after it sees at least what any server had committed when it was
// sent. ZAB tracks the ordering (SYNC to the leader and back); this keeps the waiting replies.

import { ErrorCode } from "@paddock/jute";
import type { ClientConnection } from "../net/client-connection.js";
import { closeIfRefused } from "../quorum/refusal.js";
import type { QuorumRuntime } from "../quorum/runtime.js";
import type { ReplicaState } from "../replica/replica-state.js";

interface WaitingSync {
  conn: ClientConnection;
  handle: object;
  xid: number;
  path: string;
}

export class QuorumSyncs {
  private readonly waiting = new Map<number, WaitingSync>();
  private nextRequestId = 1;

  constructor(
    private readonly quorum: QuorumRuntime,
    private readonly state: ReplicaState,
  ) {}

  start(conn: ClientConnection, xid: number, type: number, path: string): void {
    const handle = conn.enqueuePending(xid, type);
    const requestId = this.nextRequestId++;
    this.waiting.set(requestId, { conn, handle, xid, path });
    try {
      this.quorum.step({ type: "sync", requestId });
    } catch (err) {
      this.waiting.delete(requestId);
      closeIfRefused(err, conn);
    }
  }

  /** ZAB's syncDone: everything proposed before the sync is applied here. */
  done(requestId: number): void {
    const s = this.waiting.get(requestId);
    if (s === undefined) return;
    this.waiting.delete(requestId);
    if (s.conn.isClosed) return;
    s.conn.complete(
      s.handle,
      s.conn.buildReply(s.xid, this.state.lastZxid, ErrorCode.OK, (w) => w.writeString(s.path)),
    );
  }

  clear(): void {
    this.waiting.clear();
  }
}
