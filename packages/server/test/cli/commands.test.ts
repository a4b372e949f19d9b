import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCommand } from "../../src/cli/commands.js";
import { CONF_DIR_READ_MARK, withConfDirScripts } from "../../src/cli/conf-dir.js";
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
    const context = { env: {}, serverScript: "paddock-server.mjs" };
    expect(await runCommand(["/etc/zoo.cfg"], capture(), context)).toEqual({
      kind: "serve",
      cfgPath: "/etc/zoo.cfg",
      env: {},
    });
    expect(await runCommand(["start-foreground", "a.cfg"], capture(), context)).toEqual({
      kind: "serve",
      cfgPath: "a.cfg",
      env: {},
    });
  });

  it("takes --config <dir> as zkServer.sh does: a bare zoo.cfg name is a file in that directory", async () => {
    const context = { env: {}, serverScript: "paddock-server.mjs" };
    const conf = join(dir, "conf");
    mkdirSync(conf);
    writeFileSync(join(conf, "zoo.cfg"), "clientPort=2181\n");
    expect(await runCommand(["--config", conf, "start-foreground", "a.cfg"], capture(), context)).toEqual({
      kind: "serve",
      cfgPath: join(conf, "a.cfg"),
      env: { ZOOCFGDIR: conf },
    });
    expect(
      await runCommand(["--config", conf, "start-foreground", "./a.cfg"], capture(), context),
    ).toMatchObject({
      cfgPath: "./a.cfg",
    });
    // No zoo.cfg named: $ZOOCFGDIR/zoo.cfg, as before.
    expect(await runCommand(["--config", conf, "start-foreground"], capture(), context)).toMatchObject({
      cfgPath: join(conf, "zoo.cfg"),
    });
  });

  it("gives the server what the configuration directory's zookeeper-env.sh and java.env set", async () => {
    const conf = join(dir, "conf");
    mkdirSync(conf);
    // zkEnv.sh sources both into its own shell: an assignment without export counts, and
    // java.env, sourced second, sees and extends what zookeeper-env.sh set.
    writeFileSync(join(conf, "zookeeper-env.sh"), 'ZOO_LOG_DIR=/var/log/zk\nJVMFLAGS="-Da=1"\n');
    writeFileSync(
      join(conf, "java.env"),
      'export JVMFLAGS="$JVMFLAGS -Dzookeeper.skipACL=yes"\nunset ZOOPIDFILE\n',
    );
    const env = { ZOOPIDFILE: "/run/zk.pid", SERVER_JVMFLAGS: "-Db=2", PATH: process.env.PATH };
    const outcome = await runCommand(["--config", conf, "start-foreground", "zoo.cfg"], capture(), {
      env,
      serverScript: "paddock-server.mjs",
    });
    expect(outcome).toMatchObject({ kind: "serve", cfgPath: join(conf, "zoo.cfg") });
    const served = outcome.kind === "serve" ? outcome.env : {};
    expect(served.JVMFLAGS).toBe("-Da=1 -Dzookeeper.skipACL=yes");
    expect(served.SERVER_JVMFLAGS).toBe("-Db=2");
    expect(served.ZOO_LOG_DIR).toBe("/var/log/zk");
    expect(served.ZOOPIDFILE).toBeUndefined();
    // A server that `start` runs gets this environment already: it does not source them twice.
    expect(served[CONF_DIR_READ_MARK]).toBe("1");
    expect(await withConfDirScripts(served)).toBe(served);
  });

  it("stops with one line when a configuration directory's script exits", async () => {
    const conf = join(dir, "conf");
    mkdirSync(conf);
    writeFileSync(join(conf, "java.env"), "exit 3\n");
    const io = capture();
    const context = { env: { PATH: process.env.PATH }, serverScript: "paddock-server.mjs" };
    expect(await runCommand(["--config", conf, "start-foreground"], io, context)).toEqual({
      kind: "exit",
      code: 1,
    });
    expect(io.stderr).toBe(
      `paddock-server start-foreground: ${join(conf, "java.env")}: the shell exited (3) while sourcing\n`,
    );
  });

  it("rejects unknown options", async () => {
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
