// Turning sslQuorum on in a running ensemble without downtime, as ZooKeeper documents it: every
// server first takes TLS and plaintext links on its peer ports (portUnification=true) while still
// dialling plaintext; then, one server at a time, sslQuorum=true (it dials TLS); then, one at a
// time, portUnification off (TLS only). A client writes after every restart.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { ZooKeeperClient } from "@paddock/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { makeCa, makeLeaf } from "../support/certificates.js";
import { Ensemble } from "../support/ensemble.js";
import { makeTempDir } from "../support/process.js";

describe("rolling sslQuorum on with portUnification", () => {
  let dir: string;
  let ens: Ensemble;
  const sslOn = new Set<number>();
  const unified = new Set<number>([1, 2, 3]);

  beforeAll(async () => {
    dir = makeTempDir("paddock-quorum-rolling");
    makeCa(dir, "quorum-ca");
    for (const id of [1, 2, 3]) makeLeaf(dir, `s${id}`, `server-${id}`, `IP:127.0.0.${id}`);
    ens = await Ensemble.create({
      size: 3,
      hostOf: (id) => `127.0.0.${id}`,
      extraCfg: [`ssl.quorum.trustStore.location=${join(dir, "ca.pem")}`],
      extraCfgOf: (id) => [
        `ssl.quorum.keyStore.location=${join(dir, `s${id}.pem`)}`,
        `sslQuorum=${sslOn.has(id)}`,
        `portUnification=${unified.has(id)}`,
      ],
    });
    ens.startAll();
  }, 60_000);

  afterAll(async () => {
    await ens?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  async function write(path: string): Promise<void> {
    const c = new ZooKeeperClient({ connectString: ens.connectString, sessionTimeoutMs: 8000 });
    try {
      await c.connect();
      await c.retry(() => c.create(path, ""));
    } finally {
      await c.close();
    }
  }

  async function restart(id: number): Promise<void> {
    await ens.kill(id);
    ens.writeConfig(id, [1, 2, 3]);
    ens.start(id);
    await ens.waitForQuorum(30_000);
  }

  it("switches every link to TLS one server at a time, serving throughout", {
    timeout: 180_000,
  }, async () => {
    await ens.waitForQuorum(30_000);
    await write("/phase0");
    for (const id of [1, 2, 3]) {
      sslOn.add(id);
      await restart(id);
      await write(`/tls-dial-${id}`);
    }
    for (const id of [1, 2, 3]) {
      unified.delete(id);
      await restart(id);
      await write(`/tls-only-${id}`);
    }
    // TLS only now: a plaintext link to a peer port never opens.
    const n = ens.node(1);
    const opened = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${n.peerPort}/?from=2`);
      ws.on("open", () => {
        ws.terminate();
        resolve(true);
      });
      ws.on("error", () => resolve(false));
      ws.on("close", () => resolve(false));
    });
    expect(opened).toBe(false);
    const c = new ZooKeeperClient({ connectString: ens.node(3).connectString, sessionTimeoutMs: 8000 });
    await c.connect();
    await c.sync("/");
    expect((await c.getChildren("/")).sort()).toEqual(
      [
        "phase0",
        "tls-dial-1",
        "tls-dial-2",
        "tls-dial-3",
        "tls-only-1",
        "tls-only-2",
        "tls-only-3",
        "zookeeper",
      ].sort(),
    );
    await c.close();
  });
});
