// A SNAP streamed over a peer link in bounded pieces instead of one frame holding the whole tree.
//
// On the wire (proto/peer.proto): one WebSocket frame per piece, each a PeerFrame whose only
// field is `snap_chunk` (a SnapChunk holding the next bytes of the snapshot in SNAP's framing,
// at most SNAPSHOT_PIECE_BYTES of them: net/peer-frame-limit.ts), then the SNAP
// PeerFrame itself with an empty `snapshot`: an empty snapshot is never valid (every snapshot
// has a header chunk), so it means "the pieces that came before on this link". The receiving
// transport joins them and hands ZAB an ordinary SNAP, so the core never knows. A link that
// closes mid-stream takes the partial snapshot with it on both sides.
//
// The leader serialises each piece from the copy-on-write view only when the link can take it
// (the socket's queue below a low-water mark) and yields to the event loop between pieces, so
// client writes and the other learners' traffic go on during a SNAP. Frames the core emits for
// that learner meanwhile are held and sent after the SNAP, in order.

import type { WebSocket } from "ws";
import type { Logger } from "../logger.js";
import { varintSize, writeVarint } from "../zab/hot-codec.js";
import type { PeerMessage } from "../zab/messages.js";

/** PeerFrame field 28, length-delimited: (28 << 3) | 2 as a varint. */
const FRAME_TAG = [0xe2, 0x01] as const;
/** SnapChunk field 1 (data), length-delimited. */
const DATA_TAG = 0x0a;

/** Whether a WebSocket frame is a snapshot chunk (no other PeerFrame or PeerBatch starts so). */
export function isSnapChunkFrame(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === FRAME_TAG[0] && bytes[1] === FRAME_TAG[1];
}

/** One chunk as a PeerFrame { snap_chunk: SnapChunk { data } }. */
export function encodeSnapChunkFrame(data: Uint8Array): Buffer {
  const inner = 1 + varintSize(data.length) + data.length;
  const out = Buffer.allocUnsafe(2 + varintSize(inner) + inner);
  out[0] = FRAME_TAG[0];
  out[1] = FRAME_TAG[1];
  let at = writeVarint(out, 2, inner);
  out[at++] = DATA_TAG;
  at = writeVarint(out, at, data.length);
  out.set(data, at);
  return out;
}

function readVarint(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    if (at >= bytes.length) throw new RangeError("snapshot chunk: truncated length");
    const b = bytes[at++]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, at];
    scale *= 128;
  }
  throw new RangeError("snapshot chunk: length over 32 bits");
}

/** The chunk's bytes (a view into `bytes`); RangeError on anything but a well-formed chunk frame. */
export function decodeSnapChunkFrame(bytes: Uint8Array): Uint8Array {
  if (!isSnapChunkFrame(bytes)) throw new RangeError("snapshot chunk: wrong tag");
  const [inner, at] = readVarint(bytes, 2);
  if (at + inner !== bytes.length) throw new RangeError("snapshot chunk: length does not match the frame");
  if (inner === 0) return new Uint8Array(0);
  if (bytes[at] !== DATA_TAG) throw new RangeError("snapshot chunk: unexpected field");
  const [length, dataAt] = readVarint(bytes, at + 1);
  if (dataAt + length !== bytes.length) throw new RangeError("snapshot chunk: data length does not match");
  return bytes.subarray(dataAt, dataAt + length);
}

/** SNAP carries the snapshot's chunks as [u32 length][bytes]... so their boundaries survive. */
export function frameChunks(chunks: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const c of chunks) total += 4 + c.length;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const c of chunks) {
    out.writeUInt32BE(c.length, at);
    out.set(c, at + 4);
    at += 4 + c.length;
  }
  return out;
}

