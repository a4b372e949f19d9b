// The handshake deadline (ZooKeeper's zookeeper.nio.sessionlessCnxnTimeout): a connection that
// sends nothing, or only part of its ConnectRequest, is closed once the deadline passes, and
// each such close counts in sessionless_connections_expired (mntr, /commands/monitor and the
// Prometheus endpoint read the same counter); a client that got its session is left alone. The
// TLS ports count too: a secureClientPort connection that never finishes its TLS handshake, and a
// client.portUnification connection that never sends its first byte.
import { rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { ZooKeeperClient } from "@paddock/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCa, makeLeaf } from "../support/certificates.js";
import { startPaddock } from "../support/paddock.js";
import { fourLetterWord, freePort, makeTempDir, type ServerHandle } from "../support/process.js";

const DEADLINE_MS = 400;
const PROMETHEUS = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider";

function mntrValue(text: string, key: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${key}\t`));
  return line === undefined ? undefined : Number(line.slice(key.length + 1));
}

async function httpText(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.text();
}

/** Opens a connection, writes `bytes`, and resolves with the ms until the server closed it. */
function closedAfterMs(server: ServerHandle, bytes: Buffer, port = server.port): Promise<number> {
  return new Promise((resolve, reject) => {
    const startedMs = Date.now();
    const socket: Socket = connect(port, server.host, () => {
      if (bytes.length > 0) socket.write(bytes);
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve(Date.now() - startedMs));
    setTimeout(() => {
      socket.destroy();
      reject(new Error("the server kept a connection without a session open for 10 s"));
    }, 10_000).unref();
  });
}

describe("handshake deadline (nio.sessionlessCnxnTimeout)", () => {
  let server: ServerHandle;
  let adminPort: number;
  let metricsPort: number;

  beforeAll(async () => {
    [adminPort, metricsPort] = [await freePort(), await freePort()];
    server = await startPaddock({
      extraCfg: [
        `zookeeper.nio.sessionlessCnxnTimeout=${DEADLINE_MS}`,
        "admin.enableServer=true",
        "admin.serverAddress=127.0.0.1",
        `admin.serverPort=${adminPort}`,
        `metricsProvider.className=${PROMETHEUS}`,
        "metricsProvider.httpHost=127.0.0.1",
        `metricsProvider.httpPort=${metricsPort}`,
      ],
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("closes connections without a session and counts them", { timeout: 60_000 }, async () => {
    const before = await fourLetterWord(server.host, server.port, "mntr");
    expect(mntrValue(before, "zk_sessionless_connections_expired")).toBe(0);

    const client = new ZooKeeperClient({ connectString: server.connectString, sessionTimeoutMs: 30_000 });
    await client.connect();
    try {
      // Silent, and a frame length with half a ConnectRequest behind it.
      const partial = Buffer.alloc(12);
      partial.writeInt32BE(44, 0);
      const [silentMs, partialMs] = await Promise.all([
        closedAfterMs(server, Buffer.alloc(0)),
        closedAfterMs(server, partial),
      ]);
      expect(silentMs).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
      expect(partialMs).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
      // The client with a session outlived the deadline and still works.
      expect((await client.exists("/"))?.version).toBe(0);
    } finally {
      await client.close();
    }

    const after = await fourLetterWord(server.host, server.port, "mntr");
    expect(mntrValue(after, "zk_sessionless_connections_expired")).toBe(2);
    const monitor = JSON.parse(await httpText(`http://127.0.0.1:${adminPort}/commands/monitor`)) as Record<
      string,
      unknown
    >;
    expect(monitor.sessionless_connections_expired).toBe(2);
    const exposition = await httpText(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(exposition).toMatch(/^sessionless_connections_expired 2(\.0)?$/m);
  });
});

describe("handshake deadline on the TLS ports", () => {
  let dir: string;
  let server: ServerHandle | undefined;

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("closes and counts a TLS handshake that never finishes and a unified-port connection that sends nothing", {
    timeout: 60_000,
  }, async () => {
    dir = makeTempDir("paddock-handshake-tls");
    makeCa(dir, "paddock-deadline-ca");
    makeLeaf(dir, "server", "paddock-deadline", "IP:127.0.0.1,DNS:localhost");
    const securePort = await freePort();
    server = await startPaddock({
      extraCfg: [
        `nio.sessionlessCnxnTimeout=${DEADLINE_MS}`,
        `secureClientPort=${securePort}`,
        "secureClientPortAddress=127.0.0.1",
        "client.portUnification=true",
        `ssl.keyStore.location=${join(dir, "server.pem")}`,
      ],
    });
    const [secureMs, unifiedMs] = await Promise.all([
      closedAfterMs(server, Buffer.alloc(0), securePort),
      closedAfterMs(server, Buffer.alloc(0)),
    ]);
    expect(secureMs).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(unifiedMs).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    const mntr = await fourLetterWord(server.host, server.port, "mntr");
    expect(mntrValue(mntr, "zk_sessionless_connections_expired")).toBe(2);
  });
});
