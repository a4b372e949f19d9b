// Every open client connection, and which one currently carries each session. A session lives
// on at most one connection: binding it to a new one is how a session moves between
// connections (the caller closes the old one first, as ZooKeeper does).

import type { ClientConnection } from "./client-connection.js";

export class ConnectionRegistry {
  private readonly open = new Set<ClientConnection>();
  private readonly bySession = new Map<bigint, ClientConnection>();

  add(conn: ClientConnection): void {
    this.open.add(conn);
  }

  /** The connection closed: it no longer counts, nor carries its session. */
  remove(conn: ClientConnection): void {
    this.open.delete(conn);
    if (this.bySession.get(conn.sessionId) === conn) this.bySession.delete(conn.sessionId);
  }

  bind(sessionId: bigint, conn: ClientConnection): void {
    this.bySession.set(sessionId, conn);
  }

  connectionOf(sessionId: bigint): ClientConnection | undefined {
    return this.bySession.get(sessionId);
  }

  get size(): number {
    return this.open.size;
  }

  all(): Iterable<ClientConnection> {
    return this.open;
  }

  /** Requests queued on every connection: srvr's "Outstanding". */
  outstandingRequests(): number {
    let n = 0;
    for (const c of this.open) n += c.outstanding;
    return n;
  }

  resetStats(): void {
    for (const conn of this.open) conn.resetStats();
  }
}
