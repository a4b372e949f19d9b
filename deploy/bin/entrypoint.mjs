#!/usr/bin/env node
// The image's entrypoint. It accepts the official `zookeeper` image's ZOO_* variables and
// Bitnami's (ZOO_SERVER_ID, ALLOW_ANONYMOUS_LOGIN, ...), so compose files written for either image
// work unchanged (deploy/README.md): zoo.cfg and myid are written only when absent, so a mounted
// zoo.cfg, or files kept in volumes from an earlier run, always win over the environment.
// JVMFLAGS' -Xmx (or ZK_SERVER_HEAP, ZOO_HEAP_SIZE) becomes Node's heap limit.
import { spawn } from "node:child_process";
import {
  chmodSync,
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
import { fileURLToPath } from "node:url";
import {
  DockerEnvError,
  jvmSettingsFromEnv,
  zooCfgFromEnv,
} from "../../packages/server/src/config/docker-env.ts";
import { SERVER_NODE_FLAGS } from "../../packages/server/src/config/node-flags.ts";

// The image's unprivileged user; fixed so volumes keep working across image rebuilds.
const PADDOCK_UID = 1000;
const PADDOCK_GID = 1000;
const SERVER_COMMANDS = new Set(["paddock-server", "zkServer.sh"]);

/** Verbs that work on files or print something: no zoo.cfg or myid is written for them. */
const OFFLINE_VERBS = new Set([
  "import-zk",
  "export-zk",
  "purge",
  "inspect",
  "version",
  "--version",
  "help",
  "--help",
  "-h",
]);

/** `paddock-server`, `zkServer.sh start-foreground` (the official image's CMD): run the server. */
function runsServer(args) {
  const [command, verb] = args;
  if (command === undefined) return true;
  if (!SERVER_COMMANDS.has(command)) return false;
  return verb === undefined || verb === "start-foreground";
}
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
  let cfg;
  try {
    cfg = zooCfgFromEnv(env);
  } catch (err) {
    if (!(err instanceof DockerEnvError)) throw err;
    log(err.message);
    process.exit(1);
  }
  if (runsServer) for (const note of cfg.notes) log(note);
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
  // Bitnami's ZOO_ENABLE_AUTH / ZOO_ENABLE_QUORUM_AUTH: the JAAS file zoo.cfg names; only the server reads it.
  if (cfg.jaas !== undefined) {
    writeIfAbsent(cfg.jaas.path, cfg.jaas.text, "JAAS file");
    try {
      chmodSync(cfg.jaas.path, 0o600);
    } catch (err) {
      log(`cannot restrict ${cfg.jaas.path} to its owner (${err.code})`);
    }
  }
  return cfgPath;
}

/** Node's heap limit from the JVM options, unless NODE_OPTIONS already sets one. */
function heapFlag(env) {
  const mb = jvmSettingsFromEnv(env).heapMb;
  if (mb === undefined) return undefined;
  if (/--max-old-space-size/.test(env.NODE_OPTIONS ?? "")) {
    log(`NODE_OPTIONS sets the heap limit; the ${mb} MiB from the JVM options is not applied`);
    return undefined;
  }
  return `--max-old-space-size=${mb}`;
}

/** Runs the server in a child node with `flags`, passing signals on, and exits as it exits. */
function runChild(serverPath, cfgPath, flags) {
  const child = spawn(process.execPath, [...flags, serverPath, cfgPath], { stdio: "inherit" });
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
}

async function main(args) {
  const server = runsServer(args);
  const offline = SERVER_COMMANDS.has(args[0]) && OFFLINE_VERBS.has(args[1]);
  const cfgPath = offline ? undefined : prepare(process.env, server);
  if (server) {
    const serverPath = join(dirname(fileURLToPath(import.meta.url)), "paddock-server.mjs");
    const heap = heapFlag(process.env);
    // Heap options are fixed when a node process starts, so the server runs in a process of its
    // own with them; this one stays PID 1 and passes signals on.
    runChild(serverPath, cfgPath, [...(heap === undefined ? [] : [heap]), ...SERVER_NODE_FLAGS]);
    return;
  }
  const command = args[0];
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
