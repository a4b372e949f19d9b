// paddock-server as a process: a port another server holds, and `status` against a live server.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeptServer, paddockServerCommand, startPaddockIn } from "../migrate/servers.js";
import { paddockBuilt } from "../support/paddock.js";
import { freePort, writeZooCfg } from "../support/process.js";

describe.skipIf(!paddockBuilt() && process.env.CI !== "true")("paddock-server processes", () => {
  const base = mkdtempSync(join(tmpdir(), "paddock-server-cli-"));
  let first: KeptServer;
  beforeAll(async () => {
    first = await startPaddockIn(join(base, "first"), await freePort());
  });
  afterAll(async () => {
    await first?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it("says in one line that another server holds the client port", () => {
    const cfg = writeZooCfg(base, join(base, "second-data"), first.port);
    const second = paddockServerCommand([cfg]);
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(
      `paddock-server: cannot listen on 127.0.0.1 port ${first.port} (client port): it is already in use, probably by another server (ZooKeeper or Paddock)\n`,
    );
    // Said once: not also as a logged error object.
    expect(second.stdout).not.toContain("client port error");
  });

  it("reports the mode of a running server like zkServer.sh status", () => {
    const r = paddockServerCommand(["status", join(base, "first", "zoo.cfg")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `Client port found: ${first.port}. Client address: 127.0.0.1. Client SSL: false.\nMode: standalone\n`,
    );
  });
});
