// Runs the real zkCli (org.apache.zookeeper.ZooKeeperMain) so our output can be compared with it.
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZOOKEEPER_CLASSPATH } from "../../../client/test/support/zookeeper.js";

/**
 * Feeds `lines` to one interactive zkCli session and returns stdout and stderr interleaved in
 * write order (both go to the same file, as `2>&1` would).
 */
export async function runZkCli(server: string, lines: readonly string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "paddock-zkcli-"));
  const file = join(dir, "out.txt");
  const fd = openSync(file, "w");
  try {
    const child = spawn(
      "java",
      [
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-cp",
        ZOOKEEPER_CLASSPATH,
        "org.apache.zookeeper.ZooKeeperMain",
        "-server",
        server,
      ],
      { stdio: ["pipe", fd, fd] },
    );
    child.stdin?.end(`${lines.join("\n")}\nquit\n`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error("zkCli did not finish in 30 s"));
      }, 30_000);
      child.on("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return readFileSync(file, "utf8");
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Like runZkCli, with stdout and stderr kept apart. */
export async function runZkCliStreams(
  server: string,
  lines: readonly string[],
): Promise<{ stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), "paddock-zkcli-"));
  const outFile = join(dir, "out.txt");
  const errFile = join(dir, "err.txt");
  const outFd = openSync(outFile, "w");
  const errFd = openSync(errFile, "w");
  try {
    const child = spawn(
      "java",
      [
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-cp",
        ZOOKEEPER_CLASSPATH,
        "org.apache.zookeeper.ZooKeeperMain",
        "-server",
        server,
      ],
      { stdio: ["pipe", outFd, errFd] },
    );
    child.stdin?.end(`${lines.join("\n")}\nquit\n`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error("zkCli did not finish in 30 s"));
      }, 30_000);
      child.on("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return { stdout: readFileSync(outFile, "utf8"), stderr: readFileSync(errFile, "utf8") };
  } finally {
    closeSync(outFd);
    closeSync(errFd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Removes what legitimately differs between two runs: logging noise, the banner, session
 * events, zxids, times and session ids; `prefix` (the run's private subtree) becomes "/P".
 */
export function normalize(text: string, prefix: string): string {
  return text
    .split("\n")
    .filter(
      (l) =>
        l.trim() !== "" &&
        !l.startsWith("SLF4J") &&
        !l.startsWith("Connecting to") &&
        !l.startsWith("Welcome to") &&
        !l.startsWith("JLine support") &&
        l !== "WATCHER::" &&
        !/^WatchedEvent state:\w+ type:None path:null$/.test(l),
    )
    .map((l) =>
      l
        .split(prefix)
        .join("/P")
        .replace(/^([cmp]Zxid) = 0x[0-9a-f]+$/, "$1 = 0xZXID")
        .replace(/^([cm]time) = .*$/, "$1 = DATE")
        .replace(/^ephemeralOwner = 0x[1-9a-f][0-9a-f]*$/, "ephemeralOwner = 0xSESSION")
        // Each names its own build.
        .replace(/^ZooKeeper CLI version: .*$/, "ZooKeeper CLI version: VERSION"),
    )
    .join("\n");
}
