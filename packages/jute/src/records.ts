import type { Bytes } from "./bytes.js";
import { OpCode } from "./constants.js";
import { JuteDecodeError } from "./errors.js";
import type { JuteReader } from "./reader.js";
import type { JuteWriter } from "./writer.js";

// Record layouts of zookeeper.jute, field order = wire order. zxids and times are JS numbers
// (exact below 2^53: epoch < 2^21); session ids and ephemeral owners are bigints because their
// top byte is the server id.

export interface Id {
  scheme: string;
  id: string;
}

export interface ACL {
  perms: number;
  id: Id;
}

export interface Stat {
  czxid: number;
  mzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: number;
}

export const STAT_SIZE_BYTES = 68;

export function emptyStat(): Stat {
  return {
    czxid: 0,
    mzxid: 0,
    ctime: 0,
    mtime: 0,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    dataLength: 0,
    numChildren: 0,
    pzxid: 0,
  };
}

export function writeStat(w: JuteWriter, s: Stat): void {
  w.writeLong(s.czxid)
    .writeLong(s.mzxid)
    .writeLong(s.ctime)
    .writeLong(s.mtime)
    .writeInt(s.version)
    .writeInt(s.cversion)
    .writeInt(s.aversion)
    .writeBigLong(s.ephemeralOwner)
    .writeInt(s.dataLength)
    .writeInt(s.numChildren)
    .writeLong(s.pzxid);
}

export function readStat(r: JuteReader): Stat {
  return {
    czxid: r.readLong(),
    mzxid: r.readLong(),
    ctime: r.readLong(),
    mtime: r.readLong(),
    version: r.readInt(),
    cversion: r.readInt(),
    aversion: r.readInt(),
    ephemeralOwner: r.readBigLong(),
    dataLength: r.readInt(),
    numChildren: r.readInt(),
    pzxid: r.readLong(),
  };
}

export function writeId(w: JuteWriter, id: Id): void {
  // NULL_MARK is how readId keeps a wire null; it goes back out as one.
  w.writeString(id.scheme === NULL_MARK ? null : id.scheme).writeString(id.id === NULL_MARK ? null : id.id);
}

export function readId(r: JuteReader): Id {
  // Null scheme/id are representable on the wire; ACL validation rejects them later, so keep
  // them distinguishable from "" by mapping to a value no provider accepts.
  const scheme = r.readString();
  const id = r.readString();
  return { scheme: scheme ?? NULL_MARK, id: id ?? NULL_MARK };
}

/** Stands in for a null jute string inside an Id; never a valid scheme or id. */
export const NULL_MARK = "\u0000null";

export function writeAcl(w: JuteWriter, acl: ACL): void {
  w.writeInt(acl.perms);
  writeId(w, acl.id);
}

export function readAcl(r: JuteReader): ACL {
  return { perms: r.readInt(), id: readId(r) };
}

export function writeAclList(w: JuteWriter, acls: readonly ACL[] | null): void {
  w.writeVector(acls, writeAcl);
}

export function readAclList(r: JuteReader): ACL[] | null {
  return r.readVector(readAcl);
}

// ---------------------------------------------------------------------------------------------
// Handshake

export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: number;
  timeOutMs: number;
  sessionId: bigint;
  passwd: Buffer;
  /** undefined when the client did not send the byte (node-zookeeper-client, old clients). */
  readOnly: boolean | undefined;
}

export function readConnectRequest(r: JuteReader): ConnectRequest {
  const protocolVersion = r.readInt();
  const lastZxidSeen = r.readLong();
  const timeOutMs = r.readInt();
  const sessionId = r.readBigLong();
  const passwd = r.readBuffer() ?? Buffer.alloc(0);
  const readOnly = r.remaining > 0 ? r.readBool() : undefined;
  return { protocolVersion, lastZxidSeen, timeOutMs, sessionId, passwd, readOnly };
}

export function writeConnectRequest(w: JuteWriter, c: ConnectRequest): void {
  w.writeInt(c.protocolVersion)
    .writeLong(c.lastZxidSeen)
    .writeInt(c.timeOutMs)
    .writeBigLong(c.sessionId)
    .writeBuffer(c.passwd);
  if (c.readOnly !== undefined) w.writeBool(c.readOnly);
}

export interface ConnectResponse {
  protocolVersion: number;
  timeOutMs: number;
  sessionId: bigint;
  passwd: Buffer;
  /** Mirrors the request: written only when the client sent its readOnly byte. */
  readOnly: boolean | undefined;
}

export function writeConnectResponse(w: JuteWriter, c: ConnectResponse): void {
  w.writeInt(c.protocolVersion).writeInt(c.timeOutMs).writeBigLong(c.sessionId).writeBuffer(c.passwd);
  if (c.readOnly !== undefined) w.writeBool(c.readOnly);
}

