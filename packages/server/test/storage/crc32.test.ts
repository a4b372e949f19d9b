import { describe, expect, it } from "vitest";
import {
  crc32,
  crc32Combine,
  crc32Fallback,
  crc32Latin1,
  crc32WithoutPrefix,
} from "../../src/storage/crc32.js";
import { randomBuffer, randomInt, rng } from "./helpers.js";

describe("crc32Combine", () => {
  it("equals the CRC computed over the concatenation, for any split (seeded)", () => {
    const next = rng(14);
    const lengths = [0, 1, 3, 4, 8, 255, 4096, 65_536, 524_288, 1_048_583];
    for (let round = 0; round < 40; round++) {
      const a = randomBuffer(next, lengths[randomInt(next, 0, lengths.length)]!);
      const b = randomBuffer(next, round < 20 ? randomInt(next, 0, 2000) : lengths[round % lengths.length]!);
      const whole = crc32Fallback(Buffer.concat([a, b]));
      expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(whole);
      expect(crc32WithoutPrefix(whole, crc32(a), b.length)).toBe(crc32(b));
    }
  });

  it("chains chunk by chunk to the CRC of all the data, as a snapshot trailer needs", () => {
    const next = rng(7);
    const chunks = Array.from({ length: 200 }, () => randomBuffer(next, randomInt(next, 1, 3000)));
    let combined = 0;
    for (const c of chunks) combined = crc32Combine(combined, crc32(c), c.length);
    expect(combined).toBe(crc32(Buffer.concat(chunks)));
  });

  it("treats a zero-length suffix as nothing and refuses a bad length", () => {
    expect(crc32Combine(0xcbf43926, 0, 0)).toBe(0xcbf43926);
    expect(() => crc32Combine(1, 2, -1)).toThrow(RangeError);
    expect(() => crc32Combine(1, 2, 1.5)).toThrow(RangeError);
  });
});

describe("crc32", () => {
  it("continues from the CRC so far over empty data, even data with no memory behind it", () => {
    const empty = Buffer.alloc(0);
    // Wrapping the empty ArrayBuffer again leaves both views with a null data pointer, which
    // zlib's crc32 takes as a request for its initial value (0).
    const rewrapped = Buffer.from(empty.buffer, 0, 0);
    for (const data of [empty, rewrapped, new Uint8Array(0)]) {
      expect(crc32(data, 0xcbf43926)).toBe(0xcbf43926);
      expect(crc32Fallback(data, 0xcbf43926)).toBe(0xcbf43926);
    }
  });
});

describe("crc32Latin1", () => {
  it("is the CRC of the string's bytes, one per char, also above 0x7f and past its scratch size", () => {
    const next = rng(21);
    for (const length of [0, 1, 100, 4096, 4097, 70_000, 10]) {
      const bytes = randomBuffer(next, length);
      const latin1 = bytes.toString("latin1");
      expect(crc32Latin1(latin1)).toBe(crc32Fallback(bytes));
      expect(crc32Latin1(latin1, 0x1234)).toBe(crc32Fallback(bytes, 0x1234));
    }
  });
});
