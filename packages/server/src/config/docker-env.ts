// The environments of the two common ZooKeeper images as pure functions, so that Paddock's image
// takes their variables and writes the zoo.cfg they would write:
// - the official `zookeeper` image (docker-entrypoint.sh: ZOO_MY_ID, ZOO_SERVERS as server lines,
//   ZOO_CFG_EXTRA, ...; zkEnv.sh's ZK_SERVER_HEAP and JVMFLAGS);
// - Bitnami's `bitnami/zookeeper` (libzookeeper.sh: ZOO_SERVER_ID, ALLOW_ANONYMOUS_LOGIN,
//   ZOO_SERVERS as host:port:port[::id], ZOO_PORT_NUMBER, ZOO_HEAP_SIZE, ZOO_CFG_<KEY>, and its
//   security switches: ZOO_ENABLE_AUTH, ZOO_ENABLE_QUORUM_AUTH, ZOO_TLS_CLIENT_*, ZOO_TLS_QUORUM_*).
// JVM options have no Node equivalent except the heap limit: -Xmx becomes
// --max-old-space-size, ZooKeeper system properties (-Dzookeeper.*) become zoo.cfg lines, and
// everything else is reported as ignored.

import { jvmSizeMb, shellWords, systemPropertyLine } from "./jvm-flags.js";

export { jvmSizeMb };

export type DockerEnv = Readonly<Record<string, string | undefined>>;

export type DockerFlavour = "official" | "bitnami";

export interface DockerZooCfg {
  flavour: DockerFlavour;
  /** zoo.cfg text, one line per setting, ending in a newline. */
  zooCfg: string;
  /** Content for dataDir/myid without the newline (the image writes it followed by "\n"). */
  myid: string | undefined;
  /** Where the entrypoint keeps zoo.cfg, myid, the data and the txn logs. */
  confDir: string;
  dataDir: string;
  dataLogDir: string;
  /** What the operator should know: ignored JVM flags, mapped settings. */
  notes: string[];
  /** A JAAS file to write beside zoo.cfg (Bitnami's zoo_jaas.conf for ZOO_ENABLE_AUTH / ZOO_ENABLE_QUORUM_AUTH). */
  jaas?: { path: string; text: string };
}

/** The environment is one its image would refuse, or asks for what Paddock does not do: refuse to start. */
export class DockerEnvError extends Error {
  override name = "DockerEnvError";
}

/** The official image's ENV defaults (its Dockerfile), used when a variable is not set at all. */
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

/** Bitnami's zookeeper-env.sh defaults. */
export const BITNAMI_ENV_DEFAULTS = {
  ZOO_PORT_NUMBER: "2181",
  ZOO_SERVER_ID: "1",
  ZOO_TICK_TIME: "2000",
  ZOO_INIT_LIMIT: "10",
  ZOO_SYNC_LIMIT: "5",
  ZOO_MAX_CNXNS: "0",
  ZOO_MAX_CLIENT_CNXNS: "60",
  ZOO_AUTOPURGE_INTERVAL: "0",
  ZOO_AUTOPURGE_RETAIN_COUNT: "3",
  ZOO_4LW_COMMANDS_WHITELIST: "srvr, mntr",
  ZOO_RECONFIG_ENABLED: "no",
  ZOO_LISTEN_ALLIPS_ENABLED: "no",
  ZOO_MAX_SESSION_TIMEOUT: "40000",
  ZOO_PRE_ALLOC_SIZE: "65536",
  ZOO_SNAPCOUNT: "100000",
  ZOO_ENABLE_ADMIN_SERVER: "no",
  ZOO_ADMIN_SERVER_PORT_NUMBER: "8080",
  ZOO_HEAP_SIZE: "1024",
  ZOO_TLS_PORT_NUMBER: "3181",
  ZOO_TLS_CLIENT_AUTH: "need",
  ZOO_TLS_QUORUM_CLIENT_AUTH: "need",
} as const;

/** Bitnami's fixed paths (its volume is /bitnami/zookeeper). */
export const BITNAMI_CONF_DIR = "/opt/bitnami/zookeeper/conf";
export const BITNAMI_DATA_DIR = "/bitnami/zookeeper/data";

const DEFAULT_SERVERS = "server.1=localhost:2888:3888;2181";

