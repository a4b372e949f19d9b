// The WebSocket peer transport on real loopback sockets: protobuf frames both ways on the right
// port, redial after a peer restarts, strangers and garbage refused without harm.
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { listenHostFor, type PeerAddress, PeerTransport } from "../../src/net/peer-transport.js";
import type { PeerMessage } from "../../src/zab/messages.js";
import { codec, freePort, vote } from "./peer-fixtures.js";

const log = pino({ level: "silent" });

const until = async (cond: () => boolean, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
};

const open: PeerTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function members(n: number): Promise<Map<number, PeerAddress>> {
  const m = new Map<number, PeerAddress>();
  for (let id = 1; id <= n; id++) {
    m.set(id, { host: "127.0.0.1", peerPort: await freePort(), electionPort: await freePort() });
  }
  return m;
}

function transport(
  myId: number,
  all: Map<number, PeerAddress>,
  inbox: [number, PeerMessage][],
  downs: string[] = [],
  options: Partial<ConstructorParameters<typeof PeerTransport>[0]> = {},
) {
  const t = new PeerTransport({
    myId,
    members: all,
    listenOnAllIps: false,
    codec,
    log,
    onMessage: (from, msg) => inbox.push([from, msg]),
    onLinkDown: (id, channel) => downs.push(`${channel}/${id}`),
    minRedialMs: 20,
    maxRedialMs: 100,
    ...options,
  });
  open.push(t);
  return t;
}

const proposal: PeerMessage = {
  type: "PROPOSAL",
  conn: 1048577,
  seq: 4,
  term: 2,
  entries: [
    { zxid: 0x200000001, payload: new Uint8Array([1, 2, 3]) },
    { zxid: 0x200000002, payload: new Uint8Array(70_000).fill(9) },
  ],
};

