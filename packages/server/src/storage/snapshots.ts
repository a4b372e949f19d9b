import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, readdir, rename, stat, unlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { crc32Combine } from "./crc32.js";
import { StorageCorruptionError } from "./errors.js";
import {
  assertZxid,
  CHUNK_HEADER_BYTES,
  checkChunk,
  decodeSnapshotHeader,
  decodeSnapshotTrailer,
  encodeSnapshotHeader,
  encodeSnapshotTrailer,
  fileNameFor,
  MAX_CHUNK_BYTES,
  SNAP_HEADER_BYTES,
  SNAP_TRAILER_BYTES,
  SNAPSHOT_PREFIX,
  TMP_SUFFIX,
  TRAILER_MARKER,
  writeChunkHeader,
  zxidFromFileName,
  zxidHex,
} from "./format.js";
import { FileReader, fsyncDir } from "./fs-util.js";
import type { StorageLogger } from "./logger.js";
import { stderrLogger } from "./logger.js";
import { purgeSegmentsOffline } from "./segment-purge.js";
import { createSequentialFile } from "./sequential-file.js";
import type { TxnLog } from "./txn-log.js";

export interface SnapshotInfo {
  name: string;
  path: string;
  /** The last zxid whose effects the snapshot contains. */
  zxid: number;
  sizeBytes: number;
}

export interface SnapshotSummary {
  zxid: number;
  chunkCount: number;
  dataBytes: number;
}

export interface PurgeResult {
  deletedSnapshots: string[];
  deletedSegments: string[];
}

export interface SnapshotStoreOptions {
  logger?: StorageLogger;
  /** Where the txn log lives, for purge without an open TxnLog. Default: the snapshot dir. */
  logDir?: string;
  /**
   * Write every snapshot file around the page cache (O_DIRECT) where the file system allows, at
   * full speed. Default: only when the txn log is on another file system. On a shared one, every
   * byte a direct write sends to the device is a byte the log's next flush waits for, and the
   * log's writes are what every client write waits for: there only a paced write goes around the
   * cache (`write`'s `maxBytesPerSecond`).
   */
  directWrites?: boolean;
  /**
   * A periodic snapshot (not durable, not paced) on the log's file system is written around the
   * page cache onto durable zeros laid down ahead of it through the cache (sequential-file.ts,
   * zero-ahead.ts). Default true.
   */
  zeroAhead?: boolean;
  /** Test seam: how a snapshot file is made durable (default: fsync). */
  syncFile?: (fh: FileHandle) => Promise<void>;
}

/** Autopurge never keeps fewer snapshots than this (a damaged newest one still has fallbacks). */
export const MIN_SNAP_RETAIN_COUNT = 3;

/** A durable snapshot is fsynced after each this many bytes, not only at the end. */
const DURABLE_SYNC_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * Snapshot files `snapshot.<hex zxid>` in one directory. The content is opaque chunks from the
 * state machine; each chunk is framed with its own CRC and the file ends with a trailer, so a
 * truncated or damaged file never loads.
 */
export class SnapshotStore {
  private readonly logger: StorageLogger;
  readonly logDir: string;
  private readonly syncFile: (fh: FileHandle) => Promise<void>;
  private readonly zeroAhead: boolean;

  private constructor(
    readonly dir: string,
    opts: SnapshotStoreOptions,
    /** Whether snapshot files are written around the page cache (see SnapshotStoreOptions). */
    readonly directWrites: boolean,
  ) {
    this.logger = opts.logger ?? stderrLogger;
    this.logDir = opts.logDir ?? dir;
    this.syncFile = opts.syncFile ?? ((fh) => fh.sync());
    this.zeroAhead = opts.zeroAhead ?? true;
  }

  /** Creates the directory if needed and removes temp files left by an interrupted write. */
  static async open(dir: string, opts: SnapshotStoreOptions = {}): Promise<SnapshotStore> {
    await mkdir(dir, { recursive: true });
    const directWrites = opts.directWrites ?? (await onOtherFileSystems(dir, opts.logDir ?? dir));
    const store = new SnapshotStore(dir, opts, directWrites);
    for (const name of await readdir(dir)) {
      if (name.startsWith(SNAPSHOT_PREFIX) && name.endsWith(TMP_SUFFIX)) {
        await unlink(join(dir, name));
        store.logger.info({ file: join(dir, name) }, "removed unfinished snapshot file");
      }
    }
    return store;
  }

