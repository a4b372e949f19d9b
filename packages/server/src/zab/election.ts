import type { Vote } from "./messages.js";

/** Positive when `a` is the better vote: higher peerEpoch, then higher zxid, then higher leader id. */
export function compareVotes(a: Vote, b: Vote): number {
  if (a.peerEpoch !== b.peerEpoch) return a.peerEpoch - b.peerEpoch;
  if (a.zxid !== b.zxid) return a.zxid - b.zxid;
  return a.leader - b.leader;
}

export function sameVote(a: Vote, b: Vote): boolean {
  return a.leader === b.leader && a.zxid === b.zxid && a.peerEpoch === b.peerEpoch;
}

export function quorumSize(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}
