#!/usr/bin/env node
// `npm start`: runs a local Paddock on loopback with a default config under .paddock/local and
// prints how to connect. Ctrl-C stops it.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const clientPort = Number(process.env.PADDOCK_PORT ?? 2181);
const base = join(root, ".paddock", "local");
const dataDir = join(base, "data");
mkdirSync(dataDir, { recursive: true });
const cfgPath = join(base, "zoo.cfg");
writeFileSync(
  cfgPath,
  [
    "tickTime=2000",
    `dataDir=${dataDir}`,
    `clientPort=${clientPort}`,
    "clientPortAddress=127.0.0.1",
    "4lw.commands.whitelist=*",
    "extendedTypesEnabled=true",
    "",
  ].join("\n"),
);

const server = spawn(process.execPath, [join(root, "dist", "paddock-server.mjs"), cfgPath], {
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, PADDOCK_LOG_PRETTY: process.env.PADDOCK_LOG_PRETTY ?? "1" },
});
console.log(`[paddock] standalone server on 127.0.0.1:${clientPort} (config ${cfgPath})`);
console.log(`[paddock] connect string: 127.0.0.1:${clientPort}`);
console.log(`[paddock] try: node dist/paddock-cli.mjs -server 127.0.0.1:${clientPort} ls /`);
const stop = () => server.kill("SIGTERM");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
