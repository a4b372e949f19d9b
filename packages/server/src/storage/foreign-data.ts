// Apache ZooKeeper keeps its files under the same names as ours (version-2/log.<hex>,
// snapshot.<hex>), so a server pointed at a ZooKeeper dataDir (the official image's /data volume)
// would otherwise read them as damaged Paddock files. Recognising them by their magic numbers
// lets the server say what they are and how to bring them over instead.

import { closeSync, openSync, readdirSync, readSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { LOG_PREFIX, SNAPSHOT_PREFIX, TMP_SUFFIX } from "./format.js";

/** FileTxnLog.TXNLOG_MAGIC: "ZKLG". */
export const ZK_LOG_MAGIC = 0x5a4b4c47;
/** FileSnap.SNAP_MAGIC: "ZKSN". */
export const ZK_SNAP_MAGIC = 0x5a4b534e;
/** A gzip stream (ZooKeeper's `snapshot.<hex>.gz` with zookeeper.snapshot.compression.method=gz). */
export const GZIP_MAGIC_16 = 0x1f8b;

export interface ZooKeeperFile {
  path: string;
  kind: "txn log" | "snapshot" | "compressed snapshot";
}

function firstBytes(path: string, n: number): Buffer {
  const buf = Buffer.alloc(n);
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } catch {
    return Buffer.alloc(0);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** What kind of ZooKeeper file `path` is (by its magic or its name), or undefined. */
export function zooKeeperKindOf(path: string): ZooKeeperFile["kind"] | undefined {
  if (/(^|\/)snapshot\.[0-9a-f]+\.(gz|snappy)$/.test(path)) return "compressed snapshot";
  const head = firstBytes(path, 4);
  if (head.length < 4) return undefined;
  const magic = head.readUInt32BE(0);
  if (magic === ZK_LOG_MAGIC) return "txn log";
  if (magic === ZK_SNAP_MAGIC) return "snapshot";
  return undefined;
}

/**
 * ZooKeeper's files in `dir` (a version-2 directory), newest name last; empty when there are
 * none or the directory does not exist. Only names ZooKeeper writes are opened, 4 bytes each.
 */
export function findZooKeeperFiles(dir: string): ZooKeeperFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: ZooKeeperFile[] = [];
  for (const name of names.sort()) {
    if (name.endsWith(TMP_SUFFIX)) continue;
    if (!name.startsWith(LOG_PREFIX) && !name.startsWith(SNAPSHOT_PREFIX)) continue;
    const path = join(dir, name);
    const kind = zooKeeperKindOf(path);
    if (kind !== undefined) found.push({ path, kind });
  }
  return found;
}

/** The directory a user configured: the parent of `.../version-2`, else the directory itself. */
function configuredDir(versionDir: string): string {
  return basename(versionDir) === "version-2" ? dirname(versionDir) : versionDir;
}

/**
 * The server was pointed at Apache ZooKeeper's data. Nothing was changed on disk; the message
 * says how to import it.
 */
export class ZooKeeperDataError extends Error {
  readonly code = "ZOOKEEPER_DATA";

  constructor(
    readonly files: readonly ZooKeeperFile[],
    dataDir: string,
    dataLogDir: string,
  ) {
    const first = files[0]!;
    const zkDirs = dataLogDir === dataDir ? dataDir : `${dataDir} ${dataLogDir}`;
    super(
      `${first.path} is an Apache ZooKeeper ${first.kind}, not a Paddock file: this directory holds ZooKeeper's data ` +
        `(${files.length} ZooKeeper file(s)). Paddock cannot run on it directly and has changed nothing. ` +
        `Import it into a new, empty directory with \`paddock-server import-zk ${zkDirs} <newDataDir>\` ` +
        "and set dataDir to that directory (docs/migrating.md).",
    );
    this.name = "ZooKeeperDataError";
  }
}

/**
 * Throws ZooKeeperDataError when either version-2 directory holds ZooKeeper files. Called before
 * recovery opens anything, so such a directory is never touched.
 */
export function assertNoZooKeeperData(snapshotDir: string, logDir: string): void {
  const files = [...findZooKeeperFiles(snapshotDir)];
  if (logDir !== snapshotDir) files.push(...findZooKeeperFiles(logDir));
  if (files.length > 0) {
    throw new ZooKeeperDataError(files, configuredDir(snapshotDir), configuredDir(logDir));
  }
}
