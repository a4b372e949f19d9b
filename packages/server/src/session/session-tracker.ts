// Session expiry bookkeeping with ZooKeeper's bucket scheme: every touch moves a session into the
// bucket of roundUp(now + timeout) to the next multiple of tickTime, so expiry is checked once
// per tick for a whole bucket instead of once per session, and sessions expire up to one tick
// late (a 4000 ms session observed to expire after ~4.2 s). The class owns no timers: the runtime
// passes the clock in and schedules a single timer from nextExpiryMs().

export { negotiateTimeoutMs } from "./session-id.js";

interface SessionEntry {
  timeoutMs: number;
  /** The bucket holding the session; undefined once it has been handed out by expire(). */
  expiryMs: number | undefined;
  closing: boolean;
}

/** One expiry bucket, for the `dump` 4lw. */
export interface ExpiryBucket {
  expiryMs: number;
  sessionIds: bigint[];
}

export class SessionTracker {
  private readonly sessions = new Map<bigint, SessionEntry>();
  private readonly buckets = new Map<number, Set<bigint>>();

  constructor(readonly tickTimeMs: number) {
    if (!Number.isSafeInteger(tickTimeMs) || tickTimeMs <= 0) {
      throw new RangeError(`tickTimeMs must be a positive integer, got ${tickTimeMs}`);
    }
  }

  /**
   * ZooKeeper's rounding: the next multiple of tickTime strictly after `timeMs` (an exact
   * multiple still moves one tick further).
   */
  expiryFor(nowMs: number, timeoutMs: number): number {
    return (Math.floor((nowMs + timeoutMs) / this.tickTimeMs) + 1) * this.tickTimeMs;
  }

  /** Starts tracking a session (createSession applied, or a session learned from a peer). */
  add(id: bigint, timeoutMs: number, nowMs: number): void {
    const existing = this.sessions.get(id);
    if (existing !== undefined) {
      // Re-adding a known session only refreshes it, as ZooKeeper's trackSession does.
      existing.timeoutMs = timeoutMs;
      if (!existing.closing) this.moveTo(id, existing, this.expiryFor(nowMs, timeoutMs));
      return;
    }
    const entry: SessionEntry = { timeoutMs, expiryMs: undefined, closing: false };
    this.sessions.set(id, entry);
    this.moveTo(id, entry, this.expiryFor(nowMs, timeoutMs));
  }

  /**
   * Records activity (any request, including pings, or a reconnect with a newly negotiated
   * timeout). Returns false when the session is unknown or closing: the caller drops the request.
   */
  touch(id: bigint, timeoutMs: number, nowMs: number): boolean {
    const entry = this.sessions.get(id);
    if (entry === undefined || entry.closing) return false;
    entry.timeoutMs = timeoutMs;
    this.moveTo(id, entry, this.expiryFor(nowMs, timeoutMs));
    return true;
  }

  /** Forgets a session (its closeSession txn has been applied). */
  remove(id: bigint): boolean {
    const entry = this.sessions.get(id);
    if (entry === undefined) return false;
    this.leaveBucket(id, entry);
    this.sessions.delete(id);
    return true;
  }

  /**
   * Marks a session as closing (closeSession requested or expiry under way): it no longer
   * accepts touches and will not be returned by expire() again.
   */
  setClosing(id: bigint): void {
    const entry = this.sessions.get(id);
    if (entry === undefined) return;
    entry.closing = true;
    this.leaveBucket(id, entry);
  }

  isClosing(id: bigint): boolean {
    return this.sessions.get(id)?.closing ?? false;
  }

  has(id: bigint): boolean {
    return this.sessions.has(id);
  }

  /** The session's current timeout, or undefined when unknown. */
  timeoutMs(id: bigint): number | undefined {
    return this.sessions.get(id)?.timeoutMs;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Every known session id, closing ones included, in creation order. */
  ids(): bigint[] {
    return [...this.sessions.keys()];
  }

  /**
   * Sessions whose bucket time is ≤ nowMs, oldest bucket first; they are marked closing. The
   * caller turns each into a closeSession txn and calls remove() once it is applied.
   */
  expire(nowMs: number): bigint[] {
    const due = [...this.buckets.keys()].filter((t) => t <= nowMs).sort((a, b) => a - b);
    const expired: bigint[] = [];
    for (const t of due) {
      const ids = this.buckets.get(t)!;
      this.buckets.delete(t);
      for (const id of ids) {
        const entry = this.sessions.get(id);
        if (entry === undefined) throw new Error(`session 0x${id.toString(16)} in a bucket but not tracked`);
        entry.expiryMs = undefined;
        entry.closing = true;
        expired.push(id);
      }
    }
    return expired;
  }

  /** The earliest bucket time, i.e. when expire() should next be called; undefined if none. */
  nextExpiryMs(): number | undefined {
    let next: number | undefined;
    for (const t of this.buckets.keys()) if (next === undefined || t < next) next = t;
    return next;
  }

  /** Non-empty buckets in ascending time, for the `dump` 4lw. */
  expiryBuckets(): ExpiryBucket[] {
    return [...this.buckets]
      .sort(([a], [b]) => a - b)
      .map(([expiryMs, ids]) => ({ expiryMs, sessionIds: [...ids] }));
  }

  private moveTo(id: bigint, entry: SessionEntry, expiryMs: number): void {
    if (entry.expiryMs === expiryMs) return;
    this.leaveBucket(id, entry);
    let bucket = this.buckets.get(expiryMs);
    if (bucket === undefined) {
      bucket = new Set();
      this.buckets.set(expiryMs, bucket);
    }
    bucket.add(id);
    entry.expiryMs = expiryMs;
  }

  private leaveBucket(id: bigint, entry: SessionEntry): void {
    if (entry.expiryMs === undefined) return;
    const bucket = this.buckets.get(entry.expiryMs);
    bucket?.delete(id);
    if (bucket !== undefined && bucket.size === 0) this.buckets.delete(entry.expiryMs);
    entry.expiryMs = undefined;
  }
}
