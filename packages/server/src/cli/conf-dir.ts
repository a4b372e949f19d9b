// The configuration directory as zkServer.sh knows it: `--config <dir>` or $ZOOCFGDIR. Its
// zkEnv.sh sources two shell files from there before it starts java, `zookeeper-env.sh` and then
// `java.env`, and operators keep their server's settings in them (SERVER_JVMFLAGS and JVMFLAGS,
// the log directory, the pid file). Paddock sources the same files with bash, as zkEnv.sh does,
// and takes the variables zkServer.sh would use from the result. Without a configuration
// directory nothing is read: ZooKeeper would fall back to its installation's conf/, which a
// Paddock installation does not have.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** The files zkEnv.sh sources from the configuration directory, in its order. */
export const CONF_DIR_SCRIPTS = ["zookeeper-env.sh", "java.env"] as const;

/** What those files may set that zkServer.sh, or the server it starts, reads. */
export const CONF_DIR_VARIABLES = [
  "ZOOCFG",
  "SERVER_JVMFLAGS",
  "JVMFLAGS",
  "ZOO_LOG_DIR",
  "ZOOPIDFILE",
] as const;

/**
 * Set in the environment of a server `paddock-server start` runs, which already carries what the
 * files set: sourcing them again would apply `JVMFLAGS="$JVMFLAGS ..."` twice.
 */
export const CONF_DIR_READ_MARK = "PADDOCK_CONF_DIR_SCRIPTS_READ";

export class ConfDirScriptError extends Error {
  constructor(script: string, detail: string) {
    super(`${script}: ${detail}`);
    this.name = "ConfDirScriptError";
  }
}

/**
 * The environment after sourcing the configuration directory's scripts (none when there is no
 * configuration directory, no such files, or the mark is set). Unset variables stay unset.
 */
export async function withConfDirScripts(env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const dir = env.ZOOCFGDIR;
  if (!dir || env[CONF_DIR_READ_MARK] === "1") return env;
  const scripts = CONF_DIR_SCRIPTS.map((s) => join(dir, s)).filter((p) => existsSync(p));
  if (scripts.length === 0) return env;
  const values = await sourceScripts(scripts, env);
  const out: NodeJS.ProcessEnv = { ...env, [CONF_DIR_READ_MARK]: "1" };
  for (const name of CONF_DIR_VARIABLES) {
    const value = values.get(name);
    if (value === undefined) delete out[name];
    else out[name] = value;
  }
  return out;
}

/**
 * Runs bash, sources each script in the same shell (a variable set without `export` counts, as
 * it does for zkServer.sh), and prints each variable as `name=set\0value\0` or `name=unset\0\0`.
 * As in zkEnv.sh, a script whose last command fails does not stop the start, and what the scripts
 * write to stderr goes to ours.
 */
function sourceScripts(scripts: string[], env: NodeJS.ProcessEnv): Promise<Map<string, string | undefined>> {
  const sources = scripts.map((_, i) => `. "\${${i + 1}}"`).join("\n");
  const prints = CONF_DIR_VARIABLES.map(
    (v) =>
      `if [ -n "\${${v}+x}" ]; then printf '%s\\0%s\\0' "${v}=set" "$${v}"; else printf '%s\\0\\0' "${v}=unset"; fi`,
  ).join("\n");
  const program = `${sources}\n${prints}\n`;
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", program, "paddock-server", ...scripts], {
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const stdout: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => stdout.push(d));
    child.on("error", (err) =>
      reject(new ConfDirScriptError(scripts.join(", "), `cannot run bash: ${err.message}`)),
    );
    child.on("close", (code) => {
      const fields = Buffer.concat(stdout).toString("utf8").split("\0");
      const values = new Map<string, string | undefined>();
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const [name, state] = (fields[i] ?? "").split("=");
        if (name !== undefined) values.set(name, state === "set" ? fields[i + 1] : undefined);
      }
      // Only an `exit` in a script ends the shell before it prints; zkServer.sh would have
      // stopped there too.
      if (code !== 0 || values.size !== CONF_DIR_VARIABLES.length) {
        reject(new ConfDirScriptError(scripts.join(", "), `the shell exited (${code}) while sourcing`));
        return;
      }
      resolve(values);
    });
  });
}

/**
 * zkServer.sh's reading of its zoo.cfg argument: with a configuration directory, a bare file
 * name is a file in it; any other path is taken as given.
 */
export function configInConfDir(given: string, env: NodeJS.ProcessEnv): string {
  const dir = env.ZOOCFGDIR;
  return dir && !given.includes("/") ? join(dir, given) : given;
}
