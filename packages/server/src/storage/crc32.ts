import * as zlib from "node:zlib";
import { putLatin1 } from "@paddock/jute";

// zlib.crc32 exists from Node 20.15; older 20.x lines get the table version (same polynomial,
// IEEE 802.3, so files are interchangeable).
const native = (zlib as { crc32?: (data: Uint8Array | string, value?: number) => number }).crc32;

let table: Uint32Array | undefined;

function tableCrc32(data: Uint8Array, value = 0): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) {
    crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** CRC-32 (IEEE), continuing from `value` so a checksum can be built over several pieces. */
export function crc32(data: Uint8Array, value = 0): number {
  // zlib takes a null data pointer as a request for the initial CRC and returns 0, whatever
  // `value` is, and an empty Buffer can have one (once its ArrayBuffer has been wrapped again,
  // V8 may give it no memory at all): nothing to add is answered here.
  if (data.byteLength === 0) return value >>> 0;
  return native !== undefined ? native(data, value) : tableCrc32(data, value);
}

/** CRC-32 of a string's UTF-8 bytes; natively without encoding it into a Buffer first. */
export function crc32Utf8(text: string, value = 0): number {
  return native !== undefined ? native(text, value) : tableCrc32(Buffer.from(text, "utf8"), value);
}

/** Scratch for crc32Latin1, grown to the largest value seen (values are at most jute.maxbuffer). */
let latin1Scratch = Buffer.allocUnsafeSlow(4096);

/**
 * CRC-32 of a latin1 string's bytes, one per char (a znode value, see ZValue). zlib's own string
 * form would hash UTF-8, which differs for chars from 0x80 up, so the bytes go through a scratch
 * buffer.
 */
export function crc32Latin1(bytes: string, value = 0): number {
  if (bytes.length > latin1Scratch.length) latin1Scratch = Buffer.allocUnsafeSlow(bytes.length);
  const n = putLatin1(latin1Scratch, bytes, 0);
  return crc32(latin1Scratch.subarray(0, n), value);
}

/** Exposed for a test that pins the fallback to the native implementation. */
export const crc32Fallback = tableCrc32;

// ---------------------------------------------------------------------------------------------
// Combining CRCs without the data (zlib's crc32_combine idea, written from the maths): a CRC is
// linear over GF(2), so crc(A ++ B) = crc(A) * x^(8 |B|) mod P  xor  crc(B). Polynomials are
// held bit-reflected, as the CRC itself is: bit 31 is x^0, bit 0 is x^31.

const REFLECTED_POLY = 0xedb88320;
const X_POW_0 = 0x80000000;

/** a * b mod P, both bit-reflected. */
function multModP(a: number, b: number): number {
  let product = 0;
  // `a` as an int32 whose sign bit is the coefficient looked at (x^0 first): small integers
  // stay unboxed in V8, unlike a 0x80000000 mask.
  for (let rest = a | 0; rest !== 0; rest <<= 1) {
    if (rest < 0) product ^= b;
    b = b & 1 ? (b >>> 1) ^ REFLECTED_POLY : b >>> 1;
  }
  return product >>> 0;
}

/** X_POW_TWO_POW[k] = x^(2^k) mod P; 64 entries cover any safe-integer bit count. */
const X_POW_TWO_POW: number[] = [X_POW_0 >>> 1];
for (let k = 1; k < 64; k++) X_POW_TWO_POW.push(multModP(X_POW_TWO_POW[k - 1]!, X_POW_TWO_POW[k - 1]!));

/** x^(8 * lengthBytes) mod P: shifting a CRC over that many bytes. O(log lengthBytes). */
function xPowBytes(lengthBytes: number): number {
  let result = X_POW_0;
  let k = 3; // 8 bits per byte: start at x^(2^3)
  for (let n = lengthBytes; n > 0; n = Math.floor(n / 2), k++) {
    if (n % 2 === 1) result = multModP(X_POW_TWO_POW[k]!, result);
  }
  return result;
}

/** CRC-32 of A ++ B from crc(A), crc(B) and B's length, without reading either. */
export function crc32Combine(crcA: number, crcB: number, lengthBBytes: number): number {
  if (!Number.isSafeInteger(lengthBBytes) || lengthBBytes < 0)
    throw new RangeError(`crc32Combine: length must be a non-negative integer, got ${lengthBBytes}`);
  return (multModP(xPowBytes(lengthBBytes), crcA) ^ crcB) >>> 0;
}

/** CRC-32 of B from crc(A ++ B), crc(A) and B's length: the inverse of crc32Combine in crcB. */
export function crc32WithoutPrefix(crcWhole: number, crcPrefix: number, lengthBBytes: number): number {
  return (crc32Combine(crcPrefix, 0, lengthBBytes) ^ crcWhole) >>> 0;
}
