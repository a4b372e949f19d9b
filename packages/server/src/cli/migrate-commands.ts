// Argument handling of `import-zk` and `export-zk` (the work is in ../migrate/).

import { exportToZooKeeper } from "../migrate/export-zk.js";
import { importZooKeeper } from "../migrate/import-zk.js";
import type { CliIo } from "./io.js";
import { USAGE } from "./usage.js";

/** Splits `--flag`s from the 2 or 3 directories both commands take. */
function parse(
  args: readonly string[],
  flags: readonly string[],
): { dirs: string[]; set: Set<string> } | string {
  const dirs: string[] = [];
  const set = new Set<string>();
  for (const a of args) {
    if (a.startsWith("--")) {
      if (!flags.includes(a)) return `unknown option ${a}`;
      set.add(a);
    } else dirs.push(a);
  }
  if (dirs.length < 2 || dirs.length > 3) return "expected two or three directories";
  return { dirs, set };
}

export async function importZkCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse(args, ["--ignore-digest"]);
  if (typeof parsed === "string") {
    io.err(`paddock-server import-zk: ${parsed}\n${USAGE}`);
    return 2;
  }
  const { dirs, set } = parsed;
  const started = Date.now();
  const result = await importZooKeeper({
    zkDataDir: dirs[0]!,
    zkDataLogDir: dirs.length === 3 ? dirs[1] : undefined,
    dataDir: dirs[dirs.length - 1]!,
    ignoreDigest: set.has("--ignore-digest"),
    report: (line) => io.out(`${line}\n`),
  });
  io.out(
    `imported ${result.nodes} znodes and ${result.sessions} session(s) at zxid 0x${result.zxid.toString(16)} ` +
      `in ${((Date.now() - started) / 1000).toFixed(1)} s; point dataDir at ${dirs[dirs.length - 1]} and start the server\n`,
  );
  return 0;
}

export async function exportZkCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse(args, []);
  if (typeof parsed === "string") {
    io.err(`paddock-server export-zk: ${parsed}\n${USAGE}`);
    return 2;
  }
  const { dirs } = parsed;
  const started = Date.now();
  const result = await exportToZooKeeper({
    dataDir: dirs[0]!,
    dataLogDir: dirs.length === 3 ? dirs[1] : undefined,
    zkDataDir: dirs[dirs.length - 1]!,
    report: (line) => io.out(`${line}\n`),
  });
  io.out(
    `exported ${result.nodes} znodes and ${result.sessions} session(s) at zxid 0x${result.zxid.toString(16)} ` +
      `in ${((Date.now() - started) / 1000).toFixed(1)} s; point ZooKeeper's dataDir at ${dirs[dirs.length - 1]}\n`,
  );
  return 0;
}
