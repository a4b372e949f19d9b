// How the txn log's records reach the active segment file: through the page cache (pwrite, made
// durable by O_DSYNC or a datasync), or around it (O_DIRECT | O_DSYNC) where the file system
// allows.
//
// Why around it: every record is written once, made durable at once, and read back only by a
// restart or a learner's sync. Through the cache each new page of the log is a page the guest
// has not touched lately, which on this kind of VM costs about ten times the copy into it
// (docs/benchmarks.md, sixteenth round of issue 14). The device sees the same writes either
// way: a group commit's fdatasync already writes back whole blocks, the partly filled last one
// included, and a direct write rewrites that block too.

import { constants } from "node:fs";
import { type FileHandle, open, unlink } from "node:fs/promises";
import { join } from "node:path";
import { alignedWindow, DIRECT_ALIGN_BYTES, openDirect } from "./direct-io.js";
import { assertStorage } from "./errors.js";
import { LOG_PREFIX, TMP_SUFFIX } from "./format.js";
import { writeFully } from "./fs-util.js";
import type { StorageLogger } from "./logger.js";
import { ZeroAhead } from "./zero-ahead.js";

export interface SegmentWriter {
  readonly fh: FileHandle;
  /** Whether writes bypass the page cache. */
  readonly direct: boolean;
  /**
   * Writes `bytes` at `offset`, the end of the records (the writer's own previous end, or where
   * it was opened). Returns the end of what went to the file, which for a direct write is the
   * next block boundary: the zeros after the records are the file's, as preallocation's hole is.
   */
  write(bytes: Uint8Array, offset: number): Promise<number>;
  /**
   * Where to build the next write's `sizeBytes` bytes so that write need not copy them, or
   * undefined (build them anywhere). Valid until that write.
   */
  staging(sizeBytes: number): Buffer | undefined;
  /** Waits for anything the writer does in the background, then closes its files. */
  close(): Promise<void>;
}

/** Aligned bytes a direct writer holds: the tail block plus a group commit's worth of records. */
const DIRECT_WINDOW_BYTES = 1024 * 1024;

/**
 * Where a log's direct writers get their aligned buffer: one per log, found once by probing a
 * scratch file (named like an unfinished segment, so a crash mid-probe leaves nothing that open
 * does not remove). `undefined` until asked; `null` once the file system refused.
 */
export class DirectWindowSource {
  private window: Buffer | null | undefined;

  constructor(private readonly dir: string) {}

  async get(): Promise<Buffer | undefined> {
    if (this.window === undefined) this.window = (await this.probe()) ?? null;
    return this.window ?? undefined;
  }

  private async probe(): Promise<Buffer | undefined> {
    const path = join(this.dir, `${LOG_PREFIX}direct-probe${TMP_SUFFIX}`);
    const fh = await openDirect(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
    if (fh === undefined) return undefined;
    try {
      return await alignedWindow(fh, DIRECT_WINDOW_BYTES, 0);
    } finally {
      await fh.close();
      await unlink(path);
    }
  }
}

/**
 * Opens the segment at `path` for appending at `endOffset`. `dsync` makes each write durable when
 * it returns; `window` (from a DirectWindowSource) asks for direct writes, which need `dsync`:
 * without it they would be neither cached nor durable. A file system that refuses O_DIRECT gets
 * the cached writer.
 */
export async function openSegmentWriter(
  path: string,
  endOffset: number,
  opts: { dsync: boolean; window: Buffer | undefined; zeroAhead: boolean; logger: StorageLogger },
): Promise<SegmentWriter> {
  const flags = opts.dsync ? constants.O_RDWR | constants.O_DSYNC : constants.O_RDWR;
  if (opts.dsync && opts.window !== undefined) {
    const fh = await openDirect(path, flags);
    if (fh !== undefined) {
      let zeros: ZeroAhead | undefined;
      try {
        zeros = opts.zeroAhead ? await ZeroAhead.open(path, endOffset, opts.logger) : undefined;
        return await DirectSegmentWriter.open(fh, opts.window, endOffset, zeros);
      } catch (err) {
        await zeros?.close();
        await fh.close();
        throw err;
      }
    }
  }
  return new CachedSegmentWriter(await open(path, flags));
}

class CachedSegmentWriter implements SegmentWriter {
  readonly direct = false;

