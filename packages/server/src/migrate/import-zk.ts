// `paddock-server import-zk <zkDataDir> [zkDataLogDir] <dataDir>`: rebuilds the state a stopped
// Apache ZooKeeper would restore on start (its newest valid snapshot plus the txn logs after it,
// checksums and digests checked) and writes it as a Paddock snapshot with the same zxid. Sessions
// are kept, as a restarting ZooKeeper keeps them: their clients can resume them on Paddock
// (ZooKeeper derives a session's password from its id, and so does the import).

import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { StateMachine } from "../request/index.js";
import { SnapshotStore } from "../storage/index.js";
import { CONFIG_PATH, ROOT_PATH } from "../tree/path.js";
import { encodePaddockSnapshot, type PaddockSession, type PaddockState } from "./paddock-snapshot.js";
import {
  listZkLogs,
  listZkSnapshots,
  logsFrom,
  VERSION_DIR,
  zkVersionDir,
} from "./zookeeper-format/files.js";
import { zooKeeperSessionPassword } from "./zookeeper-format/session-password.js";
import {
  parseZkSnapshot,
  snapshotStream,
  UNRESOLVED_ACL,
  type ZkSnapshotDigest,
} from "./zookeeper-format/snapshot.js";
import { configNode, ZK_DIGEST_VERSION, type ZkTree } from "./zookeeper-format/tree.js";
import { readZkLogFile } from "./zookeeper-format/txn-log.js";

/** What the user did wrong or what the data does not allow; printed as one line, nothing written. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

export interface ImportOptions {
  zkDataDir: string;
  /** Default: zkDataDir. */
  zkDataLogDir?: string;
  dataDir: string;
  /** Go on when a digest does not match (it is still reported). */
  ignoreDigest?: boolean;
  /** Progress and warnings, one line each. */
  report?: (line: string) => void;
}

export interface ImportResult {
  zxid: number;
  nodes: number;
  sessions: number;
  snapshotFile: string;
  snapshotFileWritten: string;
  logFiles: number;
  replayedTxns: number;
  digestsChecked: number;
  warnings: string[];
}

const hex = (zxid: number): string => `0x${zxid.toString(16)}`;

/** Paddock files already in a version-2 directory (the import never writes over data). */
export function existingDataFiles(versionDir: string): string[] {
  if (!existsSync(versionDir)) return [];
  return readdirSync(versionDir).filter((n) => /^(snapshot|log)\./.test(n));
}

interface LoadedSnapshot {
  file: string;
  zxid: number;
  tree: ZkTree;
  digest: ZkSnapshotDigest | undefined;
  unresolvedAcls: Map<string, number>;
}

async function newestValidSnapshot(
  versionDir: string,
  warn: (l: string) => void,
): Promise<LoadedSnapshot | undefined> {
  // FileSnap.deserialize tries up to 100 snapshots, newest first.
  const candidates = listZkSnapshots(versionDir).reverse().slice(0, 100);
  for (const snap of candidates) {
    try {
      const parsed = parseZkSnapshot(snapshotStream(snap.name, await readFile(snap.path)));
      parsed.tree.lastZxid = snap.zxid;
      return { file: snap.path, zxid: snap.zxid, ...parsed };
    } catch (err) {
      warn(`${snap.path}: ${(err as Error).message}; trying an older snapshot`);
    }
  }
  if (candidates.length > 0) {
    throw new MigrationError(`none of the ${candidates.length} snapshot(s) in ${versionDir} is valid`);
  }
  return undefined;
}

