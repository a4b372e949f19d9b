// `paddock-server export-zk <dataDir> [dataLogDir] <zkDataDir>`: the way back. Recovers a
// stopped Paddock server's state (snapshot + txn log, as the server does on start) and writes it
// as an Apache ZooKeeper snapshot with the same zxid, with the digest record ZooKeeper checks
// when it loads the file.

import { existsSync, mkdirSync } from "node:fs";
import { copyFile, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { decodeTxn, StateMachine } from "../request/index.js";
import { recoverStorage } from "../storage/index.js";
import { existingDataFiles, MigrationError } from "./import-zk.js";
import { decodePaddockSnapshot } from "./paddock-snapshot.js";
import { VERSION_DIR } from "./zookeeper-format/files.js";
import { encodeZkSnapshot } from "./zookeeper-format/snapshot.js";
import { ZkTree } from "./zookeeper-format/tree.js";

export interface ExportOptions {
  dataDir: string;
  /** Default: dataDir. */
  dataLogDir?: string;
  zkDataDir: string;
  report?: (line: string) => void;
}

export interface ExportResult {
  zxid: number;
  nodes: number;
  sessions: number;
  replayedTxns: number;
  snapshotFileWritten: string;
}

const SM_OPTIONS = { extendedTypesEnabled: true, skipAcl: false, superDigest: undefined };

/** Paddock's state as of its last logged txn, converted to ZooKeeper's tree. */
export async function readPaddockState(
  dataDir: string,
  dataLogDir: string,
): Promise<{ tree: ZkTree; zxid: number; replayedTxns: number }> {
  const snapshotDir = join(resolve(dataDir), VERSION_DIR);
  const logDir = join(resolve(dataLogDir), VERSION_DIR);
  if (!existsSync(snapshotDir))
    throw new MigrationError(`${snapshotDir} does not exist: not a Paddock dataDir`);
  let sm = new StateMachine(SM_OPTIONS);
  const recovered = await recoverStorage(
    snapshotDir,
    logDir,
    {
      loadSnapshot: async (chunks) => {
        const all: Buffer[] = [];
        for await (const chunk of chunks) all.push(chunk);
        sm = StateMachine.fromSnapshot(SM_OPTIONS, all);
      },
      applyTxn: (zxid, payload) => {
        const txn = decodeTxn(payload);
        if (txn.zxid !== zxid) throw new MigrationError(`txn log record ${zxid} holds txn ${txn.zxid}`);
        sm.apply(txn);
      },
    },
    { logger: { info() {}, warn() {}, error() {} } },
  );
  await recovered.log.close();
  const view = sm.snapshotView();
  const state = decodePaddockSnapshot(view.chunks());
  const tree = new ZkTree();
  for (const [path, node] of state.nodes) {
    node.children = new Set();
    tree.put(path, node);
  }
  for (const [id, s] of state.sessions) tree.sessions.set(id, s.timeoutMs);
  tree.lastZxid = state.zxid;
  return { tree, zxid: state.zxid, replayedTxns: recovered.replayedTxns };
}

export async function exportToZooKeeper(opts: ExportOptions): Promise<ExportResult> {
  const report = opts.report ?? (() => {});
  const targetDir = join(resolve(opts.zkDataDir), VERSION_DIR);
  const existing = existingDataFiles(targetDir);
  if (existing.length > 0) {
    throw new MigrationError(
      `${targetDir} already holds ${existing.join(", ")}: export only into a new, empty directory`,
    );
  }
  const { tree, zxid, replayedTxns } = await readPaddockState(opts.dataDir, opts.dataLogDir ?? opts.dataDir);
  const bytes = encodeZkSnapshot(tree, zxid);
  mkdirSync(targetDir, { recursive: true });
  const path = join(targetDir, `snapshot.${zxid.toString(16)}`);
  await writeDurably(path, bytes);
  const myid = join(resolve(opts.dataDir), "myid");
  const targetMyid = join(resolve(opts.zkDataDir), "myid");
  if (existsSync(myid) && !existsSync(targetMyid)) {
    await copyFile(myid, targetMyid);
    report(`copied ${myid} to ${targetMyid}`);
  }
  report(
    `wrote ${path}: zxid 0x${zxid.toString(16)}, ${tree.nodes.size} znodes, ${tree.sessions.size} session(s) ` +
      `(${replayedTxns} txns replayed from Paddock's log)`,
  );
  return {
    zxid,
    nodes: tree.nodes.size,
    sessions: tree.sessions.size,
    replayedTxns,
    snapshotFileWritten: path,
  };
}

/** Temp file, fsync, rename, fsync of the directory: ZooKeeper never sees half a snapshot. */
async function writeDurably(path: string, bytes: Buffer): Promise<void> {
  // Not "snapshot.<hex>.tmp": ZooKeeper would take that name for a snapshot.
  const tmp = join(dirname(path), `.export-${basename(path)}.tmp`);
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  const dir = await open(dirname(path), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
