// Offline deletion of txn log segments wholly at or below a zxid: what purging needs once the
// snapshots that make those segments unnecessary are known. Kept apart from the snapshot store
// and the autopurge timer, which both use it.

import { open, readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { StorageCorruptionError } from "./errors.js";
import { decodeSegmentHeader, LOG_HEADER_BYTES, LOG_PREFIX, zxidFromFileName } from "./format.js";
import { fsyncDir } from "./fs-util.js";

/**
 * Deletes, oldest first, the segments in `logDir` whose records are all at or below `zxid`,
 * judged by the next segment's header (its prev zxid is this one's last zxid). For a log no
 * process has open; with an open TxnLog use `dropSegmentsThrough`.
 */
export async function purgeSegmentsOffline(logDir: string, zxid: number): Promise<string[]> {
  const segs: { name: string; first: number }[] = [];
  for (const name of await readdir(logDir)) {
    const first = zxidFromFileName(LOG_PREFIX, name);
    if (first !== undefined) segs.push({ name, first });
  }
  segs.sort((a, b) => a.first - b.first);
  const dropped: string[] = [];
  for (let i = 0; i + 1 < segs.length; i++) {
    const nextPath = join(logDir, segs[i + 1]!.name);
    const fh = await open(nextPath, "r");
    let prevZxid: number;
    try {
      const buf = Buffer.alloc(LOG_HEADER_BYTES);
      const { bytesRead } = await fh.read(buf, 0, LOG_HEADER_BYTES, 0);
      const header = decodeSegmentHeader(buf.subarray(0, bytesRead));
      if (typeof header === "string")
        throw new StorageCorruptionError(nextPath, 0, `segment header: ${header}`);
      prevZxid = header.prevZxid;
    } finally {
      await fh.close();
    }
    if (prevZxid > zxid) break;
    await unlink(join(logDir, segs[i]!.name));
    dropped.push(segs[i]!.name);
  }
  if (dropped.length > 0) await fsyncDir(logDir);
  return dropped;
}
