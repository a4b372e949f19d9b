// Writing an activated config where the next start will read it, as ZooKeeper does: a new
// `<zoo.cfg>.dynamic.<version in hex>` next to zoo.cfg, then zoo.cfg rewritten to name it in
// `dynamicConfigFile` instead of holding server lines. Both writes are atomic (a temporary file,
// fsync, rename, fsync of the directory), so a crash leaves the old config or the new one.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w", 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** zoo.cfg without its member lines, naming the dynamic file instead. */
export function staticConfigText(zooCfgText: string, dynamicFile: string): string {
  const kept = zooCfgText.split(/\r?\n/).filter((line) => {
    const key = line.trim().split(/[=:\s]/, 1)[0] ?? "";
    return !(
      key.startsWith("server.") ||
      key.startsWith("group.") ||
      key.startsWith("weight.") ||
      key === "version" ||
      key === "dynamicConfigFile"
    );
  });
  while (kept.length > 0 && kept[kept.length - 1]!.trim() === "") kept.pop();
  return `${[...kept, `dynamicConfigFile=${dynamicFile}`].join("\n")}\n`;
}

/**
 * Writes `membersText` (server lines, no version line) as the dynamic config of `version`, and
 * points zoo.cfg at it. Returns the dynamic file's path.
 */
export function persistDynamicConfig(configPath: string, membersText: string, version: bigint): string {
  const dynamicFile = join(dirname(configPath), `${basename(configPath)}.dynamic.${version.toString(16)}`);
  writeFileAtomic(dynamicFile, membersText.endsWith("\n") ? membersText : `${membersText}\n`);
  writeFileAtomic(configPath, staticConfigText(readFileSync(configPath, "utf8"), dynamicFile));
  return dynamicFile;
}
