// paddock-server's command line: which verb, which arguments. main.ts runs the server for
// `serve`; every other verb is done here.

import { inspectMain } from "../storage/index.js";
import { versionLine } from "../version.js";
import { findDefaultConfig } from "./config-path.js";
import type { CliIo } from "./io.js";
import { exportZkCommand, importZkCommand } from "./migrate-commands.js";
import { purge } from "./purge.js";
import { describeStartupError } from "./startup-error.js";
import { status } from "./status.js";
import { USAGE } from "./usage.js";

export type CommandOutcome = { kind: "exit"; code: number } | { kind: "serve"; cfgPath: string };

const exit = (code: number): CommandOutcome => ({ kind: "exit", code });

const FOREGROUND_ONLY =
  "paddock-server runs in the foreground only: use `paddock-server start-foreground [zoo.cfg]` under " +
  "your supervisor (systemd, Docker, nohup) and stop it with SIGTERM (Ctrl-C, kill <pid>, docker stop)\n";

function configOrUsage(given: string | undefined, verb: string, io: CliIo): string | undefined {
  const cfg = given ?? findDefaultConfig();
  if (cfg === undefined) io.err(`paddock-server ${verb}: no zoo.cfg given and none found\n${USAGE}`);
  return cfg;
}

/** Runs a verb, or says which config to serve. Errors of the offline tools become one line, exit 1. */
export async function runCommand(argv: readonly string[], io: CliIo): Promise<CommandOutcome> {
  const [verb, ...rest] = argv;
  try {
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
        const cfg = configOrUsage(rest[0], "status", io);
        return cfg === undefined ? exit(2) : exit(await status(cfg, io));
      }
      case "start-foreground": {
        const cfg = configOrUsage(rest[0], "start-foreground", io);
        return cfg === undefined ? exit(2) : { kind: "serve", cfgPath: cfg };
      }
      case "start":
      case "stop":
      case "restart":
        io.err(FOREGROUND_ONLY);
        return exit(2);
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
        return { kind: "serve", cfgPath: verb };
    }
  } catch (err) {
    const line = describeStartupError(err);
    if (line === undefined) throw err;
    io.err(`paddock-server ${verb}: ${line}\n`);
    return exit(1);
  }
}
