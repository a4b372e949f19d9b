// A SNAP streamed over real loopback peer links: pieces over several turns, what the core sends
// meanwhile kept behind it, a link lost mid-stream cleaned up on both ends, and the peer frame
// limit closing a link that sends more.
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import pino from "pino";
import protobuf from "protobufjs";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_PEER_FRAME_LIMIT_BYTES, peerFrameLimitBytes } from "../../src/net/peer-frame-limit.js";
import { type PeerAddress, PeerTransport } from "../../src/net/peer-transport.js";
import {
  decodeSnapChunkFrame,
  encodeSnapChunkFrame,
  frameChunks,
  type SnapshotSource,
  snapshotPieces,
  unframeChunks,
} from "../../src/net/snapshot-stream.js";
import { loadPeerCodec } from "../../src/zab/codec.js";
import type { PeerMessage } from "../../src/zab/messages.js";
import { freePort } from "./peer-fixtures.js";

const protoPath = join(fileURLToPath(import.meta.url), "../../../../../proto/peer.proto");
const codec = loadPeerCodec(protoPath);

async function members(n: number): Promise<Map<number, PeerAddress>> {
  const m = new Map<number, PeerAddress>();
  for (let id = 1; id <= n; id++) {
    m.set(id, { host: "127.0.0.1", peerPort: await freePort(), electionPort: await freePort() });
  }
  return m;
}

const until = async (cond: () => boolean, timeoutMs = 10_000) => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
};

const open: PeerTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

function transport(
  myId: number,
  all: Map<number, PeerAddress>,
  inbox: [number, PeerMessage][],
  extra: { downs?: string[]; logLines?: string[]; maxFrameBytes?: number } = {},
) {
  const sink = new Writable({
    write(chunk, _enc, done) {
      extra.logLines?.push(String(chunk));
      done();
    },
  });
  const t = new PeerTransport({
    myId,
    members: all,
    listenOnAllIps: false,
    codec,
    log: pino(
      { level: process.env.SNAP_TEST_LOG ?? (extra.logLines === undefined ? "silent" : "info") },
      extra.logLines === undefined && process.env.SNAP_TEST_LOG ? process.stderr : sink,
    ),
    onMessage: (from, msg) => inbox.push([from, msg]),
    onLinkDown: (id, channel) => extra.downs?.push(`${channel}/${id}`),
    minRedialMs: 20,
    maxRedialMs: 100,
    ...(extra.maxFrameBytes === undefined ? {} : { maxFrameBytes: extra.maxFrameBytes }),
  });
  open.push(t);
  return t;
}

/** `count` chunks of `size` bytes, each built when pulled (as a tree view builds them). */
function chunkSource(count: number, size: number, seed: number) {
  const made: Buffer[] = [];
  let released = 0;
  function* chunks(): Generator<Buffer> {
    for (let i = 0; i < count; i++) {
      const c = Buffer.alloc(size, (seed + i) & 0xff);
      c.writeUInt32BE(i, 0);
      made.push(c);
      yield c;
    }
  }
  const source: SnapshotSource = {
    pieces: snapshotPieces(chunks(), 512 * 1024),
    release: () => {
      released++;
    },
  };
  return { source, made, released: () => released };
}

/** Whether the SNAP's snapshot holds exactly these chunks (Buffer.equals: deep equality of MiBs is slow). */
function holds(msg: PeerMessage | undefined, chunks: readonly Buffer[]): boolean {
  if (msg?.type !== "SNAP") return false;
  const got = unframeChunks(msg.snapshot);
  return got.length === chunks.length && got.every((c, i) => c.equals(chunks[i]!));
}

const snap = (seq: number): PeerMessage & { type: "SNAP" } => ({
  type: "SNAP",
  conn: 1048577,
  seq,
  term: 2,
  snapshotZxid: 0x200000000 + seq,
  snapshot: new Uint8Array(0),
  config: null,
});

