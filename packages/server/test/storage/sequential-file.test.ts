// A SequentialFile holds exactly the bytes appended to it, in order, whether it writes around the
// page cache (O_DIRECT: whole aligned blocks, the last one padded and cut back) or through it.
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIRECT_ALIGN_BYTES } from "../../src/storage/direct-io.js";
import { createSequentialFile } from "../../src/storage/sequential-file.js";
import { fileSystemTakesDirect, randomBuffer, randomInt, rng, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("sequential-file"));
});
afterEach(async () => {
  await cleanup();
});

/** Appends pieces of the sizes that matter: tiny, odd, a block, around the 1 MiB buffer, larger. */
async function writePieces(path: string, direct: boolean, seed: number) {
  const next = rng(seed);
  const sizes = [0, 1, 7, DIRECT_ALIGN_BYTES, 200_000, 1024 * 1024, 1024 * 1024 - 3, 2_500_001];
  for (let i = 0; i < 40; i++) sizes.push(randomInt(next, 1, 300_000));
  const pieces = sizes.map((n) => randomBuffer(next, n));
  const file = await createSequentialFile(path, { direct });
  // The caller reuses its buffer once an append settles: scribble over each piece after its append.
  const reused = Buffer.alloc(3_000_000);
  for (const piece of pieces) {
    piece.copy(reused);
    await file.append(reused.subarray(0, piece.length));
    reused.fill(0xee);
  }
  const size = await file.finish();
  await file.fh.close();
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

  it("an empty file and one shorter than a block come out at their length", async () => {
    for (const [name, bytes] of [
      ["empty", Buffer.alloc(0)],
      ["short", Buffer.from("short")],
    ] as const) {
      const path = join(dir, name);
      const file = await createSequentialFile(path, { direct: true });
      await file.append(bytes);
      expect(await file.finish()).toBe(bytes.length);
      await file.fh.close();
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
