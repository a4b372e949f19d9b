// Quota bookkeeping (reference §16). A client puts `zookeeper_limits` under
// /zookeeper/quota<path>; from then on every server rewrites the sibling `zookeeper_stats`
// node's data as it applies txns below <path>. These rewrites are not txns: they follow from
// the applied txns, so every server computes the same bytes.

import { QUOTA_PATH } from "./path.js";

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

/**
 * ZooKeeper's StatsTrack text: `count=N,bytes=M`, then (only when other keys exist) `=` and
 * `;key=value` for each other key in sorted order. Parsing splits on runs of `,` and `;`; a key
 * with an empty value reads as -1; missing count/bytes read as -1.
 */
export class StatsTrack {
  readonly values = new Map<string, number>();

  static parse(text: string): StatsTrack {
    const track = new StatsTrack();
    for (const pair of text.split(/[,;]+/)) {
      if (pair === "") continue;
      const parts = pair.split("=").filter((p, i, all) => i < all.length - 1 || p !== "");
      const key = parts[0] ?? "";
      const raw = parts[1] ?? "";
      const value = raw === "" ? -1 : Number(raw);
      // Unparsable stats are left to the client who wrote them: they count as unknown (-1).
      track.values.set(key, Number.isSafeInteger(value) ? value : -1);
    }
    return track;
  }

  get count(): number {
    return this.values.get("count") ?? -1;
  }

  set count(v: number) {
    this.values.set("count", v);
  }

  get bytes(): number {
    return this.values.get("bytes") ?? -1;
  }

  set bytes(v: number) {
    this.values.set("bytes", v);
  }

  toString(): string {
    const others = [...this.values.keys()].filter((k) => k !== "count" && k !== "bytes").sort();
    let text = `count=${this.count},bytes=${this.bytes}`;
    if (others.length > 0) text += `=${others.map((k) => `;${k}=${this.values.get(k)}`).join("")}`;
    return text;
  }
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
