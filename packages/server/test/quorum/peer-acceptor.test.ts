// The listening half of the peer links on a real loopback socket: which diallers it admits (a
// member, a guest with usable addresses while guests may be taken) and which it refuses (its own
// id, no id, a stranger once the guest list is full), what it tells the transport, and that an
// admitted link's frames are delivered only on the right channel.
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type InboundStats, PeerAcceptor } from "../../src/net/peer-acceptor.js";
import type { PeerAddress } from "../../src/net/peer-address.js";
import type { PeerMessage } from "../../src/zab/messages.js";
import { codec, vote } from "./peer-fixtures.js";

const log = pino({ level: "silent" });
const MY_ID = 1;
const MEMBER: PeerAddress = { host: "127.0.0.1", peerPort: 1, electionPort: 2 };

interface Harness {
  acceptor: PeerAcceptor;
  port: number;
  admitted: { channel: string; from: number; guest: PeerAddress | undefined }[];
  inbox: [number, PeerMessage][];
  stats: InboundStats;
}

const open: { acceptor: PeerAcceptor; sockets: WebSocket[] }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    for (const ws of o.sockets) ws.terminate();
    await o.acceptor.close();
  }
});

async function harness(channel: "peer" | "election", guestsAllowed: boolean): Promise<Harness> {
  const admitted: Harness["admitted"] = [];
  const inbox: [number, PeerMessage][] = [];
  const stats: InboundStats = { received: 0, undecodable: 0, oversizedFrames: 0 };
  const acceptor = new PeerAcceptor(
    {
      myId: MY_ID,
      codec,
      log,
      maxFrameBytes: 1 << 20,
      stats,
      // As in the transport, whose member list holds this server too.
      knownAddress: (id) => (id === 2 || id === MY_ID ? MEMBER : undefined),
      canAdmitGuest: () => guestsAllowed,
      onAdmitted: (ch, from, guest) => admitted.push({ channel: ch, from, guest }),
      onMessage: (from, msg) => inbox.push([from, msg]),
    },
    undefined,
  );
  open.push({ acceptor, sockets: [] });
  // Port 0: the acceptor reports what it bound.
  await acceptor.listen(channel, 0, "127.0.0.1");
  const port = acceptor.boundPorts()[channel];
  expect(port).toBeGreaterThan(0);
  return { acceptor, port, admitted, inbox, stats };
}

function dial(h: Harness, query: string): WebSocket {
  const ws = new WebSocket(`ws://127.0.0.1:${h.port}/?${query}`);
  open.at(-1)!.sockets.push(ws);
  return ws;
}

/** The code a refused link was closed with (the acceptor refuses after the upgrade). */
async function closeCode(ws: WebSocket): Promise<number> {
  return await new Promise((resolve) => ws.on("close", (code) => resolve(code)));
}

/** Waits until the acceptor has admitted `count` links in all. */
async function admittedCount(h: Harness, count: number): Promise<void> {
  await expect.poll(() => h.admitted.length, { timeout: 5000 }).toBe(count);
}

describe("PeerAcceptor", () => {
  it("admits a member and delivers its frames on the channel they belong to", async () => {
    const h = await harness("election", false);
    const ws = dial(h, "from=2");
    await new Promise((resolve) => ws.on("open", resolve));
    await admittedCount(h, 1);
    expect(h.admitted).toEqual([{ channel: "election", from: 2, guest: undefined }]);
    ws.send(codec.encode(vote));
    // A leader's frame on the election port is read but not delivered.
    ws.send(codec.encode({ type: "ACK", conn: 1, seq: 1, term: 1, zxid: 0x100000001 }));
    ws.send(codec.encode(vote));
    await expect.poll(() => h.stats.received).toBe(3);
    expect(h.inbox).toEqual([
      [2, vote],
      [2, vote],
    ]);
  });

  it("refuses its own id, a link naming no id, and a stranger when no guest may be taken", async () => {
    const h = await harness("peer", false);
    expect(await closeCode(dial(h, `from=${MY_ID}`))).toBe(1008);
    expect(await closeCode(dial(h, "x=1"))).toBe(1008);
    expect(await closeCode(dial(h, "from=7&host=127.0.0.1&peer=3001&election=3002"))).toBe(1008);
    expect(h.admitted).toEqual([]);
  });

  it("takes a stranger with usable addresses as a guest, its wildcard host replaced by the socket's", async () => {
    const h = await harness("peer", true);
    // Unusable addresses: no ports, one port twice, a port out of range.
    expect(await closeCode(dial(h, "from=7&host=127.0.0.1"))).toBe(1008);
    expect(await closeCode(dial(h, "from=7&host=127.0.0.1&peer=3001&election=3001"))).toBe(1008);
    expect(await closeCode(dial(h, "from=7&host=127.0.0.1&peer=3001&election=70000"))).toBe(1008);
    expect(h.admitted).toEqual([]);
    dial(h, "from=7&host=0.0.0.0&peer=3001&election=3002");
    await admittedCount(h, 1);
    expect(h.admitted).toEqual([
      { channel: "peer", from: 7, guest: { host: "127.0.0.1", peerPort: 3001, electionPort: 3002 } },
    ]);
  });

  it("replaces a server's earlier link when it dials again, and drops a link that sends garbage", async () => {
    const h = await harness("peer", false);
    const first = dial(h, "from=2");
    const firstClosed = new Promise((resolve) => first.on("close", resolve));
    await admittedCount(h, 1);
    const second = dial(h, "from=2");
    await new Promise((resolve) => second.on("open", resolve));
    await admittedCount(h, 2);
    await firstClosed;
    expect(h.admitted.map((a) => a.from)).toEqual([2, 2]);
    const secondClosed = new Promise((resolve) => second.on("close", resolve));
    second.send(Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02]));
    await secondClosed;
    expect(h.stats.undecodable).toBe(1);
    expect(h.inbox).toEqual([]);
  });
});