export function unframeChunks(bytes: Uint8Array): Buffer[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    if (at + 4 > buf.length) throw new RangeError("snapshot frame: truncated chunk length");
    const n = buf.readUInt32BE(at);
    if (at + 4 + n > buf.length) throw new RangeError("snapshot frame: truncated chunk");
    out.push(buf.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
  return out;
}

/**
 * The snapshot's bytes in SNAP's framing ([u32 length][chunk]...) as pieces of at most
 * `maxPieceBytes`, built one chunk at a time as they are pulled: a chunk larger than a piece (a
 * znode near jute.maxbuffer) is split, so no frame outgrows the peer frame limit.
 */
export function* snapshotPieces(chunks: Iterator<Uint8Array>, maxPieceBytes: number): Generator<Uint8Array> {
  if (maxPieceBytes < 5) throw new RangeError("snapshot pieces: a piece must hold a length and a byte");
  for (let next = chunks.next(); next.done !== true; next = chunks.next()) {
    const chunk = next.value;
    const head = Buffer.allocUnsafe(Math.min(maxPieceBytes, 4 + chunk.length));
    head.writeUInt32BE(chunk.length, 0);
    const inHead = head.length - 4;
    head.set(chunk.subarray(0, inHead), 4);
    yield head;
    for (let at = inHead; at < chunk.length; at += maxPieceBytes) {
      yield chunk.subarray(at, Math.min(chunk.length, at + maxPieceBytes));
    }
  }
}

/** Learner side: the pieces received so far on one inbound link. */
export class SnapshotAssembly {
  private pieces: Uint8Array[] = [];
  private bytes = 0;

  get pending(): boolean {
    return this.pieces.length > 0;
  }

  get receivedBytes(): number {
    return this.bytes;
  }

  add(piece: Uint8Array): void {
    this.pieces.push(piece);
    this.bytes += piece.length;
  }

  /**
   * The messages of one inbound frame, a streamed SNAP's pieces joined: a piece is kept (no
   * messages yet), the SNAP that ends them gets their bytes. Throws, as a codec does on garbage,
   * on a piece out of place or a message cutting into a stream.
   */
  receive(
    bytes: Uint8Array,
    onPeerPort: boolean,
    codec: { decodeFrames(bytes: Uint8Array): PeerMessage[] },
  ): PeerMessage[] {
    if (isSnapChunkFrame(bytes)) {
      if (!onPeerPort) throw new RangeError("snapshot piece on the election port");
      this.add(decodeSnapChunkFrame(bytes));
      return [];
    }
    const msgs = codec.decodeFrames(bytes);
    for (const [i, msg] of msgs.entries()) {
      if (msg.type === "SNAP" && msg.snapshot.byteLength === 0) {
        if (!this.pending) throw new RangeError("streamed SNAP without its pieces");
        msgs[i] = { ...msg, snapshot: this.take() };
      } else if (this.pending) {
        throw new RangeError(`${msg.type} in the middle of a streamed SNAP`);
      }
    }
    return msgs;
  }

  /** The whole snapshot in SNAP's framing; the assembly starts empty again. */
  take(): Uint8Array {
    const out = Buffer.concat(this.pieces, this.bytes);
    this.pieces = [];
    this.bytes = 0;
    return out;
  }
}

/** A snapshot being read from its view: pieces built when pulled, and the view's release. */
export interface SnapshotSource {
  /** The pieces to send, each one chunk frame (snapshotPieces). */
  pieces: Iterator<Uint8Array>;
  /** Closes the view; needed even when no piece was pulled (idempotent). */
  release(): void;
}

export interface SnapshotStreamOptions {
  ws: WebSocket;
  source: SnapshotSource;
  /** The SNAP PeerFrame (empty snapshot), sent after the last piece. */
  snapFrame: Uint8Array;
  /** The socket's queue is refilled only below this. */
  lowWaterBytes: number;
  /** Held frames beyond this mean the learner is not keeping up: the stream gives up. */
  maxHeldBytes: number;
  log: Logger;
  /** The SNAP frame left; `held` go next, in order. */
  onFinished(held: HeldItem[], stats: SnapshotStreamStats): void;
  /** The stream stopped early (the link closed, or held frames overflowed); the link must go. */
  onAborted(reason: string, stats: SnapshotStreamStats): void;
}

export interface SnapshotStreamStats {
  pieces: number;
  bytes: number;
  durationMs: number;
}

/**
 * What waits for a stream to finish: an encoded frame, or the next stream on the link (whose
 * view `cancel` releases if it never starts).
 */
export type HeldItem = { frame: Uint8Array } | { start(): void; cancel(): void };

/** Leader side: one SNAP in progress on one link. */
export class SnapshotStream {
  private readonly held: HeldItem[] = [];
  private heldBytes = 0;
  private done = false;
  private readonly startedMs = performance.now();
  private readonly stats: SnapshotStreamStats = { pieces: 0, bytes: 0, durationMs: 0 };
  private immediate: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: SnapshotStreamOptions) {}

  get active(): boolean {
    return !this.done;
  }

  start(): void {
    this.opts.log.info("streaming a SNAP");
    this.immediate = setImmediate(this.pump);
  }

  /** A frame for this link while the stream runs: sent after the SNAP. False: too much held. */
  hold(item: HeldItem): boolean {
    if (this.done) throw new Error("snapshot stream: hold after the stream ended");
    this.held.push(item);
    if ("frame" in item) this.heldBytes += item.frame.length;
    if (this.heldBytes > this.opts.maxHeldBytes) {
      this.abort(`${this.heldBytes} bytes held for the learner during the SNAP`);
      return false;
    }
    return true;
  }

  /** Stops the stream: the view is released, held frames are dropped (the link is going down). */
  abort(reason: string): void {
    if (this.done) return;
    this.done = true;
    clearImmediate(this.immediate);
    clearTimeout(this.timer);
    this.opts.source.release();
    for (const item of this.held.splice(0)) if ("cancel" in item) item.cancel();
    this.stats.durationMs = performance.now() - this.startedMs;
    const { pieces, bytes, durationMs } = this.stats;
    this.opts.log.warn(
      { reason, pieces, bytes, ms: Math.round(durationMs) },
      "SNAP stream stopped; the link is dropped and the learner starts over",
    );
    this.opts.onAborted(reason, this.stats);
  }

  private readonly pump = (): void => {
    this.immediate = undefined;
    this.timer = undefined;
    if (this.done) return;
    const ws = this.opts.ws;
    if (ws.readyState !== ws.OPEN) {
      this.abort("link closed during the SNAP");
      return;
    }
    // A slow learner: wait for its socket to drain rather than queue the tree in our memory.
    if (ws.bufferedAmount > this.opts.lowWaterBytes) {
      this.timer = setTimeout(this.pump, 2);
      return;
    }
    const next = this.opts.source.pieces.next();
    if (next.done === true) {
      ws.send(this.opts.snapFrame, { binary: true });
      this.done = true;
      this.opts.source.release();
      this.stats.durationMs = performance.now() - this.startedMs;
      const { pieces, bytes, durationMs } = this.stats;
      this.opts.log.info(
        { pieces, bytes, ms: Math.round(durationMs), held: this.held.length },
        "SNAP streamed",
      );
      this.opts.onFinished(this.held.splice(0), this.stats);
      return;
    }
    ws.send(encodeSnapChunkFrame(next.value), { binary: true });
    this.stats.pieces++;
    this.stats.bytes += next.value.length;
    // One piece per turn: the writes and reads queued meanwhile run before the next one.
    this.immediate = setImmediate(this.pump);
  };
}
