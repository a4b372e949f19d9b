// The one-line answers: ruok, isro, the trace mask of gtmk/stmk, and hash (the tree digest by zxid).

import type { ServerMode } from "./four-letter-snapshots.js";
import { javaHex } from "./java-format.js";

/** ZooKeeper's default trace mask (client requests | server packets | sessions | warnings). */
export const DEFAULT_TRACE_MASK = 306n;

export function formatRuok(): string {
  return "imok";
}

/** `ro`, `rw`, or `null` when the server is not running; no newline. */
export function formatIsro(mode: ServerMode | undefined): string {
  if (mode === undefined) return "null";
  return mode === "read-only" ? "ro" : "rw";
}

export function formatTraceMask(mask: bigint): string {
  return BigInt.asIntN(64, mask).toString();
}

export function formatHash(digests: ReadonlyArray<{ zxid: number; digest: bigint }>): string {
  return digests.map((d) => `${javaHex(d.zxid)}: ${d.digest}\n`).join("");
}