  /**
   * Writes a snapshot holding everything up to `zxid` and returns its file name. Chunks are
   * written as they come, with an await between writes, so a large tree does not stall the
   * event loop. Only a complete file is renamed into place.
   *
   * `durable: false` skips the fsyncs, as ZooKeeper does for its periodic snapshots: for a
   * snapshot of txns the log still holds, flushing a tree's worth of bytes at once only delays
   * the log's own fsyncs behind it, and a snapshot lost to a power cut is damaged or missing at
   * recovery, which then falls back to an older one and the log. `purge` makes the snapshots it
   * keeps durable before it deletes anything they replace.
   *
   * `maxBytesPerSecond` (> 0) paces a snapshot that is not durable and shares the txn log's file
   * system: it is written around the page cache, no faster than that. A tree's worth of page cache
   * per snapshot costs more CPU than the copy into it, and its writeback later stalls the log; an
   * unpaced direct write into the new file's holes takes the disk from the log at once. A paced
   * one that is still being written when the next is due makes the Snapshotter skip that one, as
   * ZooKeeper's does. Unpaced, with `zeroAhead` (the default), such a snapshot goes around the
   * cache onto durable zeros written ahead of it through the cache: direct writes onto written
   * blocks cost the device little, and the zeros' pages are reused chunk after chunk.
   */
  async write(
    zxid: number,
    chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
    opts: { durable?: boolean; maxBytesPerSecond?: number } = {},
  ): Promise<string> {
    const durable = opts.durable ?? true;
    const maxBytesPerSecond = opts.maxBytesPerSecond ?? 0;
    const paced = !durable && !this.directWrites && maxBytesPerSecond > 0;
    // Only the periodic snapshots: a durable one (a learner's SNAP, purge's) keeps the path whose
    // stall on the leader was measured (docs/benchmarks.md, "SNAP to a learner").
    const zeroed = !durable && !this.directWrites && !paced && this.zeroAhead;
    assertZxid(zxid, "snapshot write");
    const name = fileNameFor(SNAPSHOT_PREFIX, zxid);
    const path = join(this.dir, name);
    const tmp = `${path}.${randomBytes(4).toString("hex")}${TMP_SUFFIX}`;
    const file = await createSequentialFile(tmp, {
      direct: this.directWrites || paced || zeroed,
      zeroAheadLogger: zeroed ? this.logger : undefined,
    });
    let ok = false;
    try {
      // Each append is awaited before the next chunk is pulled, so a producer may reuse its
      // buffer for the next chunk.
      let syncedBytes = 0;
      let written = 0;
      const startedMs = performance.now();
      const append = async (bytes: Uint8Array): Promise<void> => {
        await file.append(bytes);
        written += bytes.length;
        if (paced) {
          const aheadMs = (written / maxBytesPerSecond) * 1000 - (performance.now() - startedMs);
          if (aheadMs >= 1) await sleep(aheadMs);
        }
        // A durable snapshot is flushed as it goes: left to the end, a tree's worth of dirty pages
        // is written out in one journal commit, and every other fsync on the file system (the
        // txn logs of servers sharing the disk) waits behind it.
        if (durable && written - syncedBytes >= DURABLE_SYNC_EVERY_BYTES) {
          await this.syncFile(file.fh);
          syncedBytes = written;
        }
      };
      await append(encodeSnapshotHeader(zxid));
      const chunkHeader = Buffer.alloc(CHUNK_HEADER_BYTES);
      let dataCrc = 0;
      let chunkCount = 0;
      let dataBytes = 0;
      for await (const chunk of chunks) {
        // An empty chunk carries nothing, and a zero length is not a valid frame.
        if (chunk.length === 0) continue;
        if (chunk.length > MAX_CHUNK_BYTES)
          throw new RangeError(`snapshot chunk of ${chunk.length} bytes is too large`);
        const chunkDataCrc = writeChunkHeader(chunkHeader, 0, chunk);
        await append(chunkHeader);
        await append(chunk);
        dataCrc = crc32Combine(dataCrc, chunkDataCrc, chunk.length);
        chunkCount++;
        dataBytes += chunk.length;
      }
      await append(encodeSnapshotTrailer({ dataCrc, chunkCount, dataBytes }));
      await file.finish();
      if (durable) await this.syncFile(file.fh);
      ok = true;
    } finally {
      await file.close();
      if (!ok) await unlink(tmp).catch(() => {});
    }
    await rename(tmp, path);
    if (durable) await fsyncDir(this.dir);
    return name;
  }

