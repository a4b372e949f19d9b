import { existsSync } from "node:fs";
import { createConnection } from "node:net";
import { describe, expect, it } from "vitest";
import { fourLetterWord, freePort } from "./process.js";
import { decideZookeeperSkip, skipWithoutZookeeper, startZookeeper } from "./zookeeper.js";

describe("decideZookeeperSkip", () => {
  it("runs when ZooKeeper is installed", () => {
    expect(decideZookeeperSkip({ ok: true }, true)).toBe(false);
    expect(decideZookeeperSkip({ ok: true }, false)).toBe(false);
  });

  it("skips locally but fails in CI when ZooKeeper is missing", () => {
    expect(decideZookeeperSkip({ ok: false, reason: "no java on PATH" }, false)).toBe(true);
    expect(() => decideZookeeperSkip({ ok: false, reason: "no java on PATH" }, true)).toThrow(
      /required in CI/,
    );
  });
});

describe("freePort", () => {
  it("stays in 24000-24999", async () => {
    for (let i = 0; i < 5; i++) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(24000);
      expect(port).toBeLessThanOrEqual(24999);
    }
  });
});

describe.skipIf(skipWithoutZookeeper())("startZookeeper", () => {
  it("serves on loopback until stop(), which removes the data directory", async () => {
    const zk = await startZookeeper();
    try {
      expect(zk.connectString).toBe(`127.0.0.1:${zk.port}`);
      expect(await fourLetterWord(zk.host, zk.port, "ruok")).toBe("imok");
      expect(await fourLetterWord(zk.host, zk.port, "srvr")).toMatch(/^Mode: standalone$/m);
      // Settings the differential suite relies on: all words whitelisted, TTL nodes enabled.
      expect(await fourLetterWord(zk.host, zk.port, "mntr")).toMatch(/^zk_server_state\tstandalone$/m);
      expect(existsSync(zk.dataDir)).toBe(true);
    } finally {
      await zk.stop();
    }
    expect(existsSync(zk.dataDir)).toBe(false);
    const refused = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: zk.host, port: zk.port });
      s.on("connect", () => {
        s.destroy();
        resolve(false);
      });
      s.on("error", () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
