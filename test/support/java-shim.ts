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
