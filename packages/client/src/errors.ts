import type { OpResult } from "@paddock/jute";
import { ErrorCode, keeperErrorMessage } from "@paddock/jute";

/**
 * A failed ZooKeeper operation. `message` matches Java's KeeperException.getMessage(), e.g.
 * "KeeperErrorCode = NoNode for /x", so logs and CLI output read the same as with Java tools.
 * The client throws the subclass of the error's code (NoNodeError, BadVersionError, ...), made
 * by `zooKeeperError`; `instanceof ZooKeeperError` and `err.code` work for all of them.
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

// One class per error code, named as Java's KeeperException subclasses are (without "Exception").
export class SystemError extends ZooKeeperError {
  override name = "SystemError";
  constructor(path?: string) {
    super(ErrorCode.SystemError, path);
  }
}
export class RuntimeInconsistencyError extends ZooKeeperError {
  override name = "RuntimeInconsistencyError";
  constructor(path?: string) {
    super(ErrorCode.RuntimeInconsistency, path);
  }
}
export class DataInconsistencyError extends ZooKeeperError {
  override name = "DataInconsistencyError";
  constructor(path?: string) {
    super(ErrorCode.DataInconsistency, path);
  }
}
/** The connection dropped before the reply came: the request may or may not have taken effect. */
export class ConnectionLossError extends ZooKeeperError {
  override name = "ConnectionLossError";
  constructor(path?: string) {
    super(ErrorCode.ConnectionLoss, path);
  }
}
export class MarshallingError extends ZooKeeperError {
  override name = "MarshallingError";
  constructor(path?: string) {
    super(ErrorCode.MarshallingError, path);
  }
}
export class UnimplementedError extends ZooKeeperError {
  override name = "UnimplementedError";
  constructor(path?: string) {
    super(ErrorCode.Unimplemented, path);
  }
}
export class OperationTimeoutError extends ZooKeeperError {
  override name = "OperationTimeoutError";
  constructor(path?: string) {
    super(ErrorCode.OperationTimeout, path);
  }
}
export class BadArgumentsError extends ZooKeeperError {
  override name = "BadArgumentsError";
  constructor(path?: string) {
    super(ErrorCode.BadArguments, path);
  }
}
export class UnknownSessionError extends ZooKeeperError {
  override name = "UnknownSessionError";
  constructor(path?: string) {
    super(ErrorCode.UnknownSession, path);
  }
}
export class NewConfigNoQuorumError extends ZooKeeperError {
  override name = "NewConfigNoQuorumError";
  constructor(path?: string) {
    super(ErrorCode.NewConfigNoQuorum, path);
  }
}
export class ReconfigInProgressError extends ZooKeeperError {
  override name = "ReconfigInProgressError";
  constructor(path?: string) {
    super(ErrorCode.ReconfigInProgress, path);
  }
}
export class APIError extends ZooKeeperError {
  override name = "APIError";
  constructor(path?: string) {
    super(ErrorCode.APIError, path);
  }
}
export class NoNodeError extends ZooKeeperError {
  override name = "NoNodeError";
  constructor(path?: string) {
    super(ErrorCode.NoNode, path);
  }
}
export class NoAuthError extends ZooKeeperError {
  override name = "NoAuthError";
  constructor(path?: string) {
    super(ErrorCode.NoAuth, path);
  }
}
export class BadVersionError extends ZooKeeperError {
  override name = "BadVersionError";
  constructor(path?: string) {
    super(ErrorCode.BadVersion, path);
  }
}
export class NoChildrenForEphemeralsError extends ZooKeeperError {
  override name = "NoChildrenForEphemeralsError";
  constructor(path?: string) {
    super(ErrorCode.NoChildrenForEphemerals, path);
  }
}
export class NodeExistsError extends ZooKeeperError {
  override name = "NodeExistsError";
  constructor(path?: string) {
    super(ErrorCode.NodeExists, path);
  }
}
export class NotEmptyError extends ZooKeeperError {
  override name = "NotEmptyError";
  constructor(path?: string) {
    super(ErrorCode.NotEmpty, path);
  }
}
export class SessionExpiredError extends ZooKeeperError {
  override name = "SessionExpiredError";
  constructor(path?: string) {
    super(ErrorCode.SessionExpired, path);
  }
}
export class InvalidCallbackError extends ZooKeeperError {
  override name = "InvalidCallbackError";
  constructor(path?: string) {
    super(ErrorCode.InvalidCallback, path);
  }
}
export class InvalidACLError extends ZooKeeperError {
  override name = "InvalidACLError";
  constructor(path?: string) {
    super(ErrorCode.InvalidACL, path);
  }
}
export class AuthFailedError extends ZooKeeperError {
  override name = "AuthFailedError";
  constructor(path?: string) {
    super(ErrorCode.AuthFailed, path);
  }
}
export class SessionMovedError extends ZooKeeperError {
  override name = "SessionMovedError";
  constructor(path?: string) {
    super(ErrorCode.SessionMoved, path);
  }
}
export class NotReadOnlyError extends ZooKeeperError {
  override name = "NotReadOnlyError";
  constructor(path?: string) {
    super(ErrorCode.NotReadOnly, path);
  }
}
export class EphemeralOnLocalSessionError extends ZooKeeperError {
  override name = "EphemeralOnLocalSessionError";
  constructor(path?: string) {
    super(ErrorCode.EphemeralOnLocalSession, path);
  }
}
export class NoWatcherError extends ZooKeeperError {
  override name = "NoWatcherError";
  constructor(path?: string) {
    super(ErrorCode.NoWatcher, path);
  }
}
export class RequestTimeoutError extends ZooKeeperError {
  override name = "RequestTimeoutError";
  constructor(path?: string) {
    super(ErrorCode.RequestTimeout, path);
  }
}
export class ReconfigDisabledError extends ZooKeeperError {
  override name = "ReconfigDisabledError";
  constructor(path?: string) {
    super(ErrorCode.ReconfigDisabled, path);
  }
}
export class SessionClosedRequireSaslAuthError extends ZooKeeperError {
  override name = "SessionClosedRequireSaslAuthError";
  constructor(path?: string) {
    super(ErrorCode.SessionClosedRequireSaslAuth, path);
  }
}
export class QuotaExceededError extends ZooKeeperError {
  override name = "QuotaExceededError";
  constructor(path?: string) {
    super(ErrorCode.QuotaExceeded, path);
  }
}
export class ThrottledOpError extends ZooKeeperError {
  override name = "ThrottledOpError";
  constructor(path?: string) {
    super(ErrorCode.ThrottledOp, path);
  }
}

