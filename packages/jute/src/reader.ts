import { latin1At, utf8At } from "./bytes.js";
import { JuteDecodeError } from "./errors.js";

/**
 * Reads jute's big-endian encoding from a buffer. Every read checks bounds and throws
 * JuteDecodeError, never a RangeError, so one bad packet cannot escape the connection that
 * received it.
 */
export class JuteReader {
  offset: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    end = buf.length,
    /** Longest string, buffer or vector count this reader accepts. */
    readonly maxLengthBytes = buf.length,
  ) {
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): void {
    if (this.end - this.offset < n) {
      throw new JuteDecodeError(`truncated ${what} at offset ${this.offset}: need ${n} bytes`);
    }
  }

  readInt(): number {
    this.need(4, "int");
    const v = int32At(this.buf, this.offset);
    this.offset += 4;
    return v;
  }

  readBigLong(): bigint {
    this.need(8, "long");
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  /**
   * A long carried as a JS number: zxids, times, TTLs. Values we produce stay below 2^53; a
   * larger value from a client is rounded, which keeps its order relative to ours.
   */
  readLong(): number {
    this.need(8, "long");
    const hi = int32At(this.buf, this.offset);
    const lo = int32At(this.buf, this.offset + 4) >>> 0;
    this.offset += 8;
    return hi * 0x1_0000_0000 + lo;
  }

  readBool(): boolean {
    this.need(1, "boolean");
    return this.buf[this.offset++] !== 0;
  }

  private readLength(what: string): number {
    const len = this.readInt();
    if (len < -1 || len > this.maxLengthBytes) {
      throw new JuteDecodeError(`unreasonable ${what} length ${len} at offset ${this.offset - 4}`);
    }
    return len;
  }

  readString(): string | null {
    const len = this.readLength("string");
    if (len === -1) return null;
    this.need(len, "string");
    const s = utf8At(this.buf, this.offset, this.offset + len);
    this.offset += len;
    return s;
  }

  /** A ustring where null is a protocol error for this field. */
  readPath(): string {
    const s = this.readString();
    if (s === null) throw new JuteDecodeError(`null string at offset ${this.offset - 4}`);
    return s;
  }

  /** A buffer; the result is a copy so it may outlive the frame. */
  readBuffer(): Buffer | null {
    const len = this.readLength("buffer");
    if (len === -1) return null;
    this.need(len, "buffer");
    // Not from Node's shared 8 KiB pool: znode data lives as long as the znode, and one pooled
    // slice keeps its whole slab (and the short-lived buffers around it) alive, which made every
    // 1 KiB znode cost about 6 KiB of memory.
    const b = Buffer.allocUnsafeSlow(len);
    this.buf.copy(b, 0, this.offset, this.offset + len);
    this.offset += len;
    return b;
  }

  /**
   * A buffer field as a latin1 string (one char per byte; see Bytes): a copy in V8's heap, with
   * no ArrayBuffer of its own to allocate and later sweep.
   */
  readLatin1(): string | null {
    const len = this.readLength("buffer");
    if (len === -1) return null;
    this.need(len, "buffer");
    const s = latin1At(this.buf, this.offset, this.offset + len);
    this.offset += len;
    return s;
  }

  /**
   * A buffer field as a view into the input, for bytes read and dropped before the input is:
   * no allocation or copy, but whatever keeps the view keeps the whole input alive.
   */
  readBufferView(): Buffer | null {
    const len = this.readLength("buffer");
    if (len === -1) return null;
    this.need(len, "buffer");
    const b = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return b;
  }

  readVector<T>(readItem: (r: JuteReader) => T): T[] | null {
    const count = this.readLength("vector");
    if (count === -1) return null;
    const out: T[] = [];
    for (let i = 0; i < count; i++) out.push(readItem(this));
    return out;
  }

  readStringVector(): string[] | null {
    return this.readVector((r) => r.readPath());
  }
}

/**
 * The signed big-endian int32 at `at`, whose bounds the caller has checked. Byte by byte:
 * Buffer's readInt32BE would check them again.
 */
function int32At(b: Buffer, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}
