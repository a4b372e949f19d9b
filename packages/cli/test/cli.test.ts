import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as readline from "node:readline";
import { PassThrough } from "node:stream";
import { CreateMode, ZooKeeperClient } from "@paddock/client";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../client/test/support/util.js";
import {
  shouldSkipZooKeeperTests,
  startZooKeeper,
  type ZooKeeperServer,
} from "../../client/test/support/zookeeper.js";
import {
  CLI_RELEASE,
  CLI_VERSION_LINE,
  CliSession,
  COMMAND_NAMES,
  completeLine,
  runCommandLine,
  shellCompleter,
} from "../src/index.js";
import { normalize, runZkCli, runZkCliStreams } from "./support/zkcli.js";

/** Commands run by both shells, each in its own subtree ("{P}" is replaced by it). */
const SCRIPT = [
  "create {P}",
  "create {P}/a hello",
  "create {P}/a",
  "get {P}/a",
  "get -s {P}/a",
  "stat {P}/a",
  "set {P}/a world",
  "set -s {P}/a again",
  "set -v 99 {P}/a x",
  "get {P}/nope",
  "stat {P}/nope",
  "create {P}/nope/x",
  "create {P}/empty",
  "get {P}/empty",
  "create -s {P}/a/seq- d",
  "create -s {P}/a/seq- d",
  "create -e {P}/eph",
  "create {P}/eph/child",
  "create -c {P}/cont",
  "create -t 1000 {P}/ttl",
  "create -t 500 -s {P}/tts d",
  "create -t abc {P}/ttl2",
  "create -c -s {P}/bad",
  "create -t 5 -e {P}/bad",
  "create -t 5 -c {P}/bad",
  "ls {P}",
  "ls -s {P}/a",
  "ls -R {P}",
  "ls {P}/nope",
  "delete {P}/a",
  "delete -v 5 {P}/cont",
  "delete {P}/nope",
  "getAcl {P}/a",
  "getAcl -s {P}/a",
  "create {P}/acl x world:anyone:r",
  "getAcl {P}/acl",
  "create {P}/acl2 x world:anyone:xyz",
  "getAcl {P}/acl2",
  "create {P}/acl3 x badacl",
  "create {P}/acl4 x world:someone:r",
  "setAcl {P}/acl world:anyone:cdrwa",
  "create {P}/acl/kid",
  "create {P}/dg x digest:u:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=:cdrwa,world:anyone:r",
  "getAcl {P}/dg",
  "whoami",
  "addauth digest u:password",
  "getAcl {P}/dg",
  "setAcl -s {P}/dg world:anyone:cdrwa",
  "setAcl -v 7 {P}/dg world:anyone:cdrwa",
  "getAcl {P}/dg",
  "create {P}/r",
  "create {P}/r/s",
  "create {P}/r/s/t",
  "setAcl -R {P}/r world:anyone:rwa",
  "getAcl {P}/r/s/t",
  "getAllChildrenNumber {P}",
  "getAllChildrenNumber {P}/nope",
  "getEphemerals {P}",
  "sync {P}",
  "removewatches {P}/a",
  "deleteall {P}/a",
  "deleteall {P}/nope",
  "ls {P}",
  "delete {P}",
  "create noslash",
  "create {P}/trailing/",
  "delete /",
  "printwatches",
  "printwatches off",
  "printwatches",
  "get",
  "create",
  "set {P}/a",
  "create {P}/q",
  "create {P}/q/a x",
  "setquota -n 2 {P}/q",
  "listquota {P}/q",
  "create {P}/q/b yy",
  "setquota -b 1 {P}/q",
  "listquota {P}/q",
  "get /zookeeper/quota{P}/q/zookeeper_stats",
  "setquota -n 5 {P}/q/a",
  "setquota -N 7 {P}/nope",
  "setquota {P}/q",
  "setquota -n 1 -b 2 {P}/q",
  "setquota -n abc {P}/q",
  "setquota -n 0 {P}/q",
  "setquota -b -1 {P}/q",
  "setquota -n 3 /zookeeper/quota/x",
  "setquota -n 3",
  "get /zookeeper/quota{P}/q/zookeeper_limits",
  "create {P}/q2",
  "create {P}/q2/deep",
  "setquota -B 50 {P}/q2/deep",
  "setquota -n 10 {P}/q2",
  "delquota -n {P}/q",
  "listquota {P}/q",
  "delquota -b {P}/q",
  "listquota {P}/q",
  "delquota {P}/q",
  "listquota {P}/q",
  "delquota {P}/q",
  "delquota {P}/nope",
  "delquota",
  "listquota {P}/nope",
  "ls /zookeeper/quota{P}",
  "config",
  "config -s",
  "config -c",
  "version",
  "delquota {P}/q2/deep",
  "ls /zookeeper/quota",
];

