// Seeded fuzzing of the client port: raw TCP connections sending random bytes, frames with wild
// length prefixes (negative, zero, oversized), and, after a real ConnectRequest, request frames
// with random opcodes, truncated bodies and random fields. The root is world-readable only, so
// no fuzzed request may change the tree. Afterwards the server is alive, answers ruok and a real
// client, its tree digest is what it was, and its memory came back down.
// PADDOCK_FUZZ_LONG=1 sends many more frames.
import { readFileSync } from "node:fs";
import { Socket } from "node:net";
import { ZooKeeperClient } from "@paddock/client";
import { JuteWriter, writeConnectRequest } from "@paddock/jute";
import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../packages/chaos/src/rng.js";
import { startPaddock } from "../support/paddock.js";
import { fourLetterWord, type ServerHandle, SUPER_AUTH } from "../support/process.js";

// The long run (about 10M inputs over the three fuzzers together) takes tens of minutes.
const LONG = process.env.PADDOCK_FUZZ_LONG === "1";
const FRAMES = LONG ? 6_500_000 : 40_000;
const SEED = 1204;

let server: ServerHandle | undefined;
afterAll(async () => {
  await server?.stop();
});

function frame(body: Buffer, length = body.length): Buffer {
  const head = Buffer.alloc(4);
  head.writeInt32BE(length);
  return Buffer.concat([head, body]);
}

function randomBuffer(random: () => number, max: number): Buffer {
  return Buffer.from(Array.from({ length: Math.floor(random() * max) }, () => Math.floor(random() * 256)));
}

function connectFrame(): Buffer {
  const w = new JuteWriter(64);
  writeConnectRequest(w, {
    protocolVersion: 0,
    lastZxidSeen: 0,
    timeOutMs: 4000,
    sessionId: 0n,
    passwd: Buffer.alloc(16),
    readOnly: false,
  });
  return frame(Buffer.from(w.toBuffer()));
}

/** A request frame: xid, an opcode (mostly real ones), and a random or truncated body. */
function requestFrame(random: () => number, xid: number): Buffer {
  const opcodes = [
    -11, -10, -8, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 100, 101,
    103, 104, 105, 106, 107,
  ];
  const head = Buffer.alloc(8);
  head.writeInt32BE(xid);
  head.writeInt32BE(
    random() < 0.9 ? opcodes[Math.floor(random() * opcodes.length)]! : Math.floor(random() * 2 ** 31),
    4,
  );
  // Bodies that start like a path ("/..."), then anything.
  const body =
    random() < 0.5
      ? Buffer.concat([Buffer.from([0, 0, 0, 2, 0x2f, 0x61]), randomBuffer(random, 40)])
      : randomBuffer(random, 80);
  return frame(Buffer.concat([head, body]));
}

/** One connection's worth of input, `budget` frames at most; returns how many it sent. */
function connectionInput(random: () => number, budget: number): { bytes: Buffer; frames: number } {
  const r = random();
  if (r < 0.2) return { bytes: randomBuffer(random, 300), frames: 1 };
  if (r < 0.35) {
    const lengths = [-1, -(2 ** 31), 0, 2 ** 31 - 1, 1_048_576, 1_048_577, 5];
    return {
      bytes: frame(randomBuffer(random, 20), lengths[Math.floor(random() * lengths.length)]),
      frames: 1,
    };
  }
  const parts = [connectFrame()];
  const n = Math.min(budget - 1, 1 + Math.floor(random() * 60));
  for (let i = 0; i < n; i++) parts.push(requestFrame(random, i + 1));
  const bytes = Buffer.concat(parts);
  // Sometimes the last frame is cut short.
  return { bytes: random() < 0.2 ? bytes.subarray(0, bytes.length - 3) : bytes, frames: n + 1 };
}

function send(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = () => {
      s.destroy();
      resolve();
    };
    s.once("error", done);
    s.connect(port, "127.0.0.1", () => {
      s.write(bytes);
      // Let the server read and answer (or close), then hang up.
      setTimeout(done, 10);
    });
    s.on("data", () => {});
  });
}

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? 0) * 1024;
}

describe("client port under fuzzing", () => {
  it(`${FRAMES} seeded frames (seed ${SEED}) change nothing and crash nothing`, {
    timeout: LONG ? 10_800_000 : 600_000,
  }, async () => {
    server = await startPaddock();
    const admin = new ZooKeeperClient({ connectString: `${server.host}:${server.port}` });
    await admin.connect();
    await admin.addAuth("digest", SUPER_AUTH);
    for (let i = 0; i < 10; i++) await admin.create(`/keep-${i}`, `v${i}`);
    // Nobody but super may change anything under the root.
    await admin.setACL("/", [{ perms: 1, id: { scheme: "world", id: "anyone" } }]);
    const digestOf = async () =>
      (await fourLetterWord(server!.host, server!.port, "hash", 2000)).trim().split(": ").at(-1);
    const digestBefore = await digestOf();
    const pid = server.pid!;
    const rssBefore = rssBytes(pid);

    const random = seededRandom(SEED);
    let sent = 0;
    const lanes = 8;
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (sent < FRAMES) {
          const { bytes, frames } = connectionInput(random, FRAMES - sent);
          sent += frames;
          await send(server!.port, bytes);
        }
      }),
    );
    expect(sent).toBeGreaterThanOrEqual(FRAMES);

    expect(server.alive(), server.output().slice(-3000)).toBe(true);
    expect(await fourLetterWord(server.host, server.port, "ruok", 2000)).toBe("imok");
    const c = new ZooKeeperClient({ connectString: `${server.host}:${server.port}` });
    await c.connect();
    expect((await c.getChildren("/")).sort()).toEqual(
      ["zookeeper", ...Array.from({ length: 10 }, (_, i) => `keep-${i}`)].sort(),
    );
    for (let i = 0; i < 10; i++) expect((await c.getData(`/keep-${i}`)).data?.toString()).toBe(`v${i}`);
    await c.close();
    await admin.close();
    expect(await digestOf()).toBe(digestBefore);
    // Whatever the fuzzing made the server hold has gone with the connections. What is left is
    // garbage until V8 collects it, which an idle server does on its own schedule: after the
    // long run it took about 100 s (heap used 52 MB -> 13 MB, RSS 171 MB -> 103 MB at once).
    let rssAfter = rssBytes(pid);
    for (let i = 0; i < 180 && rssAfter > rssBefore + 64 * 1024 * 1024; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      rssAfter = rssBytes(pid);
    }
    expect(rssAfter, `RSS ${rssBefore} -> ${rssAfter} bytes`).toBeLessThan(rssBefore + 64 * 1024 * 1024);
  });
});