  /** Snapshots in the directory, newest (highest zxid) first. Not checked for damage. */
  async list(): Promise<SnapshotInfo[]> {
    const out: SnapshotInfo[] = [];
    for (const name of await readdir(this.dir)) {
      const zxid = zxidFromFileName(SNAPSHOT_PREFIX, name);
      if (zxid === undefined) continue;
      const path = join(this.dir, name);
      let sizeBytes: number;
      try {
        sizeBytes = (await stat(path)).size;
      } catch (err) {
        // Purged between readdir and stat.
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw err;
      }
      out.push({ name, path, zxid, sizeBytes });
    }
    return out.sort((a, b) => b.zxid - a.zxid);
  }

  /**
   * Yields the chunks in the order they were written, each checked against its CRC before it is
   * yielded. The trailer is checked after the last chunk, so a consumer that must not see a
   * partial snapshot calls `verify` first.
   */
  async *load(name: string): AsyncGenerator<Buffer> {
    const path = this.pathOf(name);
    yield* readSnapshotFile(path, zxidFromFileName(SNAPSHOT_PREFIX, name)!);
  }

  /** Reads the whole snapshot and checks every CRC and the trailer; throws StorageCorruptionError. */
  async verify(name: string): Promise<SnapshotSummary> {
    const path = this.pathOf(name);
    const summary: SnapshotSummary = {
      zxid: zxidFromFileName(SNAPSHOT_PREFIX, name)!,
      chunkCount: 0,
      dataBytes: 0,
    };
    for await (const chunk of readSnapshotFile(path, summary.zxid)) {
      summary.chunkCount++;
      summary.dataBytes += chunk.length;
    }
    return summary;
  }

  /**
   * Keeps the newest `retainCount` snapshots (at least MIN_SNAP_RETAIN_COUNT) and deletes older
   * ones, then deletes log segments that only hold txns at or below the oldest kept snapshot.
   * Pass the open TxnLog when there is one, so its view of the segments stays right.
   */
  async purge(retainCount: number, log?: TxnLog): Promise<PurgeResult> {
    if (!Number.isInteger(retainCount))
      throw new RangeError(`retainCount must be an integer, got ${retainCount}`);
    if (retainCount < MIN_SNAP_RETAIN_COUNT) {
      this.logger.warn(
        { retainCount, used: MIN_SNAP_RETAIN_COUNT },
        "snapRetainCount below the minimum; using the minimum",
      );
      retainCount = MIN_SNAP_RETAIN_COUNT;
    }
    const snaps = await this.list();
    const result: PurgeResult = { deletedSnapshots: [], deletedSegments: [] };
    // With fewer snapshots than the retain count, the log is what a fallback would replay: keep it.
    if (snaps.length < retainCount) return result;
    const oldestKept = snaps[retainCount - 1]!;
    // Periodic snapshots are written without fsync: what is kept must be on disk before what it
    // replaces is gone.
    for (const kept of snaps.slice(0, retainCount)) {
      const fh = await open(kept.path, "r");
      try {
        await this.syncFile(fh);
      } finally {
        await fh.close();
      }
    }
    await fsyncDir(this.dir);
    for (const old of snaps.slice(retainCount)) {
      await unlink(old.path);
      result.deletedSnapshots.push(old.name);
    }
    if (result.deletedSnapshots.length > 0) await fsyncDir(this.dir);
    result.deletedSegments =
      log !== undefined
        ? await log.dropSegmentsThrough(oldestKept.zxid)
        : await purgeSegmentsOffline(this.logDir, oldestKept.zxid);
    if (result.deletedSnapshots.length + result.deletedSegments.length > 0) {
      this.logger.info(
        { dir: this.dir, keptFrom: zxidHex(oldestKept.zxid), ...result },
        "purged old snapshots and txn log segments",
      );
    }
    return result;
  }

