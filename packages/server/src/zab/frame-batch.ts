// Several PeerFrames in one WebSocket frame: a PeerBatch (proto/peer.proto), i.e. field 1
// (length-delimited) once per frame. Written and read by hand because it is on every peer
// message's path and its shape is fixed: tag 0x0a, varint length, the PeerFrame's bytes.
//
// A WebSocket frame holds either one PeerFrame or a PeerBatch. They are told apart by the first
// byte: 0x0a is field 1 with wire type 2, which a PeerFrame never starts with (its field 1,
// conn, is a varint, and every other field has a different number).

import { varintSize, writeVarint } from "./hot-codec.js";

/** The first byte of every PeerBatch. */
export const BATCH_TAG = 0x0a;

export function isBatch(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes[0] === BATCH_TAG;
}

/** The frames, each already an encoded PeerFrame, as one PeerBatch. */
export function encodeBatch(frames: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const f of frames) {
    if (f.length > 0xffff_ffff) throw new RangeError("peer batch: frame over 4 GiB");
    total += 1 + varintSize(f.length) + f.length;
  }
  // From Node's pool when small (a turn's ACKs and COMMITs): an ArrayBuffer per batch was
  // garbage that hastens V8's next full collection.
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const f of frames) {
    out[at++] = BATCH_TAG;
    at = writeVarint(out, at, f.length);
    out.set(f, at);
    at += f.length;
  }
  return out;
}

/**
 * The PeerFrames of a PeerBatch, as views into `bytes` (no copy). Throws RangeError on anything
 * but a well-formed batch of at least one frame: a wrong tag, a length past the end, a varint
 * over 32 bits.
 */
export function splitBatch(bytes: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes[at] !== BATCH_TAG) throw new RangeError(`peer batch: unexpected tag ${bytes[at]} at ${at}`);
    at++;
    let length = 0;
    let shift = 0;
    for (;;) {
      if (at >= bytes.length) throw new RangeError("peer batch: truncated length");
      const b = bytes[at++]!;
      if (shift === 28 && b > 0x0f) throw new RangeError("peer batch: length over 32 bits");
      length += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
    }
    if (length > bytes.length - at) throw new RangeError("peer batch: frame runs past the end");
    frames.push(bytes.subarray(at, at + length));
    at += length;
  }
  if (frames.length === 0) throw new RangeError("peer batch: empty");
  return frames;
}
