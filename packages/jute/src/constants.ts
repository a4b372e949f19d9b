// Numbers of the ZooKeeper client protocol. Values are fixed by the wire format; see
// shared/reference/zookeeper-client-protocol.md for where each one is used.

export enum OpCode {
  notification = 0,
  create = 1,
  delete = 2,
  exists = 3,
  getData = 4,
  setData = 5,
  getACL = 6,
  setACL = 7,
  getChildren = 8,
  sync = 9,
  ping = 11,
  getChildren2 = 12,
  check = 13,
  multi = 14,
  create2 = 15,
  reconfig = 16,
  checkWatches = 17,
  removeWatches = 18,
  createContainer = 19,
  deleteContainer = 20,
  createTTL = 21,
  multiRead = 22,
  auth = 100,
  setWatches = 101,
  sasl = 102,
  getEphemerals = 103,
  getAllChildrenNumber = 104,
  setWatches2 = 105,
  addWatch = 106,
  whoAmI = 107,
  createSession = -10,
  closeSession = -11,
  error = -1,
}

export enum ErrorCode {
  OK = 0,
  SystemError = -1,
  RuntimeInconsistency = -2,
  DataInconsistency = -3,
  ConnectionLoss = -4,
  MarshallingError = -5,
  Unimplemented = -6,
  OperationTimeout = -7,
  BadArguments = -8,
  UnknownSession = -12,
  NewConfigNoQuorum = -13,
  ReconfigInProgress = -14,
  APIError = -100,
  NoNode = -101,
  NoAuth = -102,
  BadVersion = -103,
  NoChildrenForEphemerals = -108,
  NodeExists = -110,
  NotEmpty = -111,
  SessionExpired = -112,
  InvalidCallback = -113,
  InvalidACL = -114,
  AuthFailed = -115,
  SessionMoved = -118,
  NotReadOnly = -119,
  EphemeralOnLocalSession = -120,
  NoWatcher = -121,
  RequestTimeout = -122,
  ReconfigDisabled = -123,
  SessionClosedRequireSaslAuth = -124,
  QuotaExceeded = -125,
  ThrottledOp = -127,
}

// Java's KeeperException messages ("KeeperErrorCode = <text>"), which clients print.
const errorTexts: Record<number, string> = {
  [ErrorCode.OK]: "ok",
  [ErrorCode.SystemError]: "SystemError",
  [ErrorCode.RuntimeInconsistency]: "RuntimeInconsistency",
  [ErrorCode.DataInconsistency]: "DataInconsistency",
  [ErrorCode.ConnectionLoss]: "ConnectionLoss",
  [ErrorCode.MarshallingError]: "MarshallingError",
  [ErrorCode.Unimplemented]: "Unimplemented",
  [ErrorCode.OperationTimeout]: "OperationTimeout",
  [ErrorCode.BadArguments]: "BadArguments",
  [ErrorCode.UnknownSession]: "Unknown session",
  [ErrorCode.NewConfigNoQuorum]: "NewConfigNoQuorum",
  [ErrorCode.ReconfigInProgress]: "ReconfigInProgress",
  [ErrorCode.APIError]: "APIError",
  [ErrorCode.NoNode]: "NoNode",
  [ErrorCode.NoAuth]: "NoAuth",
  [ErrorCode.BadVersion]: "BadVersion",
  [ErrorCode.NoChildrenForEphemerals]: "NoChildrenForEphemerals",
  [ErrorCode.NodeExists]: "NodeExists",
  [ErrorCode.NotEmpty]: "Directory not empty",
  [ErrorCode.SessionExpired]: "Session expired",
  [ErrorCode.InvalidCallback]: "Invalid callback",
  [ErrorCode.InvalidACL]: "InvalidACL",
  [ErrorCode.AuthFailed]: "AuthFailed",
  [ErrorCode.SessionMoved]: "Session moved",
  [ErrorCode.NotReadOnly]: "Not a read-only call",
  [ErrorCode.EphemeralOnLocalSession]: "Ephemeral node on local session",
  [ErrorCode.NoWatcher]: "No such watcher",
  [ErrorCode.RequestTimeout]: "Request timeout",
  [ErrorCode.ReconfigDisabled]: "Reconfig is disabled",
  [ErrorCode.SessionClosedRequireSaslAuth]: "Session closed because client failed to authenticate",
  [ErrorCode.QuotaExceeded]: "Quota has exceeded",
  [ErrorCode.ThrottledOp]: "Op throttled due to high load",
};

export function isKnownErrorCode(code: number): boolean {
  return code in errorTexts;
}

/** The text Java clients show for an error code, e.g. "NoNode" or "Directory not empty". */
export function errorText(code: number): string {
  return errorTexts[code] ?? `Unknown error ${code}`;
}

/** Java's `KeeperException.getMessage()`: "KeeperErrorCode = NoNode for /a". */
export function keeperErrorMessage(code: number, path?: string): string {
  const base = `KeeperErrorCode = ${errorText(code)}`;
  // Like Java, an empty path (a reconfig's errors) adds nothing.
  return path === undefined || path === "" ? base : `${base} for ${path}`;
}

export enum EventType {
  None = -1,
  NodeCreated = 1,
  NodeDeleted = 2,
  NodeDataChanged = 3,
  NodeChildrenChanged = 4,
  DataWatchRemoved = 5,
  ChildWatchRemoved = 6,
  PersistentWatchRemoved = 7,
}

export enum KeeperState {
  Unknown = -1,
  Disconnected = 0,
  NoSyncConnected = 1,
  SyncConnected = 3,
  AuthFailed = 4,
  ConnectedReadOnly = 5,
  SaslAuthenticated = 6,
  Expired = -112,
  Closed = 7,
}

/** Types used by checkWatches / removeWatches. 4 and 5 exist only from ZooKeeper 3.9 on. */
export enum WatcherType {
  Children = 1,
  Data = 2,
  Any = 3,
  Persistent = 4,
  PersistentRecursive = 5,
}

export enum AddWatchMode {
  Persistent = 0,
  PersistentRecursive = 1,
}

/** The `flags` field of create requests. */
export enum CreateMode {
  Persistent = 0,
  Ephemeral = 1,
  PersistentSequential = 2,
  EphemeralSequential = 3,
  Container = 4,
  PersistentWithTtl = 5,
  PersistentSequentialWithTtl = 6,
}

export const Perms = {
  READ: 1,
  WRITE: 2,
  CREATE: 4,
  DELETE: 8,
  ADMIN: 16,
  ALL: 31,
} as const;

/** Special xids in request and reply headers. */
export const Xid = {
  notification: -1,
  ping: -2,
  auth: -4,
  setWatches: -8,
} as const;

/** Default `jute.maxbuffer`: the largest frame either side accepts. */
export const DEFAULT_MAX_BUFFER_BYTES = 0xfffff;
