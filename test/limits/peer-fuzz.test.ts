// Seeded fuzzing of the peer ports (election and quorum) of a running 3-server ensemble: random
// bytes, text frames, truncated frames, and well-formed frames (alone and in PeerBatches) of every
// message type with fields set to random or extreme values, each sent as a peer that names itself with a member's id. A
// frame that does not decode or validate closes that link; nothing crashes a server. Afterwards
// every server is alive, one leads, a real client writes and reads, and the tree is intact.
// PADDOCK_FUZZ_LONG=1 sends many more frames.
import { fileURLToPath } from "node:url";
import { ZooKeeperClient } from "@paddock/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { seededRandom } from "../../packages/chaos/src/rng.js";
import { BODY_FIELD, loadPeerCodec } from "../../packages/server/src/zab/codec.js";
import type { PeerMessage } from "../../packages/server/src/zab/messages.js";
import { Ensemble } from "../support/ensemble.js";
import { fourLetterWord } from "../support/process.js";

const codec = loadPeerCodec(fileURLToPath(new URL("../../proto/peer.proto", import.meta.url)));
// The long run (about 10M inputs over the three fuzzers together) takes tens of minutes.
const LONG = process.env.PADDOCK_FUZZ_LONG === "1";
const FRAMES = LONG ? 500_000 : 6000;
const SEED = 20261204;

/** A number a field might get: small, big, near the limits, negative, fractional. */
function wildNumber(random: () => number): number {
  const picks = [0, 1, 2, 255, 2 ** 21 - 1, 2 ** 21, 2 ** 32, 2 ** 53 - 1, -1, 0.5];
  return random() < 0.5 ? picks[Math.floor(random() * picks.length)]! : Math.floor(random() * 2 ** 40);
}

/** A message of a random type whose every numeric field is wild (it may not encode: then bytes). */
function wildMessage(random: () => number): Uint8Array {
  const types = Object.keys(BODY_FIELD) as PeerMessage["type"][];
  const type = types[Math.floor(random() * types.length)]!;
  const n = () => wildNumber(random);
  const entries = Array.from({ length: Math.floor(random() * 3) }, () => ({
    zxid: n(),
    payload: new Uint8Array(Math.floor(random() * 16)),
  }));
  const msg = {
    type,
    conn: n(),
    seq: n(),
    term: n(),
    state: ["LOOKING", "FOLLOWING", "LEADING", "OBSERVING"][Math.floor(random() * 4)],
    vote: random() < 0.2 ? null : { leader: n(), zxid: n(), peerEpoch: n() },
    round: n(),
    acceptedEpoch: n(),
    newEpoch: n(),
    currentEpoch: n(),
    lastZxid: n(),
    committedZxid: n(),
    epochEnds: Array.from({ length: Math.floor(random() * 40) }, n),
    alreadyAccepted: random() < 0.5,
    truncZxid: n(),
    snapshotZxid: n(),
    snapshot: new Uint8Array(Math.floor(random() * 64)),
    epoch: n(),
    entries,
    zxid: n(),
    payload: new Uint8Array(Math.floor(random() * 64)),
    touches: [{ sessionId: BigInt(Math.floor(random() * 2 ** 40)), timeoutMs: n() }],
    sessionId: BigInt(Math.floor(random() * 2 ** 40)),
    timeoutMs: n(),
    valid: random() < 0.5,
    requestId: n(),
  } as unknown as PeerMessage;
  try {
    return codec.encode(msg);
  } catch {
    return randomBytes(random, 32);
  }
}

function randomBytes(random: () => number, max: number): Uint8Array {
  return Uint8Array.from({ length: Math.floor(random() * max) }, () => Math.floor(random() * 256));
}

