// Sessions that live on this server only and are never a txn: the sessions of read-only
// clients while the server is cut off from its quorum (ZooKeeper's read-only server makes its
// sessions local too). The ensemble never hears of them, so they own no ephemerals, and a
// client that moves to another server finds its session unknown there (expired).

import { SessionTracker } from "./session-tracker.js";

interface LocalSession {
  passwd: Buffer;
  timeoutMs: number;
}

export class LocalSessions {
  private readonly sessions = new Map<bigint, LocalSession>();
  private readonly expiry: SessionTracker;

  constructor(tickTimeMs: number) {
    this.expiry = new SessionTracker(tickTimeMs);
  }

  add(id: bigint, passwd: Buffer, timeoutMs: number, nowMs: number): void {
    if (this.sessions.has(id)) throw new Error(`local session 0x${id.toString(16)} created twice`);
    this.sessions.set(id, { passwd, timeoutMs });
    this.expiry.add(id, timeoutMs, nowMs);
  }

  has(id: bigint): boolean {
    return this.sessions.has(id);
  }

  /** Whether `passwd` is the session's: a reconnect must present it. */
  matches(id: bigint, passwd: Buffer): boolean {
    const s = this.sessions.get(id);
    return s?.passwd.equals(passwd) === true;
  }

  /** Activity (a request, a ping, a reconnect): the session's timeout starts again. */
  touch(id: bigint, timeoutMs: number, nowMs: number): boolean {
    const s = this.sessions.get(id);
    if (s === undefined) return false;
    s.timeoutMs = timeoutMs;
    return this.expiry.touch(id, timeoutMs, nowMs);
  }

  remove(id: bigint): boolean {
    this.expiry.remove(id);
    return this.sessions.delete(id);
  }

  /** Sessions silent past their timeout, forgotten here; the caller closes their connections. */
  expire(nowMs: number): bigint[] {
    const expired = this.expiry.expire(nowMs);
    for (const id of expired) this.remove(id);
    return expired;
  }

  nextExpiryMs(): number | undefined {
    return this.expiry.nextExpiryMs();
  }

  clear(): void {
    for (const id of [...this.sessions.keys()]) this.remove(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  ids(): bigint[] {
    return [...this.sessions.keys()];
  }
}
