// TLS on the client port (secureClientPort) configured with ZooKeeper's ssl.* keys: key and
// trust stores in PEM, PKCS12 and JKS (made here with openssl and the JDK's keytool), ssl.clientAuth
// need / want, the client certificate's address check (off by default, as on ZooKeeper; on with
// ssl.clientHostnameVerification), reloading the key store when its file changes, a store that
// cannot be used stopping the start, and real clients: the TypeScript client and kazoo (use_ssl).
// The plaintext port keeps working beside it.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { ZooKeeperClient } from "@paddock/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zookeeperClasspath } from "../../packages/bench/src/zookeeper-java.js";
import {
  haveKeytool,
  makeCa,
  makeJks,
  makeLeaf,
  makePkcs12,
  makeTrustStore,
} from "../support/certificates.js";
import { PADDOCK_SERVER_PATH, startPaddock } from "../support/paddock.js";
import { freePort, makeTempDir, type ServerHandle } from "../support/process.js";
import { isCI, skipWithoutZookeeper, startZookeeper } from "../support/zookeeper.js";

const PYTHON = "/usr/bin/python3";
const PASSWORD = "changeit";

if (isCI && !haveKeytool) throw new Error("CI needs keytool (default-jdk-headless) for the JKS stores");

/** A CA, a server certificate for 127.0.0.1, client certificates for 127.0.0.1 and 10.9.9.9, as stores. */
function makeCertificates(dir: string): void {
  makeCa(dir, "paddock-test-ca");
  makeLeaf(dir, "server", "paddock-server", "IP:127.0.0.1,DNS:localhost");
  makeLeaf(dir, "server2", "paddock-server-renewed", "IP:127.0.0.1,DNS:localhost");
  makeLeaf(dir, "client", "paddock-client", "IP:127.0.0.1");
  makeLeaf(dir, "stranger", "paddock-stranger", "IP:10.9.9.9");
  makePkcs12(dir, "server", PASSWORD);
  makePkcs12(dir, "client", PASSWORD);
  // A certificate for 127.0.0.1 from a CA the servers do not trust.
  mkdirSync(join(dir, "other"));
  makeCa(join(dir, "other"), "another-ca");
  makeLeaf(join(dir, "other"), "rogue", "paddock-rogue", "IP:127.0.0.1");
  // Store passwords in files, as ZooKeeper's *.passwordPath keys take them (one line break after).
  writeFileSync(join(dir, "password.txt"), `${PASSWORD}\n`);
  if (haveKeytool) {
    makeJks(dir, "server", PASSWORD);
    makeTrustStore(dir, "trust.jks", "JKS", PASSWORD);
    makeTrustStore(dir, "trust.p12", "PKCS12", PASSWORD);
  }
}

/** Runs a kazoo script with Debian's python3; resolves with its stdout, rejects with its stderr. */
function runKazoo(script: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const p = spawn(PYTHON, ["-c", script]);
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => {
      stdout += d;
    });
    p.stderr.on("data", (d) => {
      stderr += d;
    });
    p.on("close", (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`kazoo exited ${code}: ${stderr}`)),
    );
  });
}