/** Reads ZooKeeper's files and returns the state to write; touches nothing on disk. */
export async function readZooKeeperState(
  opts: Pick<ImportOptions, "zkDataDir" | "zkDataLogDir" | "ignoreDigest" | "report">,
): Promise<{ state: PaddockState; result: Omit<ImportResult, "snapshotFileWritten"> }> {
  const warnings: string[] = [];
  const report = opts.report ?? (() => {});
  const warn = (line: string) => {
    warnings.push(line);
    report(`warning: ${line}`);
  };
  const snapDir = zkVersionDir(opts.zkDataDir);
  if (snapDir === undefined) {
    throw new MigrationError(
      `${resolve(opts.zkDataDir)} has no ${VERSION_DIR} directory: not a ZooKeeper dataDir`,
    );
  }
  const logDir = opts.zkDataLogDir === undefined ? snapDir : zkVersionDir(opts.zkDataLogDir);
  if (logDir === undefined) {
    throw new MigrationError(
      `${resolve(opts.zkDataLogDir!)} has no ${VERSION_DIR} directory: not a ZooKeeper dataLogDir`,
    );
  }
  const snap = await newestValidSnapshot(snapDir, warn);
  const logs = listZkLogs(logDir);
  if (snap === undefined) {
    // FileTxnSnapLog.restore refuses the same way (ZOOKEEPER-2325).
    if (logs.length > 0) {
      throw new MigrationError(
        `${snapDir} holds txn logs but no snapshot: ZooKeeper itself refuses to start from this`,
      );
    }
    throw new MigrationError(`${snapDir} holds neither a snapshot nor a txn log: nothing to import`);
  }
  report(
    `snapshot ${snap.file}: zxid ${hex(snap.zxid)}, ${snap.tree.nodes.size} nodes, ${snap.tree.sessions.size} session(s)`,
  );
  const tree = snap.tree;

  // DataTree.deserializeZxidDigest: a digest older than the snapshot's zxid cannot be compared.
  let pendingDigest = snap.digest !== undefined && snap.digest.zxid >= snap.zxid ? snap.digest : undefined;
  const mismatches: string[] = [];
  let digestsChecked = 0;
  const compare = (zxid: number, expected: bigint, version: number, source: string) => {
    if (version !== ZK_DIGEST_VERSION) return;
    digestsChecked++;
    if (tree.digest !== expected) {
      mismatches.push(
        `${source}: tree digest after ${hex(zxid)} is ${tree.digest.toString(16)}, ZooKeeper recorded ${expected.toString(16)}`,
      );
    }
  };
  if (pendingDigest !== undefined && pendingDigest.zxid === snap.zxid) {
    compare(snap.zxid, pendingDigest.digest, pendingDigest.version, snap.file);
    pendingDigest = undefined;
  }

  const files = logsFrom(logs, snap.zxid);
  let replayedTxns = 0;
  let previous: number | undefined;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const { entries, end } = await readZkLogFile(file.path);
    for (const entry of entries) {
      const zxid = entry.header.zxid;
      // FileTxnIterator fast-forwards to the first txn after the snapshot.
      if (zxid <= snap.zxid) continue;
      if (previous !== undefined && zxid <= previous) {
        warn(`${file.path} at offset ${entry.offset}: zxid ${hex(zxid)} does not follow ${hex(previous)}`);
      } else if (!followsWithoutGap(previous ?? snap.zxid, zxid)) {
        warn(
          `${file.path} at offset ${entry.offset}: txns between ${hex(previous ?? snap.zxid)} and ${hex(zxid)} are missing`,
        );
      }
      previous = zxid;
      tree.apply(entry.header, entry.body);
      replayedTxns++;
      if (pendingDigest !== undefined) {
        if (zxid === pendingDigest.zxid) {
          compare(zxid, pendingDigest.digest, pendingDigest.version, `${snap.file} (digest)`);
          pendingDigest = undefined;
        }
      } else if (entry.digest !== undefined) {
        compare(
          zxid,
          entry.digest.treeDigest,
          entry.digest.version,
          `${file.path} at offset ${entry.offset}`,
        );
      }
    }
    if (end.kind === "torn") {
      const last = i === files.length - 1;
      warn(
        `${file.path} ends with a partial entry at offset ${end.offset} (${end.reason}); ` +
          (last
            ? "it was never acknowledged and is left out, as ZooKeeper does"
            : "ZooKeeper moves on to the next log as well"),
      );
    }
  }
  if (pendingDigest !== undefined) {
    warn(
      `the txn logs end before ${hex(pendingDigest.zxid)}, the zxid of the snapshot's digest: it was not checked`,
    );
  }
  if (mismatches.length > 0) {
    const text = `${mismatches.length} digest mismatch(es), first: ${mismatches[0]}`;
    if (!opts.ignoreDigest) {
      throw new MigrationError(`${text}. Nothing was written; --ignore-digest imports anyway`);
    }
    warn(text);
  }
  for (const [path, index] of snap.unresolvedAcls) {
    // A later setACL, or a delete and create, may have replaced it since.
    if (tree.nodes.get(path)?.acl === UNRESOLVED_ACL) {
      throw new MigrationError(`${path} refers to ACL ${index}, which ${snap.file} does not hold`);
    }
  }
  checkConnected(tree);

  // ZooKeeper rewrites /zookeeper/config from its own configuration at every start; Paddock's
  // is the fresh node, whatever the ZooKeeper ensemble had there.
  const config = tree.nodes.get(CONFIG_PATH);
  if (config !== undefined) {
    const fresh = configNode();
    fresh.children = config.children;
    tree.nodes.set(CONFIG_PATH, fresh);
  }
  const sessions = new Map<bigint, PaddockSession>();
  for (const [id, timeoutMs] of tree.sessions)
    sessions.set(id, { timeoutMs, passwd: zooKeeperSessionPassword(id) });
  const zxid = Math.max(tree.lastZxid, snap.zxid);
  return {
    state: { zxid, sessions, nodes: tree.nodes },
    result: {
      zxid,
      nodes: tree.nodes.size,
      sessions: sessions.size,
      snapshotFile: snap.file,
      logFiles: files.length,
      replayedTxns,
      digestsChecked,
      warnings,
    },
  };
}

