// Connects the HTTP commands to a running server: the four-letter words' source (the same
// AdminView, the same snapshots) plus what only the HTTP commands show.

import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { SNAPSHOT_PREFIX, zxidFromFileName } from "../../storage/format.js";
import { type AdminView, fourLetterSource } from "../four-letter-source.js";
import type { AdminCommandSource, VotingMember, ZabStateInfo } from "./admin-commands.js";

export function adminCommandSource(view: AdminView): AdminCommandSource {
  const base = fourLetterSource(view, undefined);
  const { config, quorum } = view;
  const runtime = quorum?.runtime;
  const myself = config.myid === undefined ? undefined : config.servers.get(config.myid);
  const ownClientAddress = `${config.clientPortAddress ?? "0.0.0.0"}:${config.clientPort ?? -1}`;
  return {
    ...base,
    serverStatsDetail: () => {
      const m = base.monitor();
      return {
        fsyncThresholdExceedCount: m.fsyncThresholdExceedCount,
        clientResponse: {
          lastBytes: m.lastClientResponseSize,
          minBytes: m.minClientResponseSize,
          maxBytes: m.maxClientResponseSize,
        },
        authFailedCount: m.authFailedCount,
        uptimeMs: m.uptimeMs,
      };
    },
    initialConfiguration: () => config.initialConfig,
    lastSnapshot: () => newestSnapshot(join(resolve(config.dataDir), "version-2")),
    leader: () => {
      if (runtime === undefined) return undefined;
      const leaderId = runtime.status().leader ?? -1;
      return {
        isLeader: runtime.isLeader,
        leaderId,
        leaderIp: config.servers.get(leaderId)?.host ?? "",
      };
    },
    votingView: () =>
      [...config.servers.values()].map(
        (s): VotingMember => ({
          id: s.id,
          peer: { host: s.host, port: s.peerPort },
          election: { host: s.host, port: s.electionPort },
          clientAddress:
            s.id === config.myid
              ? ownClientAddress
              : s.clientPort === undefined
                ? ""
                : `${s.clientAddress ?? "0.0.0.0"}:${s.clientPort}`,
          learnerType: s.role === "observer" ? "observer" : "participant",
        }),
      ),
    zabState: (): ZabStateInfo | undefined => {
      if (runtime === undefined || myself === undefined || config.myid === undefined) return undefined;
      const status = runtime.status();
      return {
        myid: config.myid,
        isLeader: runtime.isLeader,
        quorumAddress: { host: myself.host, port: myself.peerPort },
        electionAddress: { host: myself.host, port: myself.electionPort },
        clientAddress: ownClientAddress,
        voting: myself.role !== "observer",
        lastZxid: view.state.sm.lastZxid,
        zabState: status.role === "looking" ? "election" : runtime.serving ? "broadcast" : "synchronization",
      };
    },
    observers: () => {
      const learners = runtime?.isLeader === true ? runtime.peer.learnerDetails() : null;
      const observers = (learners ?? [])
        .filter((l) => l.observer && (l.phase === "synced" || l.phase === "uptodate"))
        .map((l) => ({ sid: l.sid, lastZxid: l.ackedZxid }));
      return { syncedObservers: observers.length, observers };
    },
    // Paddock keeps no per-observer packet counters, so there is nothing to reset.
    resetObserverStats: () => {},
    systemProperties: () => systemProperties(view),
    proposalSizes: () => {
      if (runtime?.isLeader !== true || quorum === undefined) return undefined;
      const p = quorum.proposals;
      return { lastBytes: p.lastBytes, minBytes: p.minBytes, maxBytes: p.maxBytes };
    },
  };
}

function newestSnapshot(dir: string): { zxid: number; timestampSec: number } | undefined {
  let best: { zxid: number; name: string } | undefined;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  for (const name of names) {
    const zxid = zxidFromFileName(SNAPSHOT_PREFIX, name);
    if (zxid !== undefined && (best === undefined || zxid > best.zxid)) best = { zxid, name };
  }
  if (best === undefined) return undefined;
  try {
    return { zxid: best.zxid, timestampSec: Math.floor(statSync(join(dir, best.name)).mtimeMs / 1000) };
  } catch {
    // Purged between the listing and the stat.
    return undefined;
  }
}

/**
 * ZooKeeper lists the JVM's system properties. Paddock has no JVM: it lists the process facts
 * under the same names the environment command uses, and the zoo.cfg keys ZooKeeper would have
 * turned into `zookeeper.*` system properties (everything it does not know as a config key).
 */
function systemProperties(view: AdminView): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fourLetterSource(view, undefined).environment())) {
    if (v !== undefined) out[k] = v;
  }
  out["file.separator"] = "/";
  out["path.separator"] = ":";
  out["line.separator"] = "\n";
  out["node.version"] = process.version;
  for (const [k, v] of view.config.raw) {
    if (SYSTEM_PROPERTY_PREFIXES.some((p) => k.startsWith(p))) out[`zookeeper.${k}`] = v;
  }
  return out;
}

/** zoo.cfg keys ZooKeeper reads as `zookeeper.<key>` system properties. */
const SYSTEM_PROPERTY_PREFIXES = ["admin.", "4lw.", "digest.", "snapshot.", "fsync.", "jute."];
