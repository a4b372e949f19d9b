// The official `zookeeper` Docker image's entrypoint (zoo-cfg.md §8.3) as a pure function, so that
// Paddock's image can accept the same ZOO_* variables and produce the same zoo.cfg.

export type DockerEnv = Readonly<Record<string, string | undefined>>;

export interface DockerZooCfg {
  /** zoo.cfg text, one line per setting, ending in a newline. */
  zooCfg: string;
  /** Content for dataDir/myid without the newline (the image writes it followed by "\n"). */
  myid: string | undefined;
  /** Where the entrypoint keeps zoo.cfg, myid, the data and the txn logs. */
  confDir: string;
  dataDir: string;
  dataLogDir: string;
}

/** The image's ENV defaults (its Dockerfile), used when a variable is not set at all. */
export const DOCKER_ENV_DEFAULTS = {
  ZOO_CONF_DIR: "/conf",
  ZOO_DATA_DIR: "/data",
  ZOO_DATA_LOG_DIR: "/datalog",
  ZOO_TICK_TIME: "2000",
  ZOO_INIT_LIMIT: "5",
  ZOO_SYNC_LIMIT: "2",
  ZOO_AUTOPURGE_SNAPRETAINCOUNT: "3",
  ZOO_AUTOPURGE_PURGEINTERVAL: "0",
  ZOO_MAX_CLIENT_CNXNS: "60",
  ZOO_STANDALONE_ENABLED: "true",
  ZOO_ADMINSERVER_ENABLED: "true",
} as const;

const DEFAULT_SERVERS = "server.1=localhost:2888:3888;2181";

/** Unquoted shell expansion: words split on the default IFS (space, tab, newline). */
function shellWords(value: string | undefined): string[] {
  return (value ?? "").split(/[ \t\n]+/).filter((w) => w !== "");
}

export function zooCfgFromEnv(env: DockerEnv): DockerZooCfg {
  // Dockerfile ENV defaults apply only to unset variables; an explicitly empty one stays empty.
  const get = (name: keyof typeof DOCKER_ENV_DEFAULTS): string => env[name] ?? DOCKER_ENV_DEFAULTS[name];
  const dataDir = get("ZOO_DATA_DIR");
  const dataLogDir = get("ZOO_DATA_LOG_DIR");
  const lines = [
    `dataDir=${dataDir}`,
    `dataLogDir=${dataLogDir}`,
    `tickTime=${get("ZOO_TICK_TIME")}`,
    `initLimit=${get("ZOO_INIT_LIMIT")}`,
    `syncLimit=${get("ZOO_SYNC_LIMIT")}`,
    `autopurge.snapRetainCount=${get("ZOO_AUTOPURGE_SNAPRETAINCOUNT")}`,
    `autopurge.purgeInterval=${get("ZOO_AUTOPURGE_PURGEINTERVAL")}`,
    `maxClientCnxns=${get("ZOO_MAX_CLIENT_CNXNS")}`,
    `standaloneEnabled=${get("ZOO_STANDALONE_ENABLED")}`,
    `admin.enableServer=${get("ZOO_ADMINSERVER_ENABLED")}`,
  ];
  // The script tests `-z`, so an empty ZOO_SERVERS also gets the default; no clientPort line is
  // ever written: the client port comes from the `;2181` of this server's line.
  const servers = shellWords(env.ZOO_SERVERS);
  lines.push(...(servers.length > 0 ? servers : [DEFAULT_SERVERS]));
  const whitelist = env.ZOO_4LW_COMMANDS_WHITELIST;
  if (whitelist !== undefined && whitelist !== "") lines.push(`4lw.commands.whitelist=${whitelist}`);
  lines.push(...shellWords(env.ZOO_CFG_EXTRA));
  const myid = env.ZOO_MY_ID === undefined || env.ZOO_MY_ID === "" ? "1" : env.ZOO_MY_ID;
  return {
    zooCfg: `${lines.join("\n")}\n`,
    myid,
    confDir: get("ZOO_CONF_DIR"),
    dataDir,
    dataLogDir,
  };
}
