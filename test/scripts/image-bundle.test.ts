// The image's bundle (deploy/bundle.mjs) must carry every module the server can load, the ones
// loaded only on first use among them (lazy-module.ts): the image has no node_modules. A module
// that esbuild cannot see is missing there, and the server fails only when a setting asks for it.
// That happened once with the Prometheus endpoint, and only the Kubernetes pod test (in Docker)
// noticed. Here the bundle runs from a directory with no node_modules above it: standalone with a
// JKS key store on the secure client port and the Prometheus endpoint on, and as a 3-server
// ensemble (ws and protobufjs, which only the peer links load).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { ZooKeeperClient } from "@paddock/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveKeytool, makeCa, makeJks, makeLeaf, makePkcs12 } from "../support/certificates.js";
import { Ensemble } from "../support/ensemble.js";
import {
  freePort,
  makeTempDir,
  runToEnd,
  type StartedProcess,
  startProcess,
  stopProcess,
  waitForImok,
  writeZooCfg,
} from "../support/process.js";
import { isCI } from "../support/zookeeper.js";

const PASSWORD = "bundle-pass";
if (isCI && !haveKeytool) throw new Error("CI needs keytool (default-jdk-headless) for the JKS store");

// Skipped only outside CI, where the JDK's keytool is missing.
describe.skipIf(!haveKeytool)("the image's bundle, with no node_modules", () => {
  const dir = makeTempDir("image-bundle");
  const bundleDir = join(dir, "bin");
  let server: StartedProcess | undefined;
  let port = 0;
  let securePort = 0;
  let metricsPort = 0;

  beforeAll(async () => {
    const bundled = await runToEnd(process.execPath, ["deploy/bundle.mjs", bundleDir], {
      timeoutMs: 120_000,
    });
    expect(bundled.code, bundled.stderr).toBe(0);
    makeCa(dir, "bundle-ca");
    makeLeaf(dir, "server", "127.0.0.1", "IP:127.0.0.1");
    makePkcs12(dir, "server", PASSWORD);
    makeJks(dir, "server", PASSWORD);
    port = await freePort();
    securePort = await freePort();
    metricsPort = await freePort();
    const cfg = writeZooCfg(dir, join(dir, "data"), port, [
      `secureClientPort=${securePort}`,
      "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
      `ssl.keyStore.location=${join(dir, "server.jks")}`,
      `ssl.keyStore.password=${PASSWORD}`,
      `ssl.trustStore.location=${join(dir, "ca.pem")}`,
      "ssl.clientAuth=none",
      "metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
      `metricsProvider.httpPort=${metricsPort}`,
      "metricsProvider.httpHost=127.0.0.1",
    ]);
    // The bundle's own directory, so that nothing resolves from the repository's node_modules.
    server = startProcess(process.execPath, [join(bundleDir, "paddock-server.mjs"), "start-foreground", cfg]);
    const ready = await waitForImok(server, "127.0.0.1", port, 20_000);
    expect(ready, server.output()).toBe(true);
  }, 180_000);

  afterAll(async () => {
    if (server !== undefined) await stopProcess(server);
    spawnSync("rm", ["-rf", dir]);
  });

  it("serves the Prometheus endpoint", async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^znode_count \d+/m);
  });

  it("takes a TLS handshake with the JKS store's certificate", async () => {
    const subject = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ host: "127.0.0.1", port: securePort, rejectUnauthorized: false }, () => {
        resolve(String(socket.getPeerCertificate().subject?.CN));
        socket.destroy();
      });
      socket.once("error", reject);
    });
    expect(subject).toBe("127.0.0.1");
  });

  it("forms a 3-server ensemble that replicates a write", async () => {
    const ensemble = await Ensemble.create({ size: 3, serverPath: join(bundleDir, "paddock-server.mjs") });
    const clients: ZooKeeperClient[] = [];
    try {
      ensemble.startAll();
      const leader = await ensemble.waitForQuorum(30_000);
      const follower = ensemble.nodes.find((n) => n.id !== leader)!;
      const writer = new ZooKeeperClient({ connectString: ensemble.node(leader).connectString });
      const reader = new ZooKeeperClient({ connectString: follower.connectString });
      clients.push(writer, reader);
      await writer.connect();
      await reader.connect();
      await writer.create("/from-the-image-bundle", "replicated");
      await reader.sync("/from-the-image-bundle");
      const { data } = await reader.getData("/from-the-image-bundle");
      expect(data?.toString()).toBe("replicated");
    } finally {
      for (const c of clients) await c.close().catch(() => {});
      await ensemble.destroy();
    }
  }, 60_000);
});
