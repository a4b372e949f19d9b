// Znode values that arrive in bulk, from a snapshot (recovery, or a learner's SNAP), are copied
// into shared slabs rather than into one ArrayBuffer each. A value of its own costs V8 an
// ArrayBuffer object, a backing-store record and a malloc'd block (~150 bytes beyond a small
// value), and every collection sweeps a million of them for a million znodes; a slice of a slab
// is one typed-array object. Values written by clients later keep buffers of their own (JuteReader
// .readBuffer), so the slack a slab can hold is bounded: a slab lives while any value loaded into
// it does, which at worst keeps all of what the snapshot loaded, never more.

/** Slab size: large enough that slabs are few, small enough that a surviving value pins little. */
const SLAB_BYTES = 64 * 1024;
/** Larger values get buffers of their own, as they would not share a slab with many others. */
const MAX_SLAB_VALUE_BYTES = 4 * 1024;

export class ValueSlab {
  private slab: Buffer | undefined;
  private usedBytes = 0;

  /** A copy of from[start, end) that may share its memory with other values from this slab. */
  readonly copyOut = (from: Buffer, start: number, end: number): Buffer => {
    const lengthBytes = end - start;
    if (lengthBytes > MAX_SLAB_VALUE_BYTES) {
      const own = Buffer.allocUnsafeSlow(lengthBytes);
      from.copy(own, 0, start, end);
      return own;
    }
    let slab = this.slab;
    if (slab === undefined || this.usedBytes + lengthBytes > slab.length) {
      slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.slab = slab;
      this.usedBytes = 0;
    }
    const at = this.usedBytes;
    from.copy(slab, at, start, end);
    this.usedBytes = at + lengthBytes;
    return slab.subarray(at, at + lengthBytes);
  };
}