/** zxid `next` may follow `prev` directly: the next counter of the same epoch, or a new epoch's first. */
function followsWithoutGap(prev: number, next: number): boolean {
  if (next === prev + 1) return true;
  const epoch = (z: number) => Math.floor(z / 0x1_0000_0000);
  return epoch(next) > epoch(prev) && next % 0x1_0000_0000 === 1;
}

/** Every node's parent exists and every node is reachable from the root. */
function checkConnected(tree: ZkTree): void {
  let reachable = 0;
  const stack = [ROOT_PATH];
  while (stack.length > 0) {
    const path = stack.pop()!;
    const node = tree.nodes.get(path);
    if (node === undefined)
      throw new MigrationError(`the replayed tree lists ${path} as a child, but it does not exist`);
    reachable++;
    for (const c of node.children) stack.push(path === ROOT_PATH ? `/${c}` : `${path}/${c}`);
  }
  if (reachable !== tree.nodes.size) {
    throw new MigrationError(
      `the replayed tree holds ${tree.nodes.size - reachable} node(s) without a parent`,
    );
  }
}

/** The whole import: read, check that Paddock's state machine loads the result, write. */
export async function importZooKeeper(opts: ImportOptions): Promise<ImportResult> {
  const report = opts.report ?? (() => {});
  const targetVersionDir = join(resolve(opts.dataDir), VERSION_DIR);
  const existing = existingDataFiles(targetVersionDir);
  if (existing.length > 0) {
    throw new MigrationError(
      `${targetVersionDir} already holds ${existing.join(", ")}: import only into a new, empty dataDir`,
    );
  }
  const { state, result } = await readZooKeeperState(opts);
  // The state machine rebuilds itself from the chunks exactly as a starting server will.
  StateMachine.fromSnapshot(
    { extendedTypesEnabled: true, skipAcl: false, superDigest: undefined },
    encodePaddockSnapshot(state),
  );
  mkdirSync(targetVersionDir, { recursive: true });
  const store = await SnapshotStore.open(targetVersionDir);
  const name = await store.write(state.zxid, encodePaddockSnapshot(state));
  copyMyid(opts.zkDataDir, opts.dataDir, report);
  const written = join(targetVersionDir, name);
  report(
    `wrote ${written}: zxid ${hex(state.zxid)}, ${result.nodes} znodes, ${result.sessions} session(s) ` +
      `(${result.replayedTxns} txns replayed from ${result.logFiles} log file(s), ${result.digestsChecked} digest(s) checked)`,
  );
  return { ...result, snapshotFileWritten: written };
}

/** A member's myid comes along, unless the target already has one. */
function copyMyid(fromDataDir: string, toDataDir: string, report: (l: string) => void): void {
  const fromVersion = zkVersionDir(fromDataDir);
  const candidates = [join(resolve(fromDataDir), "myid")];
  if (fromVersion !== undefined) candidates.push(join(dirname(fromVersion), "myid"));
  const source = candidates.find((p) => existsSync(p));
  const target = join(resolve(toDataDir), "myid");
  if (source === undefined || existsSync(target)) return;
  copyFileSync(source, target);
  report(`copied ${source} to ${target}`);
}
