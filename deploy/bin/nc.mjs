#!/usr/bin/env node
// A minimal `nc host port` for images without netcat (node:*-slim has none), so the health checks
// people copy from the official zookeeper image (`echo srvr | nc localhost 2181`) keep working.
// Options of the common netcats that make sense for that use are accepted: -w/-q take a number
// of seconds; -N, -v, -z and -4 are accepted and mostly ignored.
import { connect } from "node:net";

const args = process.argv.slice(2);
let idleSeconds;
let probeOnly = false;
const positional = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === "-w" || arg === "-q") idleSeconds = Number(args[++i]);
  else if (arg === "-z") probeOnly = true;
  else if (/^-[Nv46]+$/.test(arg)) continue;
  else if (arg.startsWith("-")) {
    console.error(`nc: unsupported option ${arg}`);
    process.exit(2);
  } else positional.push(arg);
}
const [host, portText] = positional;
const port = Number(portText);
if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
  console.error("usage: nc [-w seconds] [-z] host port");
  process.exit(2);
}

const socket = connect({ host, port });
if (idleSeconds !== undefined && idleSeconds > 0) {
  socket.setTimeout(idleSeconds * 1000, () => {
    socket.destroy();
    process.exit(0);
  });
}
socket.on("connect", () => {
  if (probeOnly) {
    socket.destroy();
    process.exit(0);
  }
  process.stdin.pipe(socket);
});
socket.pipe(process.stdout);
socket.on("end", () => process.exit(0));
socket.on("error", (err) => {
  console.error(`nc: ${host}:${port}: ${err.message}`);
  process.exit(1);
});
