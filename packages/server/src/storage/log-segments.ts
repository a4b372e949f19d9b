// The txn log's view of one segment file as the log is opened: either every record scanned and
// checked (a torn tail cut off), or, for a segment wholly covered by a snapshot, only its
// header, its range taken from the next segment's header. Its records are then checked if and
// when something reads them (a fallback replay, a truncation).

import { open, stat } from "node:fs/promises";
import { StorageCorruptionError, StorageGapError } from "./errors.js";
import { decodeSegmentHeader, LOG_HEADER_BYTES, type SegmentHeader, zxidHex } from "./format.js";
import type { StorageLogger } from "./logger.js";
import { SegmentScanner } from "./segment.js";

export interface Segment {
  name: string;
  path: string;
  firstZxid: number;
  prevZxid: number;
  /** zxid of the last durable record (prevZxid while the segment has none). */
  lastZxid: number;
  /** Offset just past the last durable record (the file size while records are unchecked). */
  endOffset: number;
  /** Current file size: records plus zero-filled preallocation. */
  allocatedBytes: number;
  /**
   * false: opened from headers alone; lastZxid is what the next segment's header claims and
   * nothing has read the records yet.
   */
  recordsChecked: boolean;
}

/** A segment file's header; StorageCorruptionError when it is damaged or disagrees with the name. */
export async function readSegmentHeader(path: string, nameZxid: number): Promise<SegmentHeader> {
  const fh = await open(path, "r");
  let header: SegmentHeader | string;
  try {
    const buf = Buffer.alloc(LOG_HEADER_BYTES);
    const { bytesRead } = await fh.read(buf, 0, LOG_HEADER_BYTES, 0);
    header = decodeSegmentHeader(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
  if (typeof header === "string") throw new StorageCorruptionError(path, 0, `segment header: ${header}`);
  checkHeaderAgainstName(path, header, nameZxid);
  return header;
}

function checkHeaderAgainstName(path: string, header: SegmentHeader, nameZxid: number): void {
  if (header.firstZxid !== nameZxid) {
    throw new StorageCorruptionError(
      path,
      8,
      `header zxid ${zxidHex(header.firstZxid)} does not match the file name`,
    );
  }
  if (header.firstZxid <= header.prevZxid) {
    throw new StorageCorruptionError(path, 16, "header prev zxid is not below its first zxid");
  }
}

/**
 * A sealed segment from its header and `nextPrevZxid`, the next segment's claim of where this
 * one ends; the records are not read (ZooKeeper does not read the log before its snapshot).
 */
export async function segmentFromHeaders(
  path: string,
  name: string,
  nameZxid: number,
  nextPrevZxid: number,
): Promise<Segment> {
  const header = await readSegmentHeader(path, nameZxid);
  const { size } = await stat(path);
  if (size <= LOG_HEADER_BYTES || nextPrevZxid < header.firstZxid) {
    throw new StorageCorruptionError(path, LOG_HEADER_BYTES, "segment holds no records");
  }
  return {
    name,
    path,
    firstZxid: header.firstZxid,
    prevZxid: header.prevZxid,
    lastZxid: nextPrevZxid,
    endOffset: size,
    allocatedBytes: size,
    recordsChecked: false,
  };
}

/**
 * After a scanner has read `seg` up to its end: throws unless the records ran cleanly to where
 * the log believes the segment ends (its durable end, or for an unchecked segment the zxid the
 * next header claims, a zero-filled tail allowed).
 */
export function assertSegmentReadToEnd(seg: Segment, scanner: SegmentScanner, doing: string): void {
  const stop = scanner.stop;
  assertScanStopped(stop);
  if (stop.kind === "damaged") {
    throw new StorageCorruptionError(seg.path, stop.offset, `${stop.reason} (${doing})`);
  }
  if (seg.recordsChecked) {
    if (stop.offset !== seg.endOffset) {
      throw new StorageCorruptionError(seg.path, stop.offset, `records end early (${doing})`);
    }
    return;
  }
  const last = scanner.lastZxid ?? seg.prevZxid;
  if (last !== seg.lastZxid) {
    throw new StorageGapError(
      seg.path,
      `segment ${seg.name} ends at zxid ${zxidHex(last)}, but the next segment says it follows ${zxidHex(seg.lastZxid)} (${doing})`,
    );
  }
}

function assertScanStopped(
  stop: SegmentScanner["stop"],
): asserts stop is NonNullable<SegmentScanner["stop"]> {
  if (stop === undefined) throw new Error("storage invariant violated: segment scan did not finish");
}

/**
 * Reads and checks every record of a segment opened from headers; returns the offset just past
 * its last record. Throws as assertSegmentReadToEnd.
 */
export async function checkSegmentRecords(seg: Segment, doing: string): Promise<number> {
  const scanner = await SegmentScanner.open(seg.path, seg.endOffset);
  try {
    while ((await scanner.next(false)) !== undefined) {
      // Checking only.
    }
    assertSegmentReadToEnd(seg, scanner, doing);
    return scanner.stop!.offset;
  } finally {
    await scanner.close();
  }
}

export async function scanSegmentForOpen(
  path: string,
  name: string,
  nameZxid: number,
  isLast: boolean,
  forceSync: boolean,
  logger: StorageLogger,
): Promise<Segment> {
  const scanner = await SegmentScanner.open(path);
  try {
    const header = scanner.header;
    if (typeof header === "string") throw new StorageCorruptionError(path, 0, `segment header: ${header}`);
    checkHeaderAgainstName(path, header, nameZxid);
    while ((await scanner.next(false)) !== undefined) {
      // Validation only; the records are read again on replay.
    }
    const stop = scanner.stop!;
    let endOffset = stop.offset;
    if (stop.kind === "damaged") {
      if (!isLast || stop.definite) throw new StorageCorruptionError(path, stop.offset, stop.reason);
      const later = await scanner.findValidRecordAfter(stop.offset);
      if (later !== undefined) {
        throw new StorageCorruptionError(
          path,
          stop.offset,
          `${stop.reason}; a valid record follows at offset ${later}, so this is not a torn tail`,
        );
      }
      // The last write before a crash only partly reached the disk. It was never acknowledged.
      const fh = await open(path, "r+");
      try {
        await fh.truncate(stop.offset);
        if (forceSync) await fh.datasync();
      } finally {
        await fh.close();
      }
      logger.warn(
        {
          file: path,
          offset: stop.offset,
          damagedBytes: stop.writtenEnd - stop.offset,
          fileBytes: scanner.sizeBytes,
          reason: stop.reason,
        },
        "truncated torn tail of the txn log",
      );
      endOffset = stop.offset;
    }
    const allocatedBytes = stop.kind === "damaged" ? endOffset : scanner.sizeBytes;
    return {
      name,
      path,
      firstZxid: header.firstZxid,
      prevZxid: header.prevZxid,
      lastZxid: scanner.lastZxid ?? header.prevZxid,
      endOffset,
      allocatedBytes,
      recordsChecked: true,
    };
  } finally {
    await scanner.close();
  }
}