describe("snapshot pieces", () => {
  it("split chunks larger than a piece and join back to SNAP's framing", () => {
    const chunks = [Buffer.alloc(10, 1), Buffer.alloc(25, 2), Buffer.alloc(7, 3)];
    const pieces = [...snapshotPieces(chunks[Symbol.iterator](), 16)];
    expect(pieces.every((p) => p.length <= 16)).toBe(true);
    const joined = Buffer.concat(pieces);
    expect(joined).toEqual(Buffer.from(frameChunks(chunks)));
    expect(unframeChunks(joined)).toEqual(chunks);
  });

  it("travel as PeerFrame { snap_chunk } that protobuf reads the same way", () => {
    const data = Buffer.alloc(300_000, 7);
    const frame = encodeSnapChunkFrame(data);
    expect(Buffer.from(decodeSnapChunkFrame(frame)).equals(data)).toBe(true);
    const Frame = protobuf.loadSync(protoPath).lookupType("paddock.peer.v1.PeerFrame");
    const decoded = Frame.decode(frame) as unknown as { snapChunk: { data: Uint8Array } };
    expect(Buffer.from(decoded.snapChunk.data).equals(data)).toBe(true);
    expect(() => decodeSnapChunkFrame(frame.subarray(0, frame.length - 1))).toThrow(RangeError);
  });
});

type TransportExtra = Parameters<typeof transport>[3];

/** Server 1 (the sender) and server 2 (whose messages land in `inbox2`), linked. */
async function linkedPair(extra1: TransportExtra = {}, extra2: TransportExtra = {}) {
  const all = await members(2);
  const inbox2: [number, PeerMessage][] = [];
  const t1 = transport(1, all, [], extra1);
  const t2 = transport(2, all, inbox2, extra2);
  await Promise.all([t1.start(), t2.start()]);
  await until(() => t1.isLinkOpen(2, "peer"));
  return { all, inbox2, t1, t2 };
}

