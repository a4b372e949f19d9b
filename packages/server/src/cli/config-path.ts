import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * The zoo.cfg to use when none is named, as zkServer.sh finds one: $ZOOCFGDIR/$ZOOCFG (ZOOCFG
 * defaults to zoo.cfg), then the official image's $ZOO_CONF_DIR, then the working directory.
 */
export function defaultConfigCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const name = env.ZOOCFG || "zoo.cfg";
  const out: string[] = [];
  if (env.ZOOCFGDIR) out.push(join(env.ZOOCFGDIR, name));
  if (env.ZOO_CONF_DIR) out.push(join(env.ZOO_CONF_DIR, name));
  out.push(name);
  return out;
}

export function findDefaultConfig(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return defaultConfigCandidates(env).find((p) => existsSync(p));
}
