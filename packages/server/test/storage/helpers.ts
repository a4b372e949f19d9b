import { constants } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededRandom } from "../../../chaos/src/rng.js";
import type { StorageLogger } from "../../src/storage/logger.js";

/** The one seeded generator (mulberry32, packages/chaos/src/rng.ts): a seed replays a run. */
export const rng: (seed: number) => () => number = seededRandom;

export function randomInt(next: () => number, lo: number, hiExclusive: number): number {
  return lo + Math.floor(next() * (hiExclusive - lo));
}

export function randomBuffer(next: () => number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) buf[i] = Math.floor(next() * 256);
  return buf;
}

/** Payload derived from the zxid, so a reader can tell a right record from a wrong one. */
export function payloadFor(zxid: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  for (let i = 0; i < length; i++) buf[i] = (zxid * 31 + i * 7) & 0xff;
  return buf;
}

export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `paddock-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface LogLine {
  level: "info" | "warn" | "error";
  msg: string;
  fields: Record<string, unknown>;
}

export function captureLogger(): StorageLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (fields, msg) => lines.push({ level: "info", msg, fields }),
    warn: (fields, msg) => lines.push({ level: "warn", msg, fields }),
    error: (fields, msg) => lines.push({ level: "error", msg, fields }),
  };
}

export const zxid = (epoch: number, counter: number): number => epoch * 2 ** 32 + counter;

/**
 * Whether a directory's file system takes O_DIRECT at all (tmpfs on older kernels does not),
 * found by opening a probe file that way, not through the code under test.
 */
export async function fileSystemTakesDirect(dir: string): Promise<boolean> {
  const oDirect = (constants as { O_DIRECT?: number }).O_DIRECT;
  if (oDirect === undefined) return false;
  try {
    const fh = await open(join(dir, "direct-probe"), constants.O_WRONLY | constants.O_CREAT | oDirect);
    await fh.close();
    return true;
  } catch {
    return false;
  }
}