  constructor(readonly fh: FileHandle) {}

  async write(bytes: Uint8Array, offset: number): Promise<number> {
    await writeFully(this.fh, bytes, offset);
    return offset + bytes.length;
  }

  staging(): undefined {
    return undefined;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/**
 * Writes whole aligned blocks from the window. The window starts with the records' last, partly
 * filled block (`tailBytes` of it), so each write rewrites that block with the new records after
 * it, and zeros pad the last block written. With a ZeroAhead, the blocks it writes to were
 * written before (zero-ahead.ts says why that matters).
 */
class DirectSegmentWriter implements SegmentWriter {
  readonly direct = true;

  private constructor(
    readonly fh: FileHandle,
    private readonly window: Buffer,
    /** Where the records end in the file; the window holds the block it falls in. */
    private end: number,
    private readonly zeros: ZeroAhead | undefined,
  ) {}

  /** Reads the block holding `endOffset`'s tail into the window: the file's bytes are the truth. */
  static async open(
    fh: FileHandle,
    window: Buffer,
    endOffset: number,
    zeros: ZeroAhead | undefined,
  ): Promise<DirectSegmentWriter> {
    const writer = new DirectSegmentWriter(fh, window, endOffset, zeros);
    const tailBytes = endOffset % DIRECT_ALIGN_BYTES;
    if (tailBytes > 0) {
      const { bytesRead } = await fh.read(window, 0, DIRECT_ALIGN_BYTES, endOffset - tailBytes);
      assertStorage(bytesRead >= tailBytes, `segment is shorter than its records' end ${endOffset}`);
    }
    return writer;
  }

  /** The window right after the tail block's records, when the bytes fit: one copy fewer. */
  staging(sizeBytes: number): Buffer | undefined {
    const tailBytes = this.end % DIRECT_ALIGN_BYTES;
    if (tailBytes + sizeBytes > this.window.length) return undefined;
    return this.window.subarray(tailBytes, tailBytes + sizeBytes);
  }

  async write(bytes: Uint8Array, offset: number): Promise<number> {
    assertStorage(offset === this.end, `direct log write at ${offset}, records end at ${this.end}`);
    const window = this.window;
    // Built in place (staging): the bytes are already where the loop below would copy them.
    const inPlace =
      bytes.buffer === window.buffer &&
      bytes.byteOffset === window.byteOffset + (this.end % DIRECT_ALIGN_BYTES);
    let from = 0;
    let writtenTo = this.end;
    while (from < bytes.length) {
      const tailBytes = this.end % DIRECT_ALIGN_BYTES;
      const blockStart = this.end - tailBytes;
      const n = Math.min(bytes.length - from, window.length - tailBytes);
      if (!inPlace) window.set(bytes.subarray(from, from + n), tailBytes);
      const filled = tailBytes + n;
      const blocksBytes = Math.ceil(filled / DIRECT_ALIGN_BYTES) * DIRECT_ALIGN_BYTES;
      window.fill(0, filled, blocksBytes);
      await this.zeros?.beforeWrite(blockStart + blocksBytes);
      await writeFully(this.fh, window.subarray(0, blocksBytes), blockStart);
      from += n;
      this.end += n;
      writtenTo = blockStart + blocksBytes;
      this.zeros?.afterWrite(writtenTo);
      // The new last block's records move to the front for the next write.
      const newTailBytes = this.end % DIRECT_ALIGN_BYTES;
      const newTailAt = filled - newTailBytes;
      if (newTailBytes > 0 && newTailAt > 0) window.copyWithin(0, newTailAt, filled);
    }
    return writtenTo;
  }

  async close(): Promise<void> {
    await this.zeros?.close();
    await this.fh.close();
  }
}
