// The container reaper on a real server: an emptied container goes at the next check; one that
// never had a child stays, unless znode.container.maxNeverUsedIntervalMs says how long it may.
import { CreateMode, ZooKeeperClient } from "@paddock/client";
import { afterAll, describe, expect, it } from "vitest";
import { startPaddock } from "../support/paddock.js";
import type { ServerHandle } from "../support/process.js";

const servers: ServerHandle[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function gone(c: ZooKeeperClient, path: string, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if ((await c.exists(path)) === null) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe("container reaper", () => {
  it("keeps a never-used container by default; maxNeverUsedIntervalMs removes it", {
    timeout: 60_000,
  }, async () => {
    for (const neverUsed of [undefined, 800]) {
      const server = await startPaddock({
        extraCfg: [
          "znode.container.checkIntervalMs=200",
          ...(neverUsed === undefined ? [] : [`znode.container.maxNeverUsedIntervalMs=${neverUsed}`]),
        ],
      });
      servers.push(server);
      const c = new ZooKeeperClient({ connectString: server.connectString });
      await c.connect();
      await c.create("/used", "", { mode: CreateMode.Container });
      await c.create("/used/child", "");
      await c.delete("/used/child");
      await c.create("/never", "", { mode: CreateMode.Container });
      expect(await gone(c, "/used", 5000)).toBe(true);
      // Well past the interval (and several checks), the never-used container's fate is the key's.
      expect(await gone(c, "/never", 3000)).toBe(neverUsed !== undefined);
      await c.close();
    }
  });
});
