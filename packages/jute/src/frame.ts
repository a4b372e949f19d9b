import { FrameLengthError } from "./errors.js";

/**
 * Splits a TCP byte stream into length-prefixed frames. Bytes may arrive in any chunking: many
 * frames in one chunk or one frame over many. A length outside 0..maxBufferBytes throws
 * FrameLengthError before any of the body is buffered, so a hostile prefix costs nothing.
 */
export class FrameDecoder {
  private pending: Buffer | null = null;

  constructor(readonly maxBufferBytes: number) {}

  /** Bytes received but not yet part of a complete frame. */
  get bufferedBytes(): number {
    return this.pending?.length ?? 0;
  }

  /**
   * Feeds a chunk and calls `onFrame` with each complete frame body (without the prefix). The
   * body is a view into a buffer that is not reused, so it may be kept.
   */
  push(chunk: Buffer, onFrame: (body: Buffer) => void): void {
    let buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    let offset = 0;
    while (buf.length - offset >= 4) {
      const len = buf.readInt32BE(offset);
      if (len < 0 || len > this.maxBufferBytes) throw new FrameLengthError(len, this.maxBufferBytes);
      if (buf.length - offset - 4 < len) break;
      onFrame(buf.subarray(offset + 4, offset + 4 + len));
      offset += 4 + len;
    }
    if (offset < buf.length) {
      buf = buf.subarray(offset);
      this.pending = buf;
    }
  }
}