/** One fuzz input: what to send and whether as a binary frame. */
function input(random: () => number): { data: Uint8Array | string; binary: boolean } {
  const r = random();
  if (r < 0.4) return { data: wildMessage(random), binary: true };
  // A PeerBatch of wild messages, as a server sends one turn's messages to a peer.
  if (r < 0.5) {
    const frames = Array.from({ length: 2 + Math.floor(random() * 3) }, () => wildMessage(random));
    return { data: codec.encodeFrames(frames), binary: true };
  }
  if (r < 0.7) {
    const whole = wildMessage(random);
    return { data: whole.subarray(0, Math.floor(random() * whole.length)), binary: true };
  }
  if (r < 0.9) return { data: randomBytes(random, 200), binary: true };
  return { data: "not a protobuf frame", binary: false };
}

/**
 * Sends `count` inputs to one peer port, as `from`, reconnecting whenever the server closes the
 * link. `dead` says why the server cannot take more (it exited), so a crash fails the test with
 * the server's output instead of a reconnect loop that runs into the test's timeout.
 */
async function fuzzPort(
  port: number,
  from: number,
  count: number,
  random: () => number,
  dead: () => string | undefined,
): Promise<number> {
  let sent = 0;
  let failingSince: number | undefined;
  while (sent < count) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/?from=${from}`, { handshakeTimeout: 5000 });
    let failure = "";
    const opened = await new Promise<boolean>((resolve) => {
      ws.once("open", () => resolve(true));
      ws.once("error", (err) => {
        failure = err.message;
        resolve(false);
      });
    });
    if (!opened) {
      const why = dead();
      if (why !== undefined) throw new Error(`after ${sent} inputs to port ${port}: ${why}`);
      failingSince ??= Date.now();
      if (Date.now() - failingSince > 30_000)
        throw new Error(`port ${port} has refused links for 30 s after ${sent} inputs: ${failure}`);
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    failingSince = undefined;
    let closed = false;
    ws.once("close", () => {
      closed = true;
    });
    // A burst per connection; the server may close the link at any frame.
    for (let i = 0; i < 50 && !closed && sent < count; i++, sent++) {
      const { data, binary } = input(random);
      ws.send(data, { binary });
    }
    await new Promise((r) => setTimeout(r, 5));
    ws.terminate();
  }
  return sent;
}

/** Opens a link to `port` as `from`, sends `frames`, and closes it. */
async function sendFrames(port: number, from: number, frames: Uint8Array[]): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/?from=${from}`, { handshakeTimeout: 5000 });
  const opened = await new Promise<boolean>((resolve) => {
    ws.once("open", () => resolve(true));
    ws.once("error", () => resolve(false));
  });
  if (opened) for (const f of frames) ws.send(f, { binary: true });
  await new Promise((r) => setTimeout(r, 20));
  ws.terminate();
}