describe("PeerTransport", () => {
  it("delivers votes and channel frames intact, in order, tagged with the sender", async () => {
    const all = await members(2);
    const inbox1: [number, PeerMessage][] = [];
    const inbox2: [number, PeerMessage][] = [];
    const t1 = transport(1, all, inbox1);
    const t2 = transport(2, all, inbox2);
    await Promise.all([t1.start(), t2.start()]);
    await until(() => t1.isLinkOpen(2, "peer") && t1.isLinkOpen(2, "election") && t2.isLinkOpen(1, "peer"));
    t1.send(2, vote);
    for (let seq = 1; seq <= 50; seq++) t1.send(2, { ...proposal, seq } as PeerMessage);
    t2.send(1, { type: "ACK", conn: 1048577, seq: 1, term: 2, zxid: 0x200000002 });
    await until(() => inbox2.length === 51 && inbox1.length === 1);
    expect(inbox2[0]).toEqual([1, vote]);
    expect(inbox2.slice(1).map(([, m]) => (m as { seq: number }).seq)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    const got = inbox2[1]![1] as typeof proposal & { entries: { zxid: number; payload: Uint8Array }[] };
    expect(got.entries.map((e) => e.zxid)).toEqual([0x200000001, 0x200000002]);
    expect(Buffer.from(got.entries[1]!.payload).equals(Buffer.alloc(70_000, 9))).toBe(true);
    expect(inbox1).toEqual([[2, { type: "ACK", conn: 1048577, seq: 1, term: 2, zxid: 0x200000002 }]]);
  });

  it("sends frames with an all-zero mask, so the payload crosses the wire as plain protobuf", async () => {
    const all = await members(2);
    // A bare ws server stands in for member 2's peer port and keeps the raw TCP bytes it gets.
    const raw: Buffer[] = [];
    const fake = new WebSocketServer({ host: "127.0.0.1", port: all.get(2)!.peerPort });
    fake.on("connection", (_ws, req) => req.socket.on("data", (chunk: Buffer) => raw.push(chunk)));
    try {
      const t1 = transport(1, all, []);
      await t1.start();
      await until(() => t1.isLinkOpen(2, "peer"));
      const ack: PeerMessage = { type: "ACK", conn: 7, seq: 1, term: 2, zxid: 0x200000002 };
      t1.send(2, ack);
      const encoded = Buffer.from(codec.encode(ack));
      await until(() => Buffer.concat(raw).length >= 6 + encoded.length);
      const frame = Buffer.concat(raw);
      expect(frame[0]).toBe(0x82); // FIN + binary
      expect(frame[1]).toBe(0x80 | encoded.length); // masked (a client must), short length
      expect(frame.subarray(2, 6)).toEqual(Buffer.alloc(4)); // the mask key
      expect(frame.subarray(6, 6 + encoded.length)).toEqual(encoded);
    } finally {
      for (const c of fake.clients) c.terminate();
      await new Promise((r) => fake.close(r));
    }
  });

  it("sends one turn's messages to a peer as one WebSocket frame (a PeerBatch)", async () => {
    const all = await members(2);
    const frames: Buffer[] = [];
    const fake = new WebSocketServer({ host: "127.0.0.1", port: all.get(2)!.peerPort });
    fake.on("connection", (ws) => ws.on("message", (data) => frames.push(data as Buffer)));
    try {
      const t1 = transport(1, all, []);
      await t1.start();
      await until(() => t1.isLinkOpen(2, "peer"));
      const acks = [1, 2, 3].map(
        (seq): PeerMessage => ({ type: "ACK", conn: 7, seq, term: 2, zxid: 0x200000000 + seq }),
      );
      for (const ack of acks) t1.send(2, ack);
      await until(() => frames.length >= 1);
      // The next turn's message is a frame of its own, a bare PeerFrame.
      const commit: PeerMessage = {
        type: "COMMIT",
        conn: 7,
        seq: 4,
        term: 2,
        zxid: 0x200000003,
        designatedLeader: 0,
      };
      t1.send(2, commit);
      await until(() => frames.length >= 2);
      expect(frames).toHaveLength(2);
      expect(frames[0]![0]).toBe(0x0a);
      expect(codec.decodeFrames(frames[0]!)).toEqual(acks);
      expect(frames[1]).toEqual(Buffer.from(codec.encode(commit)));
      expect(t1.stats.sent).toBe(4);
    } finally {
      for (const c of fake.clients) c.terminate();
      await new Promise((r) => fake.close(r));
    }
  });

  it("drops frames while a peer is down, reports the link loss, and redials when it is back", async () => {
    const all = await members(2);
    const inbox2: [number, PeerMessage][] = [];
    const downs: string[] = [];
    const t1 = transport(1, all, [], downs);
    let t2 = transport(2, all, inbox2);
    await Promise.all([t1.start(), t2.start()]);
    await until(() => t1.isLinkOpen(2, "election"));
    await t2.close();
    await until(() => downs.includes("election/2") && downs.includes("peer/2"));
    const droppedBefore = t1.stats.dropped;
    const ping = { type: "PING", touches: [], conn: 1, seq: 1, term: 1 } as PeerMessage;
    t1.send(2, ping);
    expect(t1.stats.dropped).toBe(droppedBefore + 1);
    // Votes are held instead, the latest one only (ZooKeeper's one-message send queue per peer):
    // a server that comes up later still hears the vote sent before its link opened.
    t1.send(2, { ...vote, round: 1 } as PeerMessage);
    t1.send(2, vote);
    expect(t1.stats.dropped).toBe(droppedBefore + 1);
    t2 = transport(2, all, inbox2);
    await t2.start();
    await until(() => inbox2.length === 1);
    expect(inbox2[0]).toEqual([1, vote]);
    t1.send(2, ping);
    await until(() => inbox2.length === 2);
    expect(inbox2.map(([, m]) => m.type)).toEqual(["NOTIFICATION", "PING"]);
  });

  it("redials a restarted peer as soon as it dials in, not after the redial backoff", async () => {
    const all = await members(2);
    const downs: string[] = [];
    // A backoff far longer than the test waits: only the restarted peer's own dial can open it.
    const t1 = transport(1, all, [], downs, { minRedialMs: 30_000, maxRedialMs: 30_000 });
    let t2 = transport(2, all, []);
    await Promise.all([t1.start(), t2.start()]);
    await until(() => t1.isLinkOpen(2, "election") && t1.isLinkOpen(2, "peer"));
    await t2.close();
    await until(() => downs.includes("election/2") && downs.includes("peer/2"));
    const inbox2: [number, PeerMessage][] = [];
    t2 = transport(2, all, inbox2);
    await t2.start();
    await until(() => t1.isLinkOpen(2, "election") && t1.isLinkOpen(2, "peer"), 3000);
    t1.send(2, vote);
    await until(() => inbox2.length === 1, 3000);
    expect(inbox2[0]).toEqual([1, vote]);
  });

  it("refuses a stranger's id and survives garbage frames from a member", async () => {
    const all = await members(2);
    const inbox1: [number, PeerMessage][] = [];
    const t1 = transport(1, all, inbox1);
    await t1.start();
    const port = all.get(1)!.electionPort;
    const stranger = new WebSocket(`ws://127.0.0.1:${port}/?from=9`);
    const closeCode = await new Promise<number>((resolve) => stranger.on("close", (code) => resolve(code)));
    expect(closeCode).toBe(1008);
    const liar = new WebSocket(`ws://127.0.0.1:${port}/?from=2`);
    await new Promise((resolve) => liar.on("open", resolve));
    const closed = new Promise((resolve) => liar.on("close", resolve));
    liar.send(Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02]));
    await closed;
    expect(t1.stats.undecodable).toBe(1);
    expect(inbox1).toEqual([]);
    // Still serving other peers afterwards.
    const t2 = transport(2, all, []);
    await t2.start();
    await until(() => t2.isLinkOpen(1, "election"));
    t2.send(1, vote);
    await until(() => inbox1.length === 1);
  });

  it("keeps redialling a member whose host name does not resolve, without failing", async () => {
    const all = await members(2);
    all.set(3, { host: "paddock-no-such-host.invalid", peerPort: 1, electionPort: 2 });
    const t1 = transport(1, all, []);
    await t1.start();
    await new Promise((r) => setTimeout(r, 400));
    expect(t1.isLinkOpen(3, "peer")).toBe(false);
    t1.send(3, vote);
    const inbox2: [number, PeerMessage][] = [];
    const t2 = transport(2, all, inbox2);
    await t2.start();
    await until(() => t1.isLinkOpen(2, "election"));
    t1.send(2, vote);
    await until(() => inbox2.length === 1);
  });

  it("drops and redials a link whose peer stops answering pings (a cut without FIN or RST)", async () => {
    const all = await members(2);
    const peer2 = all.get(2)!;
    // Member 2 accepts connections but never pongs: to member 1 it looks like a peer behind a
    // network that silently lost its packets.
    const connections = { peer: 0, election: 0 };
    const { WebSocketServer } = await import("ws");
    const silent = (["peer", "election"] as const).map((channel) => {
      const wss = new WebSocketServer({
        port: channel === "peer" ? peer2.peerPort : peer2.electionPort,
        host: "127.0.0.1",
        autoPong: false,
      });
      wss.on("connection", () => connections[channel]++);
      return wss;
    });
    const downs: string[] = [];
    const t1 = transport(1, all, [], downs, { livenessIntervalMs: 50, livenessTimeoutMs: 200 });
    try {
      await t1.start();
      await until(() => connections.peer >= 3 && connections.election >= 3, 5000);
      expect(downs).toContain("peer/2");
      expect(downs).toContain("election/2");
    } finally {
      for (const wss of silent) {
        for (const c of wss.clients) c.terminate();
        await new Promise((r) => wss.close(r));
      }
    }
  });

  it("binds a loopback server line as given and anything else on all interfaces", () => {
    expect(listenHostFor("127.0.0.1", false)).toBe("127.0.0.1");
    expect(listenHostFor("localhost", false)).toBe("127.0.0.1");
    expect(listenHostFor("::1", false)).toBe("::1");
    expect(listenHostFor("127.0.0.1", true)).toBeUndefined();
    expect(listenHostFor("zk1.example.com", false)).toBeUndefined();
    expect(listenHostFor("10.0.0.5", false)).toBeUndefined();
  });
});
