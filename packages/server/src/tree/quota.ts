// Quota bookkeeping (reference §16). A client puts `zookeeper_limits` under
// /zookeeper/quota<path>; from then on every server rewrites the sibling `zookeeper_stats`
// node's data as it applies txns below <path>. These rewrites are not txns: they follow from
// the applied txns, so every server computes the same bytes.

import { QUOTA_PATH } from "./path.js";

// The stats/limits text format is shared with the CLI's setquota/listquota, so it lives in the
// client package (as org.apache.zookeeper.StatsTrack is a client class in ZooKeeper).
export { StatsTrack } from "@paddock/client";

export const QUOTA_LIMIT_NODE = "zookeeper_limits";
export const QUOTA_STAT_NODE = "zookeeper_stats";

/** `/zookeeper/quota/a` -> `/a`; undefined for paths outside the quota subtree or the quota root. */
export function quotedPathOf(quotaParent: string): string | undefined {
  if (!quotaParent.startsWith(`${QUOTA_PATH}/`)) return undefined;
  return quotaParent.slice(QUOTA_PATH.length);
}

export function limitNodeOf(quotedPath: string): string {
  return `${QUOTA_PATH}${quotedPath}/${QUOTA_LIMIT_NODE}`;
}

export function statNodeOf(quotedPath: string): string {
  return `${QUOTA_PATH}${quotedPath}/${QUOTA_STAT_NODE}`;
}

/** The paths that carry a quota (those with a limits node), as ZooKeeper's path trie. */
export class QuotaRoots {
  private readonly roots = new Set<string>();

  add(path: string): void {
    this.roots.add(path);
  }

  delete(path: string): void {
    this.roots.delete(path);
  }

  get size(): number {
    return this.roots.size;
  }

  /** The deepest quota root equal to or above `path` (never "/"), if any. */
  maxPrefix(path: string): string | undefined {
    if (this.roots.size === 0) return undefined;
    let candidate = path;
    while (candidate.length > 1) {
      if (this.roots.has(candidate)) return candidate;
      const slash = candidate.lastIndexOf("/");
      if (slash <= 0) break;
      candidate = candidate.slice(0, slash);
    }
    return undefined;
  }
}
