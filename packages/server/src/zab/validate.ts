// Peer input is checked like client input: every field of a decoded peer message is range-checked
// before the core sees it, so a broken or hostile peer gets its link closed instead of tripping
// an invariant (an epoch the zxid cannot hold, a vote that is not there, entries out of order).
// The core's assertions stay for what only a bug in this process could break.

import { MAX_EPOCH_ENDS } from "./log.js";
import type { LogEntry, PeerMessage, QuorumConfig, ServerState, Vote } from "./messages.js";
import { EPOCH_LIMIT, epochOf } from "./zxid.js";

/**
 * The highest epoch a peer may name. Legitimate epochs grow by one per election; keeping a wide
 * margin below EPOCH_LIMIT means no peer can push the ensemble to an epoch it cannot number past.
 */
export const MAX_PEER_EPOCH = EPOCH_LIMIT - 1024;

const STATES: ReadonlySet<ServerState> = new Set(["LOOKING", "FOLLOWING", "LEADING", "OBSERVING"]);

export class PeerMessageError extends Error {
  constructor(type: string, detail: string) {
    super(`peer ${type}: ${detail}`);
    this.name = "PeerMessageError";
  }
}

function count(type: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new PeerMessageError(type, `${name} is not a non-negative integer (${String(v)})`);
  }
  return v;
}

function epoch(type: string, name: string, v: unknown): void {
  if (count(type, name, v) > MAX_PEER_EPOCH)
    throw new PeerMessageError(type, `${name} ${String(v)} is out of range`);
}

function zxid(type: string, name: string, v: unknown): void {
  if (epochOf(count(type, name, v)) > MAX_PEER_EPOCH) {
    throw new PeerMessageError(type, `${name} 0x${(v as number).toString(16)} has an epoch out of range`);
  }
}

function bytes(type: string, name: string, v: unknown): void {
  if (!(v instanceof Uint8Array)) throw new PeerMessageError(type, `${name} is not bytes`);
}

function bool(type: string, name: string, v: unknown): void {
  if (typeof v !== "boolean") throw new PeerMessageError(type, `${name} is not a boolean`);
}

function sessionId(type: string, v: unknown): void {
  if (typeof v !== "bigint" || v < 0n || v >= 1n << 64n)
    throw new PeerMessageError(type, "sessionId is not a 64-bit id");
}

/** A member list of a few hundred server lines at most: far above any real ensemble's. */
const MAX_MEMBERS_BYTES = 64 * 1024;

/** An optional config: a version zxid, voters and observers as distinct server ids, no one in both. */
function config(type: string, name: string, v: unknown): void {
  if (v === undefined || v === null) return;
  if (typeof v !== "object") throw new PeerMessageError(type, `${name} is not a config`);
  const c = v as QuorumConfig;
  zxid(type, `${name} version`, c.version);
  if (!Array.isArray(c.voters) || !Array.isArray(c.observers)) {
    throw new PeerMessageError(type, `${name} has no voter and observer lists`);
  }
  const seen = new Set<number>();
  for (const id of [...c.voters, ...c.observers]) {
    count(type, `${name} server id`, id);
    if (seen.has(id)) throw new PeerMessageError(type, `${name} names server ${id} twice`);
    seen.add(id);
  }
  if (c.voters.length === 0 && c.version !== 0) throw new PeerMessageError(type, `${name} has no voters`);
  if (c.members !== undefined && c.members !== null) {
    if (!(c.members instanceof Uint8Array)) throw new PeerMessageError(type, `${name} members are not bytes`);
    if (c.members.byteLength > MAX_MEMBERS_BYTES) {
      throw new PeerMessageError(type, `${name} members exceed ${MAX_MEMBERS_BYTES} bytes`);
    }
  }
}

