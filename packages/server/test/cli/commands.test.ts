import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCommand } from "../../src/cli/commands.js";
import { defaultConfigCandidates } from "../../src/cli/config-path.js";
import { describeListenError, isListenError } from "../../src/net/listen-error.js";
import { PADDOCK_RELEASE } from "../../src/version.js";

function capture() {
  const io = {
    stdout: "",
    stderr: "",
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
  };
  return io;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "paddock-cli-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("paddock-server's command line", () => {
  it("prints help on stdout with exit 0, usage on stderr with exit 2 when there is nothing to do", async () => {
    for (const flag of ["--help", "-h", "help"]) {
      const io = capture();
      expect(await runCommand([flag], io)).toEqual({ kind: "exit", code: 0 });
      expect(io.stdout).toMatch(/^usage: paddock-server/);
      expect(io.stdout).toContain("import-zk <zkDataDir> [zkDataLogDir] <dataDir>");
      expect(io.stderr).toBe("");
    }
    const io = capture();
    expect(await runCommand([], io)).toEqual({ kind: "exit", code: 2 });
    expect(io.stderr).toMatch(/^usage: /);
  });

  it("prints its version, which is the package's", async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")) as {
      version: string;
    };
    expect(PADDOCK_RELEASE).toBe(pkg.version);
    for (const flag of ["--version", "version", "-v"]) {
      const io = capture();
      expect(await runCommand([flag], io)).toEqual({ kind: "exit", code: 0 });
      expect(io.stdout).toBe(
        `Paddock ${pkg.version} (Apache ZooKeeper 3.8 compatible), node ${process.version}\n`,
      );
    }
  });

  it("serves a named config, with or without start-foreground", async () => {
    expect(await runCommand(["/etc/zoo.cfg"], capture())).toEqual({ kind: "serve", cfgPath: "/etc/zoo.cfg" });
    expect(await runCommand(["start-foreground", "a.cfg"], capture())).toEqual({
      kind: "serve",
      cfgPath: "a.cfg",
    });
  });

  it("refuses to daemonise and rejects unknown options", async () => {
    for (const verb of ["start", "stop", "restart"]) {
      const io = capture();
      expect(await runCommand([verb], io)).toEqual({ kind: "exit", code: 2 });
      expect(io.stderr).toContain("runs in the foreground only");
    }
    const io = capture();
    expect(await runCommand(["--frobnicate"], io)).toEqual({ kind: "exit", code: 2 });
    expect(io.stderr).toMatch(/^paddock-server: unknown option --frobnicate\n/);
  });

  it("reports a stopped server in status, as zkServer.sh does", async () => {
    const cfg = join(dir, "zoo.cfg");
    // Port 1 on loopback: nothing listens there.
    writeFileSync(cfg, `dataDir=${join(dir, "data")}\nclientPort=1\nclientPortAddress=127.0.0.1\n`);
    const io = capture();
    expect(await runCommand(["status", cfg], io)).toEqual({ kind: "exit", code: 1 });
    expect(io.stderr).toBe(`Using config: ${cfg}\n`);
    expect(io.stdout).toBe(
      "Client port found: 1. Client address: 127.0.0.1. Client SSL: false.\nError contacting service. It is probably not running.\n",
    );
  });

  it("looks for zoo.cfg where zkServer.sh and the official image keep it", () => {
    expect(defaultConfigCandidates({ ZOOCFGDIR: "/a", ZOO_CONF_DIR: "/conf" })).toEqual([
      "/a/zoo.cfg",
      "/conf/zoo.cfg",
      "/opt/bitnami/zookeeper/conf/zoo.cfg",
      "zoo.cfg",
    ]);
    expect(defaultConfigCandidates({ ZOOCFG: "my.cfg" })).toEqual([
      "/opt/bitnami/zookeeper/conf/my.cfg",
      "my.cfg",
    ]);
  });

  it("turns failures of the offline tools into one line with exit 1", async () => {
    const io = capture();
    expect(await runCommand(["import-zk", join(dir, "none"), join(dir, "out")], io)).toEqual({
      kind: "exit",
      code: 1,
    });
    expect(io.stderr).toMatch(
      /^paddock-server import-zk: .*none has no version-2 directory: not a ZooKeeper dataDir\n$/,
    );
    const usage = capture();
    expect(await runCommand(["import-zk", "only-one"], usage)).toEqual({ kind: "exit", code: 2 });
    expect(usage.stderr).toMatch(/expected two or three directories/);
  });
});

describe("describeListenError", () => {
  it("names the port, the address and the likely holder", () => {
    const err = Object.assign(new Error("listen EADDRINUSE: address already in use 127.0.0.1:2181"), {
      code: "EADDRINUSE",
      syscall: "listen",
      address: "127.0.0.1",
      port: 2181,
    });
    expect(isListenError(err)).toBe(true);
    expect(describeListenError(err, "client port", undefined, 2181)).toBe(
      "cannot listen on 127.0.0.1 port 2181 (client port): it is already in use, probably by another server (ZooKeeper or Paddock)",
    );
    expect(isListenError(new Error("other"))).toBe(false);
  });
});