/** Bitnami's is_boolean_yes: 1, yes, true (any case). */
function isYes(value: string | undefined): boolean {
  return /^(1|yes|true)$/i.test(value ?? "");
}

/**
 * Bitnami's variables (or its ZOO_SERVERS form, host:port:port without `server.N=`) mean a
 * compose file written for bitnami/zookeeper. The official image's ZOO_MY_ID wins a tie.
 */
export function dockerFlavour(env: DockerEnv): DockerFlavour {
  if (env.ZOO_MY_ID !== undefined) return "official";
  if (
    env.ZOO_SERVER_ID !== undefined ||
    env.ALLOW_ANONYMOUS_LOGIN !== undefined ||
    env.ZOO_ENABLE_AUTH !== undefined
  ) {
    return "bitnami";
  }
  const first = (env.ZOO_SERVERS ?? "").split(/[;, \t\n]+/).find((w) => w !== "");
  return first !== undefined && !first.startsWith("server.") ? "bitnami" : "official";
}

export interface JvmSettings {
  /** Node's --max-old-space-size in MiB, from the last -Xmx; undefined when none was given. */
  heapMb: number | undefined;
  /** Where heapMb came from, for the log. */
  heapSource: string | undefined;
  /** zoo.cfg lines from ZooKeeper system properties. */
  zooCfgLines: string[];
  /** Flags without a Node equivalent. */
  ignored: string[];
}

/**
 * The JVM options a ZooKeeper image would pass, in the order the JVM reads them (the last -Xmx
 * wins): official: -Xmx$ZK_SERVER_HEAP m, SERVER_JVMFLAGS, JVMFLAGS; Bitnami: JVMFLAGS, then
 * -Xmx/-Xms$ZOO_HEAP_SIZE m unless JVMFLAGS already sets both.
 */
export function jvmSettingsFromEnv(env: DockerEnv, flavour: DockerFlavour = dockerFlavour(env)): JvmSettings {
  const flags: { flag: string; source: string }[] = [];
  const add = (text: string | undefined, source: string) => {
    for (const flag of shellWords(text)) flags.push({ flag, source });
  };
  if (flavour === "official") {
    if (env.ZK_SERVER_HEAP !== undefined && env.ZK_SERVER_HEAP !== "") {
      flags.push({ flag: `-Xmx${env.ZK_SERVER_HEAP}m`, source: "ZK_SERVER_HEAP" });
    }
    add(env.SERVER_JVMFLAGS, "SERVER_JVMFLAGS");
    add(env.JVMFLAGS, "JVMFLAGS");
  } else {
    add(env.JVMFLAGS, "JVMFLAGS");
    if (!/-Xm[xs].*-Xm[xs]/.test(env.JVMFLAGS ?? "")) {
      const size = env.ZOO_HEAP_SIZE ?? BITNAMI_ENV_DEFAULTS.ZOO_HEAP_SIZE;
      flags.push(
        { flag: `-Xmx${size}m`, source: "ZOO_HEAP_SIZE" },
        { flag: `-Xms${size}m`, source: "ZOO_HEAP_SIZE" },
      );
    }
  }
  const out: JvmSettings = { heapMb: undefined, heapSource: undefined, zooCfgLines: [], ignored: [] };
  for (const { flag, source } of flags) {
    if (flag.startsWith("-Xmx")) {
      const mb = jvmSizeMb(flag.slice(4));
      if (mb === undefined) out.ignored.push(`${flag} (${source}: not a size)`);
      else {
        out.heapMb = mb;
        out.heapSource = `${flag} from ${source}`;
      }
      continue;
    }
    // Node grows its heap on demand; an initial size has nothing to map to and needs no warning.
    if (flag.startsWith("-Xms")) continue;
    const line = systemPropertyLine(flag);
    if (line !== undefined) out.zooCfgLines.push(line);
    else out.ignored.push(`${flag} (${source})`);
  }
  return out;
}

export function zooCfgFromEnv(env: DockerEnv): DockerZooCfg {
  const flavour = dockerFlavour(env);
  const jvm = jvmSettingsFromEnv(env, flavour);
  const base = flavour === "bitnami" ? bitnamiZooCfg(env) : officialZooCfg(env);
  const notes = [...base.notes];
  if (jvm.heapMb !== undefined) notes.push(`heap limit ${jvm.heapMb} MiB (${jvm.heapSource})`);
  if (jvm.ignored.length > 0) {
    notes.push(
      `JVM options without a Node equivalent, ignored: ${jvm.ignored.join(" ")} (NODE_OPTIONS takes Node's own)`,
    );
  }
  return { ...base, zooCfg: `${[...base.lines, ...jvm.zooCfgLines].join("\n")}\n`, notes };
}

