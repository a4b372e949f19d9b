// Validation of one write op against the pending view, in ZooKeeper's exact check order
// (reference §14: the first failing check decides the error). Returns the txn body to replicate
// or an error code; never throws for client input.

import {
  type ACL,
  asLatin1,
  CreateMode,
  ErrorCode,
  type Id,
  OpCode,
  Perms,
  type RequestOf,
} from "@paddock/jute";
import { checkAcl, fixupAcl } from "../tree/acl.js";
import { CONTAINER_OWNER, incInt32, MAX_TTL_MS, ownerKind, ttlOwner } from "../tree/node.js";
import { formatSequence, isSpecialPath, parentOf, validatePath } from "../tree/path.js";
import type { Scratch } from "./pending.js";
import type {
  CheckTxn,
  CreateOpcode,
  CreateTxn,
  DeleteContainerTxn,
  DeleteTxn,
  SetAclTxn,
  SetDataTxn,
} from "./txn.js";

export interface PrepareEnv {
  scratch: Scratch;
  sessionId: bigint;
  identities: readonly Id[];
  extendedTypesEnabled: boolean;
  skipAcl: boolean;
  letAnySaslUserDoX: string | undefined;
  /** Schemes with a provider here, for ACL validation (sasl only with its authProvider). */
  aclSchemes: ReadonlySet<string>;
  /** False when the session is unknown or a closeSession for it is pending. */
  sessionLive: boolean;
  /**
   * Why this session may not own an ephemeral (it is a local session), as ZooKeeper answers:
   * EphemeralOnLocalSession for one of this server's, SessionExpired for a learner's (its global
   * check fails); undefined for a global session.
   */
  ephemeralRefusal: number | undefined;
  /** Whether a change below `path` would pass a hard quota limit (always false unless enforced). */
  quotaExceeded(path: string, bytesDiff: number, countDiff: number): boolean;
  /** quotaExceeded for a setData of `path` to `newLength` bytes. */
  setDataQuotaExceeded(path: string, newLength: number): boolean;
}

export type Prepared<T> = { ok: true; body: T } | { ok: false; err: number };

function fail(err: number): { ok: false; err: number } {
  return { ok: false, err };
}

function allowed(env: PrepareEnv, acl: readonly ACL[], perm: number): boolean {
  return checkAcl(acl, perm, env.identities, env.skipAcl, env.letAnySaslUserDoX);
}

/** Expected version -1 matches anything. */
function versionMatches(expected: number, current: number): boolean {
  return expected === -1 || expected === current;
}

/**
 * The owner a create gives its node. As in ZooKeeper, the opcode decides the kind of node; the
 * flags add a sequence number and, for a plain create, make it ephemeral. A plain create with the
 * container flag (the Go client's `Create(path, data, FlagContainer, acl)`) makes a persistent
 * node, as ZooKeeper stores it: its CreateTxn has no container field.
 */
function ownerOf(opcode: CreateOpcode, flags: number, sessionId: bigint, ttlMs: number): bigint {
  switch (opcode) {
    case OpCode.createContainer:
      return CONTAINER_OWNER;
    case OpCode.createTTL:
      return ttlOwner(ttlMs);
    default:
      return flags === CreateMode.Ephemeral || flags === CreateMode.EphemeralSequential ? sessionId : 0n;
  }
}

type CreateRequest = RequestOf<CreateOpcode>;

