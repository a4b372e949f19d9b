// Creating a recipe's znode the way Curator does, so Java and TypeScript processes see the same
// names: parents created as containers when missing (creatingParentContainersIfNeeded), and
// "protection" for nodes whose create may be cut off: the name starts with `_c_<uuid>-`, so after
// a ConnectionLoss the client can look for its own node instead of creating a second one.
import { randomUUID } from "node:crypto";
import { CreateMode, ErrorCode, type Stat } from "@paddock/jute";
import type { ZooKeeperClient } from "../client.js";
import type { Data } from "../data.js";
import { isRetryableError, isZooKeeperError } from "../errors.js";
import { withRetry } from "../retry.js";

/** Curator's protected-name prefix: `_c_` + a UUID + `-`, then the node's own name. */
export const PROTECTED_PREFIX = "_c_";
const PROTECTED_PREFIX_LENGTH = PROTECTED_PREFIX.length + 36 + 1;

export function protectedName(id: string, name: string): string {
  return `${PROTECTED_PREFIX}${id}-${name}`;
}

/** A child name without its protection prefix (unchanged when it has none). */
export function withoutProtection(name: string): string {
  if (name.startsWith(PROTECTED_PREFIX) && name[PROTECTED_PREFIX_LENGTH - 1] === "-") {
    return name.slice(PROTECTED_PREFIX_LENGTH);
  }
  return name;
}

export function joinPath(parent: string, child: string): string {
  return parent === "/" ? `/${child}` : `${parent}/${child}`;
}

export function splitPath(path: string): { parent: string; name: string } {
  const at = path.lastIndexOf("/");
  return { parent: at <= 0 ? "/" : path.slice(0, at), name: path.slice(at + 1) };
}

/** The last path component. */
export function nodeName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * Creates the missing ancestors of `path` (not `path` itself) as container nodes, which the
 * server deletes once their last child is gone; persistent nodes where the server has no
 * containers. Existing ancestors are left alone. Retries through connection losses.
 */
export async function ensureParents(
  client: ZooKeeperClient,
  path: string,
  asContainers = true,
): Promise<void> {
  const parts = path.split("/").filter((p) => p !== "");
  let at = "";
  for (const part of parts.slice(0, -1)) {
    at += `/${part}`;
    await createIfMissing(client, at, asContainers);
  }
}

/** Creates `path` (and its missing ancestors) as a persistent node unless it exists. */
export async function ensureNode(client: ZooKeeperClient, path: string): Promise<void> {
  await ensureParents(client, path);
  await createIfMissing(client, path, false);
}

async function createIfMissing(client: ZooKeeperClient, path: string, asContainer: boolean): Promise<void> {
  let mode = asContainer ? CreateMode.Container : CreateMode.Persistent;
  await withRetry(client.retryPolicy, async () => {
    if ((await client.exists(path)) !== null) return;
    try {
      await client.create(path, null, { mode });
    } catch (e) {
      if (isZooKeeperError(e, ErrorCode.NodeExists)) return;
      if (isZooKeeperError(e, ErrorCode.Unimplemented) && mode === CreateMode.Container) {
        mode = CreateMode.Persistent;
        await client.create(path, null, { mode }).catch((e2: unknown) => {
          if (!isZooKeeperError(e2, ErrorCode.NodeExists)) throw e2;
        });
        return;
      }
      throw e;
    }
  });
}

export interface RecipeCreateOptions {
  data?: Data;
  mode: CreateMode;
  ttlMs?: number;
  /** Name the node `_c_<uuid>-<name>` and find it again after a ConnectionLoss. Default true. */
  protection?: boolean;
  /** Create missing parents as containers. Default true. */
  parents?: boolean;
  signal?: AbortSignal;
}

export interface CreatedNode {
  /** Full path, with the protection prefix and sequence suffix. */
  path: string;
  stat: Stat;
}

/**
 * Creates `path` (its last component is the name, e.g. "lock-") as Curator's create builder
 * does with creatingParentContainersIfNeeded() and withProtection(). A missing parent is created
 * and the create sent again; a create cut off by a lost connection is followed by a look for
 * the node by its protected prefix, and only sent again when it is not there. An ephemeral node
 * found there that belongs to an earlier session (the session was lost meanwhile) is deleted
 * and created anew, so the caller always gets a node of its current session.
 */
export async function recipeCreate(
  client: ZooKeeperClient,
  path: string,
  opts: RecipeCreateOptions,
): Promise<CreatedNode> {
  const { parent, name } = splitPath(path);
  const protection = opts.protection ?? true;
  const id = randomUUID();
  const target = protection ? joinPath(parent, protectedName(id, name)) : path;
  const createOptions =
    opts.ttlMs === undefined ? { mode: opts.mode } : { mode: opts.mode, ttlMs: opts.ttlMs };
  const ephemeral = opts.mode === CreateMode.Ephemeral || opts.mode === CreateMode.EphemeralSequential;
  let mayExist = false;
  return withRetry(
    client.retryPolicy,
    async () => {
      if (mayExist && protection) {
        const found = await findProtected(client, parent, id, ephemeral);
        if (found !== undefined) return found;
      }
      try {
        return await client.create2(target, opts.data, createOptions);
      } catch (e) {
        if (isZooKeeperError(e, ErrorCode.NoNode) && opts.parents !== false) {
          await ensureParents(client, target);
          return await client.create2(target, opts.data, createOptions);
        }
        if (isRetryableError(e)) mayExist = true;
        throw e;
      }
    },
    opts.signal === undefined ? {} : { signal: opts.signal },
  );
}

/** Our protected node under `parent`, if the lost create took effect in the current session. */
async function findProtected(
  client: ZooKeeperClient,
  parent: string,
  id: string,
  ephemeral: boolean,
): Promise<CreatedNode | undefined> {
  let children: string[];
  try {
    children = await client.getChildren(parent);
  } catch (e) {
    if (isZooKeeperError(e, ErrorCode.NoNode)) return undefined;
    throw e;
  }
  const prefix = protectedName(id, "");
  const found = children.find((c) => c.startsWith(prefix));
  if (found === undefined) return undefined;
  const path = joinPath(parent, found);
  const stat = await client.exists(path);
  if (stat === null) return undefined;
  if (ephemeral && stat.ephemeralOwner !== client.sessionId) {
    await deleteGuaranteed(client, path);
    return undefined;
  }
  return { path, stat };
}

/**
 * Deletes `path`, sending the delete again after connection losses until the node is gone or
 * the session is (Curator's guaranteed()): a lock node left behind while its session lives
 * would block everyone queued behind it.
 */
export async function deleteGuaranteed(client: ZooKeeperClient, path: string, version = -1): Promise<void> {
  for (;;) {
    try {
      await client.delete(path, version);
      return;
    } catch (e) {
      if (isZooKeeperError(e, ErrorCode.NoNode)) return;
      if (isZooKeeperError(e, ErrorCode.SessionExpired) || isZooKeeperError(e, ErrorCode.AuthFailed)) return;
      if (!isRetryableError(e)) throw e;
    }
  }
}

/** The children of `path`, or none when it does not exist; retried through connection losses. */
export async function childrenOrEmpty(client: ZooKeeperClient, path: string): Promise<string[]> {
  return withRetry(client.retryPolicy, async () => {
    try {
      return await client.getChildren(path);
    } catch (e) {
      if (isZooKeeperError(e, ErrorCode.NoNode)) return [];
      throw e;
    }
  });
}