/** Entries in strictly increasing zxid order, each with a payload. */
function entries(type: string, v: unknown): void {
  if (!Array.isArray(v)) throw new PeerMessageError(type, "entries is not a list");
  let previous = -1;
  for (const e of v as LogEntry[]) {
    if (e === null || typeof e !== "object") throw new PeerMessageError(type, "an entry is missing");
    zxid(type, "entry zxid", e.zxid);
    if (e.zxid <= previous) throw new PeerMessageError(type, "entries are not in zxid order");
    previous = e.zxid;
    bytes(type, "entry payload", e.payload);
    config(type, "entry config", e.config);
  }
}

/** Throws PeerMessageError when `msg` has a field no correct peer sends. */
export function validatePeerMessage(msg: PeerMessage): void {
  const t = msg.type;
  if (t === "NOTIFICATION") {
    if (!STATES.has(msg.state)) throw new PeerMessageError(t, `unknown state ${String(msg.state)}`);
    const vote: Vote | null = msg.vote;
    if (vote === null || typeof vote !== "object") throw new PeerMessageError(t, "no vote");
    count(t, "vote leader", vote.leader);
    zxid(t, "vote zxid", vote.zxid);
    epoch(t, "vote peerEpoch", vote.peerEpoch);
    count(t, "round", msg.round);
    config(t, "config", msg.config);
    config(t, "pendingConfig", msg.pendingConfig);
    return;
  }
  count(t, "conn", msg.conn);
  count(t, "seq", msg.seq);
  epoch(t, "term", msg.term);
  switch (msg.type) {
    case "FOLLOWERINFO":
    case "OBSERVERINFO":
      epoch(t, "acceptedEpoch", msg.acceptedEpoch);
      return;
    case "LEADERINFO":
      epoch(t, "newEpoch", msg.newEpoch);
      return;
    case "ACKEPOCH":
      epoch(t, "currentEpoch", msg.currentEpoch);
      zxid(t, "lastZxid", msg.lastZxid);
      zxid(t, "committedZxid", msg.committedZxid);
      bool(t, "alreadyAccepted", msg.alreadyAccepted);
      if (!Array.isArray(msg.epochEnds) || msg.epochEnds.length > MAX_EPOCH_ENDS) {
        throw new PeerMessageError(t, "epochEnds is not a list of at most MAX_EPOCH_ENDS zxids");
      }
      for (const z of msg.epochEnds) zxid(t, "epochEnds", z);
      return;
    case "DIFF":
      zxid(t, "committedZxid", msg.committedZxid);
      return;
    case "TRUNC":
      zxid(t, "truncZxid", msg.truncZxid);
      zxid(t, "committedZxid", msg.committedZxid);
      return;
    case "SNAP":
      zxid(t, "snapshotZxid", msg.snapshotZxid);
      bytes(t, "snapshot", msg.snapshot);
      config(t, "config", msg.config);
      return;
    case "NEWLEADER":
      epoch(t, "epoch", msg.epoch);
      return;
    case "UPTODATE":
      return;
    case "PROPOSAL":
      entries(t, msg.entries);
      return;
    case "INFORM":
      entries(t, msg.entries);
      if (msg.designatedLeader !== undefined) count(t, "designatedLeader", msg.designatedLeader);
      return;
    case "ACK":
      zxid(t, "zxid", msg.zxid);
      return;
    case "COMMIT":
      zxid(t, "zxid", msg.zxid);
      if (msg.designatedLeader !== undefined) count(t, "designatedLeader", msg.designatedLeader);
      return;
    case "REQUEST":
      bytes(t, "payload", msg.payload);
      return;
    case "PING":
      if (!Array.isArray(msg.touches)) throw new PeerMessageError(t, "touches is not a list");
      for (const touch of msg.touches) {
        sessionId(t, touch?.sessionId);
        count(t, "timeoutMs", touch.timeoutMs);
      }
      return;
    case "REVALIDATE":
      sessionId(t, msg.sessionId);
      count(t, "timeoutMs", msg.timeoutMs);
      bool(t, "valid", msg.valid);
      return;
    case "SYNC":
      count(t, "requestId", msg.requestId);
      return;
  }
}
