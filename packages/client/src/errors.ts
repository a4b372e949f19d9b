import type { OpResult } from "@paddock/jute";
import { ErrorCode, keeperErrorMessage } from "@paddock/jute";

/**
 * A failed ZooKeeper operation. `message` matches Java's KeeperException.getMessage(), e.g.
 * "KeeperErrorCode = NoNode for /x", so logs and CLI output read the same as with Java tools.
 */
export class ZooKeeperError extends Error {
  override name = "ZooKeeperError";
  /** Per-op results when a multi failed; the failing op carries `code`. */
  results?: OpResult[];

  constructor(
    readonly code: ErrorCode,
    readonly path?: string,
  ) {
    super(keeperErrorMessage(code, path));
  }
}

/** A path rejected before anything was sent; mirrors Java's IllegalArgumentException texts. */
export class InvalidPathError extends Error {
  override name = "InvalidPathError";
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export function isZooKeeperError(e: unknown, code?: ErrorCode): e is ZooKeeperError {
  return e instanceof ZooKeeperError && (code === undefined || e.code === code);
}

export { ErrorCode };
