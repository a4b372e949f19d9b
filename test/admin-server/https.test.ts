// The AdminServer over HTTPS with the quorum's key store, as ZooKeeper's: admin.forceHttps (HTTPS
// only) and admin.portUnification (HTTP and HTTPS on one port).
import { readFileSync, rmSync } from "node:fs";
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCa, makeLeaf } from "../support/certificates.js";
import { startPaddock } from "../support/paddock.js";
import { freePort, makeTempDir, type ServerHandle } from "../support/process.js";

function fetchJson(url: string, ca?: Buffer): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: import("node:http").IncomingMessage) => {
      let text = "";
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    };
    const req = url.startsWith("https:") ? httpsGet(url, { ca }, onResponse) : httpGet(url, onResponse);
    req.on("error", reject);
    req.setTimeout(5000, () => req.destroy(new Error("timeout")));
  });
}

describe("AdminServer over HTTPS", () => {
  let dir: string;
  let ca: Buffer;
  const servers: ServerHandle[] = [];

  beforeAll(() => {
    dir = makeTempDir("paddock-admin-https");
    makeCa(dir, "paddock-admin-ca");
    makeLeaf(dir, "server", "paddock-admin", "IP:127.0.0.1,DNS:localhost");
    ca = readFileSync(join(dir, "ca.pem"));
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(mode: string): Promise<number> {
    const port = await freePort();
    servers.push(
      await startPaddock({
        extraCfg: [
          "admin.enableServer=true",
          "admin.serverAddress=127.0.0.1",
          `admin.serverPort=${port}`,
          `${mode}=true`,
          `ssl.quorum.keyStore.location=${join(dir, "server.pem")}`,
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
});