export function prepareCreate(env: PrepareEnv, req: CreateRequest): Prepared<CreateTxn> {
  const { flags } = req;
  // ZooKeeper's CreateMode.fromFlag: an unknown mode is BadArguments.
  if (!(flags >= CreateMode.Persistent && flags <= CreateMode.PersistentSequentialWithTtl)) {
    return fail(ErrorCode.BadArguments);
  }
  const isTtl = flags === CreateMode.PersistentWithTtl || flags === CreateMode.PersistentSequentialWithTtl;
  if (isTtl && !env.extendedTypesEnabled) return fail(ErrorCode.Unimplemented);
  const ttlMs = req.type === OpCode.createTTL ? req.ttl : -1;
  if (isTtl ? !(ttlMs > 0 && ttlMs <= MAX_TTL_MS) : ttlMs >= 0) return fail(ErrorCode.BadArguments);
  // ZooKeeper takes these too: createContainer makes a container whatever its flags, and
  // createTTL with a mode without a TTL and ttl < 0 makes 3.8.0 fail applying it on every server.
  // No client sends either; Paddock refuses them.
  if (req.type === OpCode.createContainer && flags !== CreateMode.Container)
    return fail(ErrorCode.BadArguments);
  if (req.type === OpCode.createTTL && !isTtl) return fail(ErrorCode.BadArguments);
  if (!env.sessionLive) return fail(ErrorCode.SessionExpired);
  const ephemeral = flags === CreateMode.Ephemeral || flags === CreateMode.EphemeralSequential;
  if (ephemeral && env.ephemeralRefusal !== undefined) return fail(env.ephemeralRefusal);

  const parentPath = parentOf(req.path);
  if (parentPath === undefined || req.path.includes("\0")) return fail(ErrorCode.BadArguments);
  const fixed = fixupAcl(req.acl, env.identities, env.aclSchemes);
  if (!fixed.ok) return fail(fixed.err);
  const parent = env.scratch.get(parentPath);
  if (parent === undefined) return fail(ErrorCode.NoNode);
  if (!allowed(env, parent.acl, Perms.CREATE)) return fail(ErrorCode.NoAuth);

  const isSequential =
    flags === CreateMode.PersistentSequential ||
    flags === CreateMode.EphemeralSequential ||
    flags === CreateMode.PersistentSequentialWithTtl;
  const path = isSequential ? req.path + formatSequence(parent.childCounter) : req.path;
  if (validatePath(path) !== undefined) return fail(ErrorCode.BadArguments);
  if (env.scratch.get(path) !== undefined) return fail(ErrorCode.NodeExists);
  if (ownerKind(parent.ephemeralOwner, env.extendedTypesEnabled) === "ephemeral") {
    return fail(ErrorCode.NoChildrenForEphemerals);
  }
  if (env.quotaExceeded(path, req.data?.length ?? 0, 1)) return fail(ErrorCode.QuotaExceeded);

  const owner = ownerOf(req.type, flags, env.sessionId, ttlMs);

  const parentChildCounter = incInt32(parent.childCounter);
  env.scratch.set(parentPath, {
    ...parent,
    childCounter: parentChildCounter,
    numChildren: parent.numChildren + 1,
  });
  env.scratch.set(path, {
    version: 0,
    aversion: 0,
    childCounter: 0,
    numChildren: 0,
    ephemeralOwner: owner,
    acl: fixed.acl,
  });
  return {
    ok: true,
    body: {
      type: "create",
      path,
      data: asLatin1(req.data),
      acl: fixed.acl,
      ephemeralOwner: owner,
      parentChildCounter,
      opcode: req.type,
    },
  };
}

/** Parent path for delete/deleteContainer: no full validation, but special nodes are refused. */
function deletableParent(path: string): string | undefined {
  const parentPath = parentOf(path);
  if (parentPath === undefined || path.includes("\0") || isSpecialPath(path)) return undefined;
  return parentPath;
}

function removeFromView(scratch: Scratch, path: string, parentPath: string): void {
  const parent = scratch.get(parentPath);
  if (parent !== undefined) scratch.set(parentPath, { ...parent, numChildren: parent.numChildren - 1 });
  scratch.set(path, null);
}

/** closeSession, from the client or from expiry: the session's ephemerals go with it. */
export function removeEphemerals(scratch: Scratch, paths: readonly string[]): void {
  for (const path of paths) removeFromView(scratch, path, parentOf(path)!);
}

