// paddock-server's command line: which verb, which arguments, and the environment zkServer.sh
// would give the server (--config, the configuration directory's scripts). main.ts runs the
// server for `serve`; every other verb is done here.

import { inspectMain } from "../storage/index.js";
import { versionLine } from "../version.js";
import { configInConfDir, withConfDirScripts } from "./conf-dir.js";
import { findDefaultConfig } from "./config-path.js";
import { printCommand, startDaemon, stopDaemon } from "./daemon.js";
import type { CliIo } from "./io.js";
import { exportZkCommand, importZkCommand } from "./migrate-commands.js";
import { purge } from "./purge.js";
import { describeStartupError } from "./startup-error.js";
import { status } from "./status.js";
import { USAGE } from "./usage.js";

/** `serve`: run a server on cfgPath, in this process, with env's -D settings. */
export type CommandOutcome =
  | { kind: "exit"; code: number }
  | { kind: "serve"; cfgPath: string; env: NodeJS.ProcessEnv };

const exit = (code: number): CommandOutcome => ({ kind: "exit", code });

export interface CommandContext {
  env: NodeJS.ProcessEnv;
  /** This program's file, which `start` runs again in the background. */
  serverScript: string;
}

/**
 * Verbs that are not about a running server. For the others (status, start-foreground, start,
 * stop, restart, print-cmd, or a zoo.cfg to serve) zkServer.sh sources its scripts first.
 */
const OFFLINE_VERBS = new Set(["help", "version", "inspect", "purge", "import-zk", "export-zk"]);

function configOrUsage(
  given: string | undefined,
  verb: string,
  env: NodeJS.ProcessEnv,
  io: CliIo,
): string | undefined {
  const cfg = given === undefined ? findDefaultConfig(env) : configInConfDir(given, env);
  if (cfg === undefined) io.err(`paddock-server ${verb}: no zoo.cfg given and none found\n${USAGE}`);
  return cfg;
}

/** Runs a verb, or says which config to serve. Errors of the offline tools become one line, exit 1. */
export async function runCommand(
  argv: readonly string[],
  io: CliIo,
  context: CommandContext = { env: process.env, serverScript: process.argv[1] ?? "" },
): Promise<CommandOutcome> {
  let args = argv;
  let env = context.env;
  // zkServer.sh [--config <conf-dir>] verb ...: the directory stands for $ZOOCFGDIR.
  if (args[0] === "--config" && args.length > 1) {
    env = { ...env, ZOOCFGDIR: args[1] };
    args = args.slice(2);
  }
  const [verb, ...rest] = args;
  try {
    if (verb !== undefined && !verb.startsWith("-") && !OFFLINE_VERBS.has(verb))
      env = await withConfDirScripts(env);
    switch (verb) {
      case undefined:
        io.err(USAGE);
        return exit(2);
      case "help":
      case "--help":
      case "-h":
        io.out(USAGE);
        return exit(0);
      case "version":
      case "--version":
      case "-v":
        io.out(`${versionLine()}\n`);
        return exit(0);
      case "status": {
        const cfg = configOrUsage(rest[0], verb, env, io);
        return cfg === undefined ? exit(2) : exit(await status(cfg, io));
      }
      case "start-foreground": {
        const cfg = configOrUsage(rest[0], verb, env, io);
        return cfg === undefined ? exit(2) : { kind: "serve", cfgPath: cfg, env };
      }
      case "start":
      case "stop":
      case "restart":
      case "print-cmd": {
        const cfg = configOrUsage(rest[0], verb, env, io);
        if (cfg === undefined) return exit(2);
        if (verb === "print-cmd") return exit(printCommand(cfg, context.serverScript, env, io));
        if (verb === "stop") return exit(await stopDaemon(cfg, env, io));
        if (verb === "restart") {
          const stopped = await stopDaemon(cfg, env, io);
          if (stopped !== 0) return exit(stopped);
        }
        return exit(await startDaemon(cfg, context.serverScript, env, io));
      }
      case "inspect":
        return exit(await inspectMain(rest));
      case "purge":
        return exit(await purge(rest, io));
      case "import-zk":
        return exit(await importZkCommand(rest, io));
      case "export-zk":
        return exit(await exportZkCommand(rest, io));
      default:
        if (verb.startsWith("-")) {
          io.err(`paddock-server: unknown option ${verb}\n${USAGE}`);
          return exit(2);
        }
        if (rest.length > 0) {
          io.err(`paddock-server: unexpected arguments after ${verb}: ${rest.join(" ")}\n${USAGE}`);
          return exit(2);
        }
        return { kind: "serve", cfgPath: configInConfDir(verb, env), env };
    }
  } catch (err) {
    const line = describeStartupError(err);
    if (line === undefined) throw err;
    io.err(`paddock-server ${verb}: ${line}\n`);
    return exit(1);
  }
}
