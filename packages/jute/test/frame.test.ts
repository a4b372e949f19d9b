import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_BUFFER_BYTES, FrameDecoder, FrameLengthError, JuteWriter } from "../src/index.js";
import { randomInt, seededRandom } from "./prng.js";

function frame(body: Buffer): Buffer {
  const w = new JuteWriter(4);
  const at = w.startFrame();
  w.buf = Buffer.concat([w.view(), body]);
  w.offset = w.buf.length;
  w.finishFrame(at);
  return w.toBuffer();
}

function collect(decoder: FrameDecoder, chunks: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const chunk of chunks) decoder.push(chunk, (body) => out.push(body));
  return out;
}

function splitRandomly(stream: Buffer, rand: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  while (at < stream.length) {
    // Mostly small pieces (1..8 bytes) so prefixes are split, sometimes large ones.
    const size = rand() < 0.8 ? randomInt(rand, 1, 8) : randomInt(rand, 1, 300);
    chunks.push(stream.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

describe("FrameDecoder", () => {
  it("writes the body length into the prefix", () => {
    expect(frame(Buffer.from("abc")).toString("hex")).toBe("00000003616263");
    expect(frame(Buffer.alloc(0)).toString("hex")).toBe("00000000");
  });

  it("yields the same frames for any chunking of the stream", () => {
    for (const seed of [1, 2, 3, 42, 20261121]) {
      const rand = seededRandom(seed);
      const bodies: Buffer[] = [];
      for (let i = 0; i < 60; i++) {
        const len = rand() < 0.1 ? 0 : randomInt(rand, 1, 400);
        bodies.push(Buffer.from(Array.from({ length: len }, () => randomInt(rand, 0, 255))));
      }
      const stream = Buffer.concat(bodies.map(frame));
      const decoder = new FrameDecoder(DEFAULT_MAX_BUFFER_BYTES);
      const got = collect(decoder, splitRandomly(stream, rand));
      expect(got, `seed ${seed}`).toEqual(bodies);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it("delivers frames one byte at a time", () => {
    const bodies = [Buffer.from("x"), Buffer.alloc(0), Buffer.from("hello")];
    const stream = Buffer.concat(bodies.map(frame));
    const chunks = [...stream].map((b) => Buffer.from([b]));
    expect(collect(new FrameDecoder(100), chunks)).toEqual(bodies);
  });

  it("keeps delivered bodies intact after later pushes", () => {
    const decoder = new FrameDecoder(100);
    const stream = Buffer.concat([frame(Buffer.from("first")), frame(Buffer.from("second")).subarray(0, 6)]);
    const got = collect(decoder, [stream]);
    collect(decoder, [frame(Buffer.from("second")).subarray(6)]);
    expect(got[0]?.toString()).toBe("first");
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("accepts a length equal to the limit and waits for the body", () => {
    const decoder = new FrameDecoder(DEFAULT_MAX_BUFFER_BYTES);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(0xfffff);
    expect(collect(decoder, [prefix])).toEqual([]);
    expect(decoder.bufferedBytes).toBe(4);
  });

  it.each([0x100000, 0x47455420, 0x7fffffff])("rejects the oversized length %i before buffering", (len) => {
    const decoder = new FrameDecoder(DEFAULT_MAX_BUFFER_BYTES);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(len);
    let err: unknown;
    try {
      decoder.push(prefix, () => {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FrameLengthError);
    expect((err as FrameLengthError).lengthBytes).toBe(len);
  });

  it.each([-1, -2, -0x80000000])("rejects the negative length %i", (len) => {
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(len);
    expect(() => new FrameDecoder(100).push(prefix, () => {})).toThrow(FrameLengthError);
  });

  it("rejects an oversized prefix that arrives split after valid frames", () => {
    const decoder = new FrameDecoder(10);
    const got: Buffer[] = [];
    decoder.push(Buffer.concat([frame(Buffer.from("ok")), Buffer.from([0x00, 0x00])]), (b) => got.push(b));
    expect(got.map(String)).toEqual(["ok"]);
    expect(() => decoder.push(Buffer.from([0x00, 0x0b]), () => {})).toThrow(FrameLengthError);
  });

  it("holds a truncated body without emitting it", () => {
    const decoder = new FrameDecoder(100);
    const whole = frame(Buffer.from("truncated"));
    expect(collect(decoder, [whole.subarray(0, whole.length - 1)])).toEqual([]);
    expect(decoder.bufferedBytes).toBe(whole.length - 1);
  });
});
