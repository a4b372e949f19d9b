// `paddock-server start | stop | restart | status` with `--config <dir>`, as zkServer.sh runs them:
// the server in the background, its pid in dataDir/zookeeper_server.pid, its output in
// $ZOO_LOG_DIR, and the configuration directory's zookeeper-env.sh and java.env sourced first.
// The messages are compared with what ZooKeeper 3.8's own zkServer.sh prints for the same steps.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PADDOCK_SERVER_PATH, paddockBuilt } from "../support/paddock.js";
import { type Finished, fourLetterWord, freePort, makeTempDir, runToEnd } from "../support/process.js";
import { isCI, skipWithoutZookeeper } from "../support/zookeeper.js";

const ZK_SERVER_SH = "/usr/share/zookeeper/bin/zkServer.sh";

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  return runToEnd(command, args, { env, timeoutMs: 60_000 });
}

/** Running, not a zombie that nobody has reaped yet (an orphan's new parent may be slow to). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Servers a test started in the background, and their pid files: killed after it, whatever happened. */
const started: number[] = [];
const pidFiles: string[] = [];
afterEach(() => {
  for (const file of pidFiles.splice(0))
    if (existsSync(file)) started.push(Number(readFileSync(file, "utf8")));
  for (const pid of started.splice(0)) if (alive(pid)) process.kill(pid, "SIGKILL");
});

function pidIn(file: string): number {
  const pid = Number(readFileSync(file, "utf8"));
  started.push(pid);
  return pid;
}

async function writeConf(dir: string): Promise<{ conf: string; port: number; dataDir: string }> {
  const conf = join(dir, "conf");
  mkdirSync(conf, { recursive: true });
  const port = await freePort();
  const dataDir = join(dir, "data");
  writeFileSync(
    join(conf, "zoo.cfg"),
    [`dataDir=${dataDir}`, `clientPort=${port}`, "clientPortAddress=127.0.0.1", "tickTime=2000"]
      .concat(["admin.enableServer=false", ""])
      .join("\n"),
  );
  return { conf, port, dataDir };
}

