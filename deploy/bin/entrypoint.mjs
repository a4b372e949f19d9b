#!/usr/bin/env node
// The image's entrypoint. It accepts the official `zookeeper` image's ZOO_* variables so compose
// files written for that image work unchanged (deploy/README.md): zoo.cfg and myid are
// written only when absent, so a mounted /conf/zoo.cfg, or files kept in volumes from an earlier
// run, always win over the environment.
import { spawn } from "node:child_process";
import {
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { zooCfgFromEnv } from "../../packages/server/src/config/docker-env.ts";

// The image's unprivileged user; fixed so volumes keep working across image rebuilds.
const PADDOCK_UID = 1000;
const PADDOCK_GID = 1000;
const SERVER_COMMANDS = new Set(["paddock-server", "zkServer.sh"]);

function log(message) {
  console.error(`[paddock-entrypoint] ${message}`);
}

/** Host of `server.<id>=` in zoo.cfg text, or undefined. IPv6 literals are never a hostname. */
function ownServerHost(zooCfg, myid) {
  for (const line of zooCfg.split("\n")) {
    const eq = line.indexOf("=");
    if (eq < 0 || line.slice(0, eq).trim() !== `server.${myid}`) continue;
    const value = line.slice(eq + 1).trim();
    if (value.startsWith("[")) return undefined;
    return value.split(":")[0];
  }
  return undefined;
}

/**
 * The classic "cannot open channel to N at election address" trap: a node whose own server line
 * names its hostname binds the quorum ports to whatever that name resolves to inside the
 * container (sometimes 127.0.0.1), so peers cannot reach it. Listening on all interfaces avoids
 * it without changing the address the other servers dial.
 */
function listenOnAllIfOwnHostname(zooCfg, myid) {
  if (/^\s*quorumListenOnAllIPs\s*=/m.test(zooCfg)) return zooCfg;
  const host = ownServerHost(zooCfg, myid)?.toLowerCase();
  if (host === undefined) return zooCfg;
  const me = hostname().toLowerCase();
  if (host !== me && host !== me.split(".")[0] && host.split(".")[0] !== me) return zooCfg;
  return `${zooCfg}quorumListenOnAllIPs=true\n`;
}

/** Gives the paddock user what it must write; entries it already owns are not descended into. */
function chownTree(path) {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (st.uid === PADDOCK_UID && st.gid === PADDOCK_GID) return;
  try {
    chownSync(path, PADDOCK_UID, PADDOCK_GID);
  } catch (err) {
    // A read-only mount (say, a zoo.cfg mounted :ro) only needs to be readable, which it is.
    log(`leaving the owner of ${path} as it is (${err.code})`);
  }
  if (st.isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name));
}

function writeIfAbsent(path, text, what) {
  if (existsSync(path)) {
    log(`using existing ${path}`);
    return;
  }
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text, { flag: "wx" });
    log(`wrote ${what} ${path}`);
  } catch (err) {
    if (err.code === "EACCES" || err.code === "EROFS") {
      log(
        `cannot write ${path} (${err.code}) as uid ${process.getuid()}: make the volume writable by ` +
          `uid ${PADDOCK_UID}, or start the container as root (user: root) to let this script fix ` +
          "ownership before it drops privileges",
      );
      process.exit(1);
    }
    throw err;
  }
}

/** Whether path exists, told apart from "cannot see it" (EACCES on a parent directory). */
function lookUp(path) {
  try {
    lstatSync(path);
    return "exists";
  } catch (err) {
    return err.code === "ENOENT" ? "absent" : `unreachable (${err.code})`;
  }
}

function prepare(env, runsServer) {
  const cfg = zooCfgFromEnv(env);
  const dirs = [cfg.confDir, cfg.dataDir, cfg.dataLogDir];
  const cfgPath = join(cfg.confDir, "zoo.cfg");
  const myidPath = join(cfg.dataDir, "myid");
  if (runsServer && process.getuid() === 0) {
    // Bind mounts from the host usually belong to root; the server itself never runs as root.
    for (const dir of dirs) {
      mkdirSync(dir, { recursive: true });
      chownTree(dir);
    }
    process.setgroups([]);
    process.setgid(PADDOCK_GID);
    process.setuid(PADDOCK_UID);
  }
  // A mounted file the server cannot read must not be mistaken for a missing one (and replaced).
  for (const path of [cfgPath, myidPath]) {
    const state = lookUp(path);
    if (state.startsWith("unreachable")) {
      log(
        `${path} is ${state} for uid ${process.getuid()}: make it and its directories readable by uid ${PADDOCK_UID}`,
      );
      process.exit(1);
    }
  }
  const myid = existsSync(myidPath) ? readFileSync(myidPath, "utf8").trim() : cfg.myid;
  writeIfAbsent(cfgPath, listenOnAllIfOwnHostname(cfg.zooCfg, myid), "configuration");
  writeIfAbsent(myidPath, `${cfg.myid}\n`, "server id");
  return cfgPath;
}

async function main(args) {
  const command = args[0] ?? "paddock-server";
  const runsServer = SERVER_COMMANDS.has(command);
  const cfgPath = prepare(process.env, runsServer);
  if (runsServer) {
    // Run the server in this process (no exec in Node): it stays PID 1 and gets SIGTERM itself.
    const serverPath = join(dirname(fileURLToPath(import.meta.url)), "paddock-server.mjs");
    process.argv = [process.argv[0], serverPath, cfgPath];
    await import(pathToFileURL(serverPath).href);
    return;
  }
  // Anything else (`sh`, `paddock-healthcheck`, ...) runs as given, like `exec "$@"`.
  const child = spawn(command, args.slice(1), { stdio: "inherit" });
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("error", (err) => {
    log(`cannot run ${command}: ${err.message}`);
    process.exit(127);
  });
  child.on("exit", (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
}

main(process.argv.slice(2)).catch((err) => {
  log(`fatal: ${err?.stack ?? err}`);
  process.exit(1);
});
