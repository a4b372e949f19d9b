// ZooKeeper's own C client (cli_mt from Debian's zookeeper-bin, on libzookeeper-mt) against
// Paddock and ZooKeeper 3.8: the same commands, one at a time, and the printed transcripts must
// match once session ids, clock times and the order of `ls` children (a hash set's order in
// ZooKeeper) are normalised. Zxids, versions, stats, error codes and data are compared as printed.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { startPaddock } from "../support/paddock.js";
import type { ServerHandle } from "../support/process.js";
import { isCI, skipWithoutZookeeper, startZookeeper } from "../support/zookeeper.js";

const CLI_MT = "/usr/lib/zookeeper/bin/cli_mt";
if (isCI && !existsSync(CLI_MT)) throw new Error(`CI needs ZooKeeper's C client: ${CLI_MT} (zookeeper-bin)`);
// Skipped only outside CI, when ZooKeeper 3.8 or the C client (zookeeper-bin) is not installed;
// in CI both are required (above, and skipWithoutZookeeper throws).
const skip = skipWithoutZookeeper() || !existsSync(CLI_MT);

/** cli_mt's commands: create flags +e ephemeral, +s sequential, +c container. */
const SCRIPT = [
  "create /c",
  "create +e /e",
  "create +s /s",
  "create +c /cont",
  "create /c",
  "create /nope/child",
  "ls /",
  "get /c",
  "set /c world",
  "get /c",
  "exists /c",
  "exists /nope",
  "ls2 /",
  "sync /c",
  "delete /nope",
  "delete /c",
  "get /c",
  "get /zookeeper/config",
  "ls /zookeeper",
  "addauth digest user:secret",
  "create /after-auth",
  "get /after-auth",
];

/**
 * Runs SCRIPT through cli_mt. cli_mt echoes a command at once but prints its reply from another
 * thread, so a command sent too early interleaves with the last reply (or, on a busy machine, with
 * the session's own CONNECTED line). The first command waits for the session; each later one waits
 * for 250 ms since the last and 150 ms of silence.
 */
function transcript(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI_MT, [`127.0.0.1:${port}`], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let lastOutputAtMs = Date.now();
    let lastSentAtMs = 0;
    const onOutput = (b: Buffer) => {
      out += b.toString();
      lastOutputAtMs = Date.now();
    };
    child.stdout.on("data", onOutput);
    child.stderr.on("data", onOutput);
    child.once("error", reject);
    const lines = [...SCRIPT, "quit"];
    const timer = setInterval(() => {
      const nowMs = Date.now();
      if (!out.includes("Got a new session id")) return;
      if (nowMs - lastSentAtMs < 250 || nowMs - lastOutputAtMs < 150) return;
      const line = lines.shift();
      if (line === undefined) {
        clearInterval(timer);
        return;
      }
      lastSentAtMs = nowMs;
      child.stdin.write(`${line}\n`);
    }, 25);
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("close", () => {
      clearTimeout(killer);
      clearInterval(timer);
      resolve(normalise(out));
    });
  });
}

function normalise(text: string): string {
  const lines = text
    .split("\n")
    // The C library's own log lines carry thread ids and timestamps; only the shell's output counts.
    .filter((l) => !/ZOO_(INFO|WARN|ERROR|DEBUG)@/.test(l))
    .map((l) =>
      l
        .replace(/0x[0-9a-f]{8,}/g, "SESSION")
        .replace(/time = \d+ msec/, "time = T msec")
        .replace(/^(\s*[cm]time) ?= ?.*$/, "$1 = TIME")
        .replace(/\/s\d{10}/g, "/sSEQ")
        .replace(/\bs\d{10}\b/g, "sSEQ"),
    );
  // Sort each run of child names (tab-indented lines that are not `key = value` stat lines).
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    out.push(...run.sort());
    run = [];
  };
  for (const l of lines) {
    if (/^\t[^=]*$/.test(l)) run.push(l);
    else {
      flush();
      out.push(l);
    }
  }
  flush();
  return out.join("\n");
}

describe.skipIf(skip)("ZooKeeper's C client (cli_mt), Paddock against ZooKeeper 3.8", () => {
  const servers: ServerHandle[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it("prints the same transcript against both", { timeout: 120_000 }, async () => {
    const [paddock, zookeeper] = await Promise.all([startPaddock(), startZookeeper()]);
    servers.push(paddock, zookeeper);
    const expected = await transcript(zookeeper.port);
    const actual = await transcript(paddock.port);
    expect(actual).toBe(expected);
    // What the comparison covers, so that two equally broken servers cannot pass.
    expect(expected).toContain("[/c]: rc = 0");
    expect(expected).toContain("rc = -110"); // NodeExists
    expect(expected).toContain("rc = -101"); // NoNode
    expect(expected).toContain("version=1\taversion=0"); // after the set
    expect(expected).toContain("world");
    expect(expected).toContain("Watcher DELETED_EVENT state = CONNECTED_STATE for path /c");
  });
});
