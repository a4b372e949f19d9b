// Starts a real Apache ZooKeeper 3.8 (Debian package) on a loopback port for integration tests.
// Self-contained on purpose: the client tests must not depend on the server packages.
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

const ZOOKEEPER_JAR = "/usr/share/java/zookeeper.jar";
const CONF_DIR = "/etc/zookeeper/conf";
/** The jar's manifest lists its dependencies, so the jar plus the log4j config dir is enough. */
export const ZOOKEEPER_CLASSPATH = `${CONF_DIR}:${ZOOKEEPER_JAR}`;
const PORT_RANGE_START = 23000;
const PORT_RANGE_SIZE = 1000;

export interface ZooKeeperServer {
  port: number;
  /** "127.0.0.1:port". */
  connectString: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  tickTimeMs?: number;
  /** Extra zoo.cfg lines. */
  extraConfig?: string[];
}

/**
 * Why ZooKeeper cannot run here, or null when it can. In CI a missing java or jar is a failure,
 * never a skip, so callers throw instead of skipping when process.env.CI is "true".
 */
export function zookeeperUnavailableReason(): string | null {
  if (!existsSync(ZOOKEEPER_JAR)) return `${ZOOKEEPER_JAR} not found (apt-get install zookeeper)`;
  // Looked up on PATH rather than by running `java -version`: on a loaded machine a slow or
  // failed probe must not turn into a silent skip.
  const onPath = (process.env.PATH ?? "")
    .split(delimiter)
    .some((dir) => dir !== "" && isExecutable(join(dir, "java")));
  return onPath ? null : "java not found on PATH";
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** For `describe.skipIf(...)`: true only outside CI when ZooKeeper is unavailable. */
export function shouldSkipZooKeeperTests(): boolean {
  const reason = zookeeperUnavailableReason();
  if (reason === null) return false;
  if (process.env.CI === "true") throw new Error(`ZooKeeper tests cannot run in CI: ${reason}`);
  console.warn(`skipping ZooKeeper integration tests: ${reason}`);
  return true;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** A free port in 23000-23999, starting from a pid-derived offset so parallel workers spread. */
export async function pickPort(): Promise<number> {
  const start = (process.pid * 7 + Math.floor(Date.now() / 1000)) % PORT_RANGE_SIZE;
  for (let i = 0; i < PORT_RANGE_SIZE; i++) {
    const port = PORT_RANGE_START + ((start + i * 13) % PORT_RANGE_SIZE);
    if (await portIsFree(port)) return port;
  }
  throw new Error("no free port in 23000-23999");
}

/** Sends a four-letter word and returns the answer ("" on any connection error). */
export function fourLetterWord(port: number, word: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, "127.0.0.1", () => socket.write(word));
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on("data", (d) => chunks.push(d));
    socket.on("error", () => resolve(""));
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

export async function startZooKeeper(options: StartOptions = {}): Promise<ZooKeeperServer> {
  const reason = zookeeperUnavailableReason();
  if (reason !== null) throw new Error(`cannot start ZooKeeper: ${reason}`);
  const dataDir = mkdtempSync(join(tmpdir(), "paddock-client-zk-"));
  for (let attempt = 0; ; attempt++) {
    const port = await pickPort();
    const cfg = join(dataDir, "zoo.cfg");
    writeFileSync(
      cfg,
      [
        `tickTime=${options.tickTimeMs ?? 500}`,
        `dataDir=${join(dataDir, "data")}`,
        `clientPort=${port}`,
        "clientPortAddress=127.0.0.1",
        "4lw.commands.whitelist=*",
        "admin.enableServer=false",
        "maxClientCnxns=0",
        ...(options.extraConfig ?? []),
        "",
      ].join("\n"),
    );
    const child = spawn(
      "java",
      [
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Dzookeeper.extendedTypesEnabled=true",
        "-cp",
        ZOOKEEPER_CLASSPATH,
        "org.apache.zookeeper.server.quorum.QuorumPeerMain",
        cfg,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const ready = await waitUntilReady(child, port, 20_000);
    if (ready) {
      return {
        port,
        connectString: `127.0.0.1:${port}`,
        dataDir,
        stop: async () => {
          await killChild(child);
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    }
    await killChild(child);
    // Another process may have taken the port between the check and the bind: try another one.
    if (attempt >= 2) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`ZooKeeper did not start on port ${port}: ${stderr}`);
    }
  }
}

async function waitUntilReady(child: ChildProcess, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    // ZooKeeper answers imok before it serves clients; srvr shows a Mode only once it does.
    if (
      (await fourLetterWord(port, "ruok", 500)) === "imok" &&
      /^Mode: /m.test(await fourLetterWord(port, "srvr", 500))
    )
      return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function killChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
