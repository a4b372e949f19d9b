#!/usr/bin/env node
// The image's HEALTHCHECK: `ruok` must answer `imok`, and where `srvr` is allowed (it is unless a
// whitelist leaves it out) the server must also be serving requests, so a member that is up but
// not in a quorum is not reported healthy. Exit 0 = healthy, 1 = unhealthy (Docker's contract).
import { connect } from "node:net";
import { join } from "node:path";
import { zooCfgFromEnv } from "../../packages/server/src/config/docker-env.ts";
import { loadServerConfig } from "../../packages/server/src/config/index.ts";

const TIMEOUT_MS = 4000;

function clientEndpoint() {
  try {
    // The entrypoint keeps zoo.cfg where the image the variables come from keeps it.
    const cfgPath = join(zooCfgFromEnv(process.env).confDir, "zoo.cfg");
    const config = loadServerConfig(cfgPath);
    const address = config.clientPortAddress;
    const wildcard = address === undefined || address === "0.0.0.0" || address === "::";
    return { host: wildcard ? "127.0.0.1" : address, port: config.clientPort ?? 2181 };
  } catch {
    // A config the server itself would reject makes the check fail on the connection instead.
    return { host: "127.0.0.1", port: 2181 };
  }
}

function fourLetterWord(endpoint, word) {
  return new Promise((resolve, reject) => {
    const socket = connect(endpoint);
    let reply = "";
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`${word}: no answer in ${TIMEOUT_MS} ms`)));
    socket.on("connect", () => socket.write(word));
    socket.on("data", (chunk) => {
      reply += chunk.toString("utf8");
    });
    socket.on("end", () => resolve(reply));
    socket.on("error", reject);
  });
}

const notAllowed = (reply) => reply.includes("not in the whitelist");

async function check() {
  const endpoint = clientEndpoint();
  const ruok = await fourLetterWord(endpoint, "ruok");
  if (!notAllowed(ruok) && ruok.trim() !== "imok") return `ruok answered ${JSON.stringify(ruok)}`;
  const srvr = await fourLetterWord(endpoint, "srvr");
  if (notAllowed(srvr)) return notAllowed(ruok) ? "neither ruok nor srvr is whitelisted" : undefined;
  if (!/^Mode: /m.test(srvr)) return `not serving: ${srvr.trim()}`;
  return undefined;
}

check().then(
  (problem) => {
    if (problem === undefined) process.exit(0);
    console.error(`unhealthy: ${problem}`);
    process.exit(1);
  },
  (err) => {
    console.error(`unhealthy: ${err.message}`);
    process.exit(1);
  },
);
