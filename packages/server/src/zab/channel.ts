// The numbered leader<->learner channel: frames carry (conn, seq, term); the receiver drops
// duplicates and holds frames that arrive ahead of a gap until it fills, so FIFO order holds
// even over a lossy, reordering network. Over a FIFO transport (WebSocket) a frame is always
// the next one.

import type { ChannelMessage } from "./messages.js";

/**
 * Frames held behind a gap before the channel is declared broken. A lost frame never arrives,
 * so the channel then stalls until the silence deadline (initLimit / syncLimit) ends it.
 */
export const MAX_EARLY_FRAMES = 4096;

/** The receiving side of one channel. */
export interface ChannelReceiver {
  recvSeq: number;
  /** Frames that arrived ahead of a gap, by seq, until the gap fills. */
  early: Map<number, ChannelMessage>;
}

/**
 * The frames ready for delivery, in order, now that `msg` arrived; "overflow" when too many wait
 * behind a gap.
 */
export function takeInOrder(ch: ChannelReceiver, msg: ChannelMessage): ChannelMessage[] | "overflow" {
  if (msg.seq <= ch.recvSeq) return [];
  if (msg.seq !== ch.recvSeq + 1) {
    ch.early.set(msg.seq, msg);
    return ch.early.size > MAX_EARLY_FRAMES ? "overflow" : [];
  }
  const ready = [msg];
  ch.recvSeq = msg.seq;
  for (;;) {
    const next = ch.early.get(ch.recvSeq + 1);
    if (next === undefined) return ready;
    ch.early.delete(ch.recvSeq + 1);
    ch.recvSeq += 1;
    ready.push(next);
  }
}