type BaseCfg = Omit<DockerZooCfg, "zooCfg"> & { lines: string[] };

/** The official image's docker-entrypoint.sh. */
function officialZooCfg(env: DockerEnv): BaseCfg {
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
  return { flavour: "official", lines, myid, confDir: get("ZOO_CONF_DIR"), dataDir, dataLogDir, notes: [] };
}

/** Bitnami's zookeeper_validate + zookeeper_generate_conf. */
function bitnamiZooCfg(env: DockerEnv): BaseCfg {
  const get = (name: keyof typeof BITNAMI_ENV_DEFAULTS): string => {
    const v = env[name];
    return v === undefined || v === "" ? BITNAMI_ENV_DEFAULTS[name] : v;
  };
  const auth = isYes(env.ZOO_ENABLE_AUTH);
  if (!auth && !isYes(env.ALLOW_ANONYMOUS_LOGIN)) {
    throw new DockerEnvError(
      "The ZOO_ENABLE_AUTH environment variable does not configure authentication. Set the environment " +
        "variable ALLOW_ANONYMOUS_LOGIN=yes to allow unauthenticated users to connect to ZooKeeper.",
    );
  }
  const quorumAuth = isYes(env.ZOO_ENABLE_QUORUM_AUTH);
  for (const name of ["ZOO_TLS_CLIENT_AUTH", "ZOO_TLS_QUORUM_CLIENT_AUTH"] as const) {
    if (!["none", "want", "need"].includes(get(name))) {
      throw new DockerEnvError(`The allowed values for ${name} are: none want need`);
    }
  }
  const port = get("ZOO_PORT_NUMBER");
  const dataLogDir = env.ZOO_DATA_LOG_DIR ?? "";
  const lines = [
    `tickTime=${get("ZOO_TICK_TIME")}`,
    `initLimit=${get("ZOO_INIT_LIMIT")}`,
    `syncLimit=${get("ZOO_SYNC_LIMIT")}`,
    `preAllocSize=${get("ZOO_PRE_ALLOC_SIZE")}`,
    `snapCount=${get("ZOO_SNAPCOUNT")}`,
    `dataDir=${BITNAMI_DATA_DIR}`,
    ...(dataLogDir !== "" ? [`dataLogDir=${dataLogDir}`] : []),
    `clientPort=${port}`,
    `maxCnxns=${get("ZOO_MAX_CNXNS")}`,
    `maxClientCnxns=${get("ZOO_MAX_CLIENT_CNXNS")}`,
    `reconfigEnabled=${isYes(get("ZOO_RECONFIG_ENABLED"))}`,
    `quorumListenOnAllIPs=${isYes(get("ZOO_LISTEN_ALLIPS_ENABLED"))}`,
    `autopurge.purgeInterval=${get("ZOO_AUTOPURGE_INTERVAL")}`,
    `autopurge.snapRetainCount=${get("ZOO_AUTOPURGE_RETAIN_COUNT")}`,
    `4lw.commands.whitelist=${get("ZOO_4LW_COMMANDS_WHITELIST")}`,
    `maxSessionTimeout=${get("ZOO_MAX_SESSION_TIMEOUT")}`,
    `admin.serverPort=${get("ZOO_ADMIN_SERVER_PORT_NUMBER")}`,
    `admin.enableServer=${isYes(get("ZOO_ENABLE_ADMIN_SERVER"))}`,
  ];
  // "host:port:port[:role]" numbered 1, 2, ... or "host:port:port[:role]::id"; one server only
  // means standalone. Separators: comma, semicolon or space.
  const servers = (env.ZOO_SERVERS ?? "").split(/[;, \t\n]+/).filter((w) => w !== "");
  if (servers.length > 1) {
    const withIds = (env.ZOO_SERVERS ?? "").includes("::");
    servers.forEach((server, i) => {
      const [hostPorts, id] = withIds ? server.split("::") : [server, String(i + 1)];
      if (
        hostPorts === undefined ||
        id === undefined ||
        !/^[^:\s]+:\d+:\d+(:observer|:participant)?$/.test(hostPorts)
      ) {
        throw new DockerEnvError(
          `Zookeeper server ${server} should follow the next syntax: ${withIds ? "host:port:port::id" : "host:port:port"}`,
        );
      }
      lines.push(`server.${id}=${hostPorts};${port}`);
    });
  }
  const tls = bitnamiTls(env, get);
  lines.push(...tls.lines);
  for (const [name, value] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (name.startsWith("ZOO_CFG_") && name !== "ZOO_CFG_EXTRA" && value !== undefined) {
      lines.push(`${name.slice("ZOO_CFG_".length).replaceAll("_", ".")}=${value}`);
    }
  }
  if (env.ZOO_PEER_TYPE !== undefined && env.ZOO_PEER_TYPE !== "")
    lines.push(`peerType=${env.ZOO_PEER_TYPE}`);
  // Bitnami's zookeeper_enable_client_server_authentication and ..._server_server_authentication,
  // and the JAAS file it names in JVMFLAGS.
  if (auth) lines.push("authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider");
  if (quorumAuth) {
    lines.push(
      "quorum.auth.enableSasl=true",
      "quorum.auth.learnerRequireSasl=true",
      "quorum.auth.serverRequireSasl=true",
      "quorum.auth.learner.saslLoginContext=QuorumLearner",
      "quorum.auth.server.saslLoginContext=QuorumServer",
    );
  }
  const jaas = auth || quorumAuth ? bitnamiJaas(env, auth, quorumAuth) : undefined;
  if (jaas !== undefined) lines.push(`java.security.auth.login.config=${jaas.path}`);
  return {
    flavour: "bitnami",
    lines,
    myid: get("ZOO_SERVER_ID"),
    confDir: BITNAMI_CONF_DIR,
    dataDir: BITNAMI_DATA_DIR,
    dataLogDir: dataLogDir !== "" ? dataLogDir : BITNAMI_DATA_DIR,
    notes: [
      "Bitnami image variables (ZOO_SERVER_ID, ALLOW_ANONYMOUS_LOGIN, ...) in use",
      ...(auth ? [`SASL DIGEST-MD5 for clients (ZOO_ENABLE_AUTH), users in ${jaas!.path}`] : []),
      ...(quorumAuth
        ? [`quorum authentication required (ZOO_ENABLE_QUORUM_AUTH), credentials in ${jaas!.path}`]
        : []),
      ...tls.notes,
    ],
    ...(jaas === undefined ? {} : { jaas }),
  };
}

