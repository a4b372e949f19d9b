import { crc32, crc32WithoutPrefix } from "./crc32.js";
import { assertStorage } from "./errors.js";

/*
 * Byte layouts of the files the engine writes. docs/storage-format.md is the prose version;
 * keep the two in step. All integers are big-endian.
 */

const TWO_POW_32 = 0x1_0000_0000;
/** zxid = epoch * 2^32 + counter stays an exact JS number while epoch < 2^21. */
export const MAX_EPOCH_FOR_NUMBER = 2 ** 21;

export function assertZxid(zxid: number, what: string): void {
  if (!Number.isSafeInteger(zxid) || zxid < 0) {
    throw new RangeError(`${what}: zxid must be a non-negative safe integer, got ${zxid}`);
  }
}

export function writeU64(buf: Buffer, offset: number, value: number): void {
  buf.writeUInt32BE(Math.floor(value / TWO_POW_32), offset);
  buf.writeUInt32BE((value % TWO_POW_32) >>> 0, offset + 4);
}

/** Returns undefined when the value does not fit in a safe integer (only damaged data does that). */
export function readU64(buf: Buffer, offset: number): number | undefined {
  const hi = buf.readUInt32BE(offset);
  if (hi >= MAX_EPOCH_FOR_NUMBER) return undefined;
  return hi * TWO_POW_32 + buf.readUInt32BE(offset + 4);
}

export function zxidHex(zxid: number): string {
  return `0x${zxid.toString(16)}`;
}

// ---------------------------------------------------------------------------------------------
// File names: `log.<hex first zxid>` and `snapshot.<hex last zxid>`, lowercase, unpadded.

export const LOG_PREFIX = "log.";
export const SNAPSHOT_PREFIX = "snapshot.";
export const TMP_SUFFIX = ".tmp";

export function fileNameFor(prefix: string, zxid: number): string {
  return `${prefix}${zxid.toString(16)}`;
}

/** The zxid encoded in a file name, or undefined for names that are not ours. */
export function zxidFromFileName(prefix: string, name: string): number | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const hex = name.slice(prefix.length);
  if (!/^[0-9a-f]{1,16}$/.test(hex)) return undefined;
  const value = Number.parseInt(hex, 16);
  return Number.isSafeInteger(value) ? value : undefined;
}

// ---------------------------------------------------------------------------------------------
// Txn log segment.
//
// header (32 bytes):
//   0  magic "PDKL"      4  u16 version (1)   6  u16 header length (32)
//   8  u64 first zxid   16  u64 prev zxid (last zxid of the segment before, 0 if none)
//  24  u32 reserved (0) 28  u32 CRC32 of bytes 0..27
// record (16 + n bytes):
//   0  u32 payload length n   4  u32 CRC32 of (bytes 0..3, bytes 8..15, payload)
//   8  u64 zxid              16  payload

export const LOG_MAGIC = 0x50444b4c; // "PDKL"
export const LOG_VERSION = 1;
export const LOG_HEADER_BYTES = 32;
export const RECORD_HEADER_BYTES = 16;
/** Far above jute.maxbuffer; a length beyond it can only come from damage. */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

export interface SegmentHeader {
  firstZxid: number;
  prevZxid: number;
}

export function encodeSegmentHeader(h: SegmentHeader): Buffer {
  const buf = Buffer.alloc(LOG_HEADER_BYTES);
  buf.writeUInt32BE(LOG_MAGIC, 0);
  buf.writeUInt16BE(LOG_VERSION, 4);
  buf.writeUInt16BE(LOG_HEADER_BYTES, 6);
  writeU64(buf, 8, h.firstZxid);
  writeU64(buf, 16, h.prevZxid);
  buf.writeUInt32BE(crc32(buf.subarray(0, 28)), 28);
  return buf;
}

/** Returns the header, or a reason why these bytes are not a valid one. */
export function decodeSegmentHeader(buf: Buffer): SegmentHeader | string {
  if (buf.length < LOG_HEADER_BYTES) return `short header (${buf.length} bytes)`;
  if (buf.readUInt32BE(0) !== LOG_MAGIC) return "bad magic";
  if (buf.readUInt32BE(28) !== crc32(buf.subarray(0, 28))) return "header CRC mismatch";
  const version = buf.readUInt16BE(4);
  if (version !== LOG_VERSION) return `unsupported version ${version}`;
  if (buf.readUInt16BE(6) !== LOG_HEADER_BYTES) return "unexpected header length";
  const firstZxid = readU64(buf, 8);
  const prevZxid = readU64(buf, 16);
  if (firstZxid === undefined || prevZxid === undefined) return "zxid out of range";
  return { firstZxid, prevZxid };
}

export function recordCrc(header: Buffer, payload: Uint8Array): number {
  let crc = crc32(header.subarray(0, 4));
  crc = crc32(header.subarray(8, 16), crc);
  return crc32(payload, crc);
}

export function encodeRecord(zxid: number, payload: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  encodeRecordInto(buf, 0, zxid, payload);
  return buf;
}

/** Writes the record at `at` of `buf` (a group commit's buffer); returns its length in bytes. */
export function encodeRecordInto(buf: Buffer, at: number, zxid: number, payload: Uint8Array): number {
  const record = buf.subarray(at, at + RECORD_HEADER_BYTES + payload.length);
  record.writeUInt32BE(payload.length, 0);
  writeU64(record, 8, zxid);
  record.set(payload, RECORD_HEADER_BYTES);
  record.writeUInt32BE(recordCrc(record, payload), 4);
  return record.length;
}

export interface RecordHeader {
  length: number;
  crc: number;
  zxid: number;
}

