// The messages a server sends one peer in one turn of the event loop leave as one WebSocket
// frame: a leader's PROPOSAL and COMMITs, a learner's forwarded REQUESTs and its ACK, each
// burst costs one frame header, one socket write and, on the receiving side, one read and one
// frame to parse, instead of one of each per message. The frames go out in a setImmediate, after
// the turn's I/O callbacks (every peer and client read of the turn) have added theirs; order
// on a link is kept because a link's frames are sent in the order they were queued.

import type { WebSocket } from "ws";

/** Above this a message goes out in a frame of its own rather than being copied into a batch. */
const MAX_BATCHED_FRAME_BYTES = 256 * 1024;
/**
 * A batch never holds more than this, so a busy turn never builds one huge copy and a batch fits
 * the peer frame limit (net/peer-frame-limit.ts) like any single frame.
 */
export const MAX_BATCH_BYTES = 1024 * 1024;
/** A PeerBatch entry's tag and length varint. */
const BATCH_ENTRY_OVERHEAD_BYTES = 6;

export interface PeerOutboxOptions {
  /** One WebSocket frame's payload from the encoded PeerFrames (PeerCodec.encodeFrames). */
  encodeFrames(frames: readonly Uint8Array[]): Uint8Array;
  /** A link closed before its queued frames could leave; they are lost, as any frame sent to a down link is. */
  onDropped(frames: number): void;
}

export class PeerOutbox {
  private readonly queued = new Map<WebSocket, Uint8Array[]>();
  private scheduled = false;

  constructor(private readonly opts: PeerOutboxOptions) {}

  /** Queues one encoded PeerFrame for `ws`; it leaves at the end of this turn. */
  enqueue(ws: WebSocket, frame: Uint8Array): void {
    let frames = this.queued.get(ws);
    if (frames === undefined) {
      frames = [];
      this.queued.set(ws, frames);
    }
    frames.push(frame);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends everything queued now, one frame per link (more only for very large turns). */
  flush(): void {
    this.scheduled = false;
    for (const [ws, frames] of this.queued) this.sendAll(ws, frames);
    this.queued.clear();
  }

  /** Sends what is queued for `ws` now, ahead of the turn's end (a SNAP stream starts after it). */
  flushLink(ws: WebSocket): void {
    const frames = this.queued.get(ws);
    if (frames === undefined) return;
    this.queued.delete(ws);
    this.sendAll(ws, frames);
  }

  private sendAll(ws: WebSocket, frames: readonly Uint8Array[]): void {
    if (ws.readyState !== ws.OPEN) {
      this.opts.onDropped(frames.length);
      return;
    }
    let group: Uint8Array[] = [];
    let groupBytes = 0;
    const sendGroup = () => {
      if (group.length > 0) ws.send(this.opts.encodeFrames(group), { binary: true });
      group = [];
      groupBytes = 0;
    };
    for (const frame of frames) {
      if (frame.length > MAX_BATCHED_FRAME_BYTES) {
        sendGroup();
        ws.send(frame, { binary: true });
        continue;
      }
      // Closed before it would pass MAX_BATCH_BYTES: a batch stays within the peer frame limit.
      if (groupBytes + frame.length + BATCH_ENTRY_OVERHEAD_BYTES > MAX_BATCH_BYTES) sendGroup();
      group.push(frame);
      groupBytes += frame.length + BATCH_ENTRY_OVERHEAD_BYTES;
    }
    sendGroup();
  }
}
