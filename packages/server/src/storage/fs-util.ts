import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";

/** Makes a create, rename or unlink in `dir` durable (the entry lives in the directory). */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** pwrite until every byte is down; a regular file may take a write in several pieces. */
export async function writeFully(fh: FileHandle, buf: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`write made no progress at position ${position + done}`);
    done += bytesWritten;
  }
}

/** writev until every byte of `bufs` is down at `position`: no concatenation copy. */
export async function writevFully(
  fh: FileHandle,
  bufs: readonly Uint8Array[],
  position: number,
): Promise<void> {
  const total = bufs.reduce((n, b) => n + b.length, 0);
  const { bytesWritten } = await fh.writev(bufs as Uint8Array[], position);
  if (bytesWritten === total) return;
  // A short writev (rare on a regular file): the rest piece by piece.
  let skip = bytesWritten;
  let at = position + bytesWritten;
  for (const b of bufs) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    await writeFully(fh, b.subarray(skip), at);
    at += b.length - skip;
    skip = 0;
  }
}

export const ZEROS = Buffer.alloc(1024 * 1024);

/** How much a zero-tail scan reads at once. */
const ZERO_SCAN_BYTES = 16 * 1024 * 1024;

export function isAllZero(buf: Uint8Array): boolean {
  let pos = 0;
  while (pos < buf.length) {
    const n = Math.min(ZEROS.length, buf.length - pos);
    if (Buffer.compare(buf.subarray(pos, pos + n), ZEROS.subarray(0, n)) !== 0) return false;
    pos += n;
  }
  return true;
}

/**
 * Random-access reads through a window, so scanning a file record by record costs one read per
 * megabyte rather than one per record. Each window is a buffer of its own, never read into
 * again, so a slice it returns stays valid (and keeps its window alive) after later calls.
 */
export class FileReader {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly fh: FileHandle,
    readonly sizeBytes: number,
    private readonly windowBytes = 1024 * 1024,
  ) {}

  /**
   * The `length` bytes at `offset` when the window already holds all of them, else undefined:
   * a scan of a million records then pays no promise per read.
   */
  cached(offset: number, length: number): Buffer | undefined {
    const end = offset + length;
    if (length <= 0 || end > this.sizeBytes) return undefined;
    if (offset < this.windowStart || end > this.windowStart + this.window.length) return undefined;
    return this.window.subarray(offset - this.windowStart, end - this.windowStart);
  }

  /** Up to `length` bytes at `offset`; shorter only where the file ends. */
  async read(offset: number, length: number): Promise<Buffer> {
    const end = Math.min(offset + length, this.sizeBytes);
    if (end <= offset) return Buffer.alloc(0);
    if (offset >= this.windowStart && end <= this.windowStart + this.window.length) {
      return this.window.subarray(offset - this.windowStart, end - this.windowStart);
    }
    const want = Math.min(Math.max(end - offset, this.windowBytes), this.sizeBytes - offset);
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.fh.read(buf, got, want - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.window = buf.subarray(0, got);
    this.windowStart = offset;
    return this.window.subarray(0, Math.min(got, end - offset));
  }

  /**
   * The end of the written data in [from, to): the smallest e such that [e, to) is all zeros
   * (`from` when the whole range is zero). Scans backwards, so a long zero tail costs memcmp
   * speed, not a per-byte loop. A segment's tail is most of its preallocated 64 MiB, so the scan
   * reads large chunks into one buffer of its own: through the 1 MiB window it was 64 reads, each
   * a fresh buffer and a thread-pool round trip, 120 ms of a restart on an idle machine.
   */
  async nonZeroEnd(from: number, to: number): Promise<number> {
    let end = Math.min(to, this.sizeBytes);
    const scan = Buffer.allocUnsafe(Math.min(Math.max(end - from, 0), ZERO_SCAN_BYTES));
    while (end > from) {
      const start = Math.max(from, end - scan.length);
      const chunk = await this.readInto(scan, start, end - start);
      if (!isAllZero(chunk)) {
        let i = chunk.length - 1;
        while (chunk[i] === 0) i--;
        return start + i + 1;
      }
      end = start;
    }
    return from;
  }

  /** Reads `length` bytes at `offset` into the start of `buf`, leaving the window as it is. */
  private async readInto(buf: Buffer, offset: number, length: number): Promise<Buffer> {
    let got = 0;
    while (got < length) {
      const { bytesRead } = await this.fh.read(buf, got, length - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  }
}
