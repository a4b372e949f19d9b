import { existsSync } from "node:fs";
import { join } from "node:path";

/** Where the image keeps zoo.cfg when it runs with Bitnami's variables. */
const BITNAMI_CONF_DIR = "/opt/bitnami/zookeeper/conf";

/**
 * The zoo.cfg to use when none is named, as zkServer.sh finds one: $ZOOCFGDIR/$ZOOCFG (ZOOCFG
 * defaults to zoo.cfg), then the official image's $ZOO_CONF_DIR, Bitnami's conf directory, then
 * the working directory.
 */
export function defaultConfigCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const name = env.ZOOCFG || "zoo.cfg";
  const out: string[] = [];
  if (env.ZOOCFGDIR) out.push(join(env.ZOOCFGDIR, name));
  if (env.ZOO_CONF_DIR) out.push(join(env.ZOO_CONF_DIR, name));
  out.push(join(BITNAMI_CONF_DIR, name), name);
  return out;
}

export function findDefaultConfig(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return defaultConfigCandidates(env).find((p) => existsSync(p));
}
