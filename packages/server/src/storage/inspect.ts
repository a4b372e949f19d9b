import { open, readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { readEpochFile } from "./epoch-file.js";
import { StorageCorruptionError } from "./errors.js";
import { zooKeeperKindOf } from "./foreign-data.js";
import {
  decodeSegmentHeader,
  LOG_HEADER_BYTES,
  LOG_PREFIX,
  SNAPSHOT_PREFIX,
  zxidFromFileName,
  zxidHex,
} from "./format.js";
import { SegmentScanner } from "./segment.js";
import { readSnapshotFile } from "./snapshots.js";

export interface InspectIo {
  out(line: string): void;
  err(line: string): void;
}

const defaultIo: InspectIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

const USAGE = [
  "usage: inspect log <segment file> [--payload-bytes N]",
  "       inspect snapshot <snapshot file> [--payload-bytes N]",
  "       inspect dir <dataDir or dataLogDir>   (segments with their chain, snapshots, epochs)",
  "Prints every record (zxid, length, CRC status, payload prefix in hex). Read-only.",
  "Exit status: 0 intact, 1 damaged, 2 usage or I/O error.",
].join("\n");

function hexPrefix(buf: Buffer, n: number): string {
  return buf.length <= n ? buf.toString("hex") : `${buf.subarray(0, n).toString("hex")}...`;
}

/** `inspect log|snapshot <file>`; returns the exit status instead of exiting. */
export async function main(argv: readonly string[], io: InspectIo = defaultIo): Promise<number> {
  const [kind, file, ...rest] = argv;
  let payloadBytes = 32;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--payload-bytes" && rest[i + 1] !== undefined && /^\d+$/.test(rest[i + 1]!)) {
      payloadBytes = Number(rest[++i]);
    } else {
      io.err(USAGE);
      return 2;
    }
  }
  if (file === undefined || (kind !== "log" && kind !== "snapshot" && kind !== "dir")) {
    io.err(USAGE);
    return 2;
  }
  try {
    const foreign = kind === "dir" ? undefined : zooKeeperKindOf(file);
    if (foreign !== undefined) {
      io.out(
        `${file}: an Apache ZooKeeper ${foreign}, not a Paddock file; \`paddock-server import-zk\` converts a ZooKeeper dataDir (docs/migrating.md)`,
      );
      return 1;
    }
    if (kind === "dir") return await inspectDir(file, io);
    return kind === "log"
      ? await inspectLog(file, payloadBytes, io)
      : await inspectSnapshot(file, payloadBytes, io);
  } catch (err) {
    io.err(`inspect: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
}

async function inspectLog(file: string, payloadBytes: number, io: InspectIo): Promise<number> {
  const scanner = await SegmentScanner.open(file);
  try {
    const h = scanner.header;
    if (typeof h === "string") {
      io.out(`${file}: DAMAGED header at offset 0: ${h}`);
      return 1;
    }
    io.out(
      `${file}: txn log segment, first zxid ${zxidHex(h.firstZxid)}, prev zxid ${zxidHex(h.prevZxid)}, ${scanner.sizeBytes} bytes`,
    );
    let count = 0;
    for (let r = await scanner.next(); r !== undefined; r = await scanner.next()) {
      count++;
      io.out(
        `offset=${r.offset} zxid=${zxidHex(r.zxid)} len=${r.length} crc=ok payload=${hexPrefix(r.payload, payloadBytes)}`,
      );
    }
    const stop = scanner.stop!;
    if (stop.kind === "end") {
      io.out(
        `end: ${count} records, last at offset ${stop.offset}, ${stop.zeroTailBytes} bytes of zero-filled preallocation`,
      );
      return 0;
    }
    io.out(`offset=${stop.offset} DAMAGED: ${stop.reason}`);
    const later = stop.definite ? undefined : await scanner.findValidRecordAfter(stop.offset);
    io.out(
      later === undefined && !stop.definite
        ? `end: ${count} good records; nothing valid follows, so in the last segment recovery would cut this as a torn tail`
        : `end: ${count} good records; corruption in the middle${later !== undefined ? ` (a valid record follows at offset ${later})` : ""}: recovery refuses this log`,
    );
    return 1;
  } finally {
    await scanner.close();
  }
}

async function inspectSnapshot(file: string, payloadBytes: number, io: InspectIo): Promise<number> {
  const expected = zxidFromFileName(SNAPSHOT_PREFIX, basename(file));
  io.out(`${file}: snapshot${expected !== undefined ? ` named for zxid ${zxidHex(expected)}` : ""}`);
  let count = 0;
  let bytes = 0;
  try {
    for await (const chunk of readSnapshotFile(file, expected)) {
      io.out(`chunk=${count} len=${chunk.length} crc=ok data=${hexPrefix(chunk, payloadBytes)}`);
      count++;
      bytes += chunk.length;
    }
  } catch (err) {
    if (!(err instanceof StorageCorruptionError)) throw err;
    io.out(`offset=${err.offset} DAMAGED: ${err.reason}`);
    io.out(`end: ${count} good chunks before the damage; recovery will not load this snapshot`);
    return 1;
  }
  io.out(`end: ${count} chunks, ${bytes} data bytes, trailer ok`);
  return 0;
}

/** A quick overview: headers and names only, no record is read. */
async function inspectDir(dir: string, io: InspectIo): Promise<number> {
  const names = (await readdir(dir)).sort();
  const segs: { name: string; first: number }[] = [];
  const snaps: { name: string; zxid: number }[] = [];
  for (const name of names) {
    const first = zxidFromFileName(LOG_PREFIX, name);
    if (first !== undefined) segs.push({ name, first });
    const zxid = zxidFromFileName(SNAPSHOT_PREFIX, name);
    if (zxid !== undefined) snaps.push({ name, zxid });
  }
  segs.sort((a, b) => a.first - b.first);
  snaps.sort((a, b) => b.zxid - a.zxid);
  let damaged = false;
  let prevFirst: number | undefined;
  for (const seg of segs) {
    const path = join(dir, seg.name);
    const fh = await open(path, "r");
    try {
      const { size } = await fh.stat();
      const buf = Buffer.alloc(LOG_HEADER_BYTES);
      const { bytesRead } = await fh.read(buf, 0, LOG_HEADER_BYTES, 0);
      const h = decodeSegmentHeader(buf.subarray(0, bytesRead));
      if (typeof h === "string") {
        damaged = true;
        io.out(`segment ${seg.name}: DAMAGED header: ${h}`);
        continue;
      }
      // The prev zxid must lie between the previous segment's first zxid and this one's.
      const chain =
        prevFirst === undefined
          ? ""
          : h.prevZxid >= prevFirst && h.prevZxid < h.firstZxid
            ? ""
            : " CHAIN BROKEN";
      if (chain !== "") damaged = true;
      io.out(
        `segment ${seg.name}: first ${zxidHex(h.firstZxid)} prev ${zxidHex(h.prevZxid)} ${size} bytes${chain}`,
      );
      prevFirst = h.firstZxid;
    } finally {
      await fh.close();
    }
  }
  for (const snap of snaps) {
    io.out(
      `snapshot ${snap.name}: zxid ${zxidHex(snap.zxid)} ${(await stat(join(dir, snap.name))).size} bytes`,
    );
  }
  for (const epochName of ["acceptedEpoch", "currentEpoch"]) {
    try {
      const epoch = readEpochFile(join(dir, epochName));
      if (epoch !== undefined) io.out(`${epochName}: ${epoch}`);
    } catch (err) {
      damaged = true;
      io.out(`${epochName}: DAMAGED ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  io.out(
    `${segs.length} segments, ${snaps.length} snapshots (headers only; use 'inspect log' to check records)`,
  );
  return damaged ? 1 : 0;
}
