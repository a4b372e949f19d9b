// Zeros written ahead of a direct writer, so that its writes land on blocks the file already has:
// the txn log's segment writer (segment-writer.ts) and a periodic snapshot's file
// (sequential-file.ts). Both grow the file ahead of the zeros, which stop at its size.
//
// Why: a durable write into a hole (the log preallocates with ftruncate, as ZooKeeper pads) makes
// ext4 allocate the blocks, and O_DSYNC then waits for the journal to commit that allocation. The
// journal is one per file system, so on a shared disk every server's log writes queue on it. The
// same 64 KiB writes from three writers at once took 1.4-4.2 ms each into holes against 0.5-0.8 ms
// over written blocks (packages/server/test/storage/bench-log-device.ts; docs/benchmarks.md,
// eighteenth round of issue 14).
//
// How: through the page cache, 8 MiB at a time, each chunk made durable with one fdatasync. There
// the kernel writes the zeros back as large requests (about 1 GB/s on this project's VMs), where
// the same zeros written around the cache, as direct writes, took the device for 12-21 ms per MiB
// and held the records' writes behind them. The direct record writes that later cover a chunk
// drop its cached pages, which the next chunk then reuses.
//
// Safety: a chunk always starts at or past the end of what the record writes have covered, and a
// record write that would reach into a chunk still being written waits for it first, so zeros
// never land on records. A chunk never extends the file: it stops at the file's size, which the
// writer keeps ahead of its writes. In a segment, zeros read as the end of the records exactly as
// a hole does, so a crash leaves nothing a scan reads differently; a snapshot's file is renamed
// into place only once finished and cut to its length.
//
// A full disk (ENOSPC, EDQUOT) stops the zeros, with a warning, and nothing else: the writes may
// still fit, and the zeros are only there for speed. Any other failure is the device failing a
// write, and the writer fails at its next write (the log for good; a snapshot is abandoned).

import { type FileHandle, open } from "node:fs/promises";
import { DIRECT_ALIGN_BYTES } from "./direct-io.js";
import { writeFully } from "./fs-util.js";
import type { StorageLogger } from "./logger.js";

/** Zeros per chunk: one fdatasync each. */
export const ZERO_CHUNK_BYTES = 8 * 1024 * 1024;
/** How far past the records' covered end zeros are kept: two chunks. */
export const ZERO_AHEAD_BYTES = 2 * ZERO_CHUNK_BYTES;

/** Read only, shared by every log's zeroer. */
let zeroChunk: Buffer | undefined;

export class ZeroAhead {
  /** Everything below this offset is either records or durable zeros. */
  private zeroedTo: number;
  /** The chunk being written: [inFlightFrom, its end), with its completion. */
  private inFlight: Promise<void> | undefined;
  private inFlightFrom = 0;
  private failure: Error | undefined;
  private stopped = false;
  /** After a chunk cut short by the file's size: no new one before the records pass this. */
  private retryAfter = 0;

  private constructor(
    private readonly fh: FileHandle,
    coveredTo: number,
    private readonly logger: StorageLogger,
    private readonly path: string,
  ) {
    this.zeroedTo = alignUp(coveredTo);
  }

  /** A zeroer for the segment at `path`, whose writes so far cover up to `coveredTo`. */
  static async open(path: string, coveredTo: number, logger: StorageLogger): Promise<ZeroAhead> {
    // Through the page cache: a handle of its own, without O_DIRECT and O_DSYNC.
    return new ZeroAhead(await open(path, "r+"), coveredTo, logger, path);
  }

  /** Test seam: a zeroer on a handle the caller opened (through the page cache). */
  static onHandle(fh: FileHandle, path: string, coveredTo: number, logger: StorageLogger): ZeroAhead {
    return new ZeroAhead(fh, coveredTo, logger, path);
  }

  /**
   * Before a record write that covers the file up to `writeEnd`: waits for a chunk still being
   * written where the write would land. Rethrows a failed chunk's error: the log's device
   * failed a write, and the log fails with it.
   */
  async beforeWrite(writeEnd: number): Promise<void> {
    while (this.inFlight !== undefined && writeEnd > this.inFlightFrom) await this.inFlight;
    if (this.failure !== undefined) throw this.failure;
  }

  /** After a record write that covered the file up to `coveredTo`: keeps zeros that far ahead. */
  afterWrite(coveredTo: number): void {
    if (this.inFlight !== undefined || this.stopped || this.failure !== undefined) return;
    if (coveredTo < this.retryAfter) return;
    const from = Math.max(this.zeroedTo, alignUp(coveredTo));
    if (from >= coveredTo + ZERO_AHEAD_BYTES) return;
    this.inFlightFrom = from;
    this.inFlight = this.writeChunk(from).then(
      (to) => {
        // Cut short: the file ends there until the log grows it, which it does a preallocation
        // step at a time; asking its size again before the records move on would find the same.
        if (to < from + ZERO_CHUNK_BYTES) this.retryAfter = coveredTo + ZERO_CHUNK_BYTES / 2;
        this.zeroedTo = to;
        this.inFlight = undefined;
      },
      (err: unknown) => {
        const error = err instanceof Error ? err : new Error(String(err));
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOSPC" || code === "EDQUOT") {
          this.stopped = true;
          this.logger.warn(
            { path: this.path, at: from, err: error.message },
            "stopped writing zeros ahead: the disk is full",
          );
        } else {
          this.failure = error;
        }
        this.inFlight = undefined;
      },
    );
  }

  /** Waits for the chunk in flight, starts no more, and closes the handle. Never throws. */
  async close(): Promise<void> {
    this.stopped = true;
    while (this.inFlight !== undefined) await this.inFlight;
    await this.fh.close().catch(() => {});
  }

  /** Writes zeros from `from` up to a chunk's length or the file's size; returns where they end. */
  private async writeChunk(from: number): Promise<number> {
    const { size } = await this.fh.stat();
    // The log grows the file ahead of its records (preallocation); past its size there is
    // nothing to zero, and a write there would change the size the log keeps track of.
    const to = Math.min(from + ZERO_CHUNK_BYTES, Math.floor(size / DIRECT_ALIGN_BYTES) * DIRECT_ALIGN_BYTES);
    if (to <= from) return from;
    zeroChunk ??= Buffer.alloc(ZERO_CHUNK_BYTES);
    await writeFully(this.fh, zeroChunk.subarray(0, to - from), from);
    await this.fh.datasync();
    return to;
  }
}

function alignUp(offset: number): number {
  return Math.ceil(offset / DIRECT_ALIGN_BYTES) * DIRECT_ALIGN_BYTES;
}
