#!/usr/bin/env node
// paddock-server <zoo.cfg>: runs one server in the foreground until SIGTERM/SIGINT.
import { ConfigError, loadServerConfig } from "./config/index.js";
import { installFourLetterWords } from "./four-letter-source.js";
import { createLogger } from "./logger.js";
import { PaddockServer } from "./server.js";

async function main(argv: string[]): Promise<number> {
  const cfgPath = argv[0];
  if (cfgPath === undefined || argv.includes("--help") || argv.includes("-h")) {
    console.error("usage: paddock-server <zoo.cfg>");
    return 2;
  }
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
  const log = createLogger({ sid: config.myid, role: config.standalone ? "standalone" : "participant" });
  for (const warning of config.warnings) log.warn({ config: config.configPath }, warning);
  if (!config.standalone) {
    log.error("replicated mode (server.X lines) is not implemented yet; remove them to run standalone");
    return 2;
  }
  const server = new PaddockServer(config, log);
  installFourLetterWords(server);
  await server.start();

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
