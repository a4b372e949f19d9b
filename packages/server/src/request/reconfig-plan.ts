// What a reconfig request (opcode 16) asks the ensemble to become, checked as ZooKeeper's
// PrepRequestProcessor checks it: the version the client saw, then the new member list, either
// whole (`newMembers`) or as a change of the current one (`joiningServers`, `leavingServers`).
// Pure: the current members come in, a new member list or an error code goes out. Whether the
// new voters are synced enough to commit it is the ZAB core's call (NEW_CONFIG_NO_QUORUM).

import { ErrorCode, type OpCode, type RequestOf } from "@paddock/jute";
import { ConfigError } from "../config/errors.js";
import { parseServerId, parseServerLine, type QuorumServer } from "../config/server-line.js";

/** The ensemble's members as the leader last saw them. */
export interface CurrentMembers {
  /** The config version a client's `curConfigId` must name (-1 skips the check). */
  version: number;
  servers: ReadonlyMap<number, QuorumServer>;
}

/** What the leader tells prepare about reconfiguration. */
export interface ReconfigContext {
  /** `reconfigEnabled`. */
  enabled: boolean;
  /** `standaloneEnabled`: a new config needs at least 2 voters while it is true. */
  standaloneEnabled: boolean;
  /** Absent on a standalone server (ZooKeeper answers Unimplemented there). */
  members?: () => { current: CurrentMembers; inProgress: boolean };
}

export interface ReconfigPlan {
  servers: Map<number, QuorumServer>;
  voters: number[];
  observers: number[];
}

export type PlanResult = { ok: true; plan: ReconfigPlan } | { ok: false; err: number; reason: string };

const WHERE = { file: "reconfig request" };

/**
 * ZooKeeper's StringUtils.split: pieces trimmed, empty ones dropped.
 */
function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Java's Long.parseLong: optional sign, decimal digits only. */
function parseLong(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

function bad(reason: string): PlanResult {
  return { ok: false, err: ErrorCode.BadArguments, reason };
}

/** Two members may not share a quorum or election address (ZooKeeper's checkAddressDuplicate). */
function duplicateAddress(a: QuorumServer, b: QuorumServer): boolean {
  if (a.host !== b.host) return false;
  const ports = new Set([b.peerPort, b.electionPort]);
  return ports.has(a.peerPort) || ports.has(a.electionPort);
}

/** `server.N=host:port:port[:role];[clientHost:]clientPort`, where the client part is required. */
function parseJoiner(joiner: string, others: ReadonlyMap<number, QuorumServer>): QuorumServer | PlanResult {
  const parts = joiner
    .split("=")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (parts.length !== 2) return bad("Wrong format of server string");
  const idText = parts[0]!.slice(parts[0]!.lastIndexOf(".") + 1);
  const id = parseLong(idText);
  // ZooKeeper's Long.parseLong throws outside its ConfigException handling: MarshallingError.
  if (id === undefined || id < 0) {
    return { ok: false, err: ErrorCode.MarshallingError, reason: `server id "${idText}" is not a number` };
  }
  let server: QuorumServer;
  try {
    server = parseServerLine(id, parts[1]!, { multiAddressEnabled: false }, WHERE);
  } catch (err) {
    if (err instanceof ConfigError) return bad("Reconfiguration failed");
    throw err;
  }
  if (server.clientPort === undefined) {
    return bad("Wrong format of server string - each server should have 3 ports specified");
  }
  for (const other of others.values()) {
    if (other.id !== id && duplicateAddress(server, other)) return bad("Reconfiguration failed");
  }
  return server;
}

/** `newMembers`: server lines separated by commas or newlines, as a dynamic config file holds them. */
function parseNewMembers(text: string): Map<number, QuorumServer> | PlanResult {
  const servers = new Map<number, QuorumServer>();
  for (const raw of text.replaceAll(",", "\n").split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    const eq = line.search(/[=:]/);
    const key = eq < 0 ? line : line.slice(0, eq).trim();
    const value = eq < 0 ? "" : line.slice(eq + 1).trim();
    // A version line is ignored (the new config gets the reconfig's zxid); anything else that is
    // not a server line is an unrecognised parameter.
    if (key === "version") continue;
    if (!key.startsWith("server.")) return bad(`Unrecognised parameter: ${key}`);
    try {
      const id = parseServerId(key, WHERE);
      servers.set(id, parseServerLine(id, value, { multiAddressEnabled: false }, WHERE));
    } catch (err) {
      if (err instanceof ConfigError) return bad(err.message);
      throw err;
    }
  }
  return servers;
}

/**
 * The member list a reconfig request asks for, or the error ZooKeeper answers it with, checked
 * in ZooKeeper's order after the enabled / ACL / in-progress checks: BadVersion for a stale
 * `curConfigId`, BadArguments for a malformed server line or too few voters.
 */
export function planReconfig(
  req: RequestOf<OpCode.reconfig>,
  current: CurrentMembers,
  standaloneEnabled: boolean,
): PlanResult {
  if (req.curConfigId !== -1 && req.curConfigId !== current.version) {
    return {
      ok: false,
      err: ErrorCode.BadVersion,
      reason: `Reconfiguration from version ${req.curConfigId} failed -- last seen version is ${current.version}`,
    };
  }
  let servers: Map<number, QuorumServer>;
  if (req.newMembers !== null) {
    const parsed = parseNewMembers(req.newMembers);
    if (!(parsed instanceof Map)) return parsed;
    servers = parsed;
  } else {
    servers = new Map(current.servers);
    for (const leaving of req.leavingServers === null ? [] : splitList(req.leavingServers)) {
      const id = parseLong(leaving);
      if (id === undefined) {
        return {
          ok: false,
          err: ErrorCode.MarshallingError,
          reason: `server id "${leaving}" is not a number`,
        };
      }
      servers.delete(id);
    }
    for (const joiner of req.joiningServers === null ? [] : splitList(req.joiningServers)) {
      const server = parseJoiner(joiner, servers);
      if ("ok" in server) return server;
      servers.delete(server.id);
      servers.set(server.id, server);
    }
  }
  const voters = [...servers.values()].filter((s) => s.role === "participant").map((s) => s.id);
  const observers = [...servers.values()].filter((s) => s.role === "observer").map((s) => s.id);
  if (standaloneEnabled && voters.length < 2) {
    return bad("Reconfig failed - new configuration must include at least 2 followers");
  }
  if (voters.length < 1) return bad("Reconfig failed - new configuration must include at least 1 follower");
  return {
    ok: true,
    plan: { servers, voters: voters.sort((a, b) => a - b), observers: observers.sort((a, b) => a - b) },
  };
}
