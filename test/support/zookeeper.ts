// Launches the real Apache ZooKeeper 3.8 (Debian package `zookeeper`) as the reference server
// for differential tests.
import { mkdirSync } from "node:fs";
// The benchmark's launcher decides how ZooKeeper runs; tests start it the same way.
import { zookeeperJavaArgs, zookeeperMissing } from "../../packages/bench/src/zookeeper-java.js";
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
  const missing = zookeeperMissing();
  cachedAvailability = missing === undefined ? { ok: true } : { ok: false, reason: missing };
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

/**
 * System properties that send ZooKeeper's log (slf4j-simple) to `file` with its audit logger at
 * INFO, where audit.enable's success lines are written.
 */
export function zookeeperAuditLogTo(file: string): Record<string, string> {
  return {
    "org.slf4j.simpleLogger.logFile": file,
    "org.slf4j.simpleLogger.log.org.apache.zookeeper.audit.Slf4jAuditLogger": "info",
  };
}

export async function startZookeeper(
  opts: {
    extraCfg?: string[];
    readyTimeoutMs?: number;
    systemProperties?: Record<string, string>;
    adminServerPort?: number;
  } = {},
): Promise<ServerHandle> {
  const availability = zookeeperAvailability();
  if (!availability.ok) throw new Error(`cannot start ZooKeeper: ${availability.reason}`);
  return launchServer(
    "zookeeper",
    (port, dir, dataDir) => {
      mkdirSync(dataDir, { recursive: true });
      // Test-only speedups: no fsync and a small txn log preallocation.
      const cfg = writeZooCfg(dir, dataDir, port, [
        "forceSync=no",
        "preAllocSize=1024",
        // zoo.cfg keys become system properties and win over -D: writeZooCfg turns admin off.
        ...(opts.adminServerPort === undefined ? [] : ["admin.enableServer=true"]),
        ...(opts.extraCfg ?? []),
      ]);
      return startProcess(
        "java",
        zookeeperJavaArgs(cfg, {
          heapMb: 128,
          quickStart: true,
          adminServerPort: opts.adminServerPort,
          systemProperties: {
            "zookeeper.extendedTypesEnabled": "true",
            "zookeeper.DigestAuthenticationProvider.superDigest": SUPER_DIGEST,
            ...opts.systemProperties,
          },
        }),
      );
    },
    opts.readyTimeoutMs ?? 30_000,
    async (host, port) => /^Mode: /m.test(await fourLetterWord(host, port, "srvr", 1000)),
  );
}
