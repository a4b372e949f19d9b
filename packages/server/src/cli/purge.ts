// `paddock-server purge <dataDir> [dataLogDir] [-n count]`: offline purge of a stopped server's
// data directories, like ZooKeeper's PurgeTxnLog (zkCleanup.sh).

import { join } from "node:path";
import { assertNoZooKeeperData, MIN_SNAP_RETAIN_COUNT, SnapshotStore } from "../storage/index.js";
import type { CliIo } from "./io.js";
import { USAGE } from "./usage.js";

export async function purge(args: readonly string[], io: CliIo): Promise<number> {
  let count = MIN_SNAP_RETAIN_COUNT;
  const dirs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "-n") {
      count = Number(args[++i]);
      if (!Number.isInteger(count) || count < MIN_SNAP_RETAIN_COUNT) {
        io.err(`paddock-server purge: -n must be an integer >= ${MIN_SNAP_RETAIN_COUNT}\n`);
        return 2;
      }
    } else dirs.push(args[i]!);
  }
  const [dataDir, dataLogDir = dataDir] = dirs;
  if (dataDir === undefined || dirs.length > 2) {
    io.err(USAGE);
    return 2;
  }
  const snapshotDir = join(dataDir, "version-2");
  const logDir = join(dataLogDir!, "version-2");
  // Paddock's purge rules do not apply to ZooKeeper's files; zkCleanup.sh is the tool for those.
  assertNoZooKeeperData(snapshotDir, logDir);
  const store = await SnapshotStore.open(snapshotDir, { logDir });
  const result = await store.purge(count);
  io.out(
    `deleted ${result.deletedSnapshots.length} snapshot(s) and ${result.deletedSegments.length} log segment(s)\n`,
  );
  for (const name of [...result.deletedSnapshots, ...result.deletedSegments]) io.out(`  ${name}\n`);
  return 0;
}
