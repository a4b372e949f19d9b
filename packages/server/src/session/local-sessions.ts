// Sessions that live on this server only and are never a txn: every new session with
// localSessionsEnabled, and the sessions of read-only clients while the server is cut off from
// its quorum (ZooKeeper's read-only server makes its sessions local too). The ensemble never
// hears of them, so they own no ephemerals, and a client that moves to another server finds its
// session unknown there (expired). With localSessionsUpgradingEnabled, a local session's first
// ephemeral makes it global: a createSession txn with the same id and password; it stays here,
// marked upgrading, until that txn is applied.

import { SessionTracker } from "./session-tracker.js";

interface LocalSession {
  passwd: Buffer;
  timeoutMs: number;
  /** Its createSession txn is on its way: the ensemble will know it as a global session. */
  upgrading: boolean;
}

export class LocalSessions {
  private readonly sessions = new Map<bigint, LocalSession>();
  private readonly expiry: SessionTracker;

  constructor(tickTimeMs: number) {
    this.expiry = new SessionTracker(tickTimeMs);
  }

  add(id: bigint, passwd: Buffer, timeoutMs: number, nowMs: number): void {
    if (this.sessions.has(id)) throw new Error(`local session 0x${id.toString(16)} created twice`);
    this.sessions.set(id, { passwd, timeoutMs, upgrading: false });
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

  /** Starts the upgrade to a global session: the password and timeout its createSession carries. */
  upgrade(id: bigint): { passwd: Buffer; timeoutMs: number } {
    const s = this.sessions.get(id);
    if (s === undefined || s.upgrading) throw new Error(`local session 0x${id.toString(16)} cannot upgrade`);
    s.upgrading = true;
    return { passwd: s.passwd, timeoutMs: s.timeoutMs };
  }

  isUpgrading(id: bigint): boolean {
    return this.sessions.get(id)?.upgrading === true;
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
