import type { FileHandle } from "node:fs/promises";
import { mkdir, open, readdir, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { assertStorage, StorageCorruptionError, StorageGapError } from "./errors.js";
import {
  assertZxid,
  encodeRecordInto,
  encodeSegmentHeader,
  fileNameFor,
  LOG_HEADER_BYTES,
  LOG_PREFIX,
  MAX_PAYLOAD_BYTES,
  RECORD_HEADER_BYTES,
  TMP_SUFFIX,
  zxidFromFileName,
  zxidHex,
} from "./format.js";
import { fsyncDir, writeFully } from "./fs-util.js";
import {
  assertSegmentReadToEnd,
  checkSegmentRecords,
  readSegmentHeader,
  type Segment,
  scanSegmentForOpen,
  segmentFromHeaders,
} from "./log-segments.js";
import type { StorageLogger } from "./logger.js";
import { stderrLogger } from "./logger.js";
import { ReusedBuffer } from "./reused-buffer.js";
import { SegmentScanner } from "./segment.js";
import { DirectWindowSource, openSegmentWriter, type SegmentWriter } from "./segment-writer.js";

export interface TxnLogOptions {
  /**
   * Space kept ahead of the records, as a hole the file is extended over (files grow in multiples
   * of this, as ZooKeeper's do); 0 disables preallocation.
   */
  preAllocSizeBytes: number;
  /** false skips fdatasync: an acknowledged txn can be lost on power failure. Unsafe. */
  forceSync: boolean;
  logger?: StorageLogger;
  /** Upper bound on one group-commit write. Default 8 MiB. */
  maxBatchBytes?: number;
  /**
   * Segments whose records all lie at or below this zxid (a snapshot's) are opened from their
   * headers, without reading their records; those are checked only if they are ever read.
   * Undefined: every record of every segment is checked at open.
   */
  headersOnlyThroughZxid?: number;
  /**
   * Test seam: how a segment is made durable after a write. Giving it switches the log from
   * O_DSYNC writes (the default) to write + this call.
   */
  datasync?: (fh: FileHandle) => Promise<void>;
  /**
   * Records go around the page cache (O_DIRECT) where the file system allows; only with
   * forceSync's O_DSYNC writes, which make each one durable. Default true (segment-writer.ts).
   */
  directWrites?: boolean;
  /**
   * A direct writer keeps durable zeros written ahead of its records, so that its writes land
   * on blocks the file already has. Default true (zero-ahead.ts).
   */
  zeroAhead?: boolean;
}

export interface TxnRecord {
  zxid: number;
  payload: Buffer;
}

export interface TxnLogStats {
  appends: number;
  batches: number;
  fsyncs: number;
  bytesWritten: number;
}

/** count / sum / min / max of one measured quantity, the shape of ZooKeeper's mntr summaries. */
export interface SummaryStat {
  count: number;
  sum: number;
  min: number;
  max: number;
}

function newSummary(): SummaryStat {
  return { count: 0, sum: 0, min: 0, max: 0 };
}

function observe(s: SummaryStat, value: number): void {
  s.min = s.count === 0 ? value : Math.min(s.min, value);
  s.max = Math.max(s.max, value);
  s.sum += value;
  s.count++;
}

const noop = (): void => {};

interface ActiveSegment {
  seg: Segment;
  /** Where records are written; opened with O_DSYNC in dsync mode. */
  writer: SegmentWriter;
}

type Op =
  | {
      kind: "append";
      zxid: number;
      /** Framed (header + CRC) only when its batch is written, straight into the batch's buffer. */
      payload: Uint8Array;
      recordBytes: number;
      resolve: () => void;
      reject: (e: unknown) => void;
    }
  | {
      kind: "control";
      run: () => Promise<unknown>;
      resolve: (v: unknown) => void;
      reject: (e: unknown) => void;
    };

/**
 * Append-only txn log in segment files `log.<hex first zxid>`. Appends are group-committed: while
 * one write + fdatasync runs, later appends queue up, and the next write + fdatasync covers all
 * of them. Control operations (roll, truncateAfter, resetTo, purge, close) run in the same queue,
 * so they see every append made before them and none made after.
 */
export class TxnLog {
  private segments: Segment[] = [];
  private active: ActiveSegment | undefined;
  private queue: Op[] = [];
  private draining = false;
  private failure: Error | undefined;
  private closed = false;
  /** Highest zxid handed to append (durable or still queued). */
  private appendedZxid: number;
  /** zxid just before the first record, i.e. where this log's history starts. */
  private base: number;
  private durableZxid: number;
  private readonly counters: TxnLogStats = { appends: 0, batches: 0, fsyncs: 0, bytesWritten: 0 };
  private readonly batchBuffer = new ReusedBuffer();
  /** ms from issuing a group commit's durable write to its completion (ZooKeeper's fsynctime). */
  readonly fsyncTimeMs = newSummary();
  /** Appends per group commit (ZooKeeper's sync_processor_batch_size). */
  readonly batchSize = newSummary();
  /** Told of each group commit: its fsync ms (undefined without forceSync) and its appends. */
  onGroupCommit: ((fsyncMs: number | undefined, appends: number) => void) | undefined;
  private readonly logger: StorageLogger;
  private readonly maxBatchBytes: number;
  private readonly syncFile: (fh: FileHandle) => Promise<void>;
  /**
   * Records are written through an O_DSYNC handle, so one pwrite both writes and makes a batch
   * durable: one thread-pool round trip per group commit instead of two, each of which waits
   * for a free turn of the busy main thread.
   */
  private readonly dsync: boolean;
  /** The aligned buffer of direct writes, when they are asked for. */
  private readonly directWindow: DirectWindowSource | undefined;
  /** Whether the first segment writer's kind was logged. */
  private writerReported = false;

  private constructor(
    readonly dir: string,
    private readonly opts: TxnLogOptions,
    segments: Segment[],
  ) {
    this.segments = segments;
    this.logger = opts.logger ?? stderrLogger;
    this.maxBatchBytes = opts.maxBatchBytes ?? 8 * 1024 * 1024;
    this.syncFile = opts.datasync ?? ((fh) => fh.datasync());
    this.dsync = opts.forceSync && opts.datasync === undefined;
    this.directWindow = this.dsync && opts.directWrites !== false ? new DirectWindowSource(dir) : undefined;
    this.base = segments[0]?.prevZxid ?? 0;
    this.durableZxid = segments.at(-1)?.lastZxid ?? this.base;
    this.appendedZxid = this.durableZxid;
  }

  /**
   * Opens (creating if needed) the log in `dir`, checking every record (but see
   * headersOnlyThroughZxid). A torn last record is cut off with a warning; any other damage
   * throws StorageCorruptionError, a missing segment throws StorageGapError.
   */
  static async open(dir: string, opts: TxnLogOptions): Promise<TxnLog> {
    if (!Number.isInteger(opts.preAllocSizeBytes) || opts.preAllocSizeBytes < 0) {
      throw new RangeError(`preAllocSizeBytes must be a non-negative integer, got ${opts.preAllocSizeBytes}`);
    }
    const logger = opts.logger ?? stderrLogger;
    await mkdir(dir, { recursive: true });
    const found: { name: string; zxid: number }[] = [];
    for (const name of await readdir(dir)) {
      if (name.startsWith(LOG_PREFIX) && name.endsWith(TMP_SUFFIX)) {
        // A segment whose creation never finished; it was never renamed into place, so it holds no txn.
        await unlink(join(dir, name));
        logger.info({ file: join(dir, name) }, "removed unfinished segment file");
        continue;
      }
      const zxid = zxidFromFileName(LOG_PREFIX, name);
      if (zxid !== undefined) found.push({ name, zxid });
    }
    found.sort((a, b) => a.zxid - b.zxid);

    const segments: Segment[] = [];
    const trustedThrough = opts.headersOnlyThroughZxid;
    for (let i = 0; i < found.length; i++) {
      const { name, zxid } = found[i]!;
      const isLast = i === found.length - 1;
      // The next segment's header says where this one ends: at or below the snapshot, nothing
      // in it will be replayed (the last segment is always scanned: its tail may be torn).
      const next = found[i + 1];
      const endsAt =
        next !== undefined && trustedThrough !== undefined
          ? (await readSegmentHeader(join(dir, next.name), next.zxid)).prevZxid
          : undefined;
      const seg =
        endsAt !== undefined && endsAt <= trustedThrough!
          ? await segmentFromHeaders(join(dir, name), name, zxid, endsAt)
          : await scanSegmentForOpen(join(dir, name), name, zxid, isLast, opts.forceSync, logger);
      const prev = segments.at(-1);
      if (prev !== undefined && seg.prevZxid !== prev.lastZxid) {
        throw new StorageGapError(
          seg.path,
          `segment ${name} says it follows zxid ${zxidHex(seg.prevZxid)}, but ${prev.name} ends at ${zxidHex(prev.lastZxid)}: a segment is missing or was cut short`,
        );
      }
      if (seg.endOffset === LOG_HEADER_BYTES) {
        if (!isLast) throw new StorageCorruptionError(seg.path, LOG_HEADER_BYTES, "segment holds no records");
        // Created, but the crash came before its first record was durable.
        await unlink(seg.path);
        if (opts.forceSync) await fsyncDir(dir);
        logger.warn({ file: seg.path }, "removed empty last segment");
        continue;
      }
      segments.push(seg);
    }
    const log = new TxnLog(dir, opts, segments);
    const last = segments.at(-1);
    if (last !== undefined) log.active = await log.openActive(last);
    return log;
  }

  /** zxid of the last durable record (the log's base when it holds none). */
  get lastZxid(): number {
    return this.durableZxid;
  }

  /** Highest zxid accepted by append, durable or not yet. */
  get lastAppendedZxid(): number {
    return this.appendedZxid;
  }

  /**
   * The zxid just before the first record still in the log: a reader can replay any zxid after it.
   * A snapshot older than this cannot be brought up to date from this log.
   */
  get baseZxid(): number {
    return this.base;
  }

  /** Record bytes made durable so far (stats.bytesWritten without the copy). */
  get bytesWritten(): number {
    return this.counters.bytesWritten;
  }

  get stats(): Readonly<TxnLogStats> {
    return { ...this.counters };
  }

  /** Whether the active segment's records go around the page cache (false with none active). */
  get writesDirect(): boolean {
    return this.active?.writer.direct ?? false;
  }

  /** Segment file names, oldest first. */
  segmentNames(): string[] {
    return this.segments.map((s) => s.name);
  }

  /**
   * Resolves once the record is on disk (fdatasync done, unless forceSync is off). zxids must
   * strictly increase; breaking that is a bug in the caller and throws at once.
   */
  append(zxid: number, payload: Buffer): Promise<void> {
    return this.appendAll([{ zxid, payload }]);
  }

  /**
   * Appends the records, in order, with one promise for all of them: it settles once the last
   * is durable (and so every one before it). The payloads must not change until then.
   */
  appendAll(records: readonly TxnRecord[]): Promise<void> {
    let zxid = this.appendedZxid;
    for (const r of records) {
      assertZxid(r.zxid, "append");
      if (r.zxid === 0) throw new RangeError("append: zxid 0 is reserved for the empty state");
      if (r.zxid <= zxid) {
        throw new Error(`storage invariant violated: append zxid ${zxidHex(r.zxid)} after ${zxidHex(zxid)}`);
      }
      if (r.payload.length > MAX_PAYLOAD_BYTES) {
        throw new RangeError(`append: payload of ${r.payload.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
      }
      zxid = r.zxid;
    }
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error("txn log is closed"));
    if (records.length === 0) return Promise.resolve();
    this.appendedZxid = zxid;
    return new Promise<void>((resolve, reject) => {
      const last = records.length - 1;
      for (let i = 0; i <= last; i++) {
        const { zxid, payload } = records[i]!;
        // Only the last record settles the promise; a failure rejects it whichever record hit it.
        this.queue.push({
          kind: "append",
          zxid,
          payload,
          recordBytes: RECORD_HEADER_BYTES + payload.length,
          resolve: i === last ? resolve : noop,
          reject: i === last ? reject : noop,
        });
      }
      this.kick();
    });
  }

  /** Seals the current segment; the next append starts `log.<its zxid>`. */
  roll(): Promise<void> {
    return this.control(async () => {
      const act = this.active;
      if (act === undefined) return;
      this.active = undefined;
      // Closed first: zeros still being written ahead would land past the cut.
      await act.writer.close();
      // Sealed segments do not need their zero tail.
      if (act.seg.allocatedBytes > act.seg.endOffset) {
        const fh = await open(act.seg.path, "r+");
        try {
          await fh.truncate(act.seg.endOffset);
          if (this.opts.forceSync) await this.sync(fh);
        } finally {
          await fh.close();
        }
        act.seg.allocatedBytes = act.seg.endOffset;
      }
    });
  }

  /**
   * Removes every record with a zxid above `zxid` (a leader's TRUNC). Appends made before this
   * call are written first and then removed if above `zxid`; the next append must be above `zxid`.
   */
  truncateAfter(zxid: number): Promise<void> {
    assertZxid(zxid, "truncateAfter");
    this.appendedZxid = Math.min(this.appendedZxid, zxid);
    return this.control(async () => {
      await this.closeActive();
      // A segment opened from headers is checked before it is cut, and before anything newer is
      // deleted: damage refuses the truncation with the log still whole.
      let cutSeg: Segment | undefined;
      for (const seg of this.segments) if (seg.firstZxid <= zxid) cutSeg = seg;
      if (cutSeg !== undefined && !cutSeg.recordsChecked && cutSeg.lastZxid > zxid) {
        cutSeg.endOffset = await checkSegmentRecords(cutSeg, "truncating the log");
        cutSeg.recordsChecked = true;
      }
      const removed: Segment[] = [];
      // Newest first, so a crash part-way leaves a clean prefix of the log.
      while (this.segments.length > 0 && this.segments.at(-1)!.firstZxid > zxid) {
        const seg = this.segments.pop()!;
        await unlink(seg.path);
        removed.push(seg);
      }
      if (removed.length > 0 && this.opts.forceSync) await fsyncDir(this.dir);
      const last = this.segments.at(-1);
      if (last === undefined) {
        this.base = Math.min(this.base, zxid);
        this.durableZxid = this.base;
      } else if (last.lastZxid > zxid) {
        const scanner = await SegmentScanner.open(last.path, last.endOffset);
        let cut = LOG_HEADER_BYTES;
        let kept = last.prevZxid;
        try {
          for (let r = await scanner.next(false); r !== undefined; r = await scanner.next(false)) {
            if (r.zxid > zxid) break;
            cut = r.offset + 16 + r.length;
            kept = r.zxid;
          }
        } finally {
          await scanner.close();
        }
        assertStorage(cut > LOG_HEADER_BYTES, `truncation would empty ${last.name}`);
        const fh = await open(last.path, "r+");
        try {
          await fh.truncate(cut);
          if (this.opts.forceSync) await this.sync(fh);
        } finally {
          await fh.close();
        }
        last.endOffset = cut;
        last.allocatedBytes = cut;
        last.lastZxid = kept;
        this.durableZxid = kept;
      } else {
        this.durableZxid = last.lastZxid;
      }
      if (removed.length > 0 || last !== undefined) {
        this.logger.info(
          { dir: this.dir, zxid: zxidHex(zxid), removedSegments: removed.map((s) => s.name) },
          "txn log truncated",
        );
      }
    });
  }

  /**
   * Drops the whole log and declares that its history now starts after `zxid`. For a server that
   * installed a snapshot at `zxid` from elsewhere: write that snapshot first, then call this, so
   * no older snapshot is ever replayed with this log.
   */
  resetTo(zxid: number): Promise<void> {
    assertZxid(zxid, "resetTo");
    this.appendedZxid = zxid;
    return this.control(async () => {
      await this.closeActive();
      while (this.segments.length > 0) await unlink(this.segments.pop()!.path);
      if (this.opts.forceSync) await fsyncDir(this.dir);
      this.base = zxid;
      this.durableZxid = zxid;
    });
  }

  /**
   * Deletes the oldest segments whose records are all at or below `zxid` (a retained snapshot
   * covers them). The segment holding zxid+1 and the active segment always stay.
   */
  dropSegmentsThrough(zxid: number): Promise<string[]> {
    assertZxid(zxid, "dropSegmentsThrough");
    return this.control(async () => {
      const dropped: string[] = [];
      while (this.segments.length >= 2 && this.segments[1]!.prevZxid <= zxid) {
        const seg = this.segments.shift()!;
        assertStorage(this.active?.seg !== seg, "dropping the active segment");
        await unlink(seg.path);
        dropped.push(seg.name);
      }
      if (dropped.length > 0 && this.opts.forceSync) await fsyncDir(this.dir);
      this.base = this.segments[0]?.prevZxid ?? this.base;
      return dropped;
    }) as Promise<string[]>;
  }

  /** Flushes queued appends, then closes the files. Later calls fail. */
  close(): Promise<void> {
    // After a failure the files are already closed; closing is how the owner cleans up.
    if (this.closed || this.failure !== undefined) {
      this.closed = true;
      return Promise.resolve();
    }
    const done = this.control(async () => {
      await this.closeActive();
    });
    this.closed = true;
    return done;
  }

  /**
   * Durable records with zxid > `zxid`, in order, each checked again against its CRC. Do not
   * truncate or purge the log while a reader is running.
   */
  async *readFrom(zxid: number): AsyncGenerator<TxnRecord> {
    assertZxid(zxid, "readFrom");
    if (zxid < this.base) {
      throw new StorageGapError(
        this.segments[0]?.path ?? this.dir,
        `txn log starts after ${zxidHex(this.base)}; txns after ${zxidHex(zxid)} up to it are gone`,
      );
    }
    const view = this.segments.map((s) => ({ ...s }));
    let start = 0;
    for (let i = 0; i < view.length; i++) if (view[i]!.firstZxid <= zxid + 1) start = i;
    for (let i = start; i < view.length; i++) {
      const seg = view[i]!;
      const scanner = await SegmentScanner.open(seg.path, seg.endOffset);
      try {
        for (let r = await scanner.next(); r !== undefined; r = await scanner.next()) {
          if (r.zxid > zxid) yield { zxid: r.zxid, payload: r.payload };
        }
        assertSegmentReadToEnd(seg, scanner, "re-reading the log");
      } finally {
        await scanner.close();
      }
    }
  }

  // -------------------------------------------------------------------------------------------

  private control<T>(run: () => Promise<T>): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error("txn log is closed"));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ kind: "control", run, resolve: resolve as (v: unknown) => void, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    // A microtask, not a synchronous start: appends issued in the same synchronous run share a batch.
    queueMicrotask(() => {
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && this.failure === undefined) {
        const head = this.queue[0]!;
        if (head.kind === "control") {
          this.queue.shift();
          let result: unknown;
          try {
            result = await head.run();
          } catch (err) {
            head.reject(err);
            throw err;
          }
          head.resolve(result);
          continue;
        }
        let n = 0;
        let bytes = 0;
        while (n < this.queue.length) {
          const op = this.queue[n]!;
          if (op.kind !== "append" || (n > 0 && bytes + op.recordBytes > this.maxBatchBytes)) break;
          bytes += op.recordBytes;
          n++;
        }
        const batch = this.queue.splice(0, n) as Extract<Op, { kind: "append" }>[];
        try {
          await this.writeBatch(batch, bytes);
        } catch (err) {
          for (const op of batch) op.reject(err);
          throw err;
        }
        for (const op of batch) op.resolve();
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.draining = false;
    }
  }

  private async writeBatch(batch: Extract<Op, { kind: "append" }>[], bytes: number): Promise<void> {
    const first = batch[0]!;
    const lastOp = batch.at(-1)!;
    assertStorage(first.zxid > this.durableZxid, "batch does not follow the durable log");
    if (this.active === undefined) this.active = await this.createSegment(first.zxid);
    const { seg, writer } = this.active;
    // Free to reuse: one batch is written at a time, and the previous write has returned. A
    // direct writer's own buffer, where the batch fits in it, saves copying the batch there.
    const buf = writer.staging(bytes) ?? this.batchBuffer.take(bytes);
    let at = 0;
    for (const op of batch) at += encodeRecordInto(buf, at, op.zxid, op.payload);
    assertStorage(at === bytes, "batch records do not fill the batch");
    const end = seg.endOffset + bytes;
    const step = this.opts.preAllocSizeBytes;
    if (step > 0 && seg.allocatedBytes < end + step / 2) {
      // The file's size stays at least half a step ahead of the records, so a write's fdatasync
      // rarely has to record a new size. The space is a hole, as ZooKeeper's padding is: writing
      // real zeros wrote every byte of the log twice, and ext4's delayed allocation left the
      // zeros without blocks until writeback anyway (measured in docs/benchmarks.md, tenth round
      // of issue 14). A hole reads as zeros, which is where a scan of the segment stops. The
      // direct writer makes the part just ahead of its records durable zeros (zero-ahead.ts).
      const to = Math.ceil((end + step / 2) / step) * step;
      await writer.fh.truncate(to);
      seg.allocatedBytes = to;
    }
    const startedMs = performance.now();
    const writtenTo = await writer.write(buf, seg.endOffset);
    if (this.dsync) this.counters.fsyncs += 1;
    else if (this.opts.forceSync) await this.sync(writer.fh);
    const fsyncMs = this.opts.forceSync ? Math.round(performance.now() - startedMs) : undefined;
    if (fsyncMs !== undefined) observe(this.fsyncTimeMs, fsyncMs);
    observe(this.batchSize, batch.length);
    this.onGroupCommit?.(fsyncMs, batch.length);
    seg.endOffset = end;
    // A direct write pads its last block with zeros: the file reaches the block boundary.
    seg.allocatedBytes = Math.max(seg.allocatedBytes, writtenTo);
    seg.lastZxid = lastOp.zxid;
    this.durableZxid = lastOp.zxid;
    this.counters.appends += batch.length;
    this.counters.batches += 1;
    this.counters.bytesWritten += bytes;
  }

  private async sync(fh: FileHandle): Promise<void> {
    await this.syncFile(fh);
    this.counters.fsyncs += 1;
  }

  private async openActive(seg: Segment): Promise<ActiveSegment> {
    const window = await this.directWindow?.get();
    const writer = await openSegmentWriter(seg.path, seg.endOffset, {
      dsync: this.dsync,
      window,
      zeroAhead: this.opts.zeroAhead !== false,
      logger: this.logger,
    });
    if (!this.writerReported) {
      this.writerReported = true;
      this.logger.info(
        { dir: this.dir, direct: writer.direct, dsync: this.dsync },
        writer.direct ? "txn log writes around the page cache" : "txn log writes through the page cache",
      );
    }
    return { seg, writer };
  }

  private async createSegment(firstZxid: number): Promise<ActiveSegment> {
    const name = fileNameFor(LOG_PREFIX, firstZxid);
    const path = join(this.dir, name);
    const tmp = path + TMP_SUFFIX;
    const prevZxid = this.durableZxid;
    // Built under a temporary name and renamed, so a segment file either has a whole header or
    // does not exist.
    const tfh = await open(tmp, "w");
    try {
      await writeFully(tfh, encodeSegmentHeader({ firstZxid, prevZxid }), 0);
      if (this.opts.forceSync) await this.sync(tfh);
    } finally {
      await tfh.close();
    }
    await rename(tmp, path);
    if (this.opts.forceSync) await fsyncDir(this.dir);
    const seg: Segment = {
      name,
      path,
      firstZxid,
      prevZxid,
      lastZxid: prevZxid,
      endOffset: LOG_HEADER_BYTES,
      allocatedBytes: LOG_HEADER_BYTES,
      recordsChecked: true,
    };
    this.segments.push(seg);
    if (this.segments.length === 1) this.base = prevZxid;
    return this.openActive(seg);
  }

  private async closeActive(): Promise<void> {
    const act = this.active;
    this.active = undefined;
    if (act !== undefined) await act.writer.close();
  }

  private fail(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    this.failure = error;
    // After a failed write or fdatasync the file's state is unknown (the kernel may have dropped
    // the dirty pages): nothing may be acknowledged any more. The server has to restart and recover.
    this.logger.error({ dir: this.dir, err: error.message }, "txn log failed; refusing further writes");
    for (const op of this.queue.splice(0)) op.reject(error);
    const act = this.active;
    this.active = undefined;
    if (act !== undefined) void act.writer.close().catch(() => {});
  }
}
