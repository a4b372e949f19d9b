// ZabPeer.learnerSummary(): the read-only view mntr needs on a leader (added for the runtime).
import { describe, expect, it } from "vitest";
import { DEFAULT_TIMING, type ZabConfig, ZabPeer } from "../../src/zab/index.js";

const config = (myId: number, voters: number[]): ZabConfig => ({
  ...DEFAULT_TIMING,
  myId,
  voters,
  observers: [],
});
const fresh = { acceptedEpoch: 0, currentEpoch: 0, snapshotZxid: 0, log: [], connBase: 0 };

describe("ZabPeer.learnerSummary", () => {
  it("is null unless leading, and counts learner connections on a leader", () => {
    const p = new ZabPeer(config(3, [1, 2, 3]), fresh);
    expect(p.learnerSummary()).toBeNull();
    const vote = { leader: 3, zxid: 0, peerEpoch: 0 };
    for (const from of [1, 2]) {
      p.step({ type: "message", from, msg: { type: "NOTIFICATION", state: "LOOKING", vote, round: 1 } });
    }
    for (let i = 0; i < 5 && p.status().role !== "leading"; i++) p.step({ type: "tick" });
    expect(p.status().role).toBe("leading");
    expect(p.learnerSummary()).toEqual({
      learners: 0,
      syncedFollowers: 0,
      syncedObservers: 0,
      pendingSyncs: 0,
    });
    p.step({
      type: "message",
      from: 1,
      msg: { type: "FOLLOWERINFO", acceptedEpoch: 0, conn: 7, seq: 1, term: 0 },
    });
    expect(p.learnerSummary()).toMatchObject({ learners: 1, syncedFollowers: 0 });
  });
});