export function prepareDelete(env: PrepareEnv, req: RequestOf<OpCode.delete>): Prepared<DeleteTxn> {
  if (!env.sessionLive) return fail(ErrorCode.SessionExpired);
  const parentPath = deletableParent(req.path);
  if (parentPath === undefined) return fail(ErrorCode.BadArguments);
  const parent = env.scratch.get(parentPath);
  if (parent === undefined) return fail(ErrorCode.NoNode);
  if (!allowed(env, parent.acl, Perms.DELETE)) return fail(ErrorCode.NoAuth);
  const node = env.scratch.get(req.path);
  if (node === undefined) return fail(ErrorCode.NoNode);
  if (!versionMatches(req.version, node.version)) return fail(ErrorCode.BadVersion);
  if (node.numChildren > 0) return fail(ErrorCode.NotEmpty);
  removeFromView(env.scratch, req.path, parentPath);
  return { ok: true, body: { type: "delete", path: req.path } };
}

/** deleteContainer from the container/TTL scanner (not from clients): no session or ACL. */
export function prepareDeleteContainer(env: PrepareEnv, path: string): Prepared<DeleteContainerTxn> {
  const parentPath = deletableParent(path);
  if (parentPath === undefined) return fail(ErrorCode.BadArguments);
  const node = env.scratch.get(path);
  if (node === undefined) return fail(ErrorCode.NoNode);
  if (node.numChildren > 0) return fail(ErrorCode.NotEmpty);
  // ZooKeeper's odd but stable choice of code for "this is a session's ephemeral".
  if (ownerKind(node.ephemeralOwner, env.extendedTypesEnabled) === "ephemeral") {
    return fail(ErrorCode.BadVersion);
  }
  removeFromView(env.scratch, path, parentPath);
  return { ok: true, body: { type: "deleteContainer", path } };
}

export function prepareSetData(env: PrepareEnv, req: RequestOf<OpCode.setData>): Prepared<SetDataTxn> {
  if (!env.sessionLive) return fail(ErrorCode.SessionExpired);
  if (validatePath(req.path) !== undefined) return fail(ErrorCode.BadArguments);
  const node = env.scratch.get(req.path);
  if (node === undefined) return fail(ErrorCode.NoNode);
  if (!allowed(env, node.acl, Perms.WRITE)) return fail(ErrorCode.NoAuth);
  if (env.setDataQuotaExceeded(req.path, req.data?.length ?? 0)) return fail(ErrorCode.QuotaExceeded);
  if (!versionMatches(req.version, node.version)) return fail(ErrorCode.BadVersion);
  const version = incInt32(node.version);
  env.scratch.set(req.path, { ...node, version });
  return { ok: true, body: { type: "setData", path: req.path, data: asLatin1(req.data), version } };
}

export function prepareSetAcl(env: PrepareEnv, req: RequestOf<OpCode.setACL>): Prepared<SetAclTxn> {
  if (!env.sessionLive) return fail(ErrorCode.SessionExpired);
  if (validatePath(req.path) !== undefined) return fail(ErrorCode.BadArguments);
  const fixed = fixupAcl(req.acl, env.identities, env.aclSchemes);
  if (!fixed.ok) return fail(fixed.err);
  const node = env.scratch.get(req.path);
  if (node === undefined) return fail(ErrorCode.NoNode);
  if (!allowed(env, node.acl, Perms.ADMIN)) return fail(ErrorCode.NoAuth);
  if (!versionMatches(req.version, node.aversion)) return fail(ErrorCode.BadVersion);
  const aversion = incInt32(node.aversion);
  env.scratch.set(req.path, { ...node, aversion, acl: fixed.acl });
  return { ok: true, body: { type: "setACL", path: req.path, acl: fixed.acl, aversion } };
}

export function prepareCheck(env: PrepareEnv, req: RequestOf<OpCode.check>): Prepared<CheckTxn> {
  if (!env.sessionLive) return fail(ErrorCode.SessionExpired);
  if (validatePath(req.path) !== undefined) return fail(ErrorCode.BadArguments);
  const node = env.scratch.get(req.path);
  if (node === undefined) return fail(ErrorCode.NoNode);
  if (!allowed(env, node.acl, Perms.READ)) return fail(ErrorCode.NoAuth);
  if (!versionMatches(req.version, node.version)) return fail(ErrorCode.BadVersion);
  return { ok: true, body: { type: "check", path: req.path, version: node.version } };
}
