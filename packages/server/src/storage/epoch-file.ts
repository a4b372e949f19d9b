import { readFileSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { crc32 } from "./crc32.js";
import { StorageCorruptionError } from "./errors.js";
import { fsyncDir, writeFully } from "./fs-util.js";

/*
 * acceptedEpoch / currentEpoch: one text line, "<decimal epoch> <8 hex digits CRC32 of the
 * decimal>\n". Text so an operator can read it; the CRC so a flipped digit is not taken at face
 * value.
 */

const MAX_EPOCH = 0xffffffff;

function encode(epoch: number): string {
  const digits = String(epoch);
  return `${digits} ${crc32(Buffer.from(digits, "ascii")).toString(16).padStart(8, "0")}\n`;
}

/**
 * The epoch stored at `path`, or undefined when the file does not exist. Synchronous: read once
 * at startup, before the server serves anyone. Throws StorageCorruptionError for a damaged file.
 */
export function readEpochFile(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, "latin1");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const m = /^(0|[1-9][0-9]{0,9}) ([0-9a-f]{8})\n$/.exec(text);
  if (m === null) throw new StorageCorruptionError(path, 0, "epoch file is not '<epoch> <crc>\\n'");
  const digits = m[1]!;
  if (crc32(Buffer.from(digits, "ascii")) !== Number.parseInt(m[2]!, 16)) {
    throw new StorageCorruptionError(path, 0, "epoch file CRC mismatch");
  }
  const epoch = Number(digits);
  if (epoch > MAX_EPOCH) throw new StorageCorruptionError(path, 0, `epoch ${epoch} out of range`);
  return epoch;
}

/** Replaces the file atomically: temp file, fsync, rename over, fsync the directory. */
export async function writeEpochFileAtomic(path: string, epoch: number): Promise<void> {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) {
    throw new RangeError(`epoch must be an integer in [0, 2^32), got ${epoch}`);
  }
  const dir = dirname(path);
  // A fixed name: a temp file left by a crash is simply overwritten by the next write. Writes to
  // one epoch file must not overlap (the caller serialises them).
  const tmp = join(dir, `.${basename(path)}.tmp`);
  const fh = await open(tmp, "w");
  let ok = false;
  try {
    await writeFully(fh, Buffer.from(encode(epoch), "ascii"), 0);
    await fh.sync();
    ok = true;
  } finally {
    await fh.close();
    if (!ok) await unlink(tmp).catch(() => {});
  }
  await rename(tmp, path);
  await fsyncDir(dir);
}