export function readConnectResponse(r: JuteReader): ConnectResponse {
  const protocolVersion = r.readInt();
  const timeOutMs = r.readInt();
  const sessionId = r.readBigLong();
  const passwd = r.readBuffer() ?? Buffer.alloc(0);
  const readOnly = r.remaining > 0 ? r.readBool() : undefined;
  return { protocolVersion, timeOutMs, sessionId, passwd, readOnly };
}

// ---------------------------------------------------------------------------------------------
// Headers

export interface RequestHeader {
  xid: number;
  type: number;
}

export interface ReplyHeader {
  xid: number;
  zxid: number;
  err: number;
}

export function readRequestHeader(r: JuteReader): RequestHeader {
  return { xid: r.readInt(), type: r.readInt() };
}

export function writeRequestHeader(w: JuteWriter, h: RequestHeader): void {
  w.writeInt(h.xid).writeInt(h.type);
}

export function readReplyHeader(r: JuteReader): ReplyHeader {
  return { xid: r.readInt(), zxid: r.readLong(), err: r.readInt() };
}

export function writeReplyHeader(w: JuteWriter, h: ReplyHeader): void {
  w.writeInt(h.xid).writeLong(h.zxid).writeInt(h.err);
}

export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}

export function readWatcherEvent(r: JuteReader): WatcherEvent {
  return { type: r.readInt(), state: r.readInt(), path: r.readPath() };
}

export function writeWatcherEvent(w: JuteWriter, e: WatcherEvent): void {
  w.writeInt(e.type).writeInt(e.state).writeString(e.path);
}

// ---------------------------------------------------------------------------------------------
// Requests: one discriminated union keyed by opcode.

export type CreateOp = OpCode.create | OpCode.create2 | OpCode.createContainer;
export type PathWatchOp = OpCode.exists | OpCode.getData | OpCode.getChildren | OpCode.getChildren2;

export type Request =
  | { type: CreateOp; path: string; data: Bytes | null; acl: ACL[] | null; flags: number }
  | {
      type: OpCode.createTTL;
      path: string;
      data: Bytes | null;
      acl: ACL[] | null;
      flags: number;
      ttl: number;
    }
  | { type: OpCode.delete; path: string; version: number }
  | { type: OpCode.deleteContainer; path: string }
  | { type: PathWatchOp; path: string; watch: boolean }
  | { type: OpCode.setData; path: string; data: Bytes | null; version: number }
  | { type: OpCode.getACL; path: string }
  | { type: OpCode.setACL; path: string; acl: ACL[] | null; version: number }
  | { type: OpCode.sync; path: string }
  | { type: OpCode.check; path: string; version: number }
  | { type: OpCode.multi | OpCode.multiRead; ops: Request[] }
  | { type: OpCode.getAllChildrenNumber; path: string }
  | { type: OpCode.getEphemerals; prefixPath: string }
  | { type: OpCode.addWatch; path: string; mode: number }
  | { type: OpCode.checkWatches | OpCode.removeWatches; path: string; watcherType: number }
  | {
      type: OpCode.setWatches | OpCode.setWatches2;
      relativeZxid: number;
      dataWatches: string[];
      existWatches: string[];
      childWatches: string[];
      persistentWatches: string[];
      persistentRecursiveWatches: string[];
    }
  | { type: OpCode.auth; authType: number; scheme: string; auth: Buffer }
  | { type: OpCode.ping | OpCode.closeSession | OpCode.whoAmI }
  | {
      type: OpCode.reconfig;
      joiningServers: string | null;
      leavingServers: string | null;
      newMembers: string | null;
      curConfigId: number;
    }
  | { type: OpCode.sasl; token: Buffer | null };

export type RequestOf<T extends Request["type"]> = Extract<Request, { type: T }>;

/** Opcodes allowed inside `multi` (14) and `multiRead` (22). */
export const MULTI_WRITE_OPS: ReadonlySet<number> = new Set([
  OpCode.create,
  OpCode.create2,
  OpCode.createContainer,
  OpCode.createTTL,
  OpCode.delete,
  OpCode.setData,
  OpCode.check,
]);
export const MULTI_READ_OPS: ReadonlySet<number> = new Set([OpCode.getData, OpCode.getChildren]);

/** True when `type` is an opcode whose request body this module can decode. */
export function isKnownRequestType(type: number): boolean {
  return (
    type in OpCode && type !== OpCode.notification && type !== OpCode.error && type !== OpCode.createSession
  );
}

