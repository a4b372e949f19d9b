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

/** The -D settings zkServer.sh would pass to a server started with this environment. */
export function serverJvmFlags(env: Record<string, string | undefined>): ServerJvmFlags {
  const out: ServerJvmFlags = { properties: [], ignored: [] };
  for (const source of ["SERVER_JVMFLAGS", "JVMFLAGS"]) {
    for (const flag of shellWords(env[source])) {
      const line = systemPropertyLine(flag);
      if (line === undefined) {
        out.ignored.push(`${flag} (${source})`);
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
