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

// Node's per-encoding Buffer methods, which buf.write(s, at, n, encoding) and
// buf.toString(encoding, start, end) end in, for latin1 (values) and UTF-8 (paths). Called
// directly they skip the argument parsing and encoding lookup in front: in a profile of getData on
// a 3-server ensemble, that front was 0.62 of the 0.81 µs per read spent writing the value into
// the reply. Not in Node's documented API, so the documented calls stand in where they are
// missing.
interface NativeStringMethods {
  latin1Write?: (s: string, at: number, lengthBytes: number) => number;
  latin1Slice?: (start: number, end: number) => string;
  utf8Write?: (s: string, at: number, lengthBytes: number) => number;
  utf8Slice?: (start: number, end: number) => string;
}
const nodeBuffer = Buffer.prototype as unknown as NativeStringMethods;
const nativeLatin1Write = nodeBuffer.latin1Write;
const nativeLatin1Slice = nodeBuffer.latin1Slice;
const nativeUtf8Write = nodeBuffer.utf8Write;
const nativeUtf8Slice = nodeBuffer.utf8Slice;

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

/**
 * Writes a string's UTF-8 bytes at `at`, where the caller has made room for up to `maxBytes`
 * (3 per UTF-16 unit is always enough); returns the count. Every path of every txn, reply and
 * snapshot record goes through here: a 40-character path took 120 ns through
 * `buf.write(s, at, "utf8")` and 50 ns through this (docs/benchmarks.md, fourteenth round).
 */
export function putUtf8(buf: Buffer, s: string, at: number, maxBytes: number): number {
  return nativeUtf8Write !== undefined
    ? nativeUtf8Write.call(buf, s, at, maxBytes)
    : buf.write(s, at, maxBytes, "utf8");
}

/**
 * buf[start, end) decoded as UTF-8, bad sequences as U+FFFD. Every request's path, and every path
 * of a snapshot or txn log being loaded, comes through here: a 40-character path took 130 ns
 * through `buf.toString("utf8", start, end)` and 73 ns through this.
 */
export function utf8At(buf: Buffer, start: number, end: number): string {
  return nativeUtf8Slice !== undefined
    ? nativeUtf8Slice.call(buf, start, end)
    : buf.toString("utf8", start, end);
}
