// zkCli's `reconfig [-s] [-v version] [[-file path] | [-members ...]] | [-add ...]* [-remove ...]`:
// its option rules (Commons CLI's PosixParser, word options with one dash), its mode checks and
// its output ("Committed new configuration:" and the new /zookeeper/config).

import { readFileSync } from "node:fs";
import type { Stat, ZooKeeperClient } from "@paddock/client";
import { CliError } from "./cli-error.js";
import type { CliOutput } from "./output.js";

export const RECONFIG_USAGE =
  "[-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | " +
  "[-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]";

const VALUE_OPTIONS = new Set(["v", "file", "members", "add", "remove"]);

export interface ReconfigArgs {
  stat: boolean;
  fromConfig: number;
  joining: string | undefined;
  leaving: string | undefined;
  members: string | undefined;
}

/** Server lines of a dynamic config file, as ZooKeeper re-prints them (comments and version dropped). */
function membersOfFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new CliError(`Error processing ${path}${(e as Error).message}`);
  }
  const lines: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    const eq = line.indexOf("=");
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (key === "version") continue;
    if (!key.startsWith("server."))
      throw new CliError(`Error processing ${path}Unrecognised parameter: ${key}`);
    lines.push(`${key}=${line.slice(eq + 1).trim()}`);
  }
  return lines.join("\n");
}

export function parseReconfigArgs(tokens: readonly string[]): ReconfigArgs {
  const opts = new Map<string, string | true>();
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (!tok.startsWith("-") || tok.length < 2) continue;
    const name = tok.slice(1);
    if (name === "s") {
      opts.set("s", true);
    } else if (VALUE_OPTIONS.has(name)) {
      const value = tokens[++i];
      if (value === undefined) throw new CliError(`Missing argument for option: ${name}`);
      opts.set(name, value);
    } else {
      throw new CliError(`Unrecognized option: ${tok}`);
    }
  }
  const whole = opts.has("file") || opts.has("members");
  if (!whole && !opts.has("add") && !opts.has("remove")) throw new CliError(`reconfig ${RECONFIG_USAGE}`);
  let fromConfig = -1;
  const v = opts.get("v");
  if (typeof v === "string") {
    fromConfig = /^[+-]?[0-9a-fA-F]+$/.test(v) ? Number.parseInt(v, 16) : Number.NaN;
    if (!Number.isSafeInteger(fromConfig)) {
      throw new CliError("-v must be followed by a long (configuration version)");
    }
  }
  if (whole && (opts.has("add") || opts.has("remove"))) {
    throw new CliError(
      "Can't use -file or -members together with -add or -remove (mixing incremental and non-incremental modes is not allowed)",
    );
  }
  if (opts.has("file") && opts.has("members")) {
    throw new CliError("Can't use -file and -members together (conflicting non-incremental modes)");
  }
  const lower = (k: string) => {
    const x = opts.get(k);
    return typeof x === "string" ? x.toLowerCase() : undefined;
  };
  const file = opts.get("file");
  return {
    stat: opts.has("s"),
    fromConfig,
    joining: lower("add"),
    leaving: lower("remove"),
    members: typeof file === "string" ? membersOfFile(file) : lower("members"),
  };
}

export async function reconfigCommand(
  zk: ZooKeeperClient,
  out: CliOutput,
  tokens: readonly string[],
  printStat: (stat: Stat) => void,
): Promise<number> {
  const args = parseReconfigArgs(tokens);
  const { data, stat } = await zk.reconfig({
    ...(args.joining === undefined ? {} : { joining: args.joining }),
    ...(args.leaving === undefined ? {} : { leaving: args.leaving }),
    ...(args.members === undefined ? {} : { newMembers: args.members }),
    fromConfig: args.fromConfig,
  });
  out.out(`Committed new configuration:\n${data?.toString("utf8") ?? ""}\n`);
  if (args.stat) printStat(stat);
  return 0;
}
