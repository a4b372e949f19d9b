// Adler-32 (RFC 1950), the checksum ZooKeeper puts on every txn log entry and over a snapshot's
// bytes (java.util.zip.Adler32). Written out because node:zlib does not expose it.

const MOD = 65521;
/** Bytes that can be summed before `b` may exceed 2^32 (zlib's NMAX). */
const NMAX = 5552;

/** Adler-32 of `data`, continuing from `value` (1 for a fresh checksum). Unsigned 32-bit. */
export function adler32(data: Uint8Array, value = 1): number {
  let a = value & 0xffff;
  let b = (value >>> 16) & 0xffff;
  let i = 0;
  while (i < data.length) {
    const end = Math.min(data.length, i + NMAX);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return ((b << 16) | a) >>> 0;
}
