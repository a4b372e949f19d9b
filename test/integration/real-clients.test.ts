// Clients nobody on this project wrote, run unchanged against Apache ZooKeeper 3.8 and against
// Paddock: kazoo (Python, Debian's python3-kazoo, with its Lock and Election recipes) and the
// Java zkCli shipped with ZooKeeper. The outputs must be the same line for line.
import { execFile, spawn } from "node:child_process";
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
function zkCliOutput(text: string, keepWatchEvents = false): string[] {
  return text
    .split("\n")
    .filter(
      (l) =>
        !/^\d{4}-\d\d-\d\d |^(Connecting to|WATCHER::|Welcome to ZooKeeper|JLine support)|^\s*$/.test(l) &&
        (keepWatchEvents || !l.startsWith("WatchedEvent")),
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
  // One interactive session fed on stdin, as a script or a user at the prompt drives zkCli: the
  // watches it sets fire within the session, quotas and ACLs build on earlier commands, and
  // history, redo and a failed addauth (which ends the session) act on the session's own state.
  it("prints the same for the same interactive session", async () => {
    const session = [
      "create /zs",
      "create /zs/a data",
      "create -s /zs/s- x",
      "create -e /zs/e y",
      "create -c /zs/c",
      "create -t 5000 /zs/t ttl",
      "create /zs/a again",
      "create /zs-none/x y",
      "ls -s /zs",
      "ls -R /zs",
      "stat -w /zs/a",
      "get -s /zs/a",
      "set -s /zs/a new",
      "set -v 7 /zs/a bad",
      "ls -w /zs",
      "get -w /zs",
      "printwatches",
      "create /zs/child x",
      "set /zs y",
      "addWatch /zs",
      "addWatch -m BOGUS /zs",
      "create /zs/child/deep z",
      "set /zs/child/deep zz",
      "delete /zs/child/deep",
      "removewatches /zs",
      "removewatches /zs -a",
      "removewatches /missing",
      "printwatches off",
      "set /zs q",
      "printwatches on",
      "create -e -s /zs/es- e",
      "setquota -n 5 /zs",
      "setquota -b 100 /zs",
      "listquota /zs",
      "setquota -n 3 /zs/child",
      "setquota -b 10 /",
      "setquota -N 2 -B 50 /zs",
      "delquota -n /zs",
      "listquota /zs",
      "delquota -b /zs",
      "listquota /zs",
      "delquota /zs",
      "delquota /missing",
      "listquota /missing",
      "get /zookeeper/quota/zs/zookeeper_limits",
      "setquota -n abc /zs",
      "whoami",
      "addauth digest u:p",
      "whoami",
      "create /zs/acl x auth:u:p:cdrwa",
      "getAcl -s /zs/acl",
      "setAcl /zs/acl world:anyone:r",
      "setAcl -v 5 /zs/acl world:anyone:cdrwa",
      "setAcl -R /zs world:anyone:cdrwa",
      "create /zs/ip x ip:127.0.0.1:cdrwa",
      "getAcl /zs/ip",
      "create /zs/badip x ip:300.1.1.1:r",
      "create /zs/badscheme x bogus:thing:r",
      "create /zs/u \u00fcn\u00efc\u00f6d\u00e9",
      "get /zs/u",
      "getAllChildrenNumber /zs",
      "getEphemerals /zs",
      "sync /zs",
      "config",
      "delete /zs",
      "delete -v 9 /zs/a",
      "deleteall /zs-none",
      "deleteall -b 2 /zs",
      "stat /zs",
      "ls /",
      "create",
      "bogus-command x",
      "redo 1",
      "history",
      "addauth bogus thing",
      "ls /",
    ];
    const outputs = await Promise.all(
      [zookeeper, paddock].map(async (s) => {
        const r = await spawnWithInput(ZKCLI, ["-server", s.connectString], `${session.join("\n")}\nquit\n`);
        // Each stream on its own: zkCli prints usage and some errors on stderr, and where those
        // land among stdout's lines is up to the pipes.
        const output = { ...splitWatchEvents(zkCliOutput(r.stdout, true)), stderr: zkCliOutput(r.stderr) };
        return { ...output, lastLs: takeLastLsOutcome(output) };
      }),
    );
    // The last `ls /` races zkCli's own handling of the failed addauth (seen in CI): either way
    // the session is lost, and which way is up to zkCli's threads, not the server.
    expect(outputs.map((o) => o.lastLs)).not.toContain("neither");
    expect(outputs[1]!.lines).toEqual(outputs[0]!.lines);
    expect(outputs[1]!.stderr).toEqual(outputs[0]!.stderr);
    expect(outputs[1]!.events).toEqual(outputs[0]!.events);
    // The session ran to its end on ZooKeeper: redo re-ran command 1 (the second), history
    // listed it, and the failed addauth lost the session.
    expect(outputs[0]!.stderr).toContain("Node does not exist: /zs/a");
    expect(outputs[0]!.lines).toContain("72 - create /zs/a data");
    expect(outputs[0]!.events).toContain("WatchedEvent state:AuthFailed type:None path:null");
    expect(outputs[0]!.events).toContain(
      "WatchedEvent state:SyncConnected type:NodeDeleted path:/zs/child/deep",
    );
  }, 240_000);
});

/**
 * Takes the output of the interactive session's last command, an `ls /` right after a failed
 * addauth, off the end of `output`: zkCli prints "Not connected" when it has already seen the
 * AuthFailed, or the request fails with AuthFailed when it has not.
 */
function takeLastLsOutcome(output: {
  lines: string[];
  stderr: string[];
}): "not connected" | "auth failed" | "neither" {
  if (output.lines.at(-1) === "Not connected") {
    output.lines.pop();
    return "not connected";
  }
  if (output.stderr.at(-1) === "KeeperErrorCode = AuthFailed for /") {
    output.stderr.pop();
    return "auth failed";
  }
  return "neither";
}

/** A command's output with its stdin fed from `input`; its exit code does not matter here. */
function spawnWithInput(
  command: string,
  args: string[],
  input: string,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      resolve({ stdout, stderr });
    });
    child.stdin.end(input);
  });
}

/**
 * zkCli prints a watch event from its event thread, so where the event lands among the command
 * output is a race; the events are compared as a sorted list, the rest in order.
 */
function splitWatchEvents(lines: string[]): { lines: string[]; events: string[] } {
  const events = lines.filter((l) => l.startsWith("WatchedEvent ")).sort();
  return { lines: lines.filter((l) => !l.startsWith("WatchedEvent ")), events };
}