describe("streamed SNAP over peer links", () => {
  it("arrives whole, after what was queued before it and before what was sent during it", async () => {
    const { inbox2, t1 } = await linkedPair();
    const before: PeerMessage = { type: "DIFF", conn: 1048577, seq: 1, term: 2, committedZxid: 0 };
    t1.send(2, before);
    // 40 chunks of 300 KiB: about 12 MiB, dozens of turns.
    const first = chunkSource(40, 300 * 1024, 1);
    t1.sendSnapshot(2, snap(2), first.source);
    // A chunk is only built when the link can take it, never all at once.
    expect(first.made.length).toBe(0);
    const during: PeerMessage[] = [3, 4, 5].map((seq) => ({
      type: "PROPOSAL",
      conn: 1048577,
      seq,
      term: 2,
      entries: [{ zxid: 0x200000000 + seq, payload: new Uint8Array([seq]) }],
    }));
    for (const m of during) t1.send(2, m);
    // A second SNAP for the same learner waits for the first to finish.
    const second = chunkSource(3, 1000, 9);
    t1.sendSnapshot(2, snap(6), second.source);
    const after: PeerMessage = { type: "NEWLEADER", conn: 1048577, seq: 7, term: 2, epoch: 2 };
    t1.send(2, after);
    await until(() => inbox2.length === 7, 20_000);
    expect(inbox2.map(([, m]) => m.type)).toEqual([
      "DIFF",
      "SNAP",
      "PROPOSAL",
      "PROPOSAL",
      "PROPOSAL",
      "SNAP",
      "NEWLEADER",
    ]);
    expect(inbox2.map(([, m]) => (m as { seq: number }).seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((inbox2[1]![1] as { snapshotZxid: number }).snapshotZxid).toBe(0x200000002);
    expect(holds(inbox2[1]![1], first.made)).toBe(true);
    expect(first.made).toHaveLength(40);
    expect(holds(inbox2[5]![1], second.made)).toBe(true);
    expect(first.released()).toBeGreaterThanOrEqual(1);
    expect(second.released()).toBeGreaterThanOrEqual(1);
    expect(t1.stats.snapshotsStreamed).toBe(2);
    expect(t1.stats.snapshotsAborted).toBe(0);
  });

  it("stops when the link drops mid-stream, releases the view, and a later SNAP arrives clean", async () => {
    const downs: string[] = [];
    const pair = await linkedPair({ downs });
    const { all, inbox2, t1 } = pair;
    let { t2 } = pair;
    // 200 chunks of 400 KiB (80 MiB): far more than can cross before the learner goes away.
    const cut = chunkSource(200, 400 * 1024, 3);
    const queuedNext = chunkSource(2, 100, 4);
    t1.sendSnapshot(2, snap(2), cut.source);
    t1.sendSnapshot(2, snap(3), queuedNext.source);
    await until(() => cut.made.length >= 5);
    await t2.close();
    await until(() => downs.includes("peer/2"));
    expect(t1.stats.snapshotsAborted).toBe(1);
    // The view behind the cut stream and the one queued behind it are both released.
    expect(cut.released()).toBeGreaterThanOrEqual(1);
    expect(queuedNext.released()).toBeGreaterThanOrEqual(1);
    expect(cut.made.length).toBeLessThan(200);
    expect(inbox2).toEqual([]);
    // The learner comes back: a fresh SNAP carries exactly its own bytes, nothing of the cut one.
    t2 = transport(2, all, inbox2);
    await t2.start();
    await until(() => t1.isLinkOpen(2, "peer"));
    const retry = chunkSource(4, 200 * 1024, 5);
    t1.sendSnapshot(2, snap(1), retry.source);
    await until(() => inbox2.length === 1);
    expect(holds(inbox2[0]![1], retry.made)).toBe(true);
  });

  it("a learner discards a partial SNAP when its link closes", async () => {
    const { all, inbox2, t1 } = await linkedPair();
    const cut = chunkSource(200, 400 * 1024, 6);
    t1.sendSnapshot(2, snap(2), cut.source);
    await until(() => cut.made.length >= 5);
    // The leader side drops the link (as a restart would); t1 redials t2 on its own.
    await t1.close();
    const t1b = transport(1, all, []);
    await t1b.start();
    await until(() => t1b.isLinkOpen(2, "peer"));
    const fresh = chunkSource(2, 1000, 7);
    t1b.sendSnapshot(2, snap(9), fresh.source);
    await until(() => inbox2.length === 1);
    expect(holds(inbox2[0]![1], fresh.made)).toBe(true);
  });
});

describe("peer frame limit", () => {
  it("is sized from jute.maxbuffer, not 1 GiB", () => {
    expect(DEFAULT_PEER_FRAME_LIMIT_BYTES).toBe(peerFrameLimitBytes(0xfffff));
    expect(DEFAULT_PEER_FRAME_LIMIT_BYTES).toBeLessThan(4 * 1024 * 1024);
    expect(peerFrameLimitBytes(8 * 1024 * 1024)).toBeGreaterThan(8 * 1024 * 1024);
  });

  it("closes a link that sends a frame over it, with the reason logged", async () => {
    const logLines: string[] = [];
    const downs: string[] = [];
    const { inbox2, t1, t2 } = await linkedPair({ downs }, { logLines, maxFrameBytes: 64 * 1024 });
    const small: PeerMessage = { type: "ACK", conn: 7, seq: 1, term: 2, zxid: 0x200000001 };
    t1.send(2, small);
    await until(() => inbox2.length === 1);
    t1.send(2, {
      type: "PROPOSAL",
      conn: 7,
      seq: 2,
      term: 2,
      entries: [{ zxid: 0x200000002, payload: new Uint8Array(100 * 1024) }],
    });
    await until(() => downs.includes("peer/2"));
    await until(() => logLines.some((l) => l.includes("peer frame over the limit")));
    expect(t2.stats.oversizedFrames).toBe(1);
    expect(inbox2).toHaveLength(1);
    const line = JSON.parse(logLines.find((l) => l.includes("peer frame over the limit"))!);
    expect(line).toMatchObject({ peer: 1, channel: "peer", maxFrameBytes: 64 * 1024 });
    // The link comes back and carries frames within the limit.
    await until(() => t1.isLinkOpen(2, "peer"));
    t1.send(2, { ...small, seq: 3 });
    await until(() => inbox2.length === 2);
  });
});
