import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import type { SegmentHeader } from "./format.js";
import {
  decodeRecordHeader,
  decodeSegmentHeader,
  LOG_HEADER_BYTES,
  RECORD_HEADER_BYTES,
  recordCrc,
} from "./format.js";
import { FileReader } from "./fs-util.js";

export interface ScannedRecord {
  offset: number;
  zxid: number;
  length: number;
  payload: Buffer;
}

/**
 * Why a scan stopped. `end`: the file ends, or only zeros (preallocation) follow `offset`.
 * `damaged`: bytes at `offset` are not a valid record and something non-zero follows; `definite`
 * when the bytes checksum correctly but break an ordering rule, which no torn write can cause.
 */
export type ScanStop =
  | { kind: "end"; offset: number; zeroTailBytes: number }
  | { kind: "damaged"; offset: number; reason: string; definite: boolean; writtenEnd: number };

/**
 * Walks the records of one segment file in order, checking every frame. It never decides what a
 * damaged record means; the txn log (recovery) and the inspector do that with `stop`.
 */
export class SegmentScanner {
  offset = LOG_HEADER_BYTES;
  stop: ScanStop | undefined;
  lastZxid: number | undefined;
  private readonly reader: FileReader;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly sizeBytes: number,
    /** A header, or why the first bytes are not one. */
    readonly header: SegmentHeader | string,
    private readonly limit: number,
  ) {
    this.reader = new FileReader(fh, sizeBytes);
  }

  /** `limitBytes` bounds the scan (a reader of a live segment stops at its durable end). */
  static async open(path: string, limitBytes?: number): Promise<SegmentScanner> {
    const fh = await open(path, "r");
    try {
      const { size } = await fh.stat();
      const headBuf = Buffer.alloc(Math.min(LOG_HEADER_BYTES, size));
      if (headBuf.length > 0) await fh.read(headBuf, 0, headBuf.length, 0);
      const limit = Math.min(size, limitBytes ?? size);
      return new SegmentScanner(path, fh, size, decodeSegmentHeader(headBuf), limit);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  /** The next valid record, or undefined once `stop` says why the scan ended. */
  async next(copyPayload = true): Promise<ScannedRecord | undefined> {
    if (this.stop !== undefined) return undefined;
    if (typeof this.header === "string") {
      this.stop = {
        kind: "damaged",
        offset: 0,
        reason: `segment header: ${this.header}`,
        definite: true,
        writtenEnd: this.sizeBytes,
      };
      return undefined;
    }
    const pos = this.offset;
    if (pos >= this.limit) {
      this.stop = { kind: "end", offset: pos, zeroTailBytes: 0 };
      return undefined;
    }
    const head =
      this.reader.cached(pos, RECORD_HEADER_BYTES) ?? (await this.reader.read(pos, RECORD_HEADER_BYTES));
    if (head.length < RECORD_HEADER_BYTES) return this.invalid(pos, "truncated record header", false);
    const h = decodeRecordHeader(head);
    if (typeof h === "string") return this.invalid(pos, h, false);
    if (pos + RECORD_HEADER_BYTES + h.length > this.limit) {
      return this.invalid(pos, `record of ${h.length} bytes runs past the end of the file`, false);
    }
    const headCopy = Buffer.from(head);
    const payload =
      this.reader.cached(pos + RECORD_HEADER_BYTES, h.length) ??
      (await this.reader.read(pos + RECORD_HEADER_BYTES, h.length));
    if (recordCrc(headCopy, payload) !== h.crc) return this.invalid(pos, "CRC mismatch", false);
    if (this.lastZxid === undefined && h.zxid !== this.header.firstZxid) {
      return this.invalid(
        pos,
        `first record has zxid 0x${h.zxid.toString(16)}, header says 0x${this.header.firstZxid.toString(16)}`,
        true,
      );
    }
    if (this.lastZxid !== undefined && h.zxid <= this.lastZxid) {
      return this.invalid(
        pos,
        `zxid 0x${h.zxid.toString(16)} does not increase after 0x${this.lastZxid.toString(16)}`,
        true,
      );
    }
    this.lastZxid = h.zxid;
    this.offset = pos + RECORD_HEADER_BYTES + h.length;
    return {
      offset: pos,
      zxid: h.zxid,
      length: h.length,
      payload: copyPayload ? Buffer.from(payload) : payload,
    };
  }

  private async invalid(pos: number, reason: string, definite: boolean): Promise<undefined> {
    const writtenEnd = await this.reader.nonZeroEnd(pos, this.limit);
    if (!definite && writtenEnd === pos) {
      this.stop = { kind: "end", offset: pos, zeroTailBytes: this.limit - pos };
    } else {
      this.stop = { kind: "damaged", offset: pos, reason, definite, writtenEnd };
    }
    return undefined;
  }

  /**
   * The offset of the first checksum-valid record that starts after `from`, if any. A torn tail
   * is followed by nothing valid; damage in the middle of the log is followed by the records
   * that were written after it.
   */
  async findValidRecordAfter(from: number): Promise<number | undefined> {
    // A record's header holds a non-zero zxid, so none can start in the zero tail.
    const known =
      this.stop?.kind === "damaged" && this.stop.offset === from ? this.stop.writtenEnd : undefined;
    const writtenEnd = known ?? (await this.reader.nonZeroEnd(from, this.limit));
    for (let q = from + 1; q < writtenEnd && q + RECORD_HEADER_BYTES <= this.limit; q++) {
      const head = await this.reader.read(q, RECORD_HEADER_BYTES);
      // Cheap rejections first: most offsets inside garbage fail here without a CRC.
      if (head.readUInt32BE(8) >= 0x200000) continue;
      const h = decodeRecordHeader(head);
      if (typeof h === "string") continue;
      if (q + RECORD_HEADER_BYTES + h.length > this.limit) continue;
      const headCopy = Buffer.from(head);
      const payload = await this.reader.read(q + RECORD_HEADER_BYTES, h.length);
      if (recordCrc(headCopy, payload) === h.crc) return q;
    }
    return undefined;
  }
}