/**
 * Decodes the body that follows a RequestHeader of the given type. Throws JuteDecodeError for a
 * malformed body or an opcode without a client-side body. Values (create, setData) come out as
 * latin1 strings, the form a server keeps them in (see Bytes).
 */
export function readRequest(type: number, r: JuteReader): Request {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return { type, path: r.readPath(), data: r.readLatin1(), acl: readAclList(r), flags: r.readInt() };
    case OpCode.createTTL:
      return {
        type,
        path: r.readPath(),
        data: r.readLatin1(),
        acl: readAclList(r),
        flags: r.readInt(),
        ttl: r.readLong(),
      };
    case OpCode.delete:
      return { type, path: r.readPath(), version: r.readInt() };
    case OpCode.deleteContainer:
    case OpCode.getACL:
    case OpCode.sync:
    case OpCode.getAllChildrenNumber:
      return { type, path: r.readPath() };
    case OpCode.exists:
    case OpCode.getData:
    case OpCode.getChildren:
    case OpCode.getChildren2:
      return { type, path: r.readPath(), watch: r.readBool() };
    case OpCode.setData:
      return { type, path: r.readPath(), data: r.readLatin1(), version: r.readInt() };
    case OpCode.setACL:
      return { type, path: r.readPath(), acl: readAclList(r), version: r.readInt() };
    case OpCode.check:
      return { type, path: r.readPath(), version: r.readInt() };
    case OpCode.multi:
    case OpCode.multiRead:
      return { type, ops: readMultiOps(type, r) };
    case OpCode.getEphemerals:
      return { type, prefixPath: r.readPath() };
    case OpCode.addWatch:
      return { type, path: r.readPath(), mode: r.readInt() };
    case OpCode.checkWatches:
    case OpCode.removeWatches:
      return { type, path: r.readPath(), watcherType: r.readInt() };
    case OpCode.setWatches:
    case OpCode.setWatches2: {
      const relativeZxid = r.readLong();
      const dataWatches = r.readStringVector() ?? [];
      const existWatches = r.readStringVector() ?? [];
      const childWatches = r.readStringVector() ?? [];
      const two = type === OpCode.setWatches2;
      const persistentWatches = two ? (r.readStringVector() ?? []) : [];
      const persistentRecursiveWatches = two ? (r.readStringVector() ?? []) : [];
      return {
        type,
        relativeZxid,
        dataWatches,
        existWatches,
        childWatches,
        persistentWatches,
        persistentRecursiveWatches,
      };
    }
    case OpCode.auth:
      return {
        type,
        authType: r.readInt(),
        scheme: r.readString() ?? "",
        auth: r.readBuffer() ?? Buffer.alloc(0),
      };
    case OpCode.ping:
    case OpCode.closeSession:
    case OpCode.whoAmI:
      return { type };
    case OpCode.reconfig:
      return {
        type,
        joiningServers: r.readString(),
        leavingServers: r.readString(),
        newMembers: r.readString(),
        curConfigId: r.readLong(),
      };
    case OpCode.sasl:
      return { type, token: r.readBuffer() };
    default:
      throw new JuteDecodeError(`no request body is defined for opcode ${type}`);
  }
}

function readMultiOps(type: OpCode.multi | OpCode.multiRead, r: JuteReader): Request[] {
  const allowed = type === OpCode.multi ? MULTI_WRITE_OPS : MULTI_READ_OPS;
  const ops: Request[] = [];
  for (;;) {
    const opType = r.readInt();
    const done = r.readBool();
    r.readInt(); // err: ignored in requests
    if (done) break;
    if (!allowed.has(opType)) {
      throw new JuteDecodeError(`opcode ${opType} is not allowed in ${OpCode[type]}`);
    }
    ops.push(readRequest(opType, r));
  }
  return ops;
}

