#!/usr/bin/env node
// paddock-cli: a zkCli-compatible shell. With a command after the options it runs that one
// command and exits with its status; otherwise it reads commands interactively.
import { appendFileSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import * as readline from "node:readline";
import { parseArgs } from "./args.js";
import { shellCompleter } from "./completer.js";
import { CliSession, COMMAND_NAMES, usageText } from "./shell.js";
import { CLI_VERSION_LINE } from "./version.js";

const OPTIONS_HELP = `Options (before the command):
  -server host:port[,host:port...][/chroot]   servers to connect to (default localhost:2181)
  -timeout ms                                  session timeout (default 30000)
  -r                                           accept read-only servers
  -client-configuration file                   ZooKeeper client properties: zookeeper.client.secure=true
                                               and zookeeper.ssl.keyStore/trustStore.* connect over TLS
  --help, -h                                   this text
  --version                                    the version
Without a command the shell reads commands from the terminal (Tab completes commands and paths).
`;

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if ("error" in parsed) {
    process.stderr.write(`${parsed.error}\n`);
    return 1;
  }
  if ("info" in parsed) {
    process.stdout.write(parsed.info === "help" ? `${usageText()}${OPTIONS_HELP}` : `${CLI_VERSION_LINE}\n`);
    return 0;
  }
  const output = {
    out: (t: string) => {
      process.stdout.write(t);
    },
    err: (t: string) => {
      process.stderr.write(t);
    },
  };
  const interactive = parsed.command.length === 0;
  let tls: import("node:tls").ConnectionOptions | undefined;
  try {
    // Loaded only when asked for: the store readers are the CLI's heaviest part.
    if (parsed.clientConfiguration !== undefined) {
      const { clientTlsFromConfiguration } = await import("./client-configuration.js");
      tls = clientTlsFromConfiguration(parsed.clientConfiguration);
    }
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  const session = new CliSession({
    ...(tls === undefined ? {} : { tls }),
    output,
    server: parsed.server,
    timeoutMs: parsed.timeoutMs,
    readOnly: parsed.readOnly,
    printSessionEvents: interactive,
  });

  if (!interactive) {
    try {
      await session.connect();
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      await session.dispose();
      return 1;
    }
    const code = await session.executeArgs(parsed.command);
    await session.dispose();
    return code;
  }

  process.stdout.write(`Connecting to ${parsed.server}\n`);
  const connecting = session.connect().catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
  });
  process.stdout.write("Welcome to Paddock!\n");
  await connecting;
  const tty = process.stdin.isTTY === true;
  const historyFile = join(homedir(), ".paddock_cli_history");
  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: tty,
    historySize: HISTORY_SIZE,
    history: tty ? loadHistory(historyFile) : [],
    completer: shellCompleter([...COMMAND_NAMES, "help"].sort(), () => session.client),
  });
  // Like zkCli without a terminal: no prompt when input is piped.
  const prompt = () => {
    if (!tty) return;
    rl.setPrompt(session.prompt());
    rl.prompt();
  };
  prompt();
  for await (const line of rl) {
    if (tty && line.trim() !== "") saveHistoryLine(historyFile, line);
    await session.execute(line);
    if (session.quitRequested) break;
    prompt();
  }
  rl.close();
  await session.dispose();
  return 0;
}

const HISTORY_SIZE = 1000;

/** Most recent first, as readline expects. A missing or unreadable file is an empty history. */
function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean).slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

function saveHistoryLine(file: string, line: string): void {
  try {
    appendFileSync(file, `${line}\n`);
  } catch {
    // History is a convenience; a read-only home directory must not break the shell.
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
