/**
 * What a jute `buffer` field holds when written: bytes, or a string of one byte per char (latin1,
 * every char below 256). A server keeps znode values as such strings: V8 stores a one-byte string
 * inline in its heap behind a 16-byte header, while a Buffer of its own costs a typed array, an
 * ArrayBuffer, a backing-store record and a malloc'd block, and microseconds to allocate and later
 * free (docs/benchmarks.md, sixth round of issue 14: RSS after a GC fell by about 325 bytes per
 * znode of a 1M tree when values became strings).
 */
export type Bytes = Uint8Array | string;

/** `b` as a latin1 string: a string as it is, bytes copied in; an absent value stays null. */
export function asLatin1(b: Bytes): string;
export function asLatin1(b: Bytes | null): string | null;
export function asLatin1(b: Bytes | null): string | null {
  if (b === null || typeof b === "string") return b;
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
}

// Node's per-encoding Buffer methods, which buf.write(s, at, n, "latin1") and
// buf.toString("latin1", start, end) end in. Called directly they skip the argument parsing and
// encoding lookup in front: in a profile of getData on a 3-server ensemble, that front was 0.62 of
// the 0.81 µs per read spent writing the value into the reply. Not in Node's documented API, so
// the documented calls stand in where they are missing.
interface Latin1Methods {
  latin1Write?: (s: string, at: number, lengthBytes: number) => number;
  latin1Slice?: (start: number, end: number) => string;
}
const nodeBuffer = Buffer.prototype as unknown as Latin1Methods;
const nativeLatin1Write = nodeBuffer.latin1Write;
const nativeLatin1Slice = nodeBuffer.latin1Slice;

/** Writes a latin1 string's bytes at `at` (which the caller has made room for); returns the count. */
export function putLatin1(buf: Buffer, s: string, at: number): number {
  return nativeLatin1Write !== undefined
    ? nativeLatin1Write.call(buf, s, at, s.length)
    : buf.write(s, at, s.length, "latin1");
}

/** buf[start, end) as a latin1 string, one char per byte. */
export function latin1At(buf: Buffer, start: number, end: number): string {
  return nativeLatin1Slice !== undefined
    ? nativeLatin1Slice.call(buf, start, end)
    : buf.toString("latin1", start, end);
}
