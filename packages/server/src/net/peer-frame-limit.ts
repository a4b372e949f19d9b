// The largest WebSocket frame a peer link accepts, sized from what a peer can legitimately send
// rather than a blanket 1 GiB: everything large on a peer link is a batch or a stream, and each is
// bounded here.
//
// - A SNAP travels as pieces of at most SNAPSHOT_PIECE_BYTES (net/snapshot-stream.ts), whatever
//   the size of the tree or of one znode.
// - PROPOSAL / INFORM entries (zab/leader-channel.ts) and a learner's forwarded writes (quorum/runtime.ts)
//   are batched until a batch reaches PEER_BATCH_BYTES, so one holds at most that plus one more
//   txn, and no txn is larger than a client request, which jute.maxbuffer bounds (the client
//   port refuses larger ones), plus its headers.
// - The outbox's per-turn PeerBatch (net/peer-outbox.ts) never passes MAX_BATCH_BYTES; a larger
//   frame travels alone.
// - Everything else (votes, configs, a learner's PING with its session touches, protobuf
//   framing) fits in ENVELOPE_BYTES: a touch is ~16 bytes, so that is ~65k sessions touched per
//   ping interval on one learner, the same order as ZooKeeper, whose learner packets are read
//   under jute.maxbuffer too.
//
// Every server of an ensemble must therefore use the same jute.maxbuffer, as in ZooKeeper.

import type { Logger } from "../logger.js";
import { MAX_BATCH_BYTES } from "./peer-outbox.js";

/** Most bytes of snapshot in one chunk frame. */
export const SNAPSHOT_PIECE_BYTES = 512 * 1024;
/**
 * How many bytes of nodes the leader serialises into one SNAP chunk (one per event-loop turn); a
 * chunk goes out as one piece unless a single znode makes it larger than a piece.
 */
export const SNAPSHOT_STREAM_CHUNK_BYTES = 64 * 1024;
/** A PROPOSAL / INFORM / forwarded REQUEST batch is closed once its txns reach this. */
export const PEER_BATCH_BYTES = 1024 * 1024;
/** Protobuf framing, headers around a txn, and the small messages. */
export const ENVELOPE_BYTES = 1024 * 1024;

/** The peer frame limit for an ensemble whose servers use this jute.maxbuffer. */
export function peerFrameLimitBytes(juteMaxBufferBytes: number): number {
  const largestBatch = Math.max(PEER_BATCH_BYTES + juteMaxBufferBytes, MAX_BATCH_BYTES, SNAPSHOT_PIECE_BYTES);
  return largestBatch + ENVELOPE_BYTES;
}

/** ZooKeeper's default jute.maxbuffer (0xfffff), for a transport built without a config. */
export const DEFAULT_PEER_FRAME_LIMIT_BYTES = peerFrameLimitBytes(0xfffff);

/**
 * Logs a link error that is a frame over the limit (ws closes such a link with 1009) and counts
 * it; true if that was the error. Other link errors are the caller's to report.
 */
export function logOversizedFrame(
  err: Error,
  where: { peer: number; channel: string; direction: "inbound" | "outbound" },
  to: { log: Logger; maxFrameBytes: number; stats: { oversizedFrames: number } },
): boolean {
  if ((err as { code?: string }).code !== "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") return false;
  to.stats.oversizedFrames++;
  to.log.warn(
    { ...where, maxFrameBytes: to.maxFrameBytes, reason: err.message },
    "peer frame over the limit; closing the link",
  );
  return true;
}
