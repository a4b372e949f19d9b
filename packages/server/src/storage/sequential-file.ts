// A new file written front to back in one pass, as a snapshot is: through the page cache, or
// around it (O_DIRECT) where the file system allows.
//
// Why around it: a snapshot is written once and read back only by a restart, so its pages in the
// cache serve nobody, and on a VM whose host backs guest memory lazily, a page the guest has not
// touched lately costs about ten times the copy into it (docs/benchmarks.md, eleventh round of
// issue 14). SnapshotStore decides when that is worth the device time (docs/storage-format.md).

import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { alignedWindow, DIRECT_ALIGN_BYTES, openDirect } from "./direct-io.js";
import { writeFully, writevFully } from "./fs-util.js";

export interface SequentialFile {
  readonly fh: FileHandle;
  /** Whether the writes bypass the page cache. */
  readonly direct: boolean;
  /** Appends `bytes`. The caller may reuse `bytes` once the promise settles. */
  append(bytes: Uint8Array): Promise<void>;
  /** Writes out what is buffered; the file then holds exactly the appended bytes. Returns its size. */
  finish(): Promise<number>;
}

/** Appended bytes are gathered to this size before a write (a multiple of DIRECT_ALIGN_BYTES). */
const BUFFER_BYTES = 1024 * 1024;
/** Through the cache, larger appends go out from the caller's buffer with no copy. */
const COPIED_APPEND_MAX_BYTES = 128 * 1024;

/**
 * Creates `path` (which must not exist) for one sequential pass. `direct` asks for O_DIRECT; the
 * file is written through the page cache when the platform or file system refuses it.
 */
export async function createSequentialFile(path: string, opts: { direct: boolean }): Promise<SequentialFile> {
  if (opts.direct) {
    const fh = await openDirect(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    if (fh !== undefined) {
      // The new file's first block takes the probe's zeros; the first real write covers them.
      const buffer = await alignedWindow(fh, BUFFER_BYTES, 0);
      if (buffer !== undefined) return new DirectFile(fh, buffer);
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
}

/**
 * Around the page cache: every byte is copied into the aligned buffer, which goes out whole. The
 * last, partial block is written padded with zeros, and the file cut back to its real length.
 */
class DirectFile implements SequentialFile {
  readonly direct = true;
  private staged = 0;
  private pos = 0;

  constructor(
    readonly fh: FileHandle,
    private readonly buffer: Buffer,
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
    await this.fh.truncate(size);
    return size;
  }

  private async writeBuffer(length: number): Promise<void> {
    await writeFully(this.fh, this.buffer.subarray(0, length), this.pos);
    this.pos += this.staged;
    this.staged = 0;
  }
}