/** The CN of the certificate a TLS port presents to a new connection. */
function servedCommonName(port: number, ca: Buffer): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const s = tlsConnect({ host: "127.0.0.1", port, ca }, () => {
      resolve(s.getPeerCertificate().subject.CN as string);
      s.destroy();
    });
    s.on("error", reject);
  });
}
describe("TLS on the client port", () => {
  let dir: string;
  const servers: ServerHandle[] = [];
  const clients: ZooKeeperClient[] = [];

  beforeAll(() => {
    dir = makeTempDir("paddock-tls");
    makeCertificates(dir);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(lines: string[]): Promise<{ server: ServerHandle; securePort: number }> {
    const securePort = await freePort();
    const server = await startPaddock({ extraCfg: [`secureClientPort=${securePort}`, ...lines] });
    servers.push(server);
    return { server, securePort };
  }

  const file = (name: string) => join(dir, name);
  const clientTls = (who = "client") => ({
    ca: readFileSync(file("ca.pem")),
    cert: readFileSync(file(`${who}.crt`)),
    key: readFileSync(file(`${who}.key`)),
  });

  async function useOver(port: number, tls: object | undefined, path: string): Promise<string> {
    const c = new ZooKeeperClient({ connectString: `127.0.0.1:${port}`, connectTimeoutMs: 5000, tls });
    clients.push(c);
    await c.connect();
    await c.create(path, "over tls");
    const data = (await c.getData(path)).data?.toString() ?? "";
    await c.close();
    return data;
  }

  it("PEM stores, clientAuth=need: a client with a certificate is served, one without is not", {
    timeout: 60_000,
  }, async () => {
    const { server, securePort } = await start([
      `ssl.keyStore.location=${file("server.pem")}`,
      `zookeeper.ssl.trustStore.location=${file("ca.pem")}`,
    ]);
    expect(await useOver(securePort, clientTls(), "/pem")).toBe("over tls");
    // The plaintext port still serves, the same tree.
    const plain = new ZooKeeperClient({ connectString: server.connectString });
    clients.push(plain);
    await plain.connect();
    expect((await plain.getData("/pem")).data?.toString()).toBe("over tls");
    await expect(useOver(securePort, { ca: readFileSync(file("ca.pem")) }, "/none")).rejects.toThrow();
    // A certificate from the CA that names another address is served: ZooKeeper's client port
    // does not match a client certificate's names against the client (next test).
    expect(await useOver(securePort, clientTls("stranger"), "/stranger")).toBe("over tls");
    expect(server.output()).not.toContain("client certificate refused");
  });

  // Skipped only outside CI when ZooKeeper 3.8 is not installed; with CI=true
  // skipWithoutZookeeper throws instead.
  it.skipIf(skipWithoutZookeeper())(
    "like ZooKeeper 3.8, serves a client certificate that names another address (kazoo)",
    { timeout: 90_000 },
    async () => {
      const zkSecurePort = await freePort();
      const zookeeper = await startZookeeper({
        extraCfg: [
          `secureClientPort=${zkSecurePort}`,
          "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
          `ssl.keyStore.location=${file("server.pem")}`,
          `ssl.trustStore.location=${file("ca.pem")}`,
        ],
      });
      servers.push(zookeeper);
      const { securePort } = await start([
        `ssl.keyStore.location=${file("server.pem")}`,
        `ssl.trustStore.location=${file("ca.pem")}`,
      ]);
      const kazooWith = (port: number, who: string) => `
from kazoo.client import KazooClient
zk = KazooClient(hosts="127.0.0.1:${port}", use_ssl=True, verify_certs=True, ca="${file("ca.pem")}",
                 certfile="${file(`${who}.crt`)}", keyfile="${file(`${who}.key`)}")
zk.start(timeout=20)
zk.ensure_path("/tls-names")
print(zk.exists("/tls-names") is not None, zk.client_state)
zk.stop()
`;
      // The kazoo harness's own TLS test (kazoo 2.11, TestSSLClient) connects this way: its
      // client certificate names no address at all.
      for (const port of [zkSecurePort, securePort]) {
        expect((await runKazoo(kazooWith(port, "stranger"))).trim()).toBe("True CONNECTED");
      }
    },
  );

  it("ssl.clientHostnameVerification: a client certificate must name the client's address", {
    timeout: 60_000,
  }, async () => {
    const checked = await start([
      `ssl.keyStore.location=${file("server.pem")}`,
      `ssl.trustStore.location=${file("ca.pem")}`,
      "ssl.clientHostnameVerification=true",
    ]);
    expect(await useOver(checked.securePort, clientTls(), "/named")).toBe("over tls");
    await expect(useOver(checked.securePort, clientTls("stranger"), "/stranger-refused")).rejects.toThrow();
    expect(checked.server.output()).toContain("client certificate refused");
    // As in ZooKeeper 3.9.4, the key is heeded only while ssl.hostnameVerification is on.
    const gated = await start([
      `ssl.keyStore.location=${file("server.pem")}`,
      `ssl.trustStore.location=${file("ca.pem")}`,
      "ssl.clientHostnameVerification=true",
      "ssl.hostnameVerification=false",
    ]);
    expect(await useOver(gated.securePort, clientTls("stranger"), "/stranger-gated")).toBe("over tls");
  });

  it("clientAuth=want lets a client without a certificate in, and refuses an untrusted one", {
    timeout: 60_000,
  }, async () => {
    const { server, securePort } = await start([
      `ssl.keyStore.location=${file("server.pem")}`,
      `ssl.trustStore.location=${file("ca.pem")}`,
      "ssl.clientAuth=want",
    ]);
    expect(await useOver(securePort, { ca: readFileSync(file("ca.pem")) }, "/want")).toBe("over tls");
    expect(await useOver(securePort, clientTls(), "/want-cert")).toBe("over tls");
    await expect(useOver(securePort, clientTls("other/rogue"), "/want-rogue")).rejects.toThrow();
    expect(server.output()).toContain("certificate not trusted");
  });

  // Skipped only outside CI when ZooKeeper 3.8 is not installed; with CI=true
  // skipWithoutZookeeper throws instead.
  it.skipIf(skipWithoutZookeeper())(
    "clientAuth=want and passwordPath, like ZooKeeper 3.8: no certificate is served, an untrusted one refused (kazoo)",
    { timeout: 90_000 },
    async () => {
      // One zoo.cfg for both: a PKCS12 key store whose password is read from a file.
      const stores = [
        `ssl.keyStore.location=${file("server.p12")}`,
        `ssl.keyStore.passwordPath=${file("password.txt")}`,
        `ssl.trustStore.location=${file("ca.pem")}`,
      ];
      const zkSecurePort = await freePort();
      const zookeeper = await startZookeeper({
        extraCfg: [
          `secureClientPort=${zkSecurePort}`,
          "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
          "ssl.clientAuth=want",
          ...stores,
        ],
      });
      servers.push(zookeeper);
      const { securePort } = await start(["ssl.clientAuth=want", ...stores]);
      const kazooAs = (port: number, who: string | undefined) => `
from kazoo.client import KazooClient
zk = KazooClient(hosts="127.0.0.1:${port}", use_ssl=True, verify_certs=True, ca="${file("ca.pem")}"${
        who === undefined ? "" : `, certfile="${file(`${who}.crt`)}", keyfile="${file(`${who}.key`)}"`
      })
try:
    zk.start(timeout=8)
except Exception as e:
    print("refused", type(e).__name__)
else:
    zk.ensure_path("/want")
    print("served", zk.client_state)
    zk.stop()
`;
      const outcomes = async (port: number) => [
        (await runKazoo(kazooAs(port, undefined))).trim(),
        (await runKazoo(kazooAs(port, "client"))).trim(),
        (await runKazoo(kazooAs(port, "other/rogue"))).trim(),
      ];
      const expected = ["served CONNECTED", "served CONNECTED", "refused KazooTimeoutError"];
      expect(await outcomes(zkSecurePort)).toEqual(expected);
      expect(await outcomes(securePort)).toEqual(expected);
    },
  );

  // Needs keytool for the Java stores; under CI=true a missing keytool fails the file above.
  it.runIf(haveKeytool)("PKCS12 and JKS key and trust stores", { timeout: 60_000 }, async () => {
    const p12 = await start([
      `ssl.keyStore.location=${file("server.p12")}`,
      `ssl.keyStore.password=${PASSWORD}`,
      `ssl.trustStore.location=${file("trust.p12")}`,
      `ssl.trustStore.password=${PASSWORD}`,
    ]);
    expect(await useOver(p12.securePort, clientTls(), "/p12")).toBe("over tls");
    const jksServer = await start([
      `ssl.keyStore.location=${file("server.jks")}`,
      `ssl.keyStore.password=${PASSWORD}`,
      "ssl.keyStore.type=JKS",
      `ssl.trustStore.location=${file("trust.jks")}`,
      `ssl.trustStore.password=${PASSWORD}`,
    ]);
    expect(await useOver(jksServer.securePort, clientTls(), "/jks")).toBe("over tls");
    // The passwords read from files (*.passwordPath), which win over a password given beside them.
    const fromFiles = await start([
      `ssl.keyStore.location=${file("server.p12")}`,
      "ssl.keyStore.password=wrong",
      `ssl.keyStore.passwordPath=${file("password.txt")}`,
      `ssl.trustStore.location=${file("trust.jks")}`,
      `zookeeper.ssl.trustStore.passwordPath=${file("password.txt")}`,
    ]);
    expect(await useOver(fromFiles.securePort, clientTls(), "/password-files")).toBe("over tls");
    await expect(
      start([
        `ssl.keyStore.location=${file("server.p12")}`,
        `ssl.keyStore.passwordPath=${file("nowhere.txt")}`,
      ]),
    ).rejects.toThrow(/ssl\.keyStore\.passwordPath: cannot read .*nowhere\.txt/);
  });

  it("reloads the key store when its file changes, with client.certReload", { timeout: 60_000 }, async () => {
    copyFileSync(file("server.pem"), file("live.pem"));
    const { securePort } = await start([
      `ssl.keyStore.location=${file("live.pem")}`,
      "ssl.clientAuth=none",
      "client.certReload=true",
    ]);
    const subject = () => servedCommonName(securePort, readFileSync(file("ca.pem")));
    expect(await subject()).toBe("paddock-server");
    copyFileSync(file("server2.pem"), file("live.pem"));
    const until = Date.now() + 10_000;
    let seen = await subject();
    while (Date.now() < until && seen !== "paddock-server-renewed") {
      await new Promise((r) => setTimeout(r, 200));
      seen = await subject();
    }
    expect(seen).toBe("paddock-server-renewed");
  });

  it("keeps the key store it started with when client.certReload is off", { timeout: 60_000 }, async () => {
    copyFileSync(file("server.pem"), file("kept.pem"));
    const { securePort } = await start([`ssl.keyStore.location=${file("kept.pem")}`, "ssl.clientAuth=none"]);
    const subject = () => servedCommonName(securePort, readFileSync(file("ca.pem")));
    expect(await subject()).toBe("paddock-server");
    copyFileSync(file("server2.pem"), file("kept.pem"));
    // Longer than two of the one-second polls a reload would have made.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await subject()).toBe("paddock-server");
  });

  it("a key store that cannot be used stops the start, naming it", { timeout: 60_000 }, async () => {
    await expect(start([`ssl.keyStore.location=${file("missing.pem")}`])).rejects.toThrow(
      /ssl\.keyStore\.location: cannot read .*missing\.pem/,
    );
    await expect(
      start([`ssl.keyStore.location=${file("server.p12")}`, "ssl.keyStore.password=wrong"]),
    ).rejects.toThrow(/server\.p12|PKCS12|mac verify|password/i);
  });

  // Needs keytool for the Java stores; under CI=true a missing keytool fails the file above.
  it.runIf(haveKeytool)(
    "paddock-cli (-client-configuration) and the Java client over Netty, as zkCli users configure them",
    {
      timeout: 90_000,
    },
    async () => {
      const { securePort } = await start([
        `ssl.keyStore.location=${file("server.pem")}`,
        `ssl.trustStore.location=${file("ca.pem")}`,
      ]);
      expect(await useOver(securePort, clientTls(), "/for-cli")).toBe("over tls");
      const props = file("client.properties");
      writeFileSync(
        props,
        [
          "zookeeper.client.secure=true",
          "zookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty",
          `zookeeper.ssl.keyStore.location=${file("client.p12")}`,
          `zookeeper.ssl.keyStore.passwordPath=${file("password.txt")}`,
          `zookeeper.ssl.trustStore.location=${file("trust.jks")}`,
          `zookeeper.ssl.trustStore.password=${PASSWORD}`,
        ].join("\n"),
      );
      const cli = execFileSync(
        process.execPath,
        [
          join(PADDOCK_SERVER_PATH, "..", "paddock-cli.mjs"),
          "-server",
          `127.0.0.1:${securePort}`,
          "-client-configuration",
          props,
          "get",
          "/for-cli",
        ],
        { encoding: "utf8", timeout: 30_000 },
      );
      expect(cli.trim()).toBe("over tls");
      // ZooKeeper's own client, configured the way zkCli.sh users configure it for TLS.
      const java = execFileSync(
        "java",
        [
          "-cp",
          zookeeperClasspath(),
          "-Dzookeeper.client.secure=true",
          "-Dzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty",
          `-Dzookeeper.ssl.keyStore.location=${file("client.p12")}`,
          `-Dzookeeper.ssl.keyStore.password=${PASSWORD}`,
          `-Dzookeeper.ssl.trustStore.location=${file("trust.jks")}`,
          `-Dzookeeper.ssl.trustStore.password=${PASSWORD}`,
          "org.apache.zookeeper.ZooKeeperMain",
          "-server",
          `127.0.0.1:${securePort}`,
          "get",
          "/for-cli",
        ],
        { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] },
      );
      expect(java.split("\n")).toContain("over tls");
    },
  );

  it("kazoo (use_ssl) creates and reads over TLS", { timeout: 60_000 }, async () => {
    const { securePort } = await start([
      `ssl.keyStore.location=${file("server.pem")}`,
      `ssl.trustStore.location=${file("ca.pem")}`,
    ]);
    const script = `
import sys
from kazoo.client import KazooClient
zk = KazooClient(hosts="127.0.0.1:${securePort}", use_ssl=True, verify_certs=True,
                 ca="${file("ca.pem")}", certfile="${file("client.crt")}", keyfile="${file("client.key")}")
zk.start(timeout=20)
zk.create("/kazoo-tls", b"from kazoo")
print(zk.get("/kazoo-tls")[0].decode())
zk.stop()
`;
    const out = await runKazoo(script);
    expect(out.trim()).toBe("from kazoo");
  });

  // Rolling TLS enablement as ZooKeeper documents it: first one port for both, then TLS only.
  it("client.portUnification: the plaintext port also serves TLS clients (TypeScript client, kazoo)", {
    timeout: 60_000,
  }, async () => {
    const server = await startPaddock({
      extraCfg: [
        "client.portUnification=true",
        `ssl.keyStore.location=${file("server.pem")}`,
        `ssl.trustStore.location=${file("ca.pem")}`,
      ],
    });
    servers.push(server);
    const port = Number(server.connectString.split(":")[1]);
    expect(await useOver(port, clientTls(), "/unified-tls")).toBe("over tls");
    expect(await useOver(port, undefined, "/unified-plain")).toBe("over tls");
    // A TLS client without a certificate is refused (clientAuth=need), as on secureClientPort.
    await expect(useOver(port, { ca: readFileSync(file("ca.pem")) }, "/unified-none")).rejects.toThrow();
    // And one whose certificate no trusted CA signed.
    await expect(useOver(port, clientTls("other/rogue"), "/unified-rogue")).rejects.toThrow();
    expect(server.output()).toContain("certificate not trusted");
    const script = `
from kazoo.client import KazooClient
for ssl in (True, False):
    kw = dict(use_ssl=True, verify_certs=True, ca="${file("ca.pem")}", certfile="${file("client.crt")}",
              keyfile="${file("client.key")}") if ssl else {}
    zk = KazooClient(hosts="127.0.0.1:${port}", **kw)
    zk.start(timeout=20)
    print(zk.get("/unified-tls")[0].decode(), zk.client_state)
    zk.stop()
`;
    const out = await runKazoo(script);
    expect(out.trim().split("\n")).toEqual(["over tls CONNECTED", "over tls CONNECTED"]);
    expect(server.output()).toContain("client.portUnification");
  });
});
