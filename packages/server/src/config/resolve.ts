// Resolution: zoo.cfg combined with dataDir/myid and the dynamic config file into the whole
// ServerConfig (standalone or replicated, this server's ports and peer type), and the file
// reading that feeds it.

import { readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { parseDynamicConfig } from "./dynamic-config.js";
import type { ConfigLocation } from "./errors.js";
import { ConfigError, formatLocation } from "./errors.js";
import type { SystemProperty } from "./jvm-flags.js";
import type { ParsedConfig, ServerConfig } from "./server-config.js";
import type { QuorumServer, ServerRole } from "./server-line.js";
import { isWildcardAddress, parseJavaLong } from "./values.js";
import { parseZooCfg } from "./zoo-cfg.js";

type Where = ConfigLocation & { key: string };

/**
 * The myid file as ZooKeeper reads it: the first line, untrimmed, as a long. A missing file is
 * the caller's business: it is only an error in replicated mode.
 */
export function parseMyid(text: string, myidPath: string): number {
  // BufferedReader.readLine: null for an empty file, which ZooKeeper then prints as "null".
  const firstLine = text === "" ? "null" : (text.split(/\r\n|\r|\n/)[0] ?? "");
  const id = parseJavaLong(firstLine);
  const where = { file: myidPath, line: 1 };
  if (id === undefined) throw new ConfigError(`serverid ${firstLine} is not a number`, where);
  if (id < 0n || id > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ConfigError(
      `serverid ${firstLine} is out of range (expected 0..${Number.MAX_SAFE_INTEGER})`,
      where,
    );
  }
  return Number(id);
}

export interface ResolveInput {
  /** Directory relative paths are resolved against (ZooKeeper uses the process cwd). */
  cwd: string;
  /** Text of dataDir/myid, or undefined when that file does not exist. */
  myidText: string | undefined;
  /** Text of the dynamicConfigFile (required when zoo.cfg names one). */
  dynamicText?: string | undefined;
}

/**
 * Combines zoo.cfg with myid and the dynamic file: standalone or replicated (zoo-cfg.md §4), this
 * server's client port (§5.2) and peer type. Pure, so every rule is testable without files.
 */
export function resolveServerConfig(parsed: ParsedConfig, input: ResolveInput): ServerConfig {
  const file = parsed.fileName;
  const warnings = [...parsed.warnings];
  const at = (key: string): Where => ({ ...(parsed.keyLocations.get(key) ?? { file }), key });

  const absolute = (key: string, p: string): string => {
    if (isAbsolute(p)) return p;
    const resolved = resolve(input.cwd, p);
    warnings.push(`${formatLocation(at(key))}relative path "${p}" resolved to ${resolved}`);
    return resolved;
  };
  const dataDir = absolute("dataDir", parsed.dataDir);
  const dataLogDir = parsed.keyLocations.has("dataLogDir")
    ? absolute("dataLogDir", parsed.dataLogDir)
    : dataDir;

  let servers = parsed.servers;
  let serverLines = parsed.serverLines;
  let serversFile = file;
  let configVersion = parsed.configVersion ?? 0n;
  let dynamicConfigFile: string | undefined;
  if (parsed.dynamicConfigFile !== undefined) {
    dynamicConfigFile = resolve(input.cwd, parsed.dynamicConfigFile);
    if (input.dynamicText === undefined) {
      throw new ConfigError(`${dynamicConfigFile} file is missing`, at("dynamicConfigFile"));
    }
    const dynamic = parseDynamicConfig(input.dynamicText, dynamicConfigFile, {
      multiAddressEnabled: parsed.multiAddressEnabled,
    });
    servers = dynamic.servers;
    serverLines = dynamic.serverLines;
    serversFile = dynamicConfigFile;
    configVersion = dynamic.version;
  }
  const serverWhere = (id: number): Where => ({
    file: serversFile,
    line: serverLines.get(id),
    key: `server.${id}`,
  });
  checkServers(servers, parsed.extendedTypesEnabled, serverWhere);

  let participants = 0;
  for (const s of servers.values()) if (s.role === "participant") participants += 1;
  const observers = servers.size - participants;
  const firstServer = servers.keys().next();
  const anyServer: Where = firstServer.done ? at("standaloneEnabled") : serverWhere(firstServer.value);
  if (participants === 0) {
    if (!parsed.standaloneEnabled) {
      throw new ConfigError(
        "standaloneEnabled = false then number of participants should be >0",
        at("standaloneEnabled"),
      );
    }
    if (observers > 0)
      throw new ConfigError("Observers w/o participants is an invalid configuration", anyServer);
  } else if (participants === 1 && parsed.standaloneEnabled) {
    warnings.push(`${formatLocation(anyServer)}Invalid configuration, only one server specified (ignoring)`);
    if (observers > 0) throw new ConfigError("Observers w/o quorum is an invalid configuration", anyServer);
  } else if (participants <= 2) {
    warnings.push(
      `${formatLocation({ file: serversFile })}No server failure will be tolerated. You need at least 3 servers.`,
    );
  } else if (participants % 2 === 0) {
    warnings.push(
      `${formatLocation({ file: serversFile })}Non-optimal configuration, consider an odd number of servers.`,
    );
  }
  const standalone = !(servers.size > 0 && (!parsed.standaloneEnabled || participants > 1));

  const myidPath = join(dataDir, "myid");
  const myid = input.myidText === undefined ? undefined : parseMyid(input.myidText, myidPath);
  if (!standalone) {
    if (parsed.initLimit === 0) throw new ConfigError("initLimit is not set", at("initLimit"));
    if (parsed.syncLimit === 0) throw new ConfigError("syncLimit is not set", at("syncLimit"));
    if (myid === undefined) throw new ConfigError("myid file is missing", { file: myidPath });
    if (!servers.has(myid)) {
      throw new ConfigError(`My id ${myid} not in the peer list`, { file: myidPath, line: 1 });
    }
  }

  let clientPort = parsed.clientPort;
  let clientPortAddress = parsed.clientPortAddress;
  const me = myid === undefined ? undefined : servers.get(myid);
  if (me?.clientPort !== undefined) {
    if (parsed.clientPort !== undefined) {
      const staticAddress = parsed.clientPortAddress ?? "0.0.0.0";
      const lineAddress = me.clientAddress ?? "0.0.0.0";
      const differs = isWildcardAddress(staticAddress)
        ? parsed.clientPort !== me.clientPort
        : parsed.clientPort !== me.clientPort || staticAddress.toLowerCase() !== lineAddress.toLowerCase();
      if (differs) {
        throw new ConfigError(
          `client address for this server (id = ${me.id}) in static config file is ${staticAddress}:${parsed.clientPort}` +
            ` is different from client address found in dynamic file: ${lineAddress}:${me.clientPort}`,
          serverWhere(me.id),
        );
      }
    }
    clientPort = me.clientPort;
    clientPortAddress = me.clientAddress;
  }

  const listedRole: ServerRole = me?.role ?? "participant";
  // Unlike ZooKeeper, stay quiet when peerType was left at its default: observers need not repeat it.
  if (listedRole !== parsed.peerType && parsed.keyLocations.has("peerType")) {
    warnings.push(
      `${formatLocation(at("peerType"))}Peer type from servers list (${listedRole}) doesn't match peerType (${parsed.peerType}). Defaulting to servers list.`,
    );
  }

  const { fileName: _fileName, keyLocations: _keyLocations, serverLines: _serverLines, ...common } = parsed;
  return {
    ...common,
    dataDir,
    dataLogDir,
    dynamicConfigFile,
    warnings,
    configPath: resolve(input.cwd, file),
    myid,
    standalone,
    servers,
    clientPort,
    clientPortAddress,
    peerType: listedRole,
    configVersion,
  };
}

/** Two members must not share a bind address; a wildcard client address binds on the member's host. */
function checkServers(
  servers: ReadonlyMap<number, QuorumServer>,
  extendedTypesEnabled: boolean,
  where: (id: number) => Where,
): void {
  const used = new Map<string, string>();
  for (const s of servers.values()) {
    if (extendedTypesEnabled && s.id > 254) {
      throw new ConfigError(
        `server id ${s.id} is above 254, the maximum when extendedTypesEnabled=true`,
        where(s.id),
      );
    }
    const binds: [string, number, string][] = [
      [s.host, s.peerPort, "quorum port"],
      [s.host, s.electionPort, "election port"],
    ];
    if (s.clientPort !== undefined) {
      const clientHost =
        s.clientAddress === undefined || isWildcardAddress(s.clientAddress) ? s.host : s.clientAddress;
      binds.push([clientHost, s.clientPort, "client port"]);
    }
    for (const [host, port, what] of binds) {
      const addr = `${host.toLowerCase()}:${port}`;
      const owner = used.get(addr);
      const self = `server.${s.id} ${what}`;
      if (owner !== undefined) {
        throw new ConfigError(`${what} ${host}:${port} is already used as the ${owner}`, where(s.id));
      }
      used.set(addr, self);
    }
  }
}

function readIfFile(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  // ISO-8859-1, as java.util.Properties reads files.
  return readFileSync(path, "latin1");
}

/**
 * Reads zoo.cfg, dataDir/myid and the dynamic config file, and resolves the whole configuration.
 * `systemProperties`: the settings of a server's -D flags (SERVER_JVMFLAGS, JVMFLAGS).
 */
export function loadServerConfig(
  cfgPath: string,
  options: { cwd?: string; systemProperties?: readonly SystemProperty[] } = {},
): ServerConfig {
  const cwd = options.cwd ?? process.cwd();
  const configPath = resolve(cwd, cfgPath);
  const text = readIfFile(configPath);
  if (text === undefined) throw new ConfigError(`${configPath} file is missing`, { file: configPath });
  const parsed = parseZooCfg(text, configPath, options.systemProperties);
  const dataDir = resolve(cwd, parsed.dataDir);
  const myidText = readIfFile(join(dataDir, "myid"));
  const dynamicText =
    parsed.dynamicConfigFile === undefined ? undefined : readIfFile(resolve(cwd, parsed.dynamicConfigFile));
  return resolveServerConfig(parsed, { cwd, myidText, dynamicText });
}
