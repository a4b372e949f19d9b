// A `java` for harnesses written to start Apache ZooKeeper (kazoo's test suite, the C client's),
// put first on their PATH: a ZooKeeper server start runs Paddock instead, so the harness and its
// tests run unchanged against Paddock.
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PADDOCK_SERVER_PATH } from "./paddock.js";

/**
 * Writes `dir/java`. `java ... QuorumPeerMain|ZooKeeperServerMain <zoo.cfg>` runs Paddock on a
 * copy of that zoo.cfg with the -D system properties named in `keptProperties` appended, as the
 * zoo.cfg keys Paddock reads them as; Paddock's output goes to paddock.log beside the zoo.cfg.
 * Any other java command (zkCli, keytool's helpers) runs the real java.
 */
export function writeJavaShim(dir: string, keptProperties: readonly string[]): void {
  const kept = keptProperties.map((p) => `${p}=*`).join("|");
  const script = `#!/usr/bin/env bash
main=""; cfg=""; props=()
args=("$@")
for ((i=0; i<\${#args[@]}; i++)); do
  a=\${args[$i]}
  case "$a" in
    -D*) props+=("\${a#-D}");;
    org.apache.zookeeper.server.quorum.QuorumPeerMain|org.apache.zookeeper.server.ZooKeeperServerMain)
      main=$a; cfg=\${args[$((i+1))]};;
  esac
done
if [ -z "$main" ]; then exec /usr/bin/java "$@"; fi
out="$cfg.paddock"
cp "$cfg" "$out"
for p in "\${props[@]}"; do
  case "$p" in
    ${kept}) echo "$p" >> "$out";;
  esac
done
exec "${process.execPath}" "${PADDOCK_SERVER_PATH}" start-foreground "$out" >> "$(dirname "$cfg")/paddock.log" 2>&1
`;
  writeFileSync(join(dir, "java"), script);
  chmodSync(join(dir, "java"), 0o755);
}

/**
 * Writes `dir/java` for harnesses that start ZooKeeper from its fat jar, `java -jar <jar> server
 * <zoo.cfg>` (the Go client's): it runs Paddock, or ZooKeeper 3.8's QuorumPeerMain on `classpath`,
 * on that zoo.cfg, with the output in paddock.log or zookeeper.log beside it. Any other java
 * command runs the real java.
 */
export function writeFatJarShim(
  dir: string,
  target: { paddock: true } | { zookeeperClasspath: string },
): void {
  const server =
    "paddock" in target
      ? `"${process.execPath}" "${PADDOCK_SERVER_PATH}" start-foreground "$4" >> "$(dirname "$4")/paddock.log"`
      : `/usr/bin/java -cp "${target.zookeeperClasspath}" org.apache.zookeeper.server.quorum.QuorumPeerMain "$4" >> "$(dirname "$4")/zookeeper.log"`;
  const script = `#!/usr/bin/env bash
if [ "$1" = "-jar" ] && [ "$3" = "server" ]; then exec ${server} 2>&1; fi
exec /usr/bin/java "$@"
`;
  writeFileSync(join(dir, "java"), script);
  chmodSync(join(dir, "java"), 0o755);
}
