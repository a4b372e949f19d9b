// Session expiry, off the request path: one timer set for the earliest expiry bucket. Only the
// server that prepares writes (standalone, or the leader) expires sessions, by proposing a
// closeSession for each; learners report their clients' activity to the leader instead.

import type { Logger } from "../logger.js";
import type { Proposer } from "../pipeline/proposer.js";
import type { ReplicaState } from "../replica/replica-state.js";
import type { ServingRole } from "../replica/serving-role.js";
import { sessionIdHex } from "../session/session-id.js";
import type { SessionTouch } from "../zab/messages.js";

export class SessionExpiry {
  /** Told of each session this server expires (the console's timeline). */
  onExpired: ((sessionId: bigint) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAtMs = Number.POSITIVE_INFINITY;
  private stopped = false;

  constructor(
    private readonly state: ReplicaState,
    private readonly role: ServingRole,
    private readonly proposer: Proposer,
    private readonly log: Logger,
  ) {}

  /** (Re)arms the timer if a session now expires earlier than it is set for. */
  schedule(): void {
    if (!this.role.prepares) return;
    const atMs = this.state.sessions.nextExpiryMs();
    if (atMs === undefined || atMs >= this.timerAtMs || this.stopped) return;
    clearTimeout(this.timer);
    this.timerAtMs = atMs;
    this.timer = setTimeout(() => this.expire(), Math.max(0, atMs - Date.now()));
  }

  /** Leader: learners' clients were active; their sessions get a full timeout from now. */
  touched(touches: readonly SessionTouch[]): void {
    const nowMs = Date.now();
    for (const t of touches) this.state.sessions.touch(t.sessionId, t.timeoutMs, nowMs);
    this.schedule();
  }

  /** Not expiring anything until scheduled again (this server stopped leading). */
  cancel(): void {
    clearTimeout(this.timer);
    this.timerAtMs = Number.POSITIVE_INFINITY;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private expire(): void {
    this.timerAtMs = Number.POSITIVE_INFINITY;
    if (!this.role.prepares) return;
    const nowMs = Date.now();
    for (const sessionId of this.state.sessions.expire(nowMs)) {
      this.log.info({ session: sessionIdHex(sessionId) }, "session expired");
      this.onExpired?.(sessionId);
      this.proposer.closeSession(sessionId, nowMs);
    }
    this.schedule();
  }
}
