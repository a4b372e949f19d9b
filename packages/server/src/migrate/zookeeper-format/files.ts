// Where ZooKeeper keeps its files: <dataDir>/version-2/snapshot.<hex zxid>[.gz|.snappy] and
// <dataLogDir>/version-2/log.<hex zxid of the first txn>, names parsed as Util.getZxidFromName does.

import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";

export const VERSION_DIR = "version-2";

export interface ZkFileName {
  name: string;
  path: string;
  zxid: number;
}

/**
 * The version-2 directory for a directory a user names: `<dir>/version-2` when it exists,
 * `<dir>` itself when it is one; undefined otherwise.
 */
export function zkVersionDir(dir: string): string | undefined {
  const abs = resolve(dir);
  const inner = join(abs, VERSION_DIR);
  if (existsSync(inner) && statSync(inner).isDirectory()) return inner;
  if (basename(abs) === VERSION_DIR && existsSync(abs)) return abs;
  return undefined;
}

function listByPrefix(dir: string, prefix: string, allowSuffix: boolean): ZkFileName[] {
  const out: ZkFileName[] = [];
  for (const name of readdirSync(dir)) {
    const parts = name.split(".");
    if (parts[0] !== prefix.slice(0, -1) || parts.length < 2) continue;
    if (parts.length > 2 && !(allowSuffix && parts.length === 3 && /^(gz|snappy)$/.test(parts[2]!))) continue;
    if (!/^[0-9a-fA-F]{1,16}$/.test(parts[1]!)) continue;
    const zxid = Number.parseInt(parts[1]!, 16);
    if (!Number.isSafeInteger(zxid)) continue;
    out.push({ name, path: join(dir, name), zxid });
  }
  return out.sort((a, b) => a.zxid - b.zxid);
}

/** Snapshot files, oldest first (compressed ones included). */
export function listZkSnapshots(versionDir: string): ZkFileName[] {
  return listByPrefix(versionDir, "snapshot.", true);
}

/** Txn log files, oldest first. */
export function listZkLogs(versionDir: string): ZkFileName[] {
  return listByPrefix(versionDir, "log.", false);
}

/**
 * FileTxnLog.getLogFiles: the last log starting at or before `snapshotZxid` and every later one;
 * older logs hold nothing the snapshot lacks.
 */
export function logsFrom(logs: readonly ZkFileName[], snapshotZxid: number): ZkFileName[] {
  let start = 0;
  for (let i = 0; i < logs.length; i++) if (logs[i]!.zxid <= snapshotZxid) start = i;
  return logs.slice(start);
}