const byCode = new Map<number, new (path?: string) => ZooKeeperError>([
  [ErrorCode.SystemError, SystemError],
  [ErrorCode.RuntimeInconsistency, RuntimeInconsistencyError],
  [ErrorCode.DataInconsistency, DataInconsistencyError],
  [ErrorCode.ConnectionLoss, ConnectionLossError],
  [ErrorCode.MarshallingError, MarshallingError],
  [ErrorCode.Unimplemented, UnimplementedError],
  [ErrorCode.OperationTimeout, OperationTimeoutError],
  [ErrorCode.BadArguments, BadArgumentsError],
  [ErrorCode.UnknownSession, UnknownSessionError],
  [ErrorCode.NewConfigNoQuorum, NewConfigNoQuorumError],
  [ErrorCode.ReconfigInProgress, ReconfigInProgressError],
  [ErrorCode.APIError, APIError],
  [ErrorCode.NoNode, NoNodeError],
  [ErrorCode.NoAuth, NoAuthError],
  [ErrorCode.BadVersion, BadVersionError],
  [ErrorCode.NoChildrenForEphemerals, NoChildrenForEphemeralsError],
  [ErrorCode.NodeExists, NodeExistsError],
  [ErrorCode.NotEmpty, NotEmptyError],
  [ErrorCode.SessionExpired, SessionExpiredError],
  [ErrorCode.InvalidCallback, InvalidCallbackError],
  [ErrorCode.InvalidACL, InvalidACLError],
  [ErrorCode.AuthFailed, AuthFailedError],
  [ErrorCode.SessionMoved, SessionMovedError],
  [ErrorCode.NotReadOnly, NotReadOnlyError],
  [ErrorCode.EphemeralOnLocalSession, EphemeralOnLocalSessionError],
  [ErrorCode.NoWatcher, NoWatcherError],
  [ErrorCode.RequestTimeout, RequestTimeoutError],
  [ErrorCode.ReconfigDisabled, ReconfigDisabledError],
  [ErrorCode.SessionClosedRequireSaslAuth, SessionClosedRequireSaslAuthError],
  [ErrorCode.QuotaExceeded, QuotaExceededError],
  [ErrorCode.ThrottledOp, ThrottledOpError],
]);

/** The error for `code`: its own class when ZooKeeper defines the code, else ZooKeeperError. */
export function zooKeeperError(code: ErrorCode, path?: string): ZooKeeperError {
  const ErrorClass = byCode.get(code);
  return ErrorClass === undefined ? new ZooKeeperError(code, path) : new ErrorClass(path);
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

/**
 * Errors after which the same request may simply be sent again once the client is connected
 * (Curator's RetryLoop retries exactly these): the request may or may not have been applied, so
 * only idempotent operations, or ones written to find their own effect, should be retried.
 */
export function isRetryableError(e: unknown): boolean {
  return (
    isZooKeeperError(e) &&
    (e.code === ErrorCode.ConnectionLoss ||
      e.code === ErrorCode.OperationTimeout ||
      e.code === ErrorCode.SessionMoved)
  );
}
