// The AdminServer over HTTPS with the quorum's key store, as ZooKeeper's: admin.forceHttps (HTTPS
// only) and admin.portUnification (HTTP and HTTPS on one port); admin.needClientAuth (ZooKeeper
// 3.9) with real client certificates: one the quorum trust store trusts, none, and one from
// another CA.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCa, makeLeaf } from "../support/certificates.js";
import { startPaddock } from "../support/paddock.js";
import { freePort, makeTempDir, type ServerHandle } from "../support/process.js";

interface ClientCertificate {
  key: Buffer;
  cert: Buffer;
}

function fetchJson(
  url: string,
  ca?: Buffer,
  client?: ClientCertificate,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: import("node:http").IncomingMessage) => {
      let text = "";
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    };
    const req = url.startsWith("https:")
      ? httpsGet(url, { ca, ...client }, onResponse)
      : httpGet(url, onResponse);
    req.on("error", reject);
    req.setTimeout(5000, () => req.destroy(new Error("timeout")));
  });
}

describe("AdminServer over HTTPS", () => {
  let dir: string;
  let ca: Buffer;
  let trusted: ClientCertificate;
  let stranger: ClientCertificate;
  const servers: ServerHandle[] = [];

  beforeAll(() => {
    dir = makeTempDir("paddock-admin-https");
    makeCa(dir, "paddock-admin-ca");
    makeLeaf(dir, "server", "paddock-admin", "IP:127.0.0.1,DNS:localhost");
    makeLeaf(dir, "operator", "paddock-operator", "DNS:operator");
    ca = readFileSync(join(dir, "ca.pem"));
    const other = join(dir, "other");
    mkdirSync(other);
    makeCa(other, "some-other-ca");
    makeLeaf(other, "operator", "paddock-operator", "DNS:operator");
    const certificate = (d: string) => ({
      key: readFileSync(join(d, "operator.key")),
      cert: readFileSync(join(d, "operator.crt")),
    });
    trusted = certificate(dir);
    stranger = certificate(other);
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(mode: string, extra: string[] = []): Promise<number> {
    const port = await freePort();
    servers.push(
      await startPaddock({
        extraCfg: [
          "admin.enableServer=true",
          "admin.serverAddress=127.0.0.1",
          `admin.serverPort=${port}`,
          `${mode}=true`,
          `ssl.quorum.keyStore.location=${join(dir, "server.pem")}`,
          ...extra,
        ],
      }),
    );
    return port;
  }

  it("admin.forceHttps: commands answer over HTTPS only", { timeout: 60_000 }, async () => {
    const port = await start("admin.forceHttps");
    const r = await fetchJson(`https://127.0.0.1:${port}/commands/ruok`, ca);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ command: "ruok", error: null });
    await expect(fetchJson(`http://127.0.0.1:${port}/commands/ruok`)).rejects.toThrow();
  });

  it("admin.portUnification: HTTP and HTTPS on one port", { timeout: 60_000 }, async () => {
    const port = await start("admin.portUnification");
    for (const scheme of ["https", "http"]) {
      const r = await fetchJson(`${scheme}://127.0.0.1:${port}/commands/ruok`, ca);
      expect(r.status, scheme).toBe(200);
      expect(r.body).toMatchObject({ command: "ruok", error: null });
    }
  });

  const needClientAuth = (): string[] => [
    "admin.needClientAuth=true",
    `ssl.quorum.trustStore.location=${join(dir, "ca.pem")}`,
  ];

  it("admin.needClientAuth: HTTPS needs a certificate the quorum trust store trusts", {
    timeout: 60_000,
  }, async () => {
    const port = await start("admin.forceHttps", needClientAuth());
    const url = `https://127.0.0.1:${port}/commands/ruok`;
    const r = await fetchJson(url, ca, trusted);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ command: "ruok", error: null });
    await expect(fetchJson(url, ca)).rejects.toThrow();
    await expect(fetchJson(url, ca, stranger)).rejects.toThrow();
    // The server is still serving after the refusals.
    expect((await fetchJson(url, ca, trusted)).status).toBe(200);
  });

  it("admin.needClientAuth with admin.portUnification: HTTPS needs the certificate, HTTP does not (as ZooKeeper)", {
    timeout: 60_000,
  }, async () => {
    const port = await start("admin.portUnification", needClientAuth());
    expect((await fetchJson(`https://127.0.0.1:${port}/commands/ruok`, ca, trusted)).status).toBe(200);
    await expect(fetchJson(`https://127.0.0.1:${port}/commands/ruok`, ca)).rejects.toThrow();
    expect((await fetchJson(`http://127.0.0.1:${port}/commands/ruok`)).status).toBe(200);
  });

  it("without admin.needClientAuth no certificate is asked for", { timeout: 60_000 }, async () => {
    const port = await start("admin.forceHttps", [`ssl.quorum.trustStore.location=${join(dir, "ca.pem")}`]);
    expect((await fetchJson(`https://127.0.0.1:${port}/commands/ruok`, ca)).status).toBe(200);
  });
});
