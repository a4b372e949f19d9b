#!/usr/bin/env node
// paddock-server: the verbs (help, version, status, start, stop, purge, inspect, import-zk,
// export-zk, ...) live in cli/; this file runs one server in the foreground until SIGTERM/SIGINT.
import { fileURLToPath } from "node:url";
import { runCommand } from "./cli/commands.js";
import { processIo } from "./cli/io.js";
import { describeStartupError } from "./cli/startup-error.js";
import { loadServerConfig, type ServerConfig, serverJvmFlags } from "./config/index.js";
import { createLogger } from "./logger.js";
import { PaddockServer } from "./server.js";

async function serve(cfgPath: string, env: NodeJS.ProcessEnv): Promise<number> {
  let config: ServerConfig | undefined;
  // zkServer.sh passes $SERVER_JVMFLAGS $JVMFLAGS to the server's java: their -D settings apply.
  const jvmFlags = serverJvmFlags(env, process.execArgv);
  try {
    config = loadServerConfig(cfgPath, { systemProperties: jvmFlags.properties });
  } catch (err) {
    const line = describeStartupError(err);
    if (line === undefined) throw err;
    console.error(`paddock-server: ${line}`);
    return 2;
  }
  // In an ensemble the quorum runtime adds role and epoch as they change.
  const log = createLogger(
    config.standalone ? { sid: config.myid, role: "standalone" } : { sid: config.myid },
  );
  for (const warning of config.warnings) log.warn({ config: config.configPath }, warning);
  if (jvmFlags.ignored.length > 0) {
    log.info(
      { ignored: jvmFlags.ignored },
      "JVM options with no Paddock counterpart are ignored (Node's own go in NODE_OPTIONS, the heap limit as --max-old-space-size)",
    );
  }
  const server = new PaddockServer(config, log);
  try {
    await server.start();
  } catch (err) {
    const line = describeStartupError(err, config);
    if (line === undefined) throw err;
    log.fatal(line);
    console.error(`paddock-server: ${line}`);
    return 1;
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

async function main(argv: string[]): Promise<number> {
  const outcome = await runCommand(argv, processIo, {
    env: process.env,
    serverScript: fileURLToPath(import.meta.url),
  });
  return outcome.kind === "exit" ? outcome.code : serve(outcome.cfgPath, outcome.env);
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
