// Launches the real Apache ZooKeeper 3.8 (Debian package `zookeeper`) as the reference server
// for differential tests.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
// The jar list is the benchmark launcher's, so one place decides what a ZooKeeper server needs.
import { JAVA_DIR, ZOOKEEPER_JARS } from "../../packages/bench/src/servers.js";
import {
  fourLetterWord,
  launchServer,
  type ServerHandle,
  SUPER_DIGEST,
  startProcess,
  writeZooCfg,
} from "./process.js";

export type Availability = { ok: true } | { ok: false; reason: string };

let cachedAvailability: Availability | undefined;

/** Whether java and the ZooKeeper jars are installed. Synchronous so it can gate `describe`. */
export function zookeeperAvailability(): Availability {
  if (cachedAvailability) return cachedAvailability;
  const missing = ZOOKEEPER_JARS.filter((j) => !existsSync(join(JAVA_DIR, j)));
  if (missing.length > 0) {
    cachedAvailability = { ok: false, reason: `missing ${missing.join(", ")} in ${JAVA_DIR}` };
  } else {
    try {
      execFileSync("java", ["-version"], { stdio: "ignore" });
      cachedAvailability = { ok: true };
    } catch {
      cachedAvailability = { ok: false, reason: "no java on PATH" };
    }
  }
  return cachedAvailability;
}

export const isCI = process.env.CI === "true";

/**
 * True when tests needing ZooKeeper must be skipped. In CI a missing ZooKeeper is an error, not
 * a skip, so a broken image cannot turn the differential suite green.
 */
export function skipWithoutZookeeper(): boolean {
  return decideZookeeperSkip(zookeeperAvailability(), isCI);
}

export function decideZookeeperSkip(availability: Availability, ci: boolean): boolean {
  if (availability.ok) return false;
  if (ci) throw new Error(`ZooKeeper is required in CI: ${availability.reason}`);
  console.warn(`skipping ZooKeeper tests: ${availability.reason}`);
  return true;
}

export async function startZookeeper(
  opts: { extraCfg?: string[]; readyTimeoutMs?: number } = {},
): Promise<ServerHandle> {
  const availability = zookeeperAvailability();
  if (!availability.ok) throw new Error(`cannot start ZooKeeper: ${availability.reason}`);
  const classpath = ZOOKEEPER_JARS.map((j) => join(JAVA_DIR, j)).join(":");
  return launchServer(
    "zookeeper",
    (port, dir, dataDir) => {
      mkdirSync(dataDir, { recursive: true });
      // Test-only speedups: no fsync and a small txn log preallocation.
      const cfg = writeZooCfg(dir, dataDir, port, [
        "forceSync=no",
        "preAllocSize=1024",
        ...(opts.extraCfg ?? []),
      ]);
      return startProcess("java", [
        "-Xmx128m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Dzookeeper.extendedTypesEnabled=true",
        `-Dzookeeper.DigestAuthenticationProvider.superDigest=${SUPER_DIGEST}`,
        "-Dzookeeper.admin.enableServer=false",
        "-Dzookeeper.4lw.commands.whitelist=*",
        "-Dzookeeper.jmx.log4j.disable=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp",
        classpath,
        "org.apache.zookeeper.server.quorum.QuorumPeerMain",
        cfg,
      ]);
    },
    opts.readyTimeoutMs ?? 30_000,
    async (host, port) => /^Mode: /m.test(await fourLetterWord(host, port, "srvr", 1000)),
  );
}
