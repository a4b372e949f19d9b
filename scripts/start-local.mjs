#!/usr/bin/env node
// `npm start`: a local 3-server Paddock ensemble on loopback (child processes, data under
// .paddock/local/N, logs in .paddock/local/N/server.log), a status line per server whenever a
// role changes, and the connect string. `npm start -- --standalone` runs one server instead.
// Ctrl-C, SIGTERM or SIGHUP stop everything, and so does the death of the process that started
// this one (npm, via bootstrap.mjs), so no server outlives `npm start`. PADDOCK_LOCAL_DIR moves
// the data (default .paddock/local).
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const serverBin = join(root, "dist", "paddock-server.mjs");
// The node options every launcher gives the server (why: packages/server/src/config/node-flags.ts).
const serverNodeFlags = JSON.parse(
  readFileSync(join(root, "packages", "server", "node-flags.json"), "utf8"),
).server;
const standalone = process.argv.includes("--standalone");
const size = standalone ? 1 : Number(process.env.PADDOCK_SERVERS ?? 3);
const host = "127.0.0.1";

function canListen(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

const taken = new Set();
/** `preferred` when free, else the next free port above 20000 (ZooKeeper's usual ports first). */
async function pickPort(preferred) {
  if (!taken.has(preferred) && (await canListen(preferred))) {
    taken.add(preferred);
    return preferred;
  }
  for (let p = 20000; p < 65000; p++) {
    if (!taken.has(p) && (await canListen(p))) {
      taken.add(p);
      return p;
    }
  }
  throw new Error("no free port");
}

function fourLetterWord(port, word) {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    let out = "";
    const timer = setTimeout(() => s.destroy(), 1000);
    s.on("connect", () => s.write(word));
    s.on("data", (c) => {
      out += c.toString();
    });
    s.on("error", () => {});
    s.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

const firstClientPort = Number(process.env.PADDOCK_PORT ?? 2181);
const firstAdminPort = Number(process.env.PADDOCK_ADMIN_PORT ?? (standalone ? 8080 : 8081));
const nodes = [];
for (let id = 1; id <= size; id++) {
  nodes.push({
    id,
    clientPort: await pickPort(firstClientPort + id - 1),
    peerPort: standalone ? 0 : await pickPort(2887 + id),
    electionPort: standalone ? 0 : await pickPort(3887 + id),
    // Three servers on one host: each AdminServer gets a port of its own (8081, 8082, ...).
    adminPort: await pickPort(firstAdminPort + id - 1),
  });
}

const base = process.env.PADDOCK_LOCAL_DIR ?? join(root, ".paddock", "local");
const serverLines = nodes.map((n) => `server.${n.id}=${host}:${n.peerPort}:${n.electionPort}`);
const children = [];
for (const n of nodes) {
  const dir = standalone ? base : join(base, String(n.id));
  const dataDir = join(dir, "data");
  mkdirSync(dataDir, { recursive: true });
  if (!standalone) writeFileSync(join(dataDir, "myid"), `${n.id}\n`);
  const cfgPath = join(dir, "zoo.cfg");
  writeFileSync(
    cfgPath,
    [
      "tickTime=2000",
      "initLimit=10",
      "syncLimit=5",
      `dataDir=${dataDir}`,
      `clientPort=${n.clientPort}`,
      "clientPortAddress=127.0.0.1",
      "4lw.commands.whitelist=*",
      "extendedTypesEnabled=true",
      "admin.enableServer=true",
      `admin.serverAddress=${host}`,
      `admin.serverPort=${n.adminPort}`,
      "admin.enableConsole=true",
      `admin.consolePeers=${nodes.map((m) => `${m.id}=http://${host}:${m.adminPort}`).join(",")}`,
      ...(standalone ? [] : serverLines),
      "",
    ].join("\n"),
  );
  const env = { ...process.env, PADDOCK_LOG_PRETTY: process.env.PADDOCK_LOG_PRETTY ?? "1" };
  if (standalone) {
    children.push(
      spawn(process.execPath, [...serverNodeFlags, serverBin, cfgPath], {
        stdio: ["ignore", "inherit", "inherit"],
        env,
      }),
    );
    continue;
  }
  n.logPath = join(dir, "server.log");
  const log = createWriteStream(n.logPath, { flags: "a" });
  const child = spawn(process.execPath, [...serverNodeFlags, serverBin, cfgPath], {
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  child.on("exit", (code, signal) => {
    if (!stopping) console.log(`[paddock] server ${n.id} exited (${signal ?? code}); see ${n.logPath}`);
  });
  children.push(child);
}

const connectString = nodes.map((n) => `${host}:${n.clientPort}`).join(",");
if (standalone) {
  console.log(`[paddock] standalone server on ${host}:${nodes[0].clientPort} (data in ${base})`);
  console.log(`[paddock] admin server: http://${host}:${nodes[0].adminPort}/commands`);
} else {
  console.log(`[paddock] ${size}-server ensemble on ${host}; data and logs under ${base}/<id>/`);
  for (const n of nodes) {
    console.log(
      `[paddock]   server.${n.id}: client ${n.clientPort}, peer ${n.peerPort}, election ${n.electionPort}, admin http://${host}:${n.adminPort}/commands`,
    );
  }
}
console.log(`[paddock] connect string: ${connectString}`);
console.log(`[paddock] web console: http://${host}:${nodes[0].adminPort}/console`);
console.log(`[paddock] try: node dist/paddock-cli.mjs -server ${connectString} ls /`);

let stopping = false;
let lastModes = "";
async function status() {
  const lines = await Promise.all(
    nodes.map(async (n) => {
      const out = await fourLetterWord(n.clientPort, "srvr");
      const mode =
        /^Mode: (.+)$/m.exec(out)?.[1] ?? (out.includes("not currently serving") ? "electing" : "down");
      const zxid = /^Zxid: (.+)$/m.exec(out)?.[1];
      return { id: n.id, mode, zxid };
    }),
  );
  const modes = lines.map((l) => l.mode).join(",");
  if (modes !== lastModes && !stopping) {
    lastModes = modes;
    const when = new Date().toISOString().slice(11, 19);
    console.log(
      `[paddock] ${when} ${lines.map((l) => `server.${l.id} ${l.mode}${l.zxid ? ` zxid ${l.zxid}` : ""}`).join(" | ")}`,
    );
  }
}
const poll = standalone ? undefined : setInterval(() => void status(), 500);

/** Servers get SIGTERM (a clean stop), and SIGKILL if they are still there after graceMs. */
function stop(reason) {
  if (stopping) return;
  stopping = true;
  clearInterval(poll);
  console.log(`[paddock] stopping (${reason}) ...`);
  for (const c of children) c.kill("SIGTERM");
  setTimeout(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  }, 10_000).unref();
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop(signal));
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop("parent process exited");
}, 500).unref();
let alive = children.length;
for (const c of children) {
  c.on("exit", () => {
    alive--;
    if (alive === 0) process.exit(0);
    if (standalone) process.exit(c.exitCode ?? 1);
  });
}
