// Request builders that keep scenarios short and close to how the protocol reference writes them.
import { type ACL, OpCode, Perms, type Request } from "@paddock/jute";

export const OPEN_ACL: ACL[] = [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }];
export const READ_ACL: ACL[] = [{ perms: Perms.READ, id: { scheme: "world", id: "anyone" } }];

export function digestAcl(user: string, digest: string, perms: number = Perms.ALL): ACL {
  return { perms, id: { scheme: "digest", id: `${user}:${digest}` } };
}

/** `bob:secret` → this digest (protocol reference §9.2). */
export const BOB_DIGEST = "fyVmFCwVbTJYrznoSu1koqYEYF0=";

const buf = (d: string | null): Buffer | null => (d === null ? null : Buffer.from(d));

type CreateType = OpCode.create | OpCode.create2 | OpCode.createContainer;

export function create(
  path: string,
  data: string | null = "",
  flags = 0,
  acl: ACL[] | null = OPEN_ACL,
  type: CreateType = OpCode.create,
): Request {
  return { type, path, data: buf(data), acl, flags };
}

export function create2(
  path: string,
  data: string | null = "",
  flags = 0,
  acl: ACL[] | null = OPEN_ACL,
): Request {
  return create(path, data, flags, acl, OpCode.create2);
}

export function createTTL(
  path: string,
  ttl: number,
  flags = 5,
  data = "",
  acl: ACL[] | null = OPEN_ACL,
): Request {
  return { type: OpCode.createTTL, path, data: buf(data), acl, flags, ttl };
}

export const del = (path: string, version = -1): Request => ({ type: OpCode.delete, path, version });
export const exists = (path: string, watch = false): Request => ({ type: OpCode.exists, path, watch });
export const getData = (path: string, watch = false): Request => ({ type: OpCode.getData, path, watch });
export const getChildren = (path: string, watch = false): Request => ({
  type: OpCode.getChildren,
  path,
  watch,
});
export const getChildren2 = (path: string, watch = false): Request => ({
  type: OpCode.getChildren2,
  path,
  watch,
});
export const setData = (path: string, data: string | null, version = -1): Request => ({
  type: OpCode.setData,
  path,
  data: buf(data),
  version,
});
export const getACL = (path: string): Request => ({ type: OpCode.getACL, path });
export const setACL = (path: string, acl: ACL[] | null, version = -1): Request => ({
  type: OpCode.setACL,
  path,
  acl,
  version,
});
export const check = (path: string, version: number): Request => ({ type: OpCode.check, path, version });
export const sync = (path: string): Request => ({ type: OpCode.sync, path });
export const multi = (...ops: Request[]): Request => ({ type: OpCode.multi, ops });
export const multiRead = (...ops: Request[]): Request => ({ type: OpCode.multiRead, ops });
export const allChildrenNumber = (path: string): Request => ({ type: OpCode.getAllChildrenNumber, path });
export const getEphemerals = (prefixPath: string): Request => ({ type: OpCode.getEphemerals, prefixPath });
export const addWatch = (path: string, mode: number): Request => ({ type: OpCode.addWatch, path, mode });
export const checkWatches = (path: string, watcherType: number): Request => ({
  type: OpCode.checkWatches,
  path,
  watcherType,
});
export const removeWatches = (path: string, watcherType: number): Request => ({
  type: OpCode.removeWatches,
  path,
  watcherType,
});
export const auth = (scheme: string, credentials: string): Request => ({
  type: OpCode.auth,
  authType: 0,
  scheme,
  auth: Buffer.from(credentials),
});
export const ping: Request = { type: OpCode.ping };
export const whoAmI: Request = { type: OpCode.whoAmI };

export function setWatches(
  relativeZxid: number,
  lists: { data?: string[]; exist?: string[]; child?: string[]; persistent?: string[]; recursive?: string[] },
  two = false,
): Request {
  return {
    type: two ? OpCode.setWatches2 : OpCode.setWatches,
    relativeZxid,
    dataWatches: lists.data ?? [],
    existWatches: lists.exist ?? [],
    childWatches: lists.child ?? [],
    persistentWatches: lists.persistent ?? [],
    persistentRecursiveWatches: lists.recursive ?? [],
  };
}
