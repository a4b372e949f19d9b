// How Apache ZooKeeper 3.8 is started from Debian's `zookeeper` package: the one place that knows
// its jars, its main class and the JVM settings, for the benchmark, the differential suite, the
// client and CLI tests and anything else that runs the real thing next to Paddock.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** Where Debian's zookeeper package puts its jars, and the ones a server needs (no logging bindings beyond slf4j-simple, for a fast JVM start). */
export const JAVA_DIR = "/usr/share/java";
export const ZOOKEEPER_JARS: readonly string[] = [
  "zookeeper.jar",
  "zookeeper-jute.jar",
  "slf4j-api.jar",
  "slf4j-simple.jar",
  "netty-buffer.jar",
  "netty-codec.jar",
  "netty-common.jar",
  "netty-handler.jar",
  "netty-resolver.jar",
  "netty-transport.jar",
  "netty-transport-native-epoll.jar",
  "netty-transport-native-unix-common.jar",
  "commons-cli.jar",
  "metrics-core.jar",
  "snappy-java.jar",
];

/** What ZooKeeper's AdminServer needs on top: Jetty, the servlet API and Jackson (all Debian packages). */
export const ADMIN_SERVER_JARS: readonly string[] = [
  "jetty9-server.jar",
  "jetty9-servlet.jar",
  "jetty9-http.jar",
  "jetty9-io.jar",
  "jetty9-util.jar",
  "jetty9-security.jar",
  "servlet-api.jar",
  "jackson-core.jar",
  "jackson-databind.jar",
  "jackson-annotations.jar",
];

/** The server's classpath: the jars above, nothing else (no log4j: a fast JVM start). */
export function zookeeperClasspath(withAdminServer = false): string {
  return [...ZOOKEEPER_JARS, ...(withAdminServer ? ADMIN_SERVER_JARS : [])]
    .map((j) => join(JAVA_DIR, j))
    .join(":");
}

/** Why ZooKeeper's AdminServer cannot run here, or undefined when it can. */
export function adminServerMissing(): string | undefined {
  const missing = ADMIN_SERVER_JARS.filter((j) => !existsSync(join(JAVA_DIR, j)));
  return missing.length > 0 ? `missing ${missing.join(", ")} in ${JAVA_DIR}` : zookeeperMissing();
}

/**
 * zkCli's classpath: the log4j config dir plus zookeeper.jar, whose manifest lists the rest
 * (jline and the logging bindings the shell wants).
 */
export const ZOOKEEPER_CLI_CLASSPATH = `/etc/zookeeper/conf:${join(JAVA_DIR, "zookeeper.jar")}`;

/** Why ZooKeeper cannot run here (missing jars or java), or undefined when it can. */
export function zookeeperMissing(): string | undefined {
  const missing = ZOOKEEPER_JARS.filter((j) => !existsSync(join(JAVA_DIR, j)));
  if (missing.length > 0) return `missing ${missing.join(", ")} in ${JAVA_DIR}`;
  try {
    execFileSync("java", ["-version"], { stdio: "ignore" });
  } catch {
    return "no java on PATH";
  }
  return undefined;
}

export interface ZookeeperJavaOptions {
  heapMb: number;
  /** -Xms = -Xmx (benchmarks: no heap growth during the measured window). */
  fixedHeap?: boolean;
  /** Short-lived test servers: serial GC and C1 only, which start in about half the time. */
  quickStart?: boolean;
  /** More `-Dkey=value` system properties (read-only mode, skipACL, superDigest, ...). */
  systemProperties?: Readonly<Record<string, string>>;
  /** Runs the Jetty AdminServer on this port (off otherwise, for a fast start). */
  adminServerPort?: number;
}

/** The `java` arguments that run QuorumPeerMain on `cfgPath`. */
export function zookeeperJavaArgs(cfgPath: string, opts: ZookeeperJavaOptions): string[] {
  const props = {
    "zookeeper.4lw.commands.whitelist": "*",
    "zookeeper.admin.enableServer": opts.adminServerPort === undefined ? "false" : "true",
    ...(opts.adminServerPort === undefined
      ? {}
      : {
          "zookeeper.admin.serverPort": String(opts.adminServerPort),
          "zookeeper.admin.serverAddress": "127.0.0.1",
        }),
    "zookeeper.jmx.log4j.disable": "true",
    "org.slf4j.simpleLogger.defaultLogLevel": "warn",
    ...opts.systemProperties,
  };
  return [
    ...(opts.fixedHeap ? [`-Xms${opts.heapMb}m`] : []),
    `-Xmx${opts.heapMb}m`,
    ...(opts.quickStart ? ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"] : []),
    ...Object.entries(props).map(([k, v]) => `-D${k}=${v}`),
    "-cp",
    zookeeperClasspath(opts.adminServerPort !== undefined),
    "org.apache.zookeeper.server.quorum.QuorumPeerMain",
    cfgPath,
  ];
}