/** Commands whose stdout and stderr are compared separately (zkCli splits them oddly). */
const STREAM_SCRIPT = [
  "create {P}",
  "create {P}/s x",
  "listquota {P}/s",
  "setquota -n 1 {P}/s",
  "setquota -b 0 {P}/s",
  "listquota {P}/s",
  "delquota {P}/s",
  "delquota {P}/s",
  "get {P}/nope",
  "config",
  "version",
];

describe.skipIf(shouldSkipZooKeeperTests())("paddock-cli against ZooKeeper 3.8", () => {
  let zk: ZooKeeperServer;
  let client: ZooKeeperClient;
  let other: ZooKeeperClient;
  let bundleDir: string;
  let bundle: string;

  beforeAll(async () => {
    zk = await startZooKeeper();
    client = new ZooKeeperClient({ connectString: zk.connectString, sessionTimeoutMs: 10_000 });
    other = new ZooKeeperClient({ connectString: zk.connectString, sessionTimeoutMs: 10_000 });
    await Promise.all([client.connect(), other.connect()]);
    bundleDir = mkdtempSync(join(tmpdir(), "paddock-cli-bundle-"));
    bundle = join(bundleDir, "paddock-cli.mjs");
    await build({
      entryPoints: [join(import.meta.dirname, "../src/main.ts")],
      outfile: bundle,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      logLevel: "warning",
      // As scripts/build.mjs: bundled CommonJS dependencies (the key store readers) need require.
      banner: {
        js: "import { createRequire as __paddockCreateRequire } from 'node:module'; const require = __paddockCreateRequire(import.meta.url);",
      },
    });
  });

  afterAll(async () => {
    await client?.close();
    await other?.close();
    await zk?.stop();
    if (bundleDir !== undefined) rmSync(bundleDir, { recursive: true, force: true });
  });

  it("prints what zkCli prints for the same commands", async () => {
    const javaLines = SCRIPT.map((l) => l.replaceAll("{P}", "/java"));
    const javaOut = await runZkCli(zk.connectString, javaLines);

    let ours = "";
    const session = new CliSession({
      server: zk.connectString,
      timeoutMs: 10_000,
      output: {
        out: (t) => {
          ours += t;
        },
        err: (t) => {
          ours += t;
        },
      },
    });
    await session.connect();
    for (const line of SCRIPT) await session.execute(line.replaceAll("{P}", "/ts"));
    await session.dispose();

    expect(normalize(ours, "/ts")).toBe(normalize(javaOut, "/java"));
  });

  it("writes to stdout and stderr what zkCli writes to each", async () => {
    const java = await runZkCliStreams(
      zk.connectString,
      STREAM_SCRIPT.map((l) => l.replaceAll("{P}", "/javastreams")),
    );
    let stdout = "";
    let stderr = "";
    const session = new CliSession({
      server: zk.connectString,
      timeoutMs: 10_000,
      output: {
        out: (t) => {
          stdout += t;
        },
        err: (t) => {
          stderr += t;
        },
      },
    });
    await session.connect();
    for (const line of STREAM_SCRIPT) await session.execute(line.replaceAll("{P}", "/tsstreams"));
    await session.dispose();
    expect(normalize(stdout, "/tsstreams")).toBe(normalize(java.stdout, "/javastreams"));
    expect(normalize(stderr, "/tsstreams")).toBe(normalize(java.stderr, "/javastreams"));
    expect(stderr).toContain("Created /tsstreams/s\n");
  });

  it("runs single command lines and returns their output", async () => {
    await client.create("/one", "v");
    expect(await runCommandLine(client, "get /one")).toEqual({ stdout: "v\n", stderr: "", exitCode: 0 });
    expect(await runCommandLine(client, "get /none")).toEqual({
      stdout: "",
      stderr: "Node does not exist: /none\n",
      exitCode: 1,
    });
    expect(await runCommandLine(client, "create /one")).toMatchObject({
      stderr: "Node already exists: /one\n",
      exitCode: 1,
    });
    const stat = await runCommandLine(client, "stat /", { timeZone: "UTC" });
    expect(stat.stdout).toContain("ctime = Thu Jan 01 00:00:00 UTC 1970\n");
    expect(stat.stdout).toMatch(/^cZxid = 0x0\n/);
    const unknown = await runCommandLine(client, "frobnicate /");
    expect(unknown.exitCode).toBe(127);
    expect(unknown.stderr).toContain("Command not found: Command not found frobnicate\n");
    expect(await runCommandLine(client, "create /q 'two words'")).toEqual({
      stdout: "",
      stderr: "Created /q\n",
      exitCode: 0,
    });
    expect((await runCommandLine(client, "get /q")).stdout).toBe("two words\n");
  });

  it("prints watch events for -w, addWatch and removewatches", async () => {
    let out = "";
    const session = new CliSession({
      client,
      output: {
        out: (t) => {
          out += t;
        },
        err: (t) => {
          out += t;
        },
      },
    });
    await client.create("/cw", "1");
    await session.execute("get -w /cw");
    await other.setData("/cw", "2");
    await waitFor(() => out.includes("type:NodeDataChanged"));
    expect(out).toBe("1\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDataChanged path:/cw\n");

    out = "";
    await session.execute("ls -w /cw");
    await other.create("/cw/k");
    await waitFor(() => out.includes("NodeChildrenChanged"));
    expect(out).toBe(
      "[]\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeChildrenChanged path:/cw\n",
    );

    out = "";
    await session.execute("addWatch /cw");
    await other.create("/cw/k/deep");
    await waitFor(() => out.includes("NodeCreated"));
    expect(out).toBe("\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeCreated path:/cw/k/deep\n");

    out = "";
    await session.execute("stat -w /cw/k");
    await session.execute("printwatches off");
    await session.execute("removewatches /cw -a");
    expect(out).not.toContain("WATCHER");
    await session.execute("printwatches on");
    await session.execute("removewatches /cw/k -d");
    expect(out).toContain("WatchedEvent state:SyncConnected type:DataWatchRemoved path:/cw/k\n");
    expect(await runCommandLine(client, "removewatches /cw/k -d")).toMatchObject({
      stderr: "KeeperErrorCode = No such watcher for /cw/k\n",
      exitCode: 1,
    });
    await session.dispose();
  });

  it("lists the session's ephemerals and counts children", async () => {
    const session = await runCommandLine(client, "create -e /ce x");
    expect(session.stderr).toBe("Created /ce\n");
    expect((await runCommandLine(client, "getEphemerals /ce")).stdout).toBe("[/ce]\n");
    expect((await runCommandLine(client, "getEphemerals")).stdout).toContain("/ce");
    const all = await runCommandLine(client, "getAllChildrenNumber /zookeeper");
    expect(all.stdout).toBe("2\n");
    const who = await runCommandLine(client, "whoami");
    expect(who.stdout).toBe("Auth scheme: User\nip: 127.0.0.1\n");
    expect((await runCommandLine(client, "sync /")).stdout).toBe("Sync is OK\n");
  });

  it("keeps a history, redoes commands and reports closed sessions", async () => {
    let out = "";
    const session = new CliSession({
      server: zk.connectString,
      timeoutMs: 10_000,
      output: {
        out: (t) => {
          out += t;
        },
        err: (t) => {
          out += t;
        },
      },
    });
    await session.connect();
    expect(session.prompt()).toBe(`[zk: ${zk.connectString}(CONNECTED) 0] `);
    await session.execute("create -e /hist x");
    await session.execute("ls /hist");
    out = "";
    await session.execute("redo 1");
    expect(out).toBe("[]\n");
    out = "";
    await session.execute("history");
    expect(out).toBe("0 - create -e /hist x\n1 - ls /hist\n2 - ls /hist\n3 - history\n");
    expect(session.prompt()).toBe(`[zk: ${zk.connectString}(CONNECTED) 4] `);
    await session.execute("close");
    expect(session.prompt()).toBe(`[zk: ${zk.connectString}(CLOSED) 5] `);
    out = "";
    expect(await session.execute("ls /")).toBe(1);
    expect(out).toBe("Not connected\n");
    expect(await client.exists("/hist")).toBeNull();
    await session.execute(`connect ${zk.connectString}`);
    out = "";
    await session.execute("ls /zookeeper");
    expect(out).toBe("[config, quota]\n");
    await session.execute("quit");
    expect(session.quitRequested).toBe(true);
  });

  function runCli(args: string[], input?: string): Promise<{ stdout: string; stderr: string; code: number }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [bundle, ...args], { stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      child.stdin.end(input ?? "");
      child.on("exit", (code) => resolve({ stdout, stderr, code: code ?? -1 }));
    });
  }

  it("one-shot mode exits non-zero on errors", async () => {
    await other.create("/os", "data", { mode: CreateMode.Persistent });
    const ok = await runCli(["-server", zk.connectString, "-timeout", "5000", "get", "/os"]);
    expect(ok).toEqual({ stdout: "data\n", stderr: "", code: 0 });
    const missing = await runCli(["-server", zk.connectString, "get", "/nope"]);
    expect(missing).toEqual({ stdout: "", stderr: "Node does not exist: /nope\n", code: 1 });
    const unreachable = await runCli(["-server", "127.0.0.1:1", "-timeout", "500", "ls", "/"]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain("ConnectionLoss");
  });

  it("answers --help and --version without a server", async () => {
    const help = await runCli(["-server", "127.0.0.1:1", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("\tsetquota -n|-b|-N|-B val path\n");
    expect(help.stdout).toContain("--version");
    expect(help.stderr).toBe("");
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "../package.json"), "utf8")) as {
      version: string;
    };
    expect(CLI_RELEASE).toBe(pkg.version);
    expect(await runCli(["--version"])).toEqual({ stdout: `${CLI_VERSION_LINE}\n`, stderr: "", code: 0 });
  });

  it("completes commands and znode paths as zkCli does", async () => {
    await client.create("/tab");
    await client.create("/tab/alpha");
    await client.create("/tab/alps");
    await client.create("/tab/beta");
    const commands = [...COMMAND_NAMES].sort();
    expect(await completeLine("getA", commands, client)).toEqual([
      ["getAcl", "getAllChildrenNumber"],
      "getA",
    ]);
    expect(await completeLine("ls /ta", commands, client)).toEqual([["tab"], "ta"]);
    expect(await completeLine("get -s /tab/al", commands, client)).toEqual([["alpha", "alps"], "al"]);
    expect(await completeLine("ls /tab/", commands, client)).toEqual([["alpha", "alps", "beta"], ""]);
    expect(await completeLine("ls /nope/x", commands, client)).toEqual([[], "x"]);

    // Through node:readline in terminal mode, as the interactive shell uses it.
    const input = new PassThrough();
    const output = new PassThrough();
    output.resume();
    const rl = readline.createInterface({
      input,
      output,
      terminal: true,
      completer: shellCompleter(commands, () => client),
    });
    const line = new Promise<string>((resolve) => rl.once("line", resolve));
    input.write("ls /tab/be");
    input.write("\t");
    await waitFor(() => rl.line === "ls /tab/beta");
    input.write("\r");
    expect(await line).toBe("ls /tab/beta");
    rl.close();
  });

  it("interactive mode reads commands from stdin", async () => {
    const res = await runCli(["-server", zk.connectString], "create /inter x\nget /inter\nquit\n");
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("x\n");
    expect(res.stderr).toContain("Created /inter\n");
    expect(res.stdout).toContain("WatchedEvent state:SyncConnected type:None path:null");
  });
});
