// Turns raw transcripts into a form that two correct servers produce identically: absolute
// zxids, wall-clock times, session ids and passwords differ between servers (and runs), so
// they are replaced by symbols and relations that still expose wrong ordering or wrong values.
import { type ACL, ErrorCode, EventType, OpCode, type OpResult, type Stat } from "@paddock/jute";
import type { ReplyBody, TranscriptEntry } from "./raw-client.js";

export interface LabelledTranscript {
  label: string;
  transcript: readonly TranscriptEntry[];
}

export interface NormaliseOptions {
  /** Wall-clock window the scenario ran in; times outside it are flagged. */
  startedAtMs: number;
  endedAtMs: number;
}

/** Wall clocks of the test and server may disagree slightly; allow this much either side. */
const CLOCK_SLACK_MS = 60_000;

class SymbolTables {
  private readonly zxidRank = new Map<number, string>();
  private readonly sessions = new Map<bigint, string>();

  constructor(
    zxids: Iterable<number>,
    private readonly window: NormaliseOptions,
  ) {
    // Rank order rather than first appearance: the result does not depend on the order the
    // transcripts are walked, and "Z3 > Z2" stays meaningful.
    const sorted = [...new Set(zxids)].filter((z) => z > 0).sort((a, b) => a - b);
    for (const [i, z] of sorted.entries()) this.zxidRank.set(z, `Z${i + 1}`);
  }

  zxid(z: number): string | number {
    if (z <= 0) return z;
    return this.zxidRank.get(z) ?? `Z?${z}`;
  }

  session(id: bigint): string {
    if (id === 0n) return "0";
    let sym = this.sessions.get(id);
    if (sym === undefined) {
      sym = `S${this.sessions.size + 1}`;
      this.sessions.set(id, sym);
    }
    return sym;
  }

  time(t: number): string | number {
    if (t === 0) return 0;
    const plausible =
      t >= this.window.startedAtMs - CLOCK_SLACK_MS && t <= this.window.endedAtMs + CLOCK_SLACK_MS;
    return plausible ? "T" : `T?${t}`;
  }
}

function collectZxids(entries: readonly TranscriptEntry[], out: number[]): void {
  const fromStat = (s: Stat | undefined) => {
    if (s) out.push(s.czxid, s.mzxid, s.pzxid);
  };
  for (const e of entries) {
    if (e.kind === "reply") {
      out.push(e.zxid);
      fromStat(e.body?.stat);
      for (const r of e.body?.results ?? []) if ("stat" in r) fromStat(r.stat);
    } else if (e.kind === "event") {
      out.push(e.zxid);
    }
  }
}

export function opName(op: number | undefined): string {
  if (op === undefined) return "?";
  return OpCode[op] ?? `op${op}`;
}

export function errName(err: number): string {
  return ErrorCode[err] ?? `err${err}`;
}

function eventName(type: number): string {
  return EventType[type] ?? `event${type}`;
}

/** Data as text when it is printable UTF-8, else hex, so diffs stay readable. */
function data(b: Buffer | null | undefined): string | null {
  if (b === null || b === undefined) return null;
  const text = b.toString("utf8");
  return Buffer.from(text, "utf8").equals(b) && ![...b].some((byte) => byte < 0x20)
    ? text
    : `hex:${b.toString("hex")}`;
}

function stat(s: Stat, t: SymbolTables): Record<string, unknown> {
  // mtime equals ctime until the first setData; afterwards it can only be later or, within one
  // millisecond, equal. Expressing it as a relation keeps same-millisecond runs comparable.
  let mtime: string;
  if (s.mzxid === s.czxid) mtime = s.mtime === s.ctime ? "=ctime" : `!=ctime(${s.mtime - s.ctime}ms)`;
  else mtime = s.mtime >= s.ctime ? ">=ctime" : `<ctime(${s.mtime - s.ctime}ms)`;
  return {
    czxid: t.zxid(s.czxid),
    mzxid: t.zxid(s.mzxid),
    pzxid: t.zxid(s.pzxid),
    ctime: t.time(s.ctime),
    mtime: s.ctime === 0 && s.mtime === 0 ? 0 : mtime,
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: t.session(s.ephemeralOwner),
    dataLength: s.dataLength,
    numChildren: s.numChildren,
  };
}

