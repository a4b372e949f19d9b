import * as zlib from "node:zlib";

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
  return native !== undefined ? native(data, value) : tableCrc32(data, value);
}

/** CRC-32 of a string's UTF-8 bytes; natively without encoding it into a Buffer first. */
export function crc32Utf8(text: string, value = 0): number {
  return native !== undefined ? native(text, value) : tableCrc32(Buffer.from(text, "utf8"), value);
}

/** Exposed for a test that pins the fallback to the native implementation. */
export const crc32Fallback = tableCrc32;
