// The read path: a read runs on this server's applied state when it reaches the head of its
// connection's reply queue, so it sees every earlier write of its session and nothing the
// session has not been told about. Watches a read asks for are registered as it runs, so an
// event for a later change cannot overtake the read's reply.

import { ErrorCode, type JuteWriter, OpCode, writeClientInfo } from "@paddock/jute";
import type { ClientConnection } from "../net/client-connection.js";
import type { ReplicaState } from "../replica/replica-state.js";
import type { ReadResult, Request, RequestContext } from "../request/contract.js";
import { providerUserName } from "../tree/acl.js";
import type { WatchManager } from "../watch/watch-manager.js";

export class ReadPath {
  constructor(
    private readonly state: ReplicaState,
    private readonly watches: WatchManager,
  ) {}

  /** Queues the read behind the connection's earlier requests. */
  enqueue(conn: ClientConnection, xid: number, req: Request, ctx: RequestContext): void {
    conn.enqueueRead(xid, req.type, () => this.execute(conn, xid, req, ctx));
  }

  private execute(conn: ClientConnection, xid: number, req: Request, ctx: RequestContext): Buffer {
    const sm = this.state.sm;
    const zxid = sm.lastZxid;
    switch (req.type) {
      case OpCode.sync:
        // Standalone: every applied write is already visible here.
        return conn.buildReply(xid, zxid, ErrorCode.OK, (w) => w.writeString(req.path));
      case OpCode.setWatches:
      case OpCode.setWatches2:
        this.watches.applySetWatches(req, conn, (path) => sm.nodeStat(path));
        return conn.buildReply(xid, zxid, ErrorCode.OK);
      case OpCode.addWatch:
        if (req.mode !== 0 && req.mode !== 1) return conn.buildReply(xid, zxid, ErrorCode.MarshallingError);
        this.watches.addPersistentWatch(req.path, conn, req.mode === 1);
        return conn.buildReply(xid, zxid, ErrorCode.OK, (w) => w.writeInt(0));
      case OpCode.checkWatches:
      case OpCode.removeWatches: {
        const result = this.watches.removeWatches(
          req.path,
          req.watcherType,
          conn,
          req.type === OpCode.checkWatches,
        );
        return conn.buildReply(xid, zxid, result);
      }
      case OpCode.whoAmI:
        return conn.buildReply(xid, zxid, ErrorCode.OK, (w) => writeWhoAmI(w, conn));
      default: {
        const result: ReadResult = sm.read(req, ctx);
        if (result.watch !== undefined) {
          if (result.watch.table === "data") this.watches.addDataWatch(result.watch.path, conn);
          else this.watches.addChildWatch(result.watch.path, conn);
        }
        return conn.buildReply(xid, zxid, result.err, result.writeBody);
      }
    }
  }
}

function writeWhoAmI(w: JuteWriter, conn: ClientConnection): void {
  w.writeVector(conn.identities, (ww, id) =>
    writeClientInfo(ww, {
      authScheme: id.scheme,
      user: providerUserName(id),
    }),
  );
}
