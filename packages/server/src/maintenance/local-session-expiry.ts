// Expiry of local sessions (localSessionsEnabled, read-only clients): they are never a txn, so
// one silent past its timeout is forgotten on this server and its connection closed; the client
// finds it expired when it comes back. Swept once a tick, since expiry rounds to ticks anyway.

import type { Logger } from "../logger.js";
import type { ConnectionRegistry } from "../net/connection-registry.js";
import type { LocalSessions } from "../session/local-sessions.js";
import { sessionIdHex } from "../session/session-id.js";

export class LocalSessionExpiry {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sessions: LocalSessions,
    private readonly registry: ConnectionRegistry,
    private readonly tickTimeMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.expire(), this.tickTimeMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private expire(): void {
    if (this.sessions.size === 0) return;
    for (const id of this.sessions.expire(Date.now())) {
      this.log.info({ session: sessionIdHex(id) }, "local session expired");
      this.registry.connectionOf(id)?.close("session expired");
    }
  }
}