/** Bitnami's lists: comma, semicolon or space separated. */
function bitnamiList(v: string | undefined): string[] {
  return (v ?? "").split(/[;, ]+/).filter((x) => x !== "");
}

/** A JAAS section's `user_<name>="<password>"` options, users and passwords paired in order. */
function bitnamiUsers(usersVar: string, passwordsVar: string, env: DockerEnv, why: string): string[] {
  const users = bitnamiList(env[usersVar]);
  const passwords = bitnamiList(env[passwordsVar]);
  if (users.length === 0 || users.length !== passwords.length) {
    throw new DockerEnvError(`${why} needs ${usersVar} and ${passwordsVar} with one password per user`);
  }
  return users.map((u, i) => `    user_${u}=${jaasQuote(passwords[i]!)}`);
}

function jaasQuote(v: string): string {
  return `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

function jaasSection(name: string, options: string[]): string[] {
  return [
    `${name} {`,
    "    org.apache.zookeeper.server.auth.DigestLoginModule required",
    `${options.join("\n")};`,
    "};",
  ];
}

/**
 * Bitnami's zoo_jaas.conf. ZOO_ENABLE_AUTH: the Server section's users from ZOO_SERVER_USERS and
 * ZOO_SERVER_PASSWORDS (paired in order), the Client section from ZOO_CLIENT_USER /
 * ZOO_CLIENT_PASSWORD (for the CLI in the container). ZOO_ENABLE_QUORUM_AUTH: QuorumLearner (this
 * server's login to the leader) from ZOO_QUORUM_LEARNER_USER / _PASSWORD, and QuorumServer (the
 * learners a leader accepts) from ZOO_QUORUM_SERVER_USERS / _PASSWORDS.
 */
function bitnamiJaas(env: DockerEnv, auth: boolean, quorumAuth: boolean): { path: string; text: string } {
  const sections: string[] = [];
  if (auth) {
    const users = bitnamiUsers("ZOO_SERVER_USERS", "ZOO_SERVER_PASSWORDS", env, "ZOO_ENABLE_AUTH=yes");
    sections.push(
      ...jaasSection("Client", [
        `    username=${jaasQuote(env.ZOO_CLIENT_USER ?? "")}`,
        `    password=${jaasQuote(env.ZOO_CLIENT_PASSWORD ?? "")}`,
      ]),
      ...jaasSection("Server", users),
    );
  }
  if (quorumAuth) {
    const learner = env.ZOO_QUORUM_LEARNER_USER ?? "";
    const learnerPassword = env.ZOO_QUORUM_LEARNER_PASSWORD ?? "";
    if (learner === "" || learnerPassword === "") {
      throw new DockerEnvError(
        "ZOO_ENABLE_QUORUM_AUTH=yes needs ZOO_QUORUM_LEARNER_USER and ZOO_QUORUM_LEARNER_PASSWORD",
      );
    }
    const why = "ZOO_ENABLE_QUORUM_AUTH=yes";
    const users = bitnamiUsers("ZOO_QUORUM_SERVER_USERS", "ZOO_QUORUM_SERVER_PASSWORDS", env, why);
    sections.push(
      ...jaasSection("QuorumLearner", [
        `    username=${jaasQuote(learner)}`,
        `    password=${jaasQuote(learnerPassword)}`,
      ]),
      ...jaasSection("QuorumServer", users),
    );
  }
  return { path: `${BITNAMI_CONF_DIR}/zoo_jaas.conf`, text: [...sections, ""].join("\n") };
}

/**
 * Bitnami's TLS switches. ZOO_TLS_CLIENT_ENABLE: a secureClientPort (ZOO_TLS_PORT_NUMBER) next to
 * the plaintext one, with ssl.clientAuth and the ssl.keyStore / ssl.trustStore files; passwords
 * and types only when given. ZOO_TLS_QUORUM_ENABLE: sslQuorum with ssl.quorum.clientAuth and the
 * ssl.quorum.* stores. Both files are required, as Bitnami's script stops without them. Its
 * client.secure and serverCnxnFactory (Netty) lines select Java classes and have no Paddock
 * counterpart.
 */
function bitnamiTls(
  env: DockerEnv,
  get: (name: keyof typeof BITNAMI_ENV_DEFAULTS) => string,
): { lines: string[]; notes: string[] } {
  const lines: string[] = [];
  const notes: string[] = [];
  const stores = (prefix: string, keyPrefix: string, enable: string): void => {
    for (const store of ["KEYSTORE", "TRUSTSTORE"] as const) {
      const key = `${keyPrefix}${store === "KEYSTORE" ? "keyStore" : "trustStore"}`;
      const file = env[`${prefix}_${store}_FILE`] ?? "";
      if (file === "") throw new DockerEnvError(`${enable}=yes needs ${prefix}_${store}_FILE`);
      lines.push(`${key}.location=${file}`);
      for (const [suffix, field] of [
        ["PASSWORD", "password"],
        ["TYPE", "type"],
      ] as const) {
        const value = env[`${prefix}_${store}_${suffix}`] ?? "";
        if (value !== "") lines.push(`${key}.${field}=${value}`);
      }
    }
  };
  if (isYes(env.ZOO_TLS_CLIENT_ENABLE)) {
    const port = get("ZOO_TLS_PORT_NUMBER");
    lines.push(`ssl.clientAuth=${get("ZOO_TLS_CLIENT_AUTH")}`, `secureClientPort=${port}`);
    stores("ZOO_TLS_CLIENT", "ssl.", "ZOO_TLS_CLIENT_ENABLE");
    notes.push(`TLS for clients on port ${port} (ZOO_TLS_CLIENT_ENABLE)`);
  }
  if (isYes(env.ZOO_TLS_QUORUM_ENABLE)) {
    lines.push("sslQuorum=true", `ssl.quorum.clientAuth=${get("ZOO_TLS_QUORUM_CLIENT_AUTH")}`);
    stores("ZOO_TLS_QUORUM", "ssl.quorum.", "ZOO_TLS_QUORUM_ENABLE");
    notes.push("TLS between servers (ZOO_TLS_QUORUM_ENABLE)");
  }
  return { lines, notes };
}
