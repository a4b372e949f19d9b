// The commands README.md and deploy/README.md show, run as a reader would run them (ports, names
// and directories swapped for free ones). Each command is first looked up verbatim in its
// document, so a doc change that drops or edits one fails here until the test follows.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fourLetterWord } from "@paddock/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alive, descendants } from "../scripts/process-tree.js";
import { dockerForSuite } from "../support/docker.js";
import { freePort } from "../support/process.js";

const root = join(import.meta.dirname, "..", "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const deployReadme = readFileSync(join(root, "deploy", "README.md"), "utf8");

function documented(doc: string, command: string): void {
  expect(doc.includes(command), `documented: ${command}`).toBe(true);
}

function run(cmd: string, args: string[], opts: { input?: string } = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", timeout: 120_000, input: opts.input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("README.md's commands", () => {
  const dir = mkdtempSync(join(tmpdir(), "paddock-readme-"));
  let port: number;
  let server: ChildProcess | undefined;
  let tree: number[] = [];
  const cfg = join(dir, "zoo.cfg");
  beforeAll(async () => {
    port = await freePort();
    writeFileSync(
      cfg,
      [
        `dataDir=${join(dir, "data")}`,
        `clientPort=${port}`,
        "clientPortAddress=127.0.0.1",
        "4lw.commands.whitelist=*",
        "",
      ].join("\n"),
    );
  });
  afterAll(() => {
    // Only what this test started, by pid.
    for (const pid of [...tree, server?.pid ?? 0]) if (pid > 0 && alive(pid)) process.kill(pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("help and version of both programs through npx", () => {
    documented(readme, "Both answer `--help` and `--version`.");
    for (const program of ["paddock-server", "paddock-cli"]) {
      const help = run("npx", [program, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(
        program === "paddock-server" ? /^usage: paddock-server/ : /^ZooKeeper -server host:port/,
      );
      const version = run("npx", [program, "--version"]);
      expect(version.code).toBe(0);
      expect(version.stdout).toMatch(/0\.1\.0/);
    }
  });

  it("a standalone server, a one-shot command, status, inspect and purge", async () => {
    documented(readme, "`npx paddock-server path/to/zoo.cfg`");
    server = spawn("npx", ["paddock-server", cfg], { cwd: root, stdio: "ignore" });
    await until(
      "the server",
      async () => (await fourLetterWord("127.0.0.1", port, "ruok").catch(() => "")) === "imok",
    );

    documented(readme, "npx paddock-cli -server 127.0.0.1:2181 ls /");
    expect(run("npx", ["paddock-cli", "-server", `127.0.0.1:${port}`, "ls", "/"])).toMatchObject({
      code: 0,
      stdout: "[zookeeper]\n",
    });
    const created = run("npx", ["paddock-cli", "-server", `127.0.0.1:${port}`, "create", "/docs", "x"]);
    expect(created).toMatchObject({ code: 0, stderr: "Created /docs\n" });

    documented(readme, "npx paddock-server status .paddock/local/1/zoo.cfg");
    expect(run("npx", ["paddock-server", "status", cfg]).stdout).toContain("Mode: standalone\n");

    // What a supervisor does to `npx paddock-server`: SIGTERM to npx. The server must go too.
    tree = descendants(server.pid!);
    expect(tree.length).toBeGreaterThan(0);
    server.kill("SIGTERM");
    await until("the server to stop", async () => !tree.some(alive), 15_000);

    documented(
      readme,
      "`npx paddock-server inspect log|snapshot <file>` or `npx paddock-server inspect dir <dir>`",
    );
    const inspected = run("npx", ["paddock-server", "inspect", "dir", join(dir, "data", "version-2")]);
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toMatch(/^segment log\.1: first 0x1 /m);

    documented(readme, "`npx paddock-server purge <dataDir> [dataLogDir] -n 3`");
    const purged = run("npx", ["paddock-server", "purge", join(dir, "data"), "-n", "3"]);
    expect(purged).toMatchObject({ code: 0, stdout: "deleted 0 snapshot(s) and 0 log segment(s)\n" });
  }, 120_000);
});

const docker = dockerForSuite("documented docker commands", { compose: true });

describe.skipIf(docker.skip)("deploy/README.md's commands", () => {
  const name = `paddock-docs-${process.pid}`;
  beforeAll(() => {
    if (docker.unavailable !== undefined)
      throw new Error(`CI=true but Docker is unusable: ${docker.unavailable}`);
  });
  afterAll(() => {
    spawnSync("docker", ["rm", "-f", name], { stdio: "ignore" });
  });

  it("the compose files are valid for docker-compose", () => {
    for (const n of [3, 5]) {
      documented(deployReadme, "docker-compose -f deploy/docker-compose.3.yml up -d");
      const r = run("docker-compose", ["-f", `deploy/docker-compose.${n}.yml`, "config", "-q"]);
      expect(r.code, r.stderr).toBe(0);
    }
  });

  it("a container, its health, zkCli.sh and zkServer.sh inside it", async () => {
    const image = process.env.PADDOCK_TEST_IMAGE ?? "paddock:latest";
    if (spawnSync("docker", ["image", "inspect", image], { stdio: "ignore" }).status !== 0) {
      // The container suite builds it (and CI before the tests); building here too would race it.
      if (process.env.CI === "true") throw new Error(`${image} is missing`);
      console.warn(`[documented docker commands] ${image} not built yet: run deploy/build-image.sh`);
      return;
    }
    documented(deployReadme, "docker run -d --name paddock -p 2181:2181 paddock:latest");
    const hostPort = await freePort();
    expect(run("docker", ["run", "-d", "--name", name, "-p", `127.0.0.1:${hostPort}:2181`, image]).code).toBe(
      0,
    );
    documented(deployReadme, "echo srvr | nc 127.0.0.1 2181    # Mode: standalone");
    await until("the container", async () =>
      /^Mode: standalone$/m.test(await fourLetterWord("127.0.0.1", hostPort, "srvr").catch(() => "")),
    );
    documented(deployReadme, "docker exec paddock zkCli.sh ls /");
    expect(run("docker", ["exec", name, "zkCli.sh", "ls", "/"])).toMatchObject({
      code: 0,
      stdout: "[zookeeper]\n",
    });
    documented(deployReadme, "docker exec paddock zkServer.sh status");
    expect(run("docker", ["exec", name, "zkServer.sh", "status"]).stdout).toContain("Mode: standalone\n");
    documented(deployReadme, "docker exec paddock zkServer.sh version");
    expect(run("docker", ["exec", name, "zkServer.sh", "version"]).stdout).toMatch(/^Paddock 0\.1\.0/);
  }, 120_000);
});

// The files these commands name must exist.
it("names files that exist", () => {
  for (const file of [
    "deploy/docker-compose.3.yml",
    "deploy/docker-compose.5.yml",
    "deploy/build-image.sh",
    "docs/migrating.md",
  ]) {
    expect(existsSync(join(root, file)), file).toBe(true);
  }
});
