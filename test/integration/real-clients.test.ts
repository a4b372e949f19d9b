// Clients nobody on this project wrote, run unchanged against Apache ZooKeeper 3.8 and against
// Paddock: kazoo (Python, Debian's python3-kazoo, with its Lock and Election recipes) and the
// Java zkCli shipped with ZooKeeper. The outputs must be the same line for line.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPaddock } from "../support/paddock.js";
import type { ServerHandle } from "../support/process.js";
import { isCI, startZookeeper } from "../support/zookeeper.js";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = "/usr/bin/python3";
const ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh";

async function hasKazoo(): Promise<boolean> {
  try {
    await run(PYTHON, ["-c", "import kazoo"]);
    return true;
  } catch {
    return false;
  }
}

const kazooAvailable = await hasKazoo();
const zkCliAvailable = existsSync(ZKCLI);
if (isCI && !(kazooAvailable && zkCliAvailable)) {
  throw new Error("CI needs python3-kazoo and the zookeeper package (zkCli.sh); .ci/run installs them");
}

let zookeeper: ServerHandle;
let paddock: ServerHandle;

beforeAll(async () => {
  [zookeeper, paddock] = await Promise.all([startZookeeper(), startPaddock()]);
});

afterAll(async () => {
  await Promise.all([zookeeper?.stop(), paddock?.stop()]);
});

describe.skipIf(!kazooAvailable)("kazoo (python3-kazoo) against both servers", () => {
  it("sees the same results, errors, watches, transactions, ACLs and recipes", async () => {
    const script = join(here, "clients", "kazoo_scenario.py");
    const [zk, pd] = await Promise.all(
      [zookeeper, paddock].map((s) => run(PYTHON, [script, s.connectString], { timeout: 60_000 })),
    );
    const expected = zk!.stdout.trim().split("\n");
    expect(expected.at(-1)).toBe("done");
    expect(pd!.stdout.trim().split("\n")).toEqual(expected);
  });
});

/** zkCli prints log lines and a banner around command output; keep what commands print. */
function zkCliOutput(text: string): string[] {
  return text
    .split("\n")
    .filter(
      (l) =>
        !/^\d{4}-\d\d-\d\d |^(Connecting to|WATCHER::|WatchedEvent|Welcome to ZooKeeper|JLine support)|^\s*$/.test(
          l,
        ),
    )
    .map((l) =>
      l.replace(/0x[0-9a-f]+/g, "0xH").replace(/\w{3} \w{3} \d\d \d\d:\d\d:\d\d \w+ \d{4}/g, "DATE"),
    );
}

describe.skipIf(!zkCliAvailable)("the Java zkCli against both servers", () => {
  it("prints the same for the same commands", async () => {
    const commands = [
      "create /cli-scenario v1",
      "create -s /cli-scenario/s- x",
      "create -e /cli-scenario/e y",
      "ls /cli-scenario",
      "get -s /cli-scenario",
      "set -v 0 /cli-scenario v2",
      "set -v 0 /cli-scenario v3",
      "stat /cli-scenario",
      "getAcl /cli-scenario",
      "setAcl /cli-scenario world:anyone:cdrwa",
      "getAllChildrenNumber /cli-scenario",
      "getEphemerals /cli-scenario",
      "get /cli-scenario/missing",
      "create /cli-scenario v1",
      "delete /cli-scenario",
      "deleteall /cli-scenario",
      "ls /",
    ];
    const outputs = await Promise.all(
      [zookeeper, paddock].map(async (s) => {
        const lines: string[] = [];
        // One JVM per command keeps each answer attributable; zkCli runs a command given on its
        // command line and exits.
        for (const cmd of commands) {
          const r = await run(ZKCLI, ["-server", s.connectString, ...cmd.split(" ")], {
            timeout: 60_000,
          }).catch((e: { stdout?: string; stderr?: string }) => ({
            stdout: e.stdout ?? "",
            stderr: e.stderr ?? "",
          }));
          lines.push(`> ${cmd}`, ...zkCliOutput(`${r.stdout}\n${r.stderr}`));
        }
        return lines;
      }),
    );
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[0]).toContain("Node does not exist: /cli-scenario/missing");
  }, 240_000);
});