describe("peer ports under fuzzing", () => {
  let ens: Ensemble;

  beforeAll(async () => {
    ens = await Ensemble.create({ size: 3 });
    ens.startAll();
    await ens.waitForQuorum();
  }, 60_000);

  afterAll(async () => {
    await ens?.destroy();
  });

  it(`${FRAMES} seeded frames (seed ${SEED}) on the election and quorum ports crash no server`, {
    timeout: LONG ? 10_800_000 : 180_000,
  }, async ({ onTestFailed }) => {
    // A failure (a timeout too) names the step it stopped in and shows what the servers said.
    let step = "writing the tree";
    onTestFailed(() => {
      const tails = ens.nodes.map((n) => `--- server ${n.id}\n${ens.output(n.id).slice(-4000)}`);
      console.error(`peer fuzz stopped while ${step}\n${tails.join("\n")}`);
    });
    const writer = new ZooKeeperClient({ connectString: ens.connectString, reconnectDelayMs: 50 });
    await writer.connect();
    for (let i = 0; i < 20; i++) await writer.create(`/before-${i}`, `v${i}`);
    await writer.close();

    const random = seededRandom(SEED);
    const leader = ens.node(await ens.waitForQuorum());
    const follower = ens.nodes.find((n) => n.id !== leader.id)!;
    const perPort = Math.ceil(FRAMES / 4);
    const dead = (id: number) => () =>
      ens.isAlive(id) ? undefined : `server ${id} died:\n${ens.output(id).slice(-3000)}`;
    // The leader's and a follower's ports, each dialled as another member.
    step = "fuzzing";
    let sent = 0;
    sent += await fuzzPort(leader.electionPort, follower.id, perPort, random, dead(leader.id));
    sent += await fuzzPort(leader.peerPort, follower.id, perPort, random, dead(leader.id));
    sent += await fuzzPort(follower.electionPort, leader.id, perPort, random, dead(follower.id));
    sent += await fuzzPort(follower.peerPort, leader.id, perPort, random, dead(follower.id));
    expect(sent).toBeGreaterThanOrEqual(FRAMES);

    for (const n of ens.nodes) {
      expect(ens.isAlive(n.id), `server ${n.id} died:\n${ens.output(n.id).slice(-3000)}`).toBe(true);
    }

    // The inputs that once crashed servers matter while they elect: kill the leader, and while
    // the others look for a new one, send each of them a vote-less notification and a
    // FOLLOWERINFO claiming an epoch the zxid cannot hold, again and again.
    step = "electing after the fuzzing";
    await ens.waitForQuorum(30_000);
    const oldLeader = await ens.waitForQuorum();
    const survivors = ens.nodes.filter((n) => n.id !== oldLeader);
    await ens.kill(oldLeader);
    const crashers = [
      codec.encode({
        type: "NOTIFICATION",
        state: "LOOKING",
        vote: null,
        round: 99,
      } as unknown as PeerMessage),
      codec.encode({ type: "FOLLOWERINFO", conn: 7, seq: 1, term: 0, acceptedEpoch: 2 ** 21 - 1 }),
      codec.encode({ type: "FOLLOWERINFO", conn: 8, seq: 1, term: 0, acceptedEpoch: 2 ** 21 - 2 }),
    ];
    step = "sending crashers while the survivors elect";
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      await Promise.all(
        survivors.flatMap((n) =>
          [n.electionPort, n.peerPort].map((port) => sendFrames(port, oldLeader, crashers)),
        ),
      );
    }
    ens.start(oldLeader);
    for (const n of ens.nodes) {
      expect(ens.isAlive(n.id), `server ${n.id} died:\n${ens.output(n.id).slice(-3000)}`).toBe(true);
    }
    // The real links come back (the fuzzer displaced them), one leader, and clients are served.
    step = "electing with the old leader back";
    await ens.waitForQuorum(30_000);
    step = "reading and writing with a client";
    for (const n of ens.nodes)
      expect(await fourLetterWord("127.0.0.1", n.clientPort, "ruok", 2000)).toBe("imok");
    const reader = new ZooKeeperClient({ connectString: ens.connectString, reconnectDelayMs: 50 });
    await reader.connect();
    await reader.create("/after", "x");
    await reader.sync("/");
    const children = (await reader.getChildren("/")).sort();
    expect(children).toEqual(
      ["after", "zookeeper", ...Array.from({ length: 20 }, (_, i) => `before-${i}`)].sort(),
    );
    for (let i = 0; i < 20; i++)
      expect((await reader.getData(`/before-${i}`)).data?.toString()).toBe(`v${i}`);
    await reader.close();
    // Every server holds the same tree: once all have applied the same zxid, their digests agree.
    step = "comparing digests";
    let hashes: string[] = [];
    for (const until = Date.now() + 15_000; Date.now() < until; ) {
      hashes = await Promise.all(
        ens.nodes.map((n) => fourLetterWord("127.0.0.1", n.clientPort, "hash", 2000)),
      );
      const zxids = new Set(hashes.map((h) => h.split(":")[0]));
      if (zxids.size === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(new Set(hashes).size, hashes.join(" | ")).toBe(1);
  });
});
