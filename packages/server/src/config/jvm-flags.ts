// ZooKeeper settings given as Java system properties. zkServer.sh starts java with
// `$SERVER_JVMFLAGS $JVMFLAGS` (zkEnv.sh and conf/java.env set them), and ZooKeeper reads many
// settings only from system properties (-Dzookeeper.skipACL, -Dreadonlymode.enabled, the JAAS
// file, ...). Paddock reads the same -D flags from the same variables, as the zoo.cfg keys it
// takes for them, so a server moved from zkServer.sh keeps the settings its environment gave it.

/** Unquoted shell expansion: words split on the default IFS (space, tab, newline). */
export function shellWords(value: string | undefined): string[] {
  return (value ?? "").split(/[ \t\n]+/).filter((w) => w !== "");
}

/**
 * -Dzookeeper.<key>=<value>, -Djute.maxbuffer=<value>, -Dreadonlymode.enabled=<value>, the
 * container manager's -Dznode.container.<key>=<value> and the JAAS file's
 * -Djava.security.auth.login.config: the zoo.cfg line Paddock reads the setting as.
 */
export function systemPropertyLine(flag: string): string | undefined {
  const m =
    /^-D(zookeeper\.[^=]+|jute\.maxbuffer|readonlymode\.enabled|znode\.container\.[^=]+|java\.security\.auth\.login\.config)=(.*)$/.exec(
      flag,
    );
  if (m === null) return undefined;
  const key = m[1]!.startsWith("zookeeper.") ? m[1]!.slice("zookeeper.".length) : m[1]!;
  return `${key}=${m[2]}`;
}

/** One setting from a -D flag, as a zoo.cfg key and value, with where it came from. */
export interface SystemProperty {
  key: string;
  value: string;
  /** The variable that held it: SERVER_JVMFLAGS or JVMFLAGS. */
  source: string;
  /** The flag as written, for messages. */
  flag: string;
}

export interface ServerJvmFlags {
  /** In the order java reads them: for one key, the last wins. */
  properties: SystemProperty[];
  /** Flags with no Paddock counterpart (-Xmx, -XX:..., other -D), with their variable. */
  ignored: string[];
}

/** A JVM memory size (-Xmx512m, 2g, 1048576k, plain bytes) in MiB, rounded up. */
export function jvmSizeMb(text: string): number | undefined {
  const m = /^(\d+)([kKmMgGtT]?)$/.exec(text);
  if (m === null) return undefined;
  const factor = { "": 1 / (1024 * 1024), k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 }[m[2]!.toLowerCase()]!;
  const mb = Math.ceil(Number(m[1]) * factor);
  return mb > 0 ? mb : undefined;
}

/** The heap the last -Xmx of SERVER_JVMFLAGS then JVMFLAGS asks for, in MiB, as java would read them. */
export function jvmHeapMb(env: Record<string, string | undefined>): number | undefined {
  let mb: number | undefined;
  for (const source of ["SERVER_JVMFLAGS", "JVMFLAGS"]) {
    for (const flag of shellWords(env[source]))
      if (flag.startsWith("-Xmx")) mb = jvmSizeMb(flag.slice(4)) ?? mb;
  }
  return mb;
}

/**
 * The node option that gives a server the heap -Xmx asks for. V8 fixes its heap limit when the
 * process starts, so only a launcher can apply it (`paddock-server start`, the image's
 * entrypoint); a limit in NODE_OPTIONS is the operator's own and wins.
 */
export function heapNodeFlags(env: Record<string, string | undefined>): string[] {
  const mb = jvmHeapMb(env);
  if (mb === undefined || /--max-old-space-size/.test(env.NODE_OPTIONS ?? "")) return [];
  return [`--max-old-space-size=${mb}`];
}

/**
 * The -D settings zkServer.sh would pass to a server started with this environment. -Xmx is not
 * listed as ignored when this process's own node options (execArgv) carry the heap it asks for.
 */
export function serverJvmFlags(
  env: Record<string, string | undefined>,
  execArgv: readonly string[] = [],
): ServerJvmFlags {
  const out: ServerJvmFlags = { properties: [], ignored: [] };
  const heapApplied = heapNodeFlags(env).some((f) => execArgv.includes(f));
  for (const source of ["SERVER_JVMFLAGS", "JVMFLAGS"]) {
    for (const flag of shellWords(env[source])) {
      const line = systemPropertyLine(flag);
      if (line === undefined) {
        if (!(heapApplied && flag.startsWith("-Xmx"))) out.ignored.push(`${flag} (${source})`);
        continue;
      }
      const at = line.indexOf("=");
      // Quotes inside the variable stay literal in zkServer.sh's unquoted expansion; a path
      // written in quotes is still meant as the path.
      const value = line.slice(at + 1).replace(/^"(.*)"$/, "$1");
      out.properties.push({ key: line.slice(0, at), value, source, flag });
    }
  }
  return out;
}
