/**
 * Damaged on-disk data. Thrown instead of serving anything built from it: the operator has to
 * look at `file` (an absolute or dir-relative path) at byte `offset`.
 */
export class StorageCorruptionError extends Error {
  readonly code = "STORAGE_CORRUPTION";
  readonly file: string;
  readonly offset: number;
  readonly reason: string;

  constructor(file: string, offset: number, reason: string) {
    super(`storage corruption in ${file} at offset ${offset}: ${reason}`);
    this.name = "StorageCorruptionError";
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }
}

/**
 * The log, the snapshots and the requested starting point do not fit together (a segment or a
 * range of txns is missing). Like corruption, the server must not start from this.
 */
export class StorageGapError extends Error {
  readonly code = "STORAGE_GAP";
  readonly file: string;

  constructor(file: string, message: string) {
    super(`${message} (${file})`);
    this.name = "StorageGapError";
    this.file = file;
  }
}

/** Our own bookkeeping is wrong: a bug, never a disk problem. */
export function assertStorage(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(`storage invariant violated: ${message}`);
}
