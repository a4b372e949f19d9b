#!/usr/bin/env node
// paddock-server <zoo.cfg>: runs one server in the foreground until SIGTERM/SIGINT; also the
// offline storage tools (purge, inspect).
import { join } from "node:path";
import { ConfigError, loadServerConfig } from "./config/index.js";
import { createLogger } from "./logger.js";
import { PaddockServer } from "./server.js";
import { DataDirLockedError, inspectMain, MIN_SNAP_RETAIN_COUNT, SnapshotStore } from "./storage/index.js";

const USAGE = [
  "usage: paddock-server <zoo.cfg>                      run a server in the foreground",
  "       paddock-server purge <dataDir> [dataLogDir] [-n count]",
  "                                                     keep the newest count (>= 3) snapshots and the",
  "                                                     log they need; delete the rest (like zkCleanup.sh)",
  "       paddock-server inspect log|snapshot <file>    print a txn log segment or a snapshot",
].join("\n");

/** Offline purge of a stopped server's data directories, like ZooKeeper's PurgeTxnLog. */
async function purge(args: string[]): Promise<number> {
  let count = MIN_SNAP_RETAIN_COUNT;
  const dirs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "-n") {
      count = Number(args[++i]);
      if (!Number.isInteger(count) || count < MIN_SNAP_RETAIN_COUNT) {
        console.error(`paddock-server purge: -n must be an integer >= ${MIN_SNAP_RETAIN_COUNT}`);
        return 2;
      }
    } else dirs.push(args[i]!);
  }
  const [dataDir, dataLogDir = dataDir] = dirs;
  if (dataDir === undefined || dirs.length > 2) {
    console.error(USAGE);
    return 2;
  }
  const store = await SnapshotStore.open(join(dataDir, "version-2"), {
    logDir: join(dataLogDir!, "version-2"),
  });
  const result = await store.purge(count);
  console.log(
    `deleted ${result.deletedSnapshots.length} snapshot(s) and ${result.deletedSegments.length} log segment(s)`,
  );
  for (const name of [...result.deletedSnapshots, ...result.deletedSegments]) console.log(`  ${name}`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const cfgPath = argv[0];
  if (cfgPath === undefined || argv.includes("--help") || argv.includes("-h")) {
    console.error(USAGE);
    return 2;
  }
  if (cfgPath === "inspect") return inspectMain(argv.slice(1));
  if (cfgPath === "purge") return purge(argv.slice(1));
  let config: ReturnType<typeof loadServerConfig>;
  try {
    config = loadServerConfig(cfgPath);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`paddock-server: invalid configuration: ${err.message}`);
      return 2;
    }
    throw err;
  }
  // In an ensemble the quorum runtime adds role and epoch as they change.
  const log = createLogger(
    config.standalone ? { sid: config.myid, role: "standalone" } : { sid: config.myid },
  );
  for (const warning of config.warnings) log.warn({ config: config.configPath }, warning);
  const server = new PaddockServer(config, log);
  try {
    await server.start();
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    log.fatal({ dir: err.dir, holderPid: err.holderPid }, err.message);
    console.error(`paddock-server: ${err.message}`);
    return 3;
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "error while stopping");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    console.error("paddock-server: fatal:", err);
    process.exit(1);
  },
);
