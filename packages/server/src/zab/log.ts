// The replicated log as one server holds it: the entries after a base (the snapshot the state
// was restored from, or the point older committed entries were trimmed to), the commit point
// and the durable point. Pure bookkeeping; the effects of changing it are the caller's.

import type { LogEntry } from "./messages.js";
import { ZabError } from "./types.js";
import { epochOf, formatZxid, isContiguous, makeZxid } from "./zxid.js";

/** Cap on ACKEPOCH.epochEnds; a learner with more epochs in memory may get a SNAP instead of a TRUNC. */
export const MAX_EPOCH_ENDS = 32;

/**
 * Where the run of entries starting at `from` ends (exclusive): at most `maxEntries` of them,
 * closed once their payloads reach `maxBytes`, so a run passes that bound by one entry at most.
 */
export function entryRunEnd(
  entries: readonly LogEntry[],
  from: number,
  maxEntries: number,
  maxBytes: number,
): number {
  let end = from;
  let bytes = 0;
  while (end < entries.length && end - from < maxEntries && bytes < maxBytes) {
    bytes += entries[end]!.payload.byteLength;
    end++;
  }
  return end;
}

export class ReplicatedLog {
  /** Entries after baseZxid, strictly increasing and contiguous. */
  entries: LogEntry[];
  /** The prefix up to here is in the snapshot or was trimmed. */
  baseZxid: number;
  lastCommitted: number;
  /** Everything up to here is on disk (-1 while a snapshot is being installed). */
  durableZxid: number;
  /** A SNAP being installed: nothing is durable until it is. */
  snapshotPending: number | null = null;

  constructor(snapshotZxid: number, entries: readonly LogEntry[]) {
    this.entries = entries.slice();
    this.baseZxid = snapshotZxid;
    let prev = snapshotZxid;
    for (const e of this.entries) {
      if (!isContiguous(prev, e.zxid)) {
        throw new ZabError(
          "RUNTIME_CONTRACT",
          `restored log has a hole: ${formatZxid(e.zxid)} after ${formatZxid(prev)}`,
        );
      }
      prev = e.zxid;
    }
    this.lastCommitted = snapshotZxid;
    this.durableZxid = this.lastZxid();
  }

  lastZxid(): number {
    const last = this.entries[this.entries.length - 1];
    return last === undefined ? this.baseZxid : last.zxid;
  }

  /** Index of the first entry with zxid > z. */
  indexAfter(z: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.zxid <= z) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  hasZxid(z: number): boolean {
    if (z === this.baseZxid) return true;
    const i = this.indexAfter(z) - 1;
    return i >= 0 && this.entries[i]!.zxid === z;
  }

  entriesBetween(afterZxid: number, uptoZxid: number): LogEntry[] {
    return this.entries.slice(this.indexAfter(afterZxid), this.indexAfter(uptoZxid));
  }

  /** The last zxid of each epoch in the log, newest first, at most MAX_EPOCH_ENDS. */
  epochEnds(): number[] {
    const ends: number[] = [];
    let i = this.entries.length - 1;
    while (i >= 0 && ends.length < MAX_EPOCH_ENDS) {
      const z = this.entries[i]!.zxid;
      ends.push(z);
      // Jump to the last entry of the previous epoch.
      i = this.indexAfter(makeZxid(epochOf(z), 0)) - 1;
    }
    return ends;
  }

  /** Keeps at most ~maxEntries committed entries in memory; older followers get a SNAP. */
  trim(maxEntries: number): void {
    const slack = Math.max(1, Math.ceil(maxEntries / 4));
    if (this.entries.length <= maxEntries + slack) return;
    const committedCount = this.indexAfter(this.lastCommitted);
    const drop = Math.min(committedCount, this.entries.length - maxEntries);
    if (drop <= 0) return;
    this.baseZxid = this.entries[drop - 1]!.zxid;
    this.entries.splice(0, drop);
  }

  /** Drops every entry after z (a TRUNC); z must be held. */
  truncateAfter(z: number): void {
    this.entries.length = this.indexAfter(z);
    this.durableZxid = Math.min(this.durableZxid, z);
  }

  /** Replaces the whole log with a snapshot at z that is not durable yet (a SNAP). */
  resetToSnapshot(z: number): void {
    this.entries = [];
    this.baseZxid = z;
    this.lastCommitted = z;
    this.durableZxid = -1;
    this.snapshotPending = z;
  }
}
