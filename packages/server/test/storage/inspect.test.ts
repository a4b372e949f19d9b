import { readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeEpochFileAtomic } from "../../src/storage/epoch-file.js";
import { encodeSegmentHeader } from "../../src/storage/format.js";
import { main } from "../../src/storage/inspect.js";
import { SnapshotStore } from "../../src/storage/snapshots.js";
import { TxnLog } from "../../src/storage/txn-log.js";
import { captureLogger, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("inspect"));
});
afterEach(async () => {
  await cleanup();
});

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe("inspect", () => {
  it("prints every log record with zxid, length, CRC status and payload prefix", async () => {
    // Through the page cache, so the file is exactly the 1 KiB preallocation (a direct write
    // pads it to a whole block: segment-writer.test.ts).
    const log = await TxnLog.open(dir, {
      preAllocSizeBytes: 1024,
      forceSync: true,
      directWrites: false,
      logger: captureLogger(),
    });
    await log.append(0x100000001, Buffer.from("hello"));
    await log.append(0x100000002, Buffer.alloc(40, 0xab));
    await log.close();
    const file = join(dir, "log.100000001");
    const r = await run(["log", file, "--payload-bytes", "4"]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      `${file}: txn log segment, first zxid 0x100000001, prev zxid 0x0, 1024 bytes`,
      "offset=32 zxid=0x100000001 len=5 crc=ok payload=68656c6c...",
      "offset=53 zxid=0x100000002 len=40 crc=ok payload=abababab...",
      "end: 2 records, last at offset 109, 915 bytes of zero-filled preallocation",
    ]);

    const bytes = await readFile(file);
    bytes[44] = bytes[44]! ^ 1; // low half of the first record's zxid
    await writeFile(file, bytes);
    const bad = await run(["log", file]);
    expect(bad.code).toBe(1);
    expect(bad.out[1]).toBe("offset=32 DAMAGED: CRC mismatch");
    expect(bad.out[2]).toMatch(/corruption in the middle \(a valid record follows at offset 53\)/);
  });

  it("prints snapshot chunks and reports damage", async () => {
    const store = await SnapshotStore.open(dir);
    const name = await store.write(0x200000000, [Buffer.from("abc"), Buffer.from("defg")]);
    const file = join(dir, name);
    const r = await run(["snapshot", file]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      `${file}: snapshot named for zxid 0x200000000`,
      "chunk=0 len=3 crc=ok data=616263",
      "chunk=1 len=4 crc=ok data=64656667",
      "end: 2 chunks, 7 data bytes, trailer ok",
    ]);
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 5));
    const bad = await run(["snapshot", file]);
    expect(bad.code).toBe(1);
    expect(bad.out.at(-2)).toBe("offset=55 DAMAGED: snapshot trailer is truncated");
  });

  it("summarises a directory: segments with their chain, snapshots, epochs", async () => {
    const log = await TxnLog.open(dir, {
      preAllocSizeBytes: 0,
      forceSync: true,
      directWrites: false,
      logger: captureLogger(),
    });
    await log.append(1, Buffer.from("a"));
    await log.roll();
    await log.append(2, Buffer.from("b"));
    await log.roll();
    await log.append(3, Buffer.from("c"));
    await log.close();
    const store = await SnapshotStore.open(dir);
    await store.write(2, [Buffer.from("s")]);
    await writeEpochFileAtomic(join(dir, "currentEpoch"), 4);
    const r = await run(["dir", dir]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      "segment log.1: first 0x1 prev 0x0 49 bytes",
      "segment log.2: first 0x2 prev 0x1 49 bytes",
      "segment log.3: first 0x3 prev 0x2 49 bytes",
      "snapshot snapshot.2: zxid 0x2 73 bytes",
      "currentEpoch: 4",
      "3 segments, 1 snapshots (headers only; use 'inspect log' to check records)",
    ]);
    await unlink(join(dir, "log.2"));
    await writeFile(join(dir, "log.3"), Buffer.concat([encodeSegmentHeader({ firstZxid: 3, prevZxid: 0 })]));
    const bad = await run(["dir", dir]);
    expect(bad.code).toBe(1);
    expect(bad.out[1]).toBe("segment log.3: first 0x3 prev 0x0 32 bytes CHAIN BROKEN");
  });

  it("explains its usage and reports missing files", async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(["log"])).err[0]).toMatch(/^usage/);
    const missing = await run(["log", join(dir, "nope")]);
    expect(missing.code).toBe(2);
    expect(missing.err[0]).toMatch(/ENOENT/);
  });
});
