// A SequentialFile holds exactly the bytes appended to it, in order, whether it writes around the
// page cache (O_DIRECT: whole aligned blocks, the last one padded and cut back) or through it.
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIRECT_ALIGN_BYTES } from "../../src/storage/direct-io.js";
import { createSequentialFile } from "../../src/storage/sequential-file.js";
import { ZERO_AHEAD_BYTES } from "../../src/storage/zero-ahead.js";
import { captureLogger, fileSystemTakesDirect, randomBuffer, randomInt, rng, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("sequential-file"));
});
afterEach(async () => {
  await cleanup();
});

/** Appends pieces of the sizes that matter: tiny, odd, a block, around the 1 MiB buffer, larger. */
async function writePieces(path: string, direct: boolean, seed: number, zeroAhead = false) {
  const next = rng(seed);
  const sizes = [0, 1, 7, DIRECT_ALIGN_BYTES, 200_000, 1024 * 1024, 1024 * 1024 - 3, 2_500_001];
  for (let i = 0; i < 40; i++) sizes.push(randomInt(next, 1, 300_000));
  const pieces = sizes.map((n) => randomBuffer(next, n));
  const file = await createSequentialFile(path, {
    direct,
    zeroAheadLogger: zeroAhead ? captureLogger() : undefined,
  });
  // The caller reuses its buffer once an append settles: scribble over each piece after its append.
  const reused = Buffer.alloc(3_000_000);
  for (const piece of pieces) {
    piece.copy(reused);
    await file.append(reused.subarray(0, piece.length));
    reused.fill(0xee);
  }
  const size = await file.finish();
  await file.close();
  return { file, size, expected: Buffer.concat(pieces) };
}

describe("SequentialFile", () => {
  for (const direct of [true, false]) {
    it(`holds exactly the appended bytes (direct asked: ${direct})`, async () => {
      const path = join(dir, "out");
      const { file, size, expected } = await writePieces(path, direct, 11);
      expect(file.direct).toBe(direct && (await fileSystemTakesDirect(dir)));
      expect(size).toBe(expected.length);
      expect((await stat(path)).size).toBe(expected.length);
      expect((await readFile(path)).equals(expected)).toBe(true);
    });
  }

  it("with zeros ahead holds exactly the appended bytes, and keeps no block past them", async () => {
    const path = join(dir, "out");
    const { file, size, expected } = await writePieces(path, true, 12, true);
    expect(size).toBe(expected.length);
    expect((await readFile(path)).equals(expected)).toBe(true);
    const after = await stat(path);
    expect(after.size).toBe(expected.length);
    if (file.direct) expect(after.blocks * 512).toBeLessThan(expected.length + 64 * 1024);
  });

  it("with zeros ahead the file has real blocks past what is written, until finish cuts them", async () => {
    if (!(await fileSystemTakesDirect(dir))) {
      // CI's /tmp takes O_DIRECT: there a refusal is a broken machine, not a reason to skip.
      expect(process.env.CI).not.toBe("true");
      return;
    }
    const path = join(dir, "zeroed");
    const file = await createSequentialFile(path, { direct: true, zeroAheadLogger: captureLogger() });
    const piece = Buffer.alloc(1024 * 1024, 5);
    for (let i = 0; i < 6; i++) await file.append(piece);
    // The zeros are written in the background: wait until they show (each chunk is one fdatasync).
    let allocated = 0;
    for (let i = 0; i < 100 && allocated < 6 * 1024 * 1024 + ZERO_AHEAD_BYTES / 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      allocated = (await stat(path)).blocks * 512;
    }
    expect(allocated).toBeGreaterThanOrEqual(6 * 1024 * 1024 + ZERO_AHEAD_BYTES / 2);
    await file.append(Buffer.from("tail"));
    expect(await file.finish()).toBe(6 * 1024 * 1024 + 4);
    await file.close();
    const bytes = await readFile(path);
    expect(bytes.length).toBe(6 * 1024 * 1024 + 4);
    expect(bytes.subarray(0, 6 * 1024 * 1024).every((b) => b === 5)).toBe(true);
    expect(bytes.subarray(6 * 1024 * 1024).toString()).toBe("tail");
    expect((await stat(path)).blocks * 512).toBeLessThan(bytes.length + 64 * 1024);
  });

  it("an empty file and one shorter than a block come out at their length", async () => {
    for (const [name, bytes] of [
      ["empty", Buffer.alloc(0)],
      ["short", Buffer.from("short")],
    ] as const) {
      const path = join(dir, name);
      const file = await createSequentialFile(path, { direct: true });
      await file.append(bytes);
      expect(await file.finish()).toBe(bytes.length);
      await file.close();
      expect((await readFile(path)).equals(bytes)).toBe(true);
    }
  });

  it("refuses a path that exists, both ways, and leaves the file alone", async () => {
    const path = join(dir, "taken");
    await writeFile(path, "keep");
    for (const direct of [true, false]) {
      await expect(createSequentialFile(path, { direct })).rejects.toMatchObject({ code: "EEXIST" });
    }
    expect(await readFile(path, "utf8")).toBe("keep");
  });
});
