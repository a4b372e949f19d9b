// Reads ZooKeeper's txn log files (FileTxnLog): a FileHeader {int magic "ZKLG", int version 2,
// long dbid}, then entries {long adler32, int length, bytes[length], byte 'B'} up to a zero length
// (the preallocated tail) or the end of the file.

import { readFile } from "node:fs/promises";
import { ZK_LOG_MAGIC } from "../../storage/index.js";
import { adler32 } from "./adler32.js";
import { decodeZkTxnEntry, type ZkTxnEntry } from "./txn.js";

const FILE_HEADER_BYTES = 16;
const ENTRY_OVERHEAD_BYTES = 8 + 4 + 1;
const END_OF_RECORD = 0x42;

export interface ZkLogEntry extends ZkTxnEntry {
  file: string;
  offset: number;
}

/** How reading one log file ended. */
export type ZkLogEnd =
  | { kind: "end" }
  /** A partial last entry (a write cut short): ZooKeeper stops reading the file there too. */
  | { kind: "torn"; offset: number; reason: string };

/** Damage that ZooKeeper would refuse too: a CRC mismatch or an entry that does not decode. */
export class ZkLogCorruptionError extends Error {
  override name = "ZkLogCorruptionError";

  constructor(
    readonly file: string,
    readonly offset: number,
    reason: string,
  ) {
    super(`${file} at offset ${offset}: ${reason}`);
  }
}

/**
 * Every entry of one log file, in file order. A torn tail (the file ends inside an entry, or an
 * entry lacks its end marker) ends the file as it does for ZooKeeper; a checksum mismatch on a
 * whole entry or an undecodable entry throws ZkLogCorruptionError.
 */
export async function readZkLogFile(file: string): Promise<{ entries: ZkLogEntry[]; end: ZkLogEnd }> {
  const buf = await readFile(file);
  if (buf.length < FILE_HEADER_BYTES) {
    return { entries: [], end: { kind: "torn", offset: 0, reason: "shorter than the file header" } };
  }
  const magic = buf.readUInt32BE(0);
  if (magic !== ZK_LOG_MAGIC) {
    throw new ZkLogCorruptionError(file, 0, `not a ZooKeeper txn log (magic 0x${magic.toString(16)})`);
  }
  const version = buf.readInt32BE(4);
  if (version !== 2) throw new ZkLogCorruptionError(file, 4, `unsupported txn log version ${version}`);
  const entries: ZkLogEntry[] = [];
  let offset = FILE_HEADER_BYTES;
  for (;;) {
    if (offset + 12 > buf.length) {
      return { entries, end: offset === buf.length ? { kind: "end" } : torn(offset, "partial entry header") };
    }
    const crc = buf.readBigUInt64BE(offset);
    const length = buf.readInt32BE(offset + 8);
    // Preallocation: the first entry that reads as empty marks the end of what was written.
    if (length === 0) return { entries, end: { kind: "end" } };
    if (length < 0 || offset + ENTRY_OVERHEAD_BYTES + length > buf.length) {
      return { entries, end: torn(offset, `entry length ${length} runs past the end of the file`) };
    }
    const body = buf.subarray(offset + 12, offset + 12 + length);
    if (buf[offset + 12 + length] !== END_OF_RECORD) {
      return { entries, end: torn(offset, "entry without its end-of-record marker") };
    }
    if (BigInt(adler32(body)) !== crc) throw new ZkLogCorruptionError(file, offset, "CRC check failed");
    let entry: ZkTxnEntry;
    try {
      entry = decodeZkTxnEntry(body);
    } catch (err) {
      throw new ZkLogCorruptionError(file, offset, (err as Error).message);
    }
    entries.push({ ...entry, file, offset });
    offset += ENTRY_OVERHEAD_BYTES + length;
  }
}

function torn(offset: number, reason: string): ZkLogEnd {
  return { kind: "torn", offset, reason };
}

/** Whether `buf` starts like one of ZooKeeper's txn logs. */
export function isZkLog(buf: Buffer): boolean {
  return buf.length >= 4 && buf.readUInt32BE(0) === ZK_LOG_MAGIC;
}

/** Builds a txn log file's bytes (for tests: ZooKeeper writes the real ones). */
export function encodeZkLogFile(entries: readonly Buffer[], dbid = 0n): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(FILE_HEADER_BYTES);
  header.writeUInt32BE(ZK_LOG_MAGIC, 0);
  header.writeInt32BE(2, 4);
  header.writeBigInt64BE(dbid, 8);
  parts.push(header);
  for (const body of entries) {
    const head = Buffer.alloc(12);
    head.writeBigUInt64BE(BigInt(adler32(body)), 0);
    head.writeInt32BE(body.length, 8);
    parts.push(head, body, Buffer.from([END_OF_RECORD]));
  }
  return Buffer.concat(parts);
}
