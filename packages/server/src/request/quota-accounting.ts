// Quotas as the state machine keeps them (reference §16): which paths carry a quota, the
// `zookeeper_stats` rewrites that follow every applied change below one (not txns of their own:
// every server derives the same bytes), and the hard-limit check prepare asks for.

import type { DataTree } from "../tree/data-tree.js";
import { textValue, valueText } from "../tree/node.js";
import { baseName, parentOf } from "../tree/path.js";
import {
  limitNodeOf,
  QUOTA_LIMIT_NODE,
  QUOTA_STAT_NODE,
  QuotaRoots,
  quotedPathOf,
  StatsTrack,
  statNodeOf,
} from "../tree/quota.js";

export class QuotaAccounting {
  private readonly roots = new QuotaRoots();

  constructor(
    private readonly tree: DataTree,
    private readonly enforce: boolean,
  ) {}

  /**
   * ZooKeeper's quota check: only hard limits fail a request, judged against the applied stats
   * (not the pending view), and only with enforceQuota on.
   */
  exceeds(path: string, bytesDiff: number, countDiff: number): boolean {
    if (!this.enforce) return false;
    const root = this.roots.maxPrefix(path);
    if (root === undefined) return false;
    const limitsNode = this.tree.get(limitNodeOf(root));
    if (limitsNode === undefined) return false;
    const limits = StatsTrack.parse(valueText(limitsNode.data));
    const countHard = limits.values.get("countHardLimit") ?? -1;
    const bytesHard = limits.values.get("byteHardLimit") ?? -1;
    const checkCount = countDiff !== 0 && (limits.count > -1 || countHard > -1);
    const checkBytes = bytesDiff !== 0 && (limits.bytes > -1 || bytesHard > -1);
    if (!checkCount && !checkBytes) return false;
    const statsNode = this.tree.get(statNodeOf(root));
    if (statsNode === undefined) return false;
    const current = StatsTrack.parse(valueText(statsNode.data));
    // Soft limits (count/bytes) only make ZooKeeper log; hard limits refuse the change.
    if (checkCount && countHard > -1 && current.count + countDiff > countHard) return true;
    if (checkBytes && bytesHard > -1 && current.bytes + bytesDiff > bytesHard) return true;
    return false;
  }

  /**
   * exceeds for a setData of `path` to `newLength` bytes: ZooKeeper measures the growth against
   * the applied node, which is looked up only when quotas are enforced.
   */
  setDataExceeds(path: string, newLength: number): boolean {
    if (!this.enforce) return false;
    return this.exceeds(path, newLength - (this.tree.get(path)?.data?.length ?? 0), 0);
  }

  /** After `path` was inserted below `parentPath`: a limits node adds a quota, a stats node is counted. */
  created(path: string, parentPath: string, dataLength: number): void {
    const quoted = quotedPathOf(parentPath);
    if (quoted !== undefined) {
      const name = baseName(path);
      if (name === QUOTA_LIMIT_NODE) this.roots.add(quoted);
      if (name === QUOTA_STAT_NODE) this.recount(quoted);
    }
    this.adjust(path, dataLength, 1);
  }

  /** After `path` was removed: removing a limits node ends its quota. */
  deleted(path: string, parentPath: string, dataLength: number): void {
    const quoted = quotedPathOf(parentPath);
    if (quoted !== undefined && baseName(path) === QUOTA_LIMIT_NODE) this.roots.delete(quoted);
    this.adjust(path, -dataLength, -1);
  }

  dataChanged(path: string, bytesDiff: number): void {
    this.adjust(path, bytesDiff, 0);
  }

  /** The quota roots of a tree restored from a snapshot, from its limits nodes. */
  restoreRoots(): void {
    for (const path of this.tree.paths()) {
      if (baseName(path) !== QUOTA_LIMIT_NODE) continue;
      const quoted = quotedPathOf(parentOf(path)!);
      if (quoted !== undefined) this.roots.add(quoted);
    }
  }

  /** Quota stats follow every change below a quota root; no events, no stat change. */
  private adjust(path: string, bytesDiff: number, countDiff: number): void {
    const root = this.roots.maxPrefix(path);
    if (root === undefined) return;
    const statPath = statNodeOf(root);
    const statNode = this.tree.get(statPath);
    if (statNode === undefined) return;
    const track = StatsTrack.parse(valueText(statNode.data));
    track.count += countDiff;
    track.bytes += bytesDiff;
    this.tree.update(statPath, { data: textValue(track.toString()) });
  }

  /** A new stats node starts from the current size of the subtree it describes. */
  private recount(quoted: string): void {
    let count = 0;
    let bytes = 0;
    if (this.tree.has(quoted)) {
      const stack = [quoted];
      while (stack.length > 0) {
        const path = stack.pop()!;
        const node = this.tree.get(path)!;
        count++;
        bytes += node.data?.length ?? 0;
        for (const child of node.children) stack.push(path === "/" ? `/${child}` : `${path}/${child}`);
      }
    }
    const track = new StatsTrack();
    track.count = count;
    track.bytes = bytes;
    this.tree.update(statNodeOf(quoted), { data: textValue(track.toString()) });
  }
}
