// The txn log's records reach the segment file the same whether they go around the page cache
// (O_DIRECT: whole aligned blocks, the partly filled last one rewritten with each write and padded
// with zeros) or through it; a log written either way reads back the same records.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIRECT_ALIGN_BYTES } from "../../src/storage/direct-io.js";
import { DirectWindowSource, openSegmentWriter } from "../../src/storage/segment-writer.js";
import { TxnLog } from "../../src/storage/txn-log.js";
import {
  captureLogger,
  fileSystemTakesDirect,
  payloadFor,
  randomBuffer,
  randomInt,
  rng,
  tempDir,
  zxid,
} from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("segment-writer"));
});
afterEach(async () => {
  await cleanup();
});

const HEADER = Buffer.from("a header of 13");

/** Pieces of the sizes that matter: around a block, around the 1 MiB window, and random. */
function pieces(seed: number): Buffer[] {
  const next = rng(seed);
  const sizes = [
    1,
    DIRECT_ALIGN_BYTES - 1,
    DIRECT_ALIGN_BYTES,
    DIRECT_ALIGN_BYTES + 1,
    1024 * 1024,
    2_500_003,
  ];
  for (let i = 0; i < 60; i++) sizes.push(randomInt(next, 1, 40_000));
  return sizes.map((n) => randomBuffer(next, n));
}

/** Writes HEADER, then `parts` through writers of the asked kind, reopening one every `reopenEvery`. */
async function writeSegment(path: string, parts: Buffer[], direct: boolean, reopenEvery: number) {
  await writeFile(path, HEADER);
  const window = direct ? await new DirectWindowSource(dir).get() : undefined;
  let end = HEADER.length;
  let writer = await openSegmentWriter(path, end, {
    dsync: true,
    window,
    zeroAhead: false,
    logger: captureLogger(),
  });
  const kinds = new Set<boolean>([writer.direct]);
  let fileEnd = end;
  // The caller reuses its buffer once a write settles: scribble over each piece after its write.
  const reused = Buffer.alloc(3_000_000);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    // Every other piece is built where the writer asks (staging), as the txn log does.
    const staged = i % 2 === 0 ? writer.staging(part.length) : undefined;
    if (writer.direct && part.length <= 1024 * 1024 - DIRECT_ALIGN_BYTES)
      expect(writer.staging(part.length)).toBeDefined();
    if (!writer.direct || part.length > 1024 * 1024) expect(writer.staging(part.length)).toBeUndefined();
    const source = staged ?? reused.subarray(0, part.length);
    part.copy(source);
    const writtenTo = await writer.write(source, end);
    reused.fill(0xee);
    end += part.length;
    if (writer.direct) expect(writtenTo % DIRECT_ALIGN_BYTES).toBe(0);
    expect(writtenTo).toBeGreaterThanOrEqual(end);
    fileEnd = Math.max(fileEnd, writtenTo);
    if ((i + 1) % reopenEvery === 0) {
      await writer.close();
      writer = await openSegmentWriter(path, end, {
        dsync: true,
        window,
        zeroAhead: false,
        logger: captureLogger(),
      });
      kinds.add(writer.direct);
    }
  }
  await writer.close();
  return { end, fileEnd, kinds };
}

describe("segment writers", () => {
  for (const direct of [true, false]) {
    it(`a segment holds the header and every piece, zeros after (direct asked: ${direct})`, async () => {
      const path = join(dir, "log.1");
      const parts = pieces(21);
      const { end, fileEnd, kinds } = await writeSegment(path, parts, direct, 7);
      const takesDirect = direct && (await fileSystemTakesDirect(dir));
      expect([...kinds]).toEqual([takesDirect]);
      const bytes = await readFile(path);
      const expected = Buffer.concat([HEADER, ...parts]);
      expect(end).toBe(expected.length);
      expect(bytes.length).toBe(fileEnd);
      expect(bytes.subarray(0, end).equals(expected)).toBe(true);
      expect(bytes.subarray(end).every((b) => b === 0)).toBe(true);
      if (takesDirect) expect(bytes.length).toBe(Math.ceil(end / DIRECT_ALIGN_BYTES) * DIRECT_ALIGN_BYTES);
      else expect(bytes.length).toBe(end);
    });
  }

  it("a direct write must start where the records end", async () => {
    if (!(await fileSystemTakesDirect(dir))) {
      // Where O_DIRECT is refused there is no direct writer to check; CI's /tmp takes it.
      expect(process.env.CI).not.toBe("true");
      return;
    }
    const path = join(dir, "log.1");
    await writeFile(path, HEADER);
    const window = await new DirectWindowSource(dir).get();
    const writer = await openSegmentWriter(path, HEADER.length, {
      dsync: true,
      window,
      zeroAhead: false,
      logger: captureLogger(),
    });
    try {
      expect(writer.direct).toBe(true);
      await expect(writer.write(Buffer.from("x"), HEADER.length + 1)).rejects.toThrow(/records end at 14/);
    } finally {
      await writer.close();
    }
  });

  it("the alignment probe leaves no file behind", async () => {
    await new DirectWindowSource(dir).get();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("TxnLog around the page cache", () => {
  /** Appends in batches of varied sizes, rolls and truncates, reopens, and returns what it reads. */
  async function exercise(subdir: string, directWrites: boolean) {
    const logDir = join(dir, subdir);
    const next = rng(5);
    const open = () =>
      TxnLog.open(logDir, {
        preAllocSizeBytes: 64 * 1024,
        forceSync: true,
        directWrites,
        logger: captureLogger(),
      });
    let log = await open();
    let z = 0;
    const appendBatch = async (count: number) => {
      const records = [];
      for (let i = 0; i < count; i++) {
        z++;
        records.push({ zxid: zxid(1, z), payload: payloadFor(z, randomInt(next, 1, 3000)) });
      }
      await log.appendAll(records);
    };
    for (let i = 0; i < 30; i++) await appendBatch(randomInt(next, 1, 40));
    const writesDirect = log.writesDirect;
    await log.roll();
    for (let i = 0; i < 10; i++) await appendBatch(randomInt(next, 1, 40));
    await log.truncateAfter(zxid(1, z - 25));
    z -= 25;
    for (let i = 0; i < 10; i++) await appendBatch(randomInt(next, 1, 40));
    await log.close();
    log = await open();
    for (let i = 0; i < 5; i++) await appendBatch(randomInt(next, 1, 40));
    const records = [];
    for await (const r of log.readFrom(0)) records.push(r);
    await log.close();
    return { writesDirect, records, lastZ: z };
  }

  it("reads back the same records as a log written through the cache", async () => {
    const direct = await exercise("direct", true);
    const cached = await exercise("cached", false);
    expect(direct.writesDirect).toBe(await fileSystemTakesDirect(dir));
    expect(cached.writesDirect).toBe(false);
    expect(direct.records.length).toBe(direct.lastZ);
    expect(direct.records.map((r) => r.zxid)).toEqual(cached.records.map((r) => r.zxid));
    for (let i = 0; i < direct.records.length; i++) {
      const r = direct.records[i]!;
      expect(r.payload.equals(cached.records[i]!.payload)).toBe(true);
      expect(r.payload.equals(payloadFor(r.zxid - zxid(1, 0), r.payload.length))).toBe(true);
    }
  });

  it("without forceSync nothing goes around the cache: a direct write would be neither cached nor durable", async () => {
    const log = await TxnLog.open(dir, { preAllocSizeBytes: 0, forceSync: false, logger: captureLogger() });
    await log.append(zxid(1, 1), Buffer.from("a"));
    expect(log.writesDirect).toBe(false);
    await log.close();
  });
});
