// Before a measured round: the page cache's dirty data reaches the disk first. A round leaves
// hundreds of MB of snapshots dirty in the cache, and the kernel writes them back some 30 s
// later, in whichever round is running then; on a shared disk each of that round's durable log
// writes then waits behind the writeback (docs/benchmarks.md, eleventh and eighteenth rounds of
// issue 14). Flushing between rounds charges each round its own writes only.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";

/** Dirty plus under-writeback bytes in a /proc/meminfo text; undefined when neither is listed. */
export function parseUnwrittenBytes(meminfo: string): number | undefined {
  let total: number | undefined;
  for (const line of meminfo.split("\n")) {
    const m = /^(Dirty|Writeback):\s+(\d+)\s+kB$/.exec(line.trim());
    if (m) total = (total ?? 0) + Number(m[2]) * 1024;
  }
  return total;
}

/** The page cache's bytes not yet on disk, where the system says (Linux); else undefined. */
export function unwrittenBytes(): number | undefined {
  try {
    return parseUnwrittenBytes(readFileSync("/proc/meminfo", "utf8"));
  } catch {
    return undefined;
  }
}

export interface WritebackFlush {
  /** Bytes waiting before the flush; undefined where the system does not say. */
  unwrittenBytesBefore: number | undefined;
  tookMs: number;
}

/** Runs `sync(1)`, which returns once every dirty page of every file system is on disk. */
export async function flushWriteback(): Promise<WritebackFlush> {
  const unwrittenBytesBefore = unwrittenBytes();
  const startedMs = performance.now();
  await new Promise<void>((resolve, reject) => {
    execFile("sync", [], (err) => (err ? reject(new Error(`sync failed: ${err.message}`)) : resolve()));
  });
  return { unwrittenBytesBefore, tookMs: performance.now() - startedMs };
}
