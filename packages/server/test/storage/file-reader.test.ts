// FileReader hands out views of its window: snapshot loading yields them as chunks without
// copying, which is only right if a later read never writes into a window already handed out.
import { open, writeFile } from "node:fs/promises";
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
});
