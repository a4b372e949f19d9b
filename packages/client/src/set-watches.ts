// The SetWatches requests a client sends after it reconnects, so the new server holds the
// watches the old one had and fires those whose nodes changed since `relativeZxid`.
import { OpCode, type Request } from "@paddock/jute";
import { prependChroot } from "./paths.js";
import type { WatchManager } from "./watches.js";

/** Frames are split so none gets near jute.maxbuffer. */
const SET_WATCHES_MAX_BYTES = 128 * 1024;

/**
 * The requests re-arming every watch in `watches` (server paths under `chroot`): SetWatches2
 * when a persistent watch is among them, else SetWatches, which older servers know.
 */
export function setWatchesRequests(watches: WatchManager, chroot: string, relativeZxid: number): Request[] {
  if (watches.isEmpty) return [];
  const snap = watches.snapshot();
  const type = watches.hasPersistent ? OpCode.setWatches2 : OpCode.setWatches;
  const lists = [
    snap.dataWatches,
    snap.existWatches,
    snap.childWatches,
    snap.persistentWatches,
    snap.persistentRecursiveWatches,
  ].map((l) => l.map((p) => prependChroot(chroot, p)));
  const out: Request[] = [];
  // Batches fill the lists in order, so a path appears in exactly one frame.
  let batch: string[][] = [[], [], [], [], []];
  let sizeBytes = 0;
  const flush = () => {
    if (batch.every((l) => l.length === 0)) return;
    const [dataWatches, existWatches, childWatches, persistentWatches, persistentRecursiveWatches] =
      batch as [string[], string[], string[], string[], string[]];
    out.push({
      type,
      relativeZxid,
      dataWatches,
      existWatches,
      childWatches,
      persistentWatches,
      persistentRecursiveWatches,
    });
    batch = [[], [], [], [], []];
    sizeBytes = 0;
  };
  lists.forEach((list, i) => {
    for (const path of list) {
      const len = Buffer.byteLength(path) + 4;
      if (sizeBytes + len > SET_WATCHES_MAX_BYTES) flush();
      (batch[i] as string[]).push(path);
      sizeBytes += len;
    }
  });
  flush();
  return out;
}
