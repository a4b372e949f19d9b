// Znode values are bytes, whatever the server keeps them as (latin1 strings, see ZValue): every
// byte value from 0x00 to 0xff comes back unchanged through each path a value takes on a 3-server
// ensemble of processes: a client's create, setData and multi at the leader and at a follower,
// the PROPOSAL a follower decodes, a member's recovery from its snapshot and log after SIGKILL,
// and a learner's SNAP. Empty and absent values stay distinct.

import { rmSync } from "node:fs";
import { join } from "node:path";
import { fourLetterWord, ZooKeeperClient } from "@paddock/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ensemble } from "../support/ensemble.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every byte value, twice and in an order that puts high and low bytes next to each other. */
const ALL_BYTES = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 167) % 256));
/** Bytes that are not valid UTF-8 on their own, and a NUL in the middle. */
const NOT_UTF8 = Buffer.from([0xc3, 0x28, 0x00, 0xa0, 0xa1, 0xe2, 0x82, 0xff, 0xfe, 0x80]);
/** Past the txn log's and a snapshot chunk's small-buffer sizes. */
const LARGE = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31 + (i >> 8)) % 256));

async function client(connectString: string): Promise<ZooKeeperClient> {
  const c = new ZooKeeperClient({ connectString, reconnectDelayMs: 50, connectTimeoutMs: 15_000 });
  await c.connect();
  return c;
}

async function until(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

const expected: Record<string, Buffer | null> = {
  "/bin/all": ALL_BYTES,
  "/bin/set": NOT_UTF8,
  "/bin/multi": Buffer.from(ALL_BYTES.subarray(100, 300)),
  "/bin/large": LARGE,
  "/bin/empty": Buffer.alloc(0),
  "/bin/follower": Buffer.from([0xff, 0x00, 0x7f, 0x80]),
};

describe("binary znode values on a 3-server ensemble", () => {
  let ens: Ensemble;
  let leader: number;

  beforeAll(async () => {
    // A snapCount below the txns of the test, so that members also write snapshots of the values.
    ens = await Ensemble.create({ size: 3, extraCfg: ["snapCount=1000"] });
    ens.startAll();
    leader = await ens.waitForQuorum();
  }, 60_000);

  afterAll(async () => {
    await ens?.destroy();
  });

  /** Reads every expected value from `id` after a sync, and compares the bytes. */
  async function expectValuesAt(id: number): Promise<void> {
    const c = await client(ens.node(id).connectString);
    try {
      await c.sync("/bin");
      for (const [path, bytes] of Object.entries(expected)) {
        const { data, stat } = await c.getData(path);
        expect(data === null ? null : Buffer.from(data).toString("hex"), `${path} at ${id}`).toBe(
          bytes === null ? null : bytes.toString("hex"),
        );
        expect(stat.dataLength, `${path} dataLength at ${id}`).toBe(bytes?.length ?? 0);
      }
      const [multiRead] = await c.multiRead([{ type: "getData", path: "/bin/set" }]);
      expect(multiRead).toMatchObject({ data: NOT_UTF8 });
    } finally {
      await c.close();
    }
  }

  it("come back byte for byte from every member, after recovery and after a SNAP", {
    timeout: 120_000,
  }, async () => {
    const follower = ens.nodes.find((n) => n.id !== leader)!.id;
    const other = ens.nodes.find((n) => n.id !== leader && n.id !== follower)!.id;
    const atLeader = await client(ens.node(leader).connectString);
    await atLeader.create("/bin");
    await atLeader.create("/bin/all", ALL_BYTES);
    await atLeader.create("/bin/set", Buffer.from("placeholder"));
    await atLeader.setData("/bin/set", NOT_UTF8);
    await atLeader.multi([{ type: "create", path: "/bin/multi", data: expected["/bin/multi"]! }]);
    await atLeader.create("/bin/large", LARGE);
    await atLeader.create("/bin/empty", Buffer.alloc(0));
    // Written through a follower: forwarded to the leader, proposed back.
    const atFollower = await client(ens.node(follower).connectString);
    await atFollower.create("/bin/follower", expected["/bin/follower"]!);
    await atFollower.close();
    // Past snapCount, so every member writes a snapshot holding the values, and more txns than the
    // leader keeps in memory (2,000), so a member without data can only catch up by a SNAP.
    for (let i = 0; i < 3000; i += 300) {
      await Promise.all(
        Array.from({ length: 300 }, (_, k) =>
          atLeader.setData("/bin", Buffer.from([k % 256, 0xff - (k % 256)])),
        ),
      );
    }
    await atLeader.close();
    for (const n of ens.nodes) await expectValuesAt(n.id);

    // Recovery from the member's own snapshot and log.
    await ens.kill(follower);
    ens.start(follower);
    await ens.waitForQuorum();
    await expectValuesAt(follower);

    // A SNAP: the member's data is gone, so only the leader's snapshot can bring it back.
    await ens.kill(other);
    rmSync(join(ens.node(other).dir, "data"), { recursive: true, force: true });
    ens.writeConfig(
      other,
      ens.nodes.map((n) => n.id),
    );
    const snapsBefore = ens.output(leader).split('"SNAP streamed"').length;
    ens.start(other);
    await until(
      async () => (await ens.mode(other)) === "follower" || (await ens.mode(other)) === "leader",
      60_000,
      `member ${other} back`,
    );
    expect(ens.output(leader).split('"SNAP streamed"').length).toBe(snapsBefore + 1);
    await expectValuesAt(other);
    const hashes = await Promise.all(
      ens.nodes.map((n) => fourLetterWord("127.0.0.1", n.clientPort, "hash", 2000).then((h) => h.trim())),
    );
    expect(new Set(hashes).size, hashes.join(" / ")).toBe(1);
  });
});