/** Parses 16 header bytes; a reason string when they cannot start a record. */
export function decodeRecordHeader(buf: Buffer): RecordHeader | string {
  assertStorage(buf.length >= RECORD_HEADER_BYTES, "record header slice too short");
  const length = buf.readUInt32BE(0);
  const crc = buf.readUInt32BE(4);
  const zxid = readU64(buf, 8);
  if (length === 0 && crc === 0 && zxid === 0) return "zero-filled record header";
  if (zxid === undefined) return "zxid out of range";
  if (zxid === 0) return "zxid 0 in a record";
  if (length > MAX_PAYLOAD_BYTES) return `length ${length} exceeds the maximum`;
  return { length, crc, zxid };
}

// ---------------------------------------------------------------------------------------------
// Snapshot.
//
// header (32 bytes):
//   0  magic "PDKS"   4  u16 version (1)   6  u16 header length (32)   8  u64 zxid
//  16  u64 reserved (0)   24  u32 reserved (0)   28  u32 CRC32 of bytes 0..27
// chunk frame (8 + n bytes, 1 <= n < 0xffffffff):
//   0  u32 n   4  u32 CRC32 of (bytes 0..3, data)   8  data
// trailer (32 bytes), exactly at the end of the file:
//   0  u32 0xffffffff (cannot be a chunk length, so it marks the trailer)
//   4  u32 CRC32 of all chunk data concatenated   8  u64 chunk count   16  u64 total data bytes
//  24  u32 reserved (0)   28  u32 CRC32 of trailer bytes 0..27

export const SNAP_MAGIC = 0x50444b53; // "PDKS"
export const SNAP_VERSION = 1;
export const SNAP_HEADER_BYTES = 32;
export const CHUNK_HEADER_BYTES = 8;
export const SNAP_TRAILER_BYTES = 32;
export const TRAILER_MARKER = 0xffffffff;
export const MAX_CHUNK_BYTES = 0xfffffffe;

export function encodeSnapshotHeader(zxid: number): Buffer {
  const buf = Buffer.alloc(SNAP_HEADER_BYTES);
  buf.writeUInt32BE(SNAP_MAGIC, 0);
  buf.writeUInt16BE(SNAP_VERSION, 4);
  buf.writeUInt16BE(SNAP_HEADER_BYTES, 6);
  writeU64(buf, 8, zxid);
  buf.writeUInt32BE(crc32(buf.subarray(0, 28)), 28);
  return buf;
}

export function decodeSnapshotHeader(buf: Buffer): { zxid: number } | string {
  if (buf.length < SNAP_HEADER_BYTES) return `short header (${buf.length} bytes)`;
  if (buf.readUInt32BE(0) !== SNAP_MAGIC) return "bad magic";
  if (buf.readUInt32BE(28) !== crc32(buf.subarray(0, 28))) return "header CRC mismatch";
  const version = buf.readUInt16BE(4);
  if (version !== SNAP_VERSION) return `unsupported version ${version}`;
  if (buf.readUInt16BE(6) !== SNAP_HEADER_BYTES) return "unexpected header length";
  const zxid = readU64(buf, 8);
  if (zxid === undefined) return "zxid out of range";
  return { zxid };
}

/**
 * Writes the frame header of chunk `data` at `at` of `buf` and returns the CRC-32 of `data`
 * alone (what the trailer's running CRC needs), derived from the frame CRC so each data byte is
 * checksummed once.
 */
export function writeChunkHeader(buf: Buffer, at: number, data: Uint8Array): number {
  buf.writeUInt32BE(data.length, at);
  const lengthCrc = crc32(buf.subarray(at, at + 4));
  const frameCrc = crc32(data, lengthCrc);
  buf.writeUInt32BE(frameCrc, at + 4);
  return crc32WithoutPrefix(frameCrc, lengthCrc, data.length);
}

/**
 * The CRC-32 of `data` alone when it matches the frame CRC in `header`, else undefined; one pass
 * over the data, as writeChunkHeader.
 */
export function checkChunk(header: Buffer, data: Uint8Array): number | undefined {
  const lengthCrc = crc32(header.subarray(0, 4));
  const frameCrc = crc32(data, lengthCrc);
  if (frameCrc !== header.readUInt32BE(4)) return undefined;
  return crc32WithoutPrefix(frameCrc, lengthCrc, data.length);
}

export interface SnapshotTrailer {
  dataCrc: number;
  chunkCount: number;
  dataBytes: number;
}

export function encodeSnapshotTrailer(t: SnapshotTrailer): Buffer {
  const buf = Buffer.alloc(SNAP_TRAILER_BYTES);
  buf.writeUInt32BE(TRAILER_MARKER, 0);
  buf.writeUInt32BE(t.dataCrc, 4);
  writeU64(buf, 8, t.chunkCount);
  writeU64(buf, 16, t.dataBytes);
  buf.writeUInt32BE(crc32(buf.subarray(0, 28)), 28);
  return buf;
}

export function decodeSnapshotTrailer(buf: Buffer): SnapshotTrailer | string {
  assertStorage(buf.length >= SNAP_TRAILER_BYTES, "trailer slice too short");
  if (buf.readUInt32BE(0) !== TRAILER_MARKER) return "not a trailer";
  if (buf.readUInt32BE(28) !== crc32(buf.subarray(0, 28))) return "trailer CRC mismatch";
  const chunkCount = readU64(buf, 8);
  const dataBytes = readU64(buf, 16);
  if (chunkCount === undefined || dataBytes === undefined) return "trailer count out of range";
  return { dataCrc: buf.readUInt32BE(4), chunkCount, dataBytes };
}
