// ZabInput "peerDown" (added for the runtime): a follower leaves a leader whose link broke at
// once; the loss of any other peer changes nothing.
import { describe, expect, it } from "vitest";
import { DEFAULT_TIMING, type ZabConfig, ZabPeer } from "../../src/zab/index.js";

const config = (myId: number, voters: number[]): ZabConfig => ({
  ...DEFAULT_TIMING,
  myId,
  voters,
  observers: [],
});
const fresh = { acceptedEpoch: 0, currentEpoch: 0, snapshotZxid: 0, log: [], connBase: 0 };

function followerOf3(): ZabPeer {
  const p = new ZabPeer(config(1, [1, 2, 3]), fresh);
  const vote = { leader: 3, zxid: 0, peerEpoch: 0 };
  p.step({ type: "message", from: 3, msg: { type: "NOTIFICATION", state: "LEADING", vote, round: 1 } });
  p.step({ type: "message", from: 2, msg: { type: "NOTIFICATION", state: "FOLLOWING", vote, round: 1 } });
  p.takeEffects();
  return p;
}

describe("ZabInput peerDown", () => {
  it("a follower whose leader's link broke goes back to looking at once", () => {
    const p = followerOf3();
    expect(p.status()).toMatchObject({ role: "following", leader: 3 });
    p.step({ type: "peerDown", peer: 2 });
    expect(p.status()).toMatchObject({ role: "following", leader: 3 });
    p.step({ type: "peerDown", peer: 3 });
    expect(p.status().role).toBe("looking");
    expect(p.takeEffects().some((e) => e.kind === "role" && e.role === "looking")).toBe(true);
  });

  it("is ignored while looking", () => {
    const p = new ZabPeer(config(1, [1, 2, 3]), fresh);
    p.takeEffects();
    p.step({ type: "peerDown", peer: 2 });
    expect(p.status().role).toBe("looking");
  });
});