  private pathOf(name: string): string {
    if (zxidFromFileName(SNAPSHOT_PREFIX, name) === undefined) {
      throw new RangeError(`not a snapshot file name: ${name}`);
    }
    return join(this.dir, name);
  }
}

/**
 * The checked reader behind load/verify, also used by the inspector. `expectedZxid` comes from
 * the file name: a header that disagrees means the file was renamed or damaged.
 */
export async function* readSnapshotFile(path: string, expectedZxid?: number): AsyncGenerator<Buffer> {
  const fh = await open(path, "r");
  try {
    const { size } = await fh.stat();
    const reader = new FileReader(fh, size);
    const header = decodeSnapshotHeader(Buffer.from(await reader.read(0, SNAP_HEADER_BYTES)));
    if (typeof header === "string") throw new StorageCorruptionError(path, 0, `snapshot header: ${header}`);
    if (expectedZxid !== undefined && header.zxid !== expectedZxid) {
      throw new StorageCorruptionError(
        path,
        8,
        `header zxid ${zxidHex(header.zxid)} does not match the file name`,
      );
    }
    let pos = SNAP_HEADER_BYTES;
    let dataCrc = 0;
    let chunkCount = 0;
    let dataBytes = 0;
    for (;;) {
      const head = Buffer.from(await reader.read(pos, CHUNK_HEADER_BYTES));
      if (head.length < 4) throw new StorageCorruptionError(path, pos, "snapshot is truncated (no trailer)");
      const length = head.readUInt32BE(0);
      if (length === TRAILER_MARKER) {
        const raw = Buffer.from(await reader.read(pos, SNAP_TRAILER_BYTES));
        if (raw.length < SNAP_TRAILER_BYTES)
          throw new StorageCorruptionError(path, pos, "snapshot trailer is truncated");
        const trailer = decodeSnapshotTrailer(raw);
        if (typeof trailer === "string") throw new StorageCorruptionError(path, pos, trailer);
        if (
          trailer.chunkCount !== chunkCount ||
          trailer.dataBytes !== dataBytes ||
          trailer.dataCrc !== dataCrc
        ) {
          throw new StorageCorruptionError(
            path,
            pos,
            `trailer says ${trailer.chunkCount} chunks / ${trailer.dataBytes} bytes, file holds ${chunkCount} / ${dataBytes} (or data CRC differs)`,
          );
        }
        if (pos + SNAP_TRAILER_BYTES !== size) {
          throw new StorageCorruptionError(
            path,
            pos + SNAP_TRAILER_BYTES,
            "bytes after the snapshot trailer",
          );
        }
        return;
      }
      if (head.length < CHUNK_HEADER_BYTES)
        throw new StorageCorruptionError(path, pos, "truncated chunk header");
      if (length === 0) throw new StorageCorruptionError(path, pos, "zero-length chunk");
      if (pos + CHUNK_HEADER_BYTES + length > size) {
        throw new StorageCorruptionError(path, pos, `chunk of ${length} bytes runs past the end of the file`);
      }
      // A view of the reader's window, not a copy: a window is never written again once read
      // into, and copying a tree's worth of chunks into fresh memory took 5 % of a recovery.
      const data = await reader.read(pos + CHUNK_HEADER_BYTES, length);
      const chunkDataCrc = checkChunk(head, data);
      if (chunkDataCrc === undefined) throw new StorageCorruptionError(path, pos, "chunk CRC mismatch");
      dataCrc = crc32Combine(dataCrc, chunkDataCrc, length);
      chunkCount++;
      dataBytes += length;
      pos += CHUNK_HEADER_BYTES + length;
      yield data;
    }
  } finally {
    await fh.close();
  }
}

/**
 * Whether `a` and `b` live on different file systems. A directory not made yet (the log's, at a
 * first start) will be made on its nearest existing ancestor's. False when either is unknown.
 */
async function onOtherFileSystems(a: string, b: string): Promise<boolean> {
  const deviceOf = async (path: string): Promise<number | undefined> => {
    for (let p = resolve(path); ; p = dirname(p)) {
      try {
        return (await stat(p)).dev;
      } catch {
        if (dirname(p) === p) return undefined;
      }
    }
  };
  const [da, db] = await Promise.all([deviceOf(a), deviceOf(b)]);
  return da !== undefined && db !== undefined && da !== db;
}