function acl(list: ACL[] | null | undefined): string[] | null {
  if (!list) return null;
  return list.map((a) => `${a.id.scheme}:${a.id.id}:${a.perms}`);
}

function opResult(r: OpResult, t: SymbolTables): Record<string, unknown> {
  switch (r.type) {
    case OpCode.create:
      return { type: "create", path: r.path };
    case OpCode.create2:
      return { type: "create2", path: r.path, stat: stat(r.stat, t) };
    case OpCode.setData:
      return { type: "setData", stat: stat(r.stat, t) };
    case OpCode.getData:
      return { type: "getData", data: data(r.data), stat: stat(r.stat, t) };
    case OpCode.getChildren:
      return { type: "getChildren", children: [...r.children].sort() };
    case OpCode.error:
      return { type: "error", err: errName(r.err) };
    default:
      return { type: opName(r.type) };
  }
}

function body(b: ReplyBody, t: SymbolTables): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (b.path !== undefined) out.path = b.path;
  if ("data" in b) out.data = data(b.data);
  if (b.children) out.children = [...b.children].sort();
  if ("acl" in b) out.acl = acl(b.acl);
  if (b.stat) out.stat = stat(b.stat, t);
  if (b.results) out.results = b.results.map((r) => opResult(r, t));
  if (b.totalNumber !== undefined) out.totalNumber = b.totalNumber;
  if (b.ephemerals) out.ephemerals = [...b.ephemerals].sort();
  if (b.clientInfo) out.clientInfo = b.clientInfo.map((c) => `${c.authScheme}:${c.user}`);
  if (b.errField !== undefined) out.errField = b.errField;
  if ("token" in b) out.token = data(b.token);
  return out;
}

function entry(e: TranscriptEntry, t: SymbolTables): Record<string, unknown> {
  switch (e.kind) {
    case "connect":
      return {
        kind: "connect",
        timeOutMs: e.response.timeOutMs,
        session: t.session(e.response.sessionId),
        passwdBytes: e.response.passwd.length,
        readOnly: e.response.readOnly ?? "absent",
        sizeBytes: e.sizeBytes,
      };
    case "reply": {
      const out: Record<string, unknown> = {
        kind: "reply",
        op: opName(e.op),
        xid: e.xid,
        zxid: t.zxid(e.zxid),
        err: errName(e.err),
      };
      if (e.body) out.body = body(e.body, t);
      // ZooKeeper sometimes appends a body to error replies (e.g. an empty multi result after
      // MarshallingError); clients ignore it and the reference says to send none.
      if (e.extraHex !== undefined && e.err === 0) out.extraHex = e.extraHex;
      if (e.decodeError !== undefined) out.decodeError = e.decodeError;
      return out;
    }
    case "event":
      return { kind: "event", type: eventName(e.type), state: e.state, path: e.path, zxid: t.zxid(e.zxid) };
    case "undecodable":
      return { kind: "undecodable", error: e.error };
    case "closed":
      return { kind: "closed" };
  }
}

/**
 * Normalises several transcripts of one scenario together, so a zxid or session id means the
 * same symbol in all of them (a node created by one client and read by another).
 */
export function normaliseTranscripts(
  transcripts: readonly LabelledTranscript[],
  options: NormaliseOptions,
): Record<string, Record<string, unknown>[]> {
  const zxids: number[] = [];
  for (const t of transcripts) collectZxids(t.transcript, zxids);
  const tables = new SymbolTables(zxids, options);
  // Sessions get their symbols from handshakes first, in client order, so S1 is always the
  // first client's session whatever order ephemeral owners show up in.
  for (const t of transcripts) {
    for (const e of t.transcript) if (e.kind === "connect") tables.session(e.response.sessionId);
  }
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const t of transcripts) out[t.label] = t.transcript.map((e) => entry(e, tables));
  return out;
}
