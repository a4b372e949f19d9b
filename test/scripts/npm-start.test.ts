// `npm start` under a supervisor: SIGTERM to npm (what systemd, `timeout` or a CI runner sends)
// must stop the whole tree, not leave three servers running as orphans.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SERVER_NODE_FLAGS } from "../../packages/server/src/config/node-flags.js";
import { freePort } from "../support/process.js";
import { alive, descendants } from "./process-tree.js";

const root = join(import.meta.dirname, "..", "..");

describe.skipIf(process.platform !== "linux")("npm start", () => {
  const dir = mkdtempSync(join(tmpdir(), "paddock-npm-start-"));
  let npm: ChildProcess | undefined;
  let tree: number[] = [];
  afterAll(() => {
    // Only what this test started, by pid.
    for (const pid of [...tree, npm?.pid ?? 0]) if (pid > 0 && alive(pid)) process.kill(pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("stops every server when npm gets SIGTERM", async () => {
    const port = await freePort();
    npm = spawn("npm", ["start"], {
      cwd: root,
      env: {
        ...process.env,
        PADDOCK_PORT: String(port),
        PADDOCK_ADMIN_PORT: String(await freePort()),
        PADDOCK_LOCAL_DIR: dir,
        PADDOCK_LOG_PRETTY: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    npm.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    npm.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    // Running once a leader is elected.
    const deadline = Date.now() + 60_000;
    while (!/leader/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(output).toMatch(/leader/);
    tree = descendants(npm.pid!);
    const servers = tree.filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("paddock-server.mjs");
      } catch {
        return false;
      }
    });
    expect(servers).toHaveLength(3);
    // Each server starts with the node options every launcher gives it.
    for (const pid of servers) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      for (const flag of SERVER_NODE_FLAGS) expect(argv).toContain(flag);
    }
    // The web console is on, and its URL printed.
    const consoleUrl = /web console: (http:\/\/\S+\/console)/.exec(output)?.[1];
    expect(consoleUrl).toBeDefined();
    expect(await (await fetch(consoleUrl!)).text()).toContain("<title>Paddock console</title>");
    const state = (await (await fetch(consoleUrl!.replace(/\/console$/, "/console/api/state"))).json()) as {
      peers: Record<string, string>;
    };
    expect(Object.keys(state.peers)).toEqual(["1", "2", "3"]);

    npm.kill("SIGTERM");
    const gone = Date.now() + 15_000;
    while (tree.some(alive) && Date.now() < gone) await new Promise((r) => setTimeout(r, 200));
    expect(tree.filter(alive)).toEqual([]);
    expect(output).toMatch(/\[paddock\] stopping \((SIGTERM|parent process exited)\)/);
  }, 90_000);
});
