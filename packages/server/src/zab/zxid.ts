// zxid = epoch * 2^32 + counter, kept as a JS number. Numbers are exact below 2^53, so the epoch
// must stay below 2^21; every constructor asserts it rather than silently losing precision.

export const COUNTER_SPAN = 2 ** 32;
export const EPOCH_LIMIT = 2 ** 21;
/** A leader steps down instead of proposing with this counter (it would wrap into the epoch). */
export const COUNTER_EXHAUSTED = COUNTER_SPAN - 1;

export function makeZxid(epoch: number, counter: number): number {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch >= EPOCH_LIMIT) {
    throw new RangeError(`zxid epoch out of range: ${epoch} (must be an integer in [0, 2^21))`);
  }
  if (!Number.isInteger(counter) || counter < 0 || counter >= COUNTER_SPAN) {
    throw new RangeError(`zxid counter out of range: ${counter}`);
  }
  return epoch * COUNTER_SPAN + counter;
}

export function epochOf(zxid: number): number {
  return Math.floor(zxid / COUNTER_SPAN);
}

export function counterOf(zxid: number): number {
  return zxid % COUNTER_SPAN;
}

/** ZooKeeper prints zxids in hex; so do our logs and traces. */
export function formatZxid(zxid: number): string {
  return `0x${zxid.toString(16)}`;
}

/**
 * Whether `next` may directly follow `prev` in a log: the next counter of the same epoch, or the
 * first txn of a later epoch. Anything else is a hole (ZOOKEEPER-4925) and means lost sync.
 */
export function isContiguous(prev: number, next: number): boolean {
  const prevEpoch = epochOf(prev);
  const nextEpoch = epochOf(next);
  if (nextEpoch === prevEpoch) return next === prev + 1;
  return nextEpoch > prevEpoch && counterOf(next) === 1;
}
