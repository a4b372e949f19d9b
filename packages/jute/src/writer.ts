import { type Bytes, putLatin1, putUtf8 } from "./bytes.js";

/**
 * Writes jute's big-endian encoding into a growing buffer. `startFrame`/`finishFrame` reserve and
 * fill the 4-byte length prefix so a frame is built without a second copy.
 */
export class JuteWriter {
  buf: Buffer;
  offset = 0;
  /** The last bigint writeBigLong encoded, and its two big-endian int32 halves. */
  private lastBigLong = 0n;
  private lastBigLongHi = 0;
  private lastBigLongLo = 0;

  constructor(initialSizeBytes = 256) {
    this.buf = Buffer.allocUnsafe(initialSizeBytes);
  }

  private ensure(n: number): void {
    const needed = this.offset + n;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  }

  writeInt(v: number): this {
    this.ensure(4);
    putInt32(this.buf, this.offset, v | 0);
    this.offset += 4;
    return this;
  }

  /**
   * A long from a bigint (session ids, ephemeral owners). Converting one allocates several
   * intermediate BigInts, and a writer sees the same few values over and over (0n for every
   * persistent znode, one session's id for a run of its requests): 0n is written directly and
   * the last other value's two halves are kept. Comparing bigints allocates nothing.
   */
  writeBigLong(v: bigint): this {
    this.ensure(8);
    if (v === 0n) {
      // Kept out of the cache: a txn header's session id and its create's owner 0n alternate.
      putInt32(this.buf, this.offset, 0);
      putInt32(this.buf, this.offset + 4, 0);
    } else if (v !== this.lastBigLong) {
      this.buf.writeBigInt64BE(BigInt.asIntN(64, v), this.offset);
      this.lastBigLong = v;
      this.lastBigLongHi = this.buf.readInt32BE(this.offset);
      this.lastBigLongLo = this.buf.readInt32BE(this.offset + 4);
    } else {
      putInt32(this.buf, this.offset, this.lastBigLongHi);
      putInt32(this.buf, this.offset + 4, this.lastBigLongLo);
    }
    this.offset += 8;
    return this;
  }

  /** A long from a JS number (zxid, time, TTL); must be an integer in the safe range. */
  writeLong(v: number): this {
    if (!Number.isSafeInteger(v)) throw new RangeError(`long ${v} is not a safe integer`);
    this.ensure(8);
    const hi = Math.floor(v / 0x1_0000_0000);
    const lo = v - hi * 0x1_0000_0000;
    putInt32(this.buf, this.offset, hi);
    putInt32(this.buf, this.offset + 4, lo);
    this.offset += 8;
    return this;
  }

  writeBool(v: boolean): this {
    this.ensure(1);
    this.buf[this.offset++] = v ? 1 : 0;
    return this;
  }

  writeString(s: string | null): this {
    if (s === null) return this.writeInt(-1);
    // Room for the worst case (3 UTF-8 bytes per UTF-16 unit) saves measuring the string first:
    // one pass over it instead of two, on every path of every record.
    const maxBytes = s.length * 3;
    this.ensure(4 + maxBytes);
    const len = putUtf8(this.buf, s, this.offset + 4, maxBytes);
    putInt32(this.buf, this.offset, len);
    this.offset += 4 + len;
    return this;
  }

  /** Bytes already in jute's encoding (e.g. a record encoded once and repeated), as they are. */
  writeRaw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.offset);
    this.offset += bytes.length;
    return this;
  }

  /** A buffer field; a string is written as latin1, one byte per char (see Bytes). */
  writeBuffer(b: Bytes | null): this {
    if (b === null) return this.writeInt(-1);
    this.ensure(4 + b.length);
    putInt32(this.buf, this.offset, b.length);
    if (typeof b === "string") putLatin1(this.buf, b, this.offset + 4);
    else this.buf.set(b, this.offset + 4);
    this.offset += 4 + b.length;
    return this;
  }

  writeVector<T>(items: readonly T[] | null, writeItem: (w: JuteWriter, item: T) => void): this {
    if (items === null) return this.writeInt(-1);
    this.writeInt(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  writeStringVector(items: readonly string[] | null): this {
    return this.writeVector(items, (w, s) => w.writeString(s));
  }

  /** Reserves the length prefix; returns its position for `finishFrame`. */
  startFrame(): number {
    const at = this.offset;
    this.writeInt(0);
    return at;
  }

  finishFrame(at: number): this {
    this.buf.writeInt32BE(this.offset - at - 4, at);
    return this;
  }

  /** The bytes written so far (a view, not a copy). */
  view(): Buffer {
    return this.buf.subarray(0, this.offset);
  }

  /** The bytes written so far as an independent copy. */
  toBuffer(): Buffer {
    return Buffer.from(this.view());
  }

  reset(): void {
    this.offset = 0;
  }
}

/**
 * The low 32 bits of `v`, big-endian, at `at` (which the caller has made room for). Byte by byte:
 * Buffer's writeInt32BE checks its range and offset on every call, and a reply's Stat alone is
 * eleven such writes.
 */
function putInt32(b: Buffer, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}