// Skipped only outside CI, before `npm run build` has made dist/; in CI a missing bundle fails
// the tests instead of skipping them.
describe.skipIf(!paddockBuilt() && !isCI)(
  "paddock-server start, stop and restart (zkServer.sh's verbs)",
  () => {
    it("runs the server in the background with the settings of the configuration directory's scripts", async () => {
      const dir = makeTempDir("daemon");
      const { conf, port, dataDir } = await writeConf(dir);
      const logDir = join(dir, "logs");
      // zkEnv.sh sources zookeeper-env.sh, then java.env, into zkServer.sh's shell.
      writeFileSync(join(conf, "zookeeper-env.sh"), `ZOO_LOG_DIR=${logDir}\n`);
      writeFileSync(
        join(conf, "java.env"),
        'SERVER_JVMFLAGS="-Xmx300m -Dzookeeper.4lw.commands.whitelist=ruok,srvr"\n',
      );
      const env = { ...process.env, PADDOCK_LOG_PRETTY: "", USER: "paddock" };
      const paddock = (...args: string[]) =>
        run(process.execPath, [PADDOCK_SERVER_PATH, "--config", conf, ...args], env);
      const pidFile = join(dataDir, "zookeeper_server.pid");
      pidFiles.push(pidFile);

      const start = await paddock("start");
      expect(start, start.stderr).toMatchObject({ code: 0, stdout: "Starting zookeeper ... STARTED\n" });
      expect(start.stderr).toBe(`Using config: ${join(conf, "zoo.cfg")}\n`);
      const pid = pidIn(pidFile);
      expect(alive(pid)).toBe(true);
      // `start` returns a second after it forks, as zkServer.sh does; the server is up soon after.
      let answer = "";
      for (let i = 0; i < 100 && answer !== "imok"; i++) {
        answer = await fourLetterWord("127.0.0.1", port, "ruok", 1000).catch(() => "");
        if (answer !== "imok") await new Promise((r) => setTimeout(r, 100));
      }
      expect(answer).toBe("imok");
      // java.env's whitelist applies: stat is not in it.
      expect(await fourLetterWord("127.0.0.1", port, "stat", 1000)).toContain("not in the whitelist");
      const out = join(logDir, `zookeeper-paddock-server-${hostname()}.out`);
      expect(readFileSync(out, "utf8")).toContain('"msg":"data loaded"');
      // java.env's -Xmx became the server's heap limit, so the server does not call it ignored.
      expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")).toContain("--max-old-space-size=300");
      expect(readFileSync(out, "utf8")).not.toContain("-Xmx300m");

      expect(await paddock("start")).toMatchObject({
        code: 1,
        stdout: `Starting zookeeper ... already running as process ${pid}.\n`,
      });
      expect(await paddock("status")).toMatchObject({
        code: 0,
        stdout: expect.stringContaining("Mode: standalone\n"),
      });

      const restart = await paddock("restart");
      expect(restart, restart.stderr).toMatchObject({
        code: 0,
        stdout: "Stopping zookeeper ... STOPPED\nStarting zookeeper ... STARTED\n",
      });
      expect(alive(pid)).toBe(false);
      const second = pidIn(pidFile);
      expect(second).not.toBe(pid);

      // `stop` returns once the server has exited, and removes the pid file.
      expect(await paddock("stop")).toMatchObject({ code: 0, stdout: "Stopping zookeeper ... STOPPED\n" });
      expect(alive(second)).toBe(false);
      expect(existsSync(pidFile)).toBe(false);
      expect(await paddock("stop")).toMatchObject({
        code: 0,
        stdout: `Stopping zookeeper ... no zookeeper to stop (could not find file ${pidFile})\n`,
      });
    }, 60_000);

    it("says FAILED TO START for a zoo.cfg the server cannot run, and why", async () => {
      const dir = makeTempDir("daemon-bad");
      const { conf } = await writeConf(dir);
      writeFileSync(join(conf, "zoo.cfg"), `${readFileSync(join(conf, "zoo.cfg"), "utf8")}tickTime=soon\n`);
      const env = { ...process.env, ZOOCFGDIR: conf };
      const r = await run(process.execPath, [PADDOCK_SERVER_PATH, "start"], env);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("Starting zookeeper ... FAILED TO START\n");
      expect(r.stderr).toContain("tickTime");
    }, 30_000);

    it("clears a pid file whose process is gone, as zkServer.sh's stop does", async () => {
      const dir = makeTempDir("daemon-stale");
      const { conf, dataDir } = await writeConf(dir);
      const gone = await runToEnd("sh", ["-c", "echo $$"]);
      mkdirSync(dataDir, { recursive: true });
      const pidFile = join(dataDir, "zookeeper_server.pid");
      writeFileSync(pidFile, gone.stdout.trim());
      const r = await run(process.execPath, [PADDOCK_SERVER_PATH, "--config", conf, "stop"], process.env);
      expect(r).toMatchObject({ code: 0, stdout: "Stopping zookeeper ... STOPPED\n" });
      expect(r.stderr).toContain(`no process ${gone.stdout.trim()}`);
      expect(existsSync(pidFile)).toBe(false);
    }, 30_000);

    // Skipped only outside CI when ZooKeeper 3.8 is not installed: skipWithoutZookeeper throws in CI.
    describe.skipIf(skipWithoutZookeeper())("against ZooKeeper 3.8's zkServer.sh", () => {
      it("prints what zkServer.sh prints for start, start again, stop and stop again", async () => {
        const transcripts: string[][] = [];
        for (const server of ["zookeeper", "paddock"] as const) {
          const dir = makeTempDir(`daemon-${server}`);
          const { conf, dataDir } = await writeConf(dir);
          const cfg = join(conf, "zoo.cfg");
          const env = { ...process.env, ZOO_LOG_DIR: join(dir, "logs"), PADDOCK_LOG_PRETTY: "" };
          const step = (verb: string) =>
            server === "zookeeper"
              ? run(ZK_SERVER_SH, [verb, cfg], env)
              : run(process.execPath, [PADDOCK_SERVER_PATH, verb, cfg], env);
          const lines: string[] = [];
          const pidFile = join(dataDir, "zookeeper_server.pid");
          pidFiles.push(pidFile);
          let pid = "";
          for (const verb of ["start", "start", "stop", "stop"]) {
            const r = await step(verb);
            if (verb === "start" && pid === "") pid = String(pidIn(pidFile));
            lines.push(`${verb} ${r.code}: ${r.stdout.replaceAll(pid, "<pid>").replaceAll(dir, "<dir>")}`);
            // ZooKeeper's stop returns before the JVM has exited; let it go before the next step.
            if (verb === "stop" && server === "zookeeper") await waitGone(Number(pid));
          }
          transcripts.push(lines);
        }
        expect(transcripts[1]).toEqual(transcripts[0]);
        expect(transcripts[0]).toEqual([
          "start 0: Starting zookeeper ... STARTED\n",
          "start 1: Starting zookeeper ... already running as process <pid>.\n",
          "stop 0: Stopping zookeeper ... STOPPED\n",
          "stop 0: Stopping zookeeper ... no zookeeper to stop (could not find file <dir>/data/zookeeper_server.pid)\n",
        ]);
      }, 90_000);
    });
  },
);

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}
