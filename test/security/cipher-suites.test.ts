// ssl.ciphersuites: ZooKeeper's (Java's) suite names, mapped to OpenSSL's; the port offers exactly
// those suites. Differential: Paddock and ZooKeeper 3.8 get the same keys and certificates, and
// TLS clients offering different suites and protocols must get the same outcome from both (the
// negotiated protocol and suite, or a refused handshake). A name Paddock cannot map stops the start
// with the key and the name.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type ConnectionOptions, connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCa, makeLeaf } from "../support/certificates.js";
import { startPaddock } from "../support/paddock.js";
import { freePort, makeTempDir, type ServerHandle, waitForListening } from "../support/process.js";
import { skipWithoutZookeeper, startZookeeper } from "../support/zookeeper.js";

/** What a TLS client offering `offer` gets: "TLSv1.2 TLS_ECDHE_..." or "refused". */
function probe(port: number, dir: string, offer: ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({
      host: "127.0.0.1",
      port,
      ca: readFileSync(join(dir, "ca.pem")),
      cert: readFileSync(join(dir, "client.crt")),
      key: readFileSync(join(dir, "client.key")),
      ...offer,
    });
    socket.setTimeout(10_000, () => {
      socket.destroy();
      resolve("timeout");
    });
    socket.on("secureConnect", () => {
      const c = socket.getCipher();
      resolve(`${c.version} ${c.standardName}`);
      socket.destroy();
    });
    // A port nobody listens on is not a refused handshake: name it apart.
    socket.on("error", (e: NodeJS.ErrnoException) =>
      resolve(e.code === "ECONNREFUSED" ? "not listening" : "refused"),
    );
  });
}

const OFFERS: Record<string, ConnectionOptions> = {
  "any suite": {},
  "TLS 1.2, ECDHE-RSA-AES256-GCM-SHA384 only": {
    maxVersion: "TLSv1.2",
    ciphers: "ECDHE-RSA-AES256-GCM-SHA384",
  },
  "TLS 1.2, any suite": { maxVersion: "TLSv1.2" },
  "TLS 1.3 only": { minVersion: "TLSv1.3" },
};

describe("ssl.ciphersuites", () => {
  let dir: string;
  const servers: ServerHandle[] = [];

  beforeAll(() => {
    dir = makeTempDir("paddock-ciphers");
    makeCa(dir, "cipher-ca");
    makeLeaf(dir, "server", "paddock-server", "IP:127.0.0.1,DNS:localhost");
    makeLeaf(dir, "client", "paddock-client", "IP:127.0.0.1");
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  const lines = (port: number, suites: string) => [
    `secureClientPort=${port}`,
    "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
    `ssl.keyStore.location=${join(dir, "server.pem")}`,
    `ssl.trustStore.location=${join(dir, "ca.pem")}`,
    "ssl.enabledProtocols=TLSv1.2,TLSv1.3",
    `ssl.ciphersuites=${suites}`,
  ];

  for (const suites of [
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
  ]) {
    // Skipped only outside CI when ZooKeeper 3.8 (Debian's zookeeper, with java) is not installed;
    // under CI=true skipWithoutZookeeper throws instead.
    it.skipIf(skipWithoutZookeeper())(
      `${suites}: clients get what ZooKeeper gives them`,
      {
        timeout: 120_000,
      },
      async () => {
        const [paddockPort, zookeeperPort] = [await freePort(), await freePort()];
        const [paddock, zookeeper] = await Promise.all([
          startPaddock({ extraCfg: lines(paddockPort, suites) }),
          startZookeeper({ extraCfg: lines(zookeeperPort, suites) }),
        ]);
        servers.push(paddock, zookeeper);
        // Ready means the plain port answers; a probe refused by an unbound secure port would
        // read as a refused handshake.
        await Promise.all([waitForListening(paddockPort, 30_000), waitForListening(zookeeperPort, 30_000)]);
        // One handshake each before the recorded ones, its outcome ignored: a cold JVM's first TLS
        // 1.3 handshake on a loaded machine can outlast Netty's 10 s handshake timeout, and its
        // close would read as a refusal.
        await Promise.all([probe(paddockPort, dir, {}), probe(zookeeperPort, dir, {})]);
        const outcomes = async (port: number) => {
          const out: Record<string, string> = {};
          for (const [name, offer] of Object.entries(OFFERS)) out[name] = await probe(port, dir, offer);
          return out;
        };
        const expected = await outcomes(zookeeperPort);
        expect(await outcomes(paddockPort)).toEqual(expected);
        // Only the configured suites are ever negotiated.
        const negotiated = Object.values(expected).filter((o) => o !== "refused");
        expect(negotiated.length).toBeGreaterThan(0);
        for (const o of negotiated) expect(suites.split(",")).toContain(o.split(" ")[1]);
      },
    );
  }

  it("a suite name Paddock cannot map stops the start, naming it", { timeout: 60_000 }, async () => {
    const port = await freePort();
    await expect(
      startPaddock({ extraCfg: lines(port, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_MADE_UP_SUITE") }),
    ).rejects.toThrow(/ssl\.ciphersuites: unknown or unsupported cipher suite TLS_MADE_UP_SUITE/);
  });
});
