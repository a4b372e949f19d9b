// FileReader hands out views of its window: snapshot loading yields them as chunks without
// copying, which is only right if a later read never writes into a window already handed out.
import { open, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileReader } from "../../src/storage/fs-util.js";
import { payloadFor, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("file-reader"));
});
afterEach(async () => {
  await cleanup();
});

describe("FileReader", () => {
  it("keeps every slice it returned intact across later reads, in and out of its window", async () => {
    const path = join(dir, "data");
    const content = payloadFor(7, 300_000);
    await writeFile(path, content);
    const fh = await open(path, "r");
    try {
      const reader = new FileReader(fh, content.length, 4096);
      const taken: { offset: number; bytes: Buffer }[] = [];
      // Forward in pieces that straddle window edges, then back to the start (a new window).
      for (let offset = 0; offset < content.length; offset += 3000) {
        taken.push({ offset, bytes: await reader.read(offset, 2500) });
      }
      taken.push({ offset: 0, bytes: await reader.read(0, 5000) });
      taken.push({ offset: 10, bytes: reader.cached(10, 100)! });
      for (const { offset, bytes } of taken) {
        expect(bytes.equals(content.subarray(offset, offset + bytes.length))).toBe(true);
      }
      expect(taken.every(({ bytes }) => bytes.length > 0)).toBe(true);
    } finally {
      await fh.close();
    }
  });

  it("finds where the written data ends in a sparse 64 MiB tail, across its scan chunks", async () => {
    const path = join(dir, "segment");
    const sizeBytes = 64 * 1024 * 1024;
    await writeFile(path, payloadFor(3, 5000));
    await truncate(path, sizeBytes);
    const fh = await open(path, "r+");
    try {
      const reader = new FileReader(fh, sizeBytes);
      // Only zeros after the records: the end is where the scan starts.
      expect(await reader.nonZeroEnd(5000, sizeBytes)).toBe(5000);
      expect(await reader.nonZeroEnd(100, sizeBytes)).toBe(5000);
      // A stray byte on either side of a 16 MiB chunk edge, counted back from the end, and in
      // the file's last byte: the scan must see each.
      for (const at of [sizeBytes - 16 * 1024 * 1024 - 1, sizeBytes - 16 * 1024 * 1024, sizeBytes - 1]) {
        await fh.write(Buffer.from([0x5a]), 0, 1, at);
        expect(await reader.nonZeroEnd(5000, sizeBytes)).toBe(at + 1);
        await fh.write(Buffer.alloc(1), 0, 1, at);
      }
      // The window's slices stay as they were: the scan reads into a buffer of its own.
      const before = await reader.read(0, 100);
      const copy = Buffer.from(before);
      await reader.nonZeroEnd(0, sizeBytes);
      expect(before.equals(copy)).toBe(true);
    } finally {
      await fh.close();
    }
  });
});
