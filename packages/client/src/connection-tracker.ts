// Connection states as Curator reports them, derived from what the session does:
//   CONNECTED    the first session is established (read-write)
//   READ_ONLY    connected to a server in read-only mode (canBeReadOnly): reads only
//   SUSPENDED    the connection dropped; the session may still be alive on the servers
//   RECONNECTED  connected again after SUSPENDED or LOST (newSession says whether it is a new one)
//   LOST         the session is gone: the servers said it expired, authentication failed, or
//                the client stayed disconnected for a whole session timeout (then it cannot
//                know and, like Curator, assumes the worst)
// A recipe holding something tied to the session (a lock, leadership, an ephemeral node) must
// treat SUSPENDED as "may have lost it" and LOST as "has lost it".

export type ConnectionState = "CONNECTED" | "SUSPENDED" | "RECONNECTED" | "LOST" | "READ_ONLY";

export interface ConnectionStateChange {
  state: ConnectionState;
  previous: ConnectionState | undefined;
  /** The session now in use (0n while none is). */
  sessionId: bigint;
  /** On CONNECTED/RECONNECTED/READ_ONLY: the session differs from the last one connected. */
  newSession: boolean;
}

export interface ConnectionTrackerHooks {
  emit(change: ConnectionStateChange): void;
  /** The session timeout agreed with the server (0 before the first handshake). */
  negotiatedTimeoutMs(): number;
  /** A whole session timeout passed while SUSPENDED: LOST was just reported. */
  lostWhileSuspended(): void;
}

export class ConnectionTracker {
  private current: ConnectionState | undefined;
  private lastSessionId: bigint | undefined;
  private lostTimer: NodeJS.Timeout | undefined;
  private everReadWrite = false;

  constructor(private readonly hooks: ConnectionTrackerHooks) {}

  get state(): ConnectionState | undefined {
    return this.current;
  }

  /** A handshake succeeded. */
  connected(sessionId: bigint, readOnly: boolean): void {
    this.stopLostTimer();
    const newSession = this.lastSessionId !== undefined && this.lastSessionId !== sessionId;
    this.lastSessionId = sessionId;
    // As Curator: READ_ONLY counts as a degraded state, and the first read-write connection is
    // CONNECTED even when read-only ones came before it.
    let state: ConnectionState = "READ_ONLY";
    if (!readOnly) {
      state = this.everReadWrite ? "RECONNECTED" : "CONNECTED";
      this.everReadWrite = true;
    }
    this.set(state, sessionId, newSession);
  }

  /** An established connection was lost; the client is reconnecting. */
  disconnected(sessionId: bigint): void {
    if (this.current === "SUSPENDED" || this.current === "LOST") return;
    this.set("SUSPENDED", sessionId, false);
    const timeoutMs = this.hooks.negotiatedTimeoutMs();
    if (timeoutMs > 0) {
      this.lostTimer = setTimeout(() => {
        this.lostTimer = undefined;
        if (this.current !== "SUSPENDED") return;
        this.set("LOST", sessionId, false);
        this.hooks.lostWhileSuspended();
      }, timeoutMs);
    }
  }

  /** The session ended for good (expired, or authentication failed). */
  lost(sessionId: bigint): void {
    this.stopLostTimer();
    if (this.current === "LOST") return;
    this.set("LOST", sessionId, false);
  }

  /** close(): no further states. */
  closed(): void {
    this.stopLostTimer();
  }

  private set(state: ConnectionState, sessionId: bigint, newSession: boolean): void {
    const previous = this.current;
    this.current = state;
    this.hooks.emit({ state, previous, sessionId, newSession });
  }

  private stopLostTimer(): void {
    if (this.lostTimer !== undefined) clearTimeout(this.lostTimer);
    this.lostTimer = undefined;
  }
}
