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

  it("a leader drops the learner at once and steps down at the next tick without a quorum", () => {
    const p = new ZabPeer(config(3, [1, 2, 3]), fresh);
    const vote = { leader: 3, zxid: 0, peerEpoch: 0 };
    for (const from of [1, 2]) {
      p.step({ type: "message", from, msg: { type: "NOTIFICATION", state: "LOOKING", vote, round: 1 } });
    }
    for (let i = 0; i < 5 && p.status().role !== "leading"; i++) p.step({ type: "tick" });
    expect(p.status().role).toBe("leading");
    p.step({
      type: "message",
      from: 1,
      msg: { type: "FOLLOWERINFO", acceptedEpoch: 0, conn: 7, seq: 1, term: 0 },
    });
    expect(p.learnerSummary()?.learners).toBe(1);
    p.step({ type: "peerDown", peer: 2 });
    expect(p.learnerSummary()?.learners).toBe(1);
    p.step({ type: "peerDown", peer: 1 });
    expect(p.learnerSummary()?.learners).toBe(0);
    // Still in discovery: the initLimit deadline, not the broadcast quorum check, applies.
    expect(p.status().role).toBe("leading");
  });

  it("is ignored while looking", () => {
    const p = new ZabPeer(config(1, [1, 2, 3]), fresh);
    p.takeEffects();
    p.step({ type: "peerDown", peer: 2 });
    expect(p.status().role).toBe("looking");
  });
});
