// Session ids and timeout negotiation. Ids follow ZooKeeper's layout so that they look familiar
// in logs and 4lw output: top byte = creating server, then the low 40 bits of a millisecond
// clock at start-up in bits 16..55, then +1 per session. Uniqueness across restarts relies on
// the clock having moved on; across servers on the distinct top byte.

/** ZooKeeper's standalone server allocates ids as server 1 (observed 0x1000009e2d70000). */
export const STANDALONE_SESSION_SERVER_ID = 1;

/** ephemeralOwner marking a container node (Long.MIN_VALUE); never a session id. */
export const CONTAINER_EPHEMERAL_OWNER = -(1n << 63n);

/** Top byte of ephemeralOwner marking a TTL node; never the top byte of a session id. */
export const TTL_OWNER_TOP_BYTE = 0xff;

const LOW_56_BITS = (1n << 56n) - 1n;
const LOW_40_BITS = (1n << 40n) - 1n;

/** True when `id` could be mistaken for a container or TTL ephemeralOwner, or is 0. */
export function isReservedSessionId(id: bigint): boolean {
  const signed = BigInt.asIntN(64, id);
  return signed === 0n || signed === CONTAINER_EPHEMERAL_OWNER || BigInt.asUintN(64, id) >> 56n === 0xffn;
}

/** The first id a server allocates: serverId in the top byte, clock bits below. */
export function initialSessionId(serverId: number, clockMs: number): bigint {
  checkServerId(serverId);
  if (!Number.isSafeInteger(clockMs) || clockMs < 0) {
    throw new RangeError(`clockMs must be a non-negative integer, got ${clockMs}`);
  }
  const raw = (BigInt(serverId) << 56n) | ((BigInt(clockMs) & LOW_40_BITS) << 16n);
  return BigInt.asIntN(64, raw);
}

/** Hands out consecutive session ids, skipping the reserved values. */
export class SessionIdGenerator {
  private upcoming: bigint;

  constructor(
    readonly serverId: number,
    clockMs: number,
  ) {
    this.upcoming = initialSessionId(serverId, clockMs);
  }

  next(): bigint {
    for (;;) {
      const id = this.upcoming;
      // The counter stays inside the server's 56 bits: wrapping there keeps the top byte, which
      // is what makes ids unique across servers.
      const top = BigInt.asUintN(64, id) >> 56n;
      this.upcoming = BigInt.asIntN(64, (top << 56n) | ((BigInt.asUintN(64, id) + 1n) & LOW_56_BITS));
      if (!isReservedSessionId(id)) return id;
    }
  }
}

/** How logs and 4lw output print a session id: unsigned hex, as ZooKeeper does. */
export function sessionIdHex(id: bigint): string {
  return `0x${BigInt.asUintN(64, id).toString(16)}`;
}

/**
 * The timeout granted to a client: the request clamped into [minMs, maxMs]
 * (ZooKeeper defaults: 2 × tickTime and 20 × tickTime).
 */
export function negotiateTimeoutMs(requestedMs: number, minMs: number, maxMs: number): number {
  return Math.max(minMs, Math.min(maxMs, requestedMs));
}

function checkServerId(serverId: number): void {
  // 255 would put every id under the TTL marker's top byte.
  if (!Number.isInteger(serverId) || serverId < 0 || serverId >= TTL_OWNER_TOP_BYTE) {
    throw new RangeError(`session server id must be an integer in 0..254, got ${serverId}`);
  }
}
