// The replicated sessions table: the sessions applied txns created (with their part of the state
// digest), and the creates and closes prepared but not applied yet, which decide whether a
// session is live for the next prepare.

import { createHash } from "node:crypto";

export interface SessionInfo {
  timeoutMs: number;
  passwd: Buffer;
}

function sessionHash(id: bigint, info: SessionInfo): bigint {
  const head = Buffer.allocUnsafe(12);
  head.writeBigInt64BE(BigInt.asIntN(64, id), 0);
  head.writeInt32BE(info.timeoutMs | 0, 8);
  return createHash("sha1").update(head).update(info.passwd).digest().readBigUInt64BE(0);
}

export class SessionTable {
  private readonly applied = new Map<bigint, SessionInfo>();
  /** Sessions whose createSession was prepared but not applied, by zxid. */
  private readonly preparedCreates = new Map<bigint, number>();
  /** Sessions whose closeSession was prepared but not applied, by zxid. */
  private readonly preparedCloses = new Map<bigint, number>();
  private digestSum = 0n;

  // -------------------------------------------------------------------------------------------
  // applied

  has(id: bigint): boolean {
    return this.applied.has(id);
  }

  /** A copy of the session's settings. */
  get(id: bigint): SessionInfo | undefined {
    const s = this.applied.get(id);
    return s === undefined ? undefined : { timeoutMs: s.timeoutMs, passwd: Buffer.from(s.passwd) };
  }

  ids(): bigint[] {
    return [...this.applied.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Every session in id order, the stored settings themselves (not copies): for snapshots. */
  entries(): Array<{ id: bigint } & SessionInfo> {
    return this.ids().map((id) => ({ id, ...this.applied.get(id)! }));
  }

  /** Creates or re-registers the session (a repeated id replaces the earlier settings). */
  put(id: bigint, info: SessionInfo): void {
    this.drop(id);
    this.applied.set(id, info);
    this.digestSum = BigInt.asUintN(64, this.digestSum + sessionHash(id, info));
  }

  drop(id: bigint): void {
    const info = this.applied.get(id);
    if (info === undefined) return;
    this.applied.delete(id);
    this.digestSum = BigInt.asUintN(64, this.digestSum - sessionHash(id, info));
  }

  /** The sessions' part of the state digest: an order-independent sum, kept incrementally. */
  get digest(): bigint {
    return this.digestSum;
  }

  // -------------------------------------------------------------------------------------------
  // prepared but not applied

  /** Live for prepare: applied or being created, and no close prepared. */
  isLive(id: bigint): boolean {
    if (this.preparedCloses.has(id)) return false;
    return this.applied.has(id) || this.preparedCreates.has(id);
  }

  isClosing(id: bigint): boolean {
    return this.preparedCloses.has(id);
  }

  createPrepared(id: bigint, zxid: number): void {
    this.preparedCreates.set(id, zxid);
  }

  closePrepared(id: bigint, zxid: number): void {
    this.preparedCloses.set(id, zxid);
  }

  /** Forgets prepared creates and closes of txns up to and including `zxid` (applied now). */
  appliedUpTo(zxid: number): void {
    for (const [id, preparedZxid] of this.preparedCreates)
      if (preparedZxid <= zxid) this.preparedCreates.delete(id);
    for (const [id, preparedZxid] of this.preparedCloses)
      if (preparedZxid <= zxid) this.preparedCloses.delete(id);
  }

  discardPrepared(): void {
    this.preparedCreates.clear();
    this.preparedCloses.clear();
  }
}