export function writeRequest(w: JuteWriter, req: Request): void {
  switch (req.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      w.writeString(req.path).writeBuffer(req.data);
      writeAclList(w, req.acl);
      w.writeInt(req.flags);
      return;
    case OpCode.createTTL:
      w.writeString(req.path).writeBuffer(req.data);
      writeAclList(w, req.acl);
      w.writeInt(req.flags).writeLong(req.ttl);
      return;
    case OpCode.delete:
    case OpCode.check:
      w.writeString(req.path).writeInt(req.version);
      return;
    case OpCode.deleteContainer:
    case OpCode.getACL:
    case OpCode.sync:
    case OpCode.getAllChildrenNumber:
      w.writeString(req.path);
      return;
    case OpCode.exists:
    case OpCode.getData:
    case OpCode.getChildren:
    case OpCode.getChildren2:
      w.writeString(req.path).writeBool(req.watch);
      return;
    case OpCode.setData:
      w.writeString(req.path).writeBuffer(req.data).writeInt(req.version);
      return;
    case OpCode.setACL:
      w.writeString(req.path);
      writeAclList(w, req.acl);
      w.writeInt(req.version);
      return;
    case OpCode.multi:
    case OpCode.multiRead:
      for (const op of req.ops) {
        w.writeInt(op.type).writeBool(false).writeInt(-1);
        writeRequest(w, op);
      }
      w.writeInt(-1).writeBool(true).writeInt(-1);
      return;
    case OpCode.getEphemerals:
      w.writeString(req.prefixPath);
      return;
    case OpCode.addWatch:
      w.writeString(req.path).writeInt(req.mode);
      return;
    case OpCode.checkWatches:
    case OpCode.removeWatches:
      w.writeString(req.path).writeInt(req.watcherType);
      return;
    case OpCode.setWatches:
    case OpCode.setWatches2:
      w.writeLong(req.relativeZxid)
        .writeStringVector(req.dataWatches)
        .writeStringVector(req.existWatches)
        .writeStringVector(req.childWatches);
      if (req.type === OpCode.setWatches2) {
        w.writeStringVector(req.persistentWatches).writeStringVector(req.persistentRecursiveWatches);
      }
      return;
    case OpCode.auth:
      w.writeInt(req.authType).writeString(req.scheme).writeBuffer(req.auth);
      return;
    case OpCode.ping:
    case OpCode.closeSession:
    case OpCode.whoAmI:
      return;
    case OpCode.reconfig:
      w.writeString(req.joiningServers)
        .writeString(req.leavingServers)
        .writeString(req.newMembers)
        .writeLong(req.curConfigId);
      return;
    case OpCode.sasl:
      w.writeBuffer(req.token);
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Responses

export interface ClientInfo {
  authScheme: string;
  user: string;
}

/**
 * One result inside a multi / multiRead response. A server writes getData's value as it keeps it
 * (Bytes); a client reads a Buffer.
 */
export type OpResult<Data extends Bytes = Buffer> =
  | { type: OpCode.create; path: string }
  | { type: OpCode.create2; path: string; stat: Stat }
  | { type: OpCode.delete }
  | { type: OpCode.setData; stat: Stat }
  | { type: OpCode.check }
  | { type: OpCode.getData; data: Data | null; stat: Stat }
  | { type: OpCode.getChildren; children: string[] }
  | { type: OpCode.error; err: number };

export function writeMultiResponse(w: JuteWriter, results: readonly OpResult<Bytes>[]): void {
  for (const res of results) {
    w.writeInt(res.type)
      .writeBool(false)
      .writeInt(res.type === OpCode.error ? res.err : 0);
    switch (res.type) {
      case OpCode.create:
        w.writeString(res.path);
        break;
      case OpCode.create2:
        w.writeString(res.path);
        writeStat(w, res.stat);
        break;
      case OpCode.setData:
        writeStat(w, res.stat);
        break;
      case OpCode.getData:
        w.writeBuffer(res.data);
        writeStat(w, res.stat);
        break;
      case OpCode.getChildren:
        w.writeStringVector(res.children);
        break;
      case OpCode.error:
        w.writeInt(res.err);
        break;
      case OpCode.delete:
      case OpCode.check:
        break;
    }
  }
  w.writeInt(-1).writeBool(true).writeInt(-1);
}

export function readMultiResponse(r: JuteReader): OpResult[] {
  const results: OpResult[] = [];
  for (;;) {
    const type = r.readInt();
    const done = r.readBool();
    const err = r.readInt();
    if (done) break;
    switch (type) {
      case OpCode.create:
        results.push({ type, path: r.readPath() });
        break;
      case OpCode.create2:
        results.push({ type, path: r.readPath(), stat: readStat(r) });
        break;
      case OpCode.delete:
      case OpCode.check:
        results.push({ type });
        break;
      case OpCode.setData:
        results.push({ type, stat: readStat(r) });
        break;
      case OpCode.getData:
        results.push({ type, data: r.readBuffer(), stat: readStat(r) });
        break;
      case OpCode.getChildren:
        results.push({ type, children: r.readStringVector() ?? [] });
        break;
      case OpCode.error:
        r.readInt();
        results.push({ type, err });
        break;
      default:
        throw new JuteDecodeError(`unexpected result type ${type} in multi response`);
    }
  }
  return results;
}

export function readClientInfo(r: JuteReader): ClientInfo {
  return { authScheme: r.readString() ?? "", user: r.readString() ?? "" };
}

export function writeClientInfo(w: JuteWriter, c: ClientInfo): void {
  w.writeString(c.authScheme).writeString(c.user);
}
