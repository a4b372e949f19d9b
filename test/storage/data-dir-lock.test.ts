// Two server processes on one data directory: the second must refuse to start, naming the
// directory and the first one's pid, and the first must go on serving untouched. Without the
// lock both ran, and after a restart the writes the first had acknowledged were gone.
import { join } from "node:path";
import { ZooKeeperClient } from "@paddock/client";
import { afterEach, describe, expect, it } from "vitest";
import { PADDOCK_SERVER_PATH, type RestartablePaddock, startPaddockIn } from "../support/paddock.js";
import { freePort, makeTempDir, startProcess, writeZooCfg } from "../support/process.js";

const servers: RestartablePaddock[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.kill().catch(() => {});
});

describe("one server per data directory", () => {
  it("a second server on a dataDir in use exits with a clear error; after a SIGKILL the lock is stale", async () => {
    const dir = makeTempDir("paddock-lock");
    const first = await startPaddockIn(dir, await freePort());
    servers.push(first);
    const c = new ZooKeeperClient({ connectString: first.connectString, sessionTimeoutMs: 10_000 });
    await c.connect();
    await c.create("/kept", "acknowledged");

    const otherDir = makeTempDir("paddock-lock-2");
    const cfg = writeZooCfg(otherDir, first.dataDir, await freePort());
    const second = startProcess(process.execPath, [PADDOCK_SERVER_PATH, cfg]);
    const { code } = await second.exited;
    expect(code).toBe(1);
    expect(second.output()).toContain(join(first.dataDir, "version-2"));
    expect(second.output()).toMatch(/in use by another server \(pid \d+\)/);
    expect(second.output()).not.toContain("    at "); // one clear line, no stack trace

    expect((await c.getData("/kept")).data?.toString()).toBe("acknowledged");
    await c.close();
    await first.kill("SIGKILL");

    const restarted = await startPaddockIn(dir, first.port);
    servers.push(restarted);
    const c2 = new ZooKeeperClient({ connectString: restarted.connectString, sessionTimeoutMs: 10_000 });
    await c2.connect();
    expect((await c2.getData("/kept")).data?.toString()).toBe("acknowledged");
    await c2.close();
  });
});
