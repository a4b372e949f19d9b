// A buffer kept across uses whose previous contents are done with: the txn log frames every
// group commit into one, since a new buffer per batch was a steady stream of garbage for the GC
// (each a separate ArrayBuffer, which V8 counts toward starting a full collection).

/** Uses up to this size share the kept buffer; larger ones get their own. */
const KEPT_MAX_BYTES = 1024 * 1024;
const KEPT_MIN_BYTES = 64 * 1024;

export class ReusedBuffer {
  private kept: Buffer | undefined;

  /** `bytes` bytes to fill; only valid until the next call. */
  take(bytes: number): Buffer {
    if (bytes > KEPT_MAX_BYTES) return Buffer.allocUnsafe(bytes);
    if (this.kept === undefined || this.kept.length < bytes) {
      this.kept = Buffer.allocUnsafeSlow(Math.min(KEPT_MAX_BYTES, Math.max(bytes, KEPT_MIN_BYTES)));
    }
    return this.kept.subarray(0, bytes);
  }
}
