// Writes around the page cache (O_DIRECT): the two things every such writer needs, a file handle
// opened that way where the file system allows it, and a buffer at an address the kernel takes.
//
// Why around the cache at all: on a VM whose host backs guest memory lazily, a page-cache page
// the guest has not touched lately costs about ten times the copy into it (docs/benchmarks.md,
// eleventh and sixteenth rounds of issue 14), and a file written once and read back only by a
// restart gains nothing from being cached.

import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";

/** What O_DIRECT needs aligned: buffer address, file offset and length (the block size). */
export const DIRECT_ALIGN_BYTES = 4096;

/**
 * Opens `path` with `flags | O_DIRECT`; undefined when the platform has no O_DIRECT or the file
 * system refuses it (EINVAL: tmpfs on older kernels, some FUSE ones). Other errors throw.
 */
export async function openDirect(
  path: string,
  flags: number,
  mode?: number,
): Promise<FileHandle | undefined> {
  // Linux has O_DIRECT; macOS does not.
  const oDirect = (constants as { O_DIRECT?: number }).O_DIRECT;
  if (oDirect === undefined) return undefined;
  try {
    return await open(path, flags | oDirect, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EINVAL") throw err;
    return undefined;
  }
}

/**
 * A `sizeBytes` window (a multiple of DIRECT_ALIGN_BYTES) of a fresh buffer at an address
 * O_DIRECT accepts. JavaScript cannot see an address, so the window is found by trying block
 * writes of zeros at `probeOffset` of `fh` (opened with O_DIRECT) from each candidate start: the
 * kernel refuses a misaligned buffer with EINVAL. The caller picks an offset where a block of
 * zeros does no harm. Undefined when no start works. The address never moves: an ArrayBuffer's
 * memory stays where it was allocated.
 */
export async function alignedWindow(
  fh: FileHandle,
  sizeBytes: number,
  probeOffset: number,
): Promise<Buffer | undefined> {
  const raw = Buffer.alloc(sizeBytes + DIRECT_ALIGN_BYTES);
  // Node's buffers start at least 8-byte aligned.
  for (let start = 0; start < DIRECT_ALIGN_BYTES; start += 8) {
    try {
      await fh.write(raw, start, DIRECT_ALIGN_BYTES, probeOffset);
      return raw.subarray(start, start + sizeBytes);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EINVAL") throw err;
    }
  }
  return undefined;
}
