// wchs, wchc and wchp: the watches, summed up, by session and by path.

import type { WatchSummaryInfo } from "./four-letter-snapshots.js";
import { javaHex } from "./java-format.js";

export function formatWchs(w: WatchSummaryInfo): string {
  return `${w.connections} connections watching ${w.paths} paths\nTotal watches:${w.totalWatches}\n`;
}

export function formatWchc(
  bySession: ReadonlyArray<{ sessionId: bigint; paths: readonly string[] }>,
): string {
  let out = "";
  for (const { sessionId, paths } of bySession) {
    out += `0x${javaHex(sessionId)}\n`;
    for (const path of paths) out += `\t${path}\n`;
  }
  return `${out}\n`;
}

export function formatWchp(byPath: ReadonlyArray<{ path: string; sessionIds: readonly bigint[] }>): string {
  let out = "";
  for (const { path, sessionIds } of byPath) {
    out += `${path}\n`;
    for (const id of sessionIds) out += `\t0x${javaHex(id)}\n`;
  }
  return `${out}\n`;
}
