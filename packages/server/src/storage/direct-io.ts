// Writes around the page cache (O_DIRECT): the two things every such writer needs, a file handle
// opened that way where the file system allows it, and a buffer at an address the kernel takes.
//
// Why around the cache at all: on a VM whose host backs guest memory lazily, a page-cache page
// the guest has not touched lately costs about ten times the copy into it (docs/benchmarks.md,
// eleventh and sixteenth rounds of issue 14), and a file written once and read back only by a
// restart gains nothing from being cached.

import { constants, writeSync } from "node:fs";
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
 *
 * The attempts are synchronous, and the start that worked last for a buffer of the same size is
 * tried first. A restarted server probes before it listens, and a refused attempt is a system
 * call that fails at once, but there are up to 512 of them: through the thread pool each waited
 * for two thread hand-offs, which with the CPUs busy (four spinning processes on two cores) kept
 * a restarted server from listening for most of a second. Synchronously, 62 refused attempts take
 * 6-20 ms here (Node builds an error for each), and the hint makes a later probe one attempt.
 */
export async function alignedWindow(
  fh: FileHandle,
  sizeBytes: number,
  probeOffset: number,
): Promise<Buffer | undefined> {
  const raw = Buffer.alloc(sizeBytes + DIRECT_ALIGN_BYTES);
  const accepts = (start: number): boolean => {
    try {
      writeSync(fh.fd, raw, start, DIRECT_ALIGN_BYTES, probeOffset);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EINVAL") throw err;
      return false;
    }
  };
  const hint = lastStartBySize.get(sizeBytes);
  // Node's buffers start at least 8-byte aligned.
  const starts = Array.from({ length: DIRECT_ALIGN_BYTES / 8 }, (_, i) => i * 8).filter((s) => s !== hint);
  for (const start of hint === undefined ? starts : [hint, ...starts]) {
    if (!accepts(start)) continue;
    lastStartBySize.set(sizeBytes, start);
    return raw.subarray(start, start + sizeBytes);
  }
  return undefined;
}

/** Where alignedWindow last found a window, by window size: allocators place alike sizes alike. */
const lastStartBySize = new Map<number, number>();
