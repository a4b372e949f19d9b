// A new file written front to back in one pass, as a snapshot is: through the page cache, or
// around it (O_DIRECT) where the file system allows.
//
// Why around it: a snapshot is written once and read back only by a restart, so its pages in the
// cache serve nobody, and on a VM whose host backs guest memory lazily, a page the guest has not
// touched lately costs about ten times the copy into it (docs/benchmarks.md, eleventh round of
// issue 14). SnapshotStore decides when that is worth the device time (docs/storage-format.md).
//
// Around the cache with zeros ahead (zero-ahead.ts, as the txn log does): the direct writes land
// on blocks already written, which on a file system shared with the log is what makes them
// cheap for the device (a direct write into a hole allocates and commits as it goes), and the
// zeros' pages, dropped by the direct writes that cover them, are reused chunk after chunk
// instead of a tree's worth of new ones (eighteenth round of issue 14).

import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { alignedWindow, DIRECT_ALIGN_BYTES, openDirect } from "./direct-io.js";
import { writeFully, writevFully } from "./fs-util.js";
import type { StorageLogger } from "./logger.js";
import { ZERO_AHEAD_BYTES, ZeroAhead } from "./zero-ahead.js";

export interface SequentialFile {
  readonly fh: FileHandle;
  /** Whether the writes bypass the page cache. */
  readonly direct: boolean;
  /** Appends `bytes`. The caller may reuse `bytes` once the promise settles. */
  append(bytes: Uint8Array): Promise<void>;
  /** Writes out what is buffered; the file then holds exactly the appended bytes. Returns its size. */
  finish(): Promise<number>;
  /** Closes the file, and stops and waits for anything written in the background. */
  close(): Promise<void>;
}

/** Appended bytes are gathered to this size before a write (a multiple of DIRECT_ALIGN_BYTES). */
const BUFFER_BYTES = 1024 * 1024;
/** Through the cache, larger appends go out from the caller's buffer with no copy. */
const COPIED_APPEND_MAX_BYTES = 128 * 1024;
/** With zeros ahead, the file is grown this much at a time to stay ahead of them. */
const ZEROED_GROWTH_BYTES = 32 * 1024 * 1024;

/**
 * Creates `path` (which must not exist) for one sequential pass. `direct` asks for O_DIRECT; the
 * file is written through the page cache when the platform or file system refuses it.
 * `zeroAheadLogger`, with `direct`, also keeps durable zeros written ahead of the direct writes.
 */
export async function createSequentialFile(
  path: string,
  opts: { direct: boolean; zeroAheadLogger?: StorageLogger },
): Promise<SequentialFile> {
  if (opts.direct) {
    const fh = await openDirect(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    if (fh !== undefined) {
      // The new file's first block takes the probe's zeros; the first real write covers them.
      const buffer = await alignedWindow(fh, BUFFER_BYTES, 0);
      if (buffer !== undefined) {
        let zeros: ZeroAhead | undefined;
        try {
          if (opts.zeroAheadLogger !== undefined) zeros = await ZeroAhead.open(path, 0, opts.zeroAheadLogger);
        } catch (err) {
          await fh.close();
          throw err;
        }
        return new DirectFile(fh, buffer, zeros);
      }
      await fh.close();
      // The probe found no aligned offset: the file exists (empty); write it through the cache.
      return new CachedFile(await open(path, "w"));
    }
  }
  return new CachedFile(await open(path, "wx"));
}

/** Through the page cache: small appends are gathered, large ones written from where they are. */
class CachedFile implements SequentialFile {
  readonly direct = false;
  private readonly staging = Buffer.allocUnsafe(BUFFER_BYTES);
  private staged = 0;
  private pos = 0;

  constructor(readonly fh: FileHandle) {}

  async append(bytes: Uint8Array): Promise<void> {
    if (bytes.length <= COPIED_APPEND_MAX_BYTES) {
      if (this.staged + bytes.length > this.staging.length) await this.flush();
      this.staging.set(bytes, this.staged);
      this.staged += bytes.length;
      return;
    }
    await writevFully(this.fh, [this.staging.subarray(0, this.staged), bytes], this.pos);
    this.pos += this.staged + bytes.length;
    this.staged = 0;
  }

  async finish(): Promise<number> {
    await this.flush();
    return this.pos;
  }

  private async flush(): Promise<void> {
    await writeFully(this.fh, this.staging.subarray(0, this.staged), this.pos);
    this.pos += this.staged;
    this.staged = 0;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/**
 * Around the page cache: every byte is copied into the aligned buffer, which goes out whole. The
 * last, partial block is written padded with zeros, and the file cut back to its real length.
 */
class DirectFile implements SequentialFile {
  readonly direct = true;
  private staged = 0;
  private pos = 0;
  /** With zeros ahead: the size the file has been grown to, for the zeros to stay inside. */
  private grownTo = 0;

  constructor(
    readonly fh: FileHandle,
    private readonly buffer: Buffer,
    private readonly zeros: ZeroAhead | undefined,
  ) {}

  async append(bytes: Uint8Array): Promise<void> {
    let from = 0;
    while (from < bytes.length) {
      const n = Math.min(bytes.length - from, this.buffer.length - this.staged);
      this.buffer.set(bytes.subarray(from, from + n), this.staged);
      this.staged += n;
      from += n;
      if (this.staged === this.buffer.length) await this.writeBuffer(this.buffer.length);
    }
  }

  async finish(): Promise<number> {
    const size = this.pos + this.staged;
    if (this.staged > 0) {
      const padded = Math.ceil(this.staged / DIRECT_ALIGN_BYTES) * DIRECT_ALIGN_BYTES;
      this.buffer.fill(0, this.staged, padded);
      await this.writeBuffer(padded);
    }
    // Zeros still being written past the end would land after the cut.
    await this.zeros?.close();
    await this.fh.truncate(size);
    return size;
  }

  async close(): Promise<void> {
    await this.zeros?.close();
    await this.fh.close();
  }

  private async writeBuffer(length: number): Promise<void> {
    const end = this.pos + length;
    if (this.zeros !== undefined) {
      if (this.grownTo < end + ZERO_AHEAD_BYTES) {
        this.grownTo = Math.ceil((end + ZERO_AHEAD_BYTES) / ZEROED_GROWTH_BYTES) * ZEROED_GROWTH_BYTES;
        await this.fh.truncate(this.grownTo);
      }
      await this.zeros.beforeWrite(end);
    }
    await writeFully(this.fh, this.buffer.subarray(0, length), this.pos);
    this.zeros?.afterWrite(end);
    this.pos += this.staged;
    this.staged = 0;
  }
}
