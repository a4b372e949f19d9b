import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readEpochFile, writeEpochFileAtomic } from "../../src/storage/epoch-file.js";
import { StorageCorruptionError } from "../../src/storage/errors.js";
import { tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir("epoch"));
});
afterEach(async () => {
  await cleanup();
});

describe("epoch files", () => {
  it("reads undefined when missing and round-trips values", async () => {
    const path = join(dir, "acceptedEpoch");
    expect(readEpochFile(path)).toBeUndefined();
    for (const epoch of [0, 1, 7, 2 ** 21 - 1, 0xffffffff]) {
      await writeEpochFileAtomic(path, epoch);
      expect(readEpochFile(path)).toBe(epoch);
    }
    expect(await readdir(dir)).toEqual(["acceptedEpoch"]);
    expect(await readFile(path, "latin1")).toMatch(/^4294967295 [0-9a-f]{8}\n$/);
  });

  it("rejects bad values and damaged files", async () => {
    const path = join(dir, "currentEpoch");
    await expect(writeEpochFileAtomic(path, -1)).rejects.toThrow(RangeError);
    await expect(writeEpochFileAtomic(path, 1.5)).rejects.toThrow(RangeError);
    await expect(writeEpochFileAtomic(path, 2 ** 32)).rejects.toThrow(RangeError);
    await writeEpochFileAtomic(path, 12);
    const good = await readFile(path, "latin1");
    for (const bad of ["", "12", good.replace("12", "13"), good.trimEnd(), `${good}x`, "-1 00000000\n"]) {
      await writeFile(path, bad);
      expect(() => readEpochFile(path), JSON.stringify(bad)).toThrow(StorageCorruptionError);
    }
  });

  it("a reader never sees a partial file while writes replace it", async () => {
    const path = join(dir, "acceptedEpoch");
    await writeEpochFileAtomic(path, 1);
    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        const v = readEpochFile(path);
        expect(v).toBeGreaterThanOrEqual(1);
        reads++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let e = 2; e <= 25; e++) await writeEpochFileAtomic(path, e);
    reading = false;
    await reader;
    expect(reads).toBeGreaterThan(5);
    expect(readEpochFile(path)).toBe(25);
  });
});
