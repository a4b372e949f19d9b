// Direct tests of the state machine's ordering obligations, driving one ZabPeer by hand.

import { describe, expect, it } from "vitest";
import type { Effect, LogEntry, PeerMessage, ZabConfig } from "../../src/zab/index.js";
import {
  compareVotes,
  counterOf,
  DEFAULT_TIMING,
  EPOCH_LIMIT,
  epochOf,
  isContiguous,
  makeZxid,
  ZabError,
  ZabPeer,
} from "../../src/zab/index.js";

const enc = new TextEncoder();
const entry = (epoch: number, counter: number): LogEntry => ({
  zxid: makeZxid(epoch, counter),
  payload: enc.encode(`${epoch}.${counter}`),
});

function config(myId: number, voters: number[], observers: number[] = []): ZabConfig {
  return { ...DEFAULT_TIMING, myId, voters, observers };
}

const fresh = { acceptedEpoch: 0, currentEpoch: 0, snapshotZxid: 0, log: [], connBase: 0 };

/** Compact rendering of effects so expectations read as a sequence of actions. */
function show(effects: Effect[]): string[] {
  return effects
    .filter((e) => e.kind !== "log" && !(e.kind === "send" && e.msg.type === "NOTIFICATION"))
    .map((e) => {
      switch (e.kind) {
        case "send": {
          const m = e.msg as PeerMessage & { zxid?: number };
          return `send ${e.to} ${m.type}${m.zxid !== undefined ? ` ${m.zxid.toString(16)}` : ""}`;
        }
        case "persistEpochs":
          return `epochs ${e.acceptedEpoch}/${e.currentEpoch}`;
        case "append":
          return `append ${e.entries.map((x) => x.zxid.toString(16)).join(",")}`;
        case "commit":
          return `commit ${e.entries.map((x) => x.zxid.toString(16)).join(",")}`;
        case "role":
          return `role ${e.role}${e.serving ? " serving" : ""}`;
        default:
          return e.kind;
      }
    });
}

/** Make server 1 of {1,2,3} follow 3 through the out-of-election path. */
function followerOf3(): ZabPeer {
  const p = new ZabPeer(config(1, [1, 2, 3]), fresh);
  p.takeEffects();
  const vote = { leader: 3, zxid: 0, peerEpoch: 0 };
  p.step({ type: "message", from: 3, msg: { type: "NOTIFICATION", state: "LEADING", vote, round: 1 } });
  p.step({ type: "message", from: 2, msg: { type: "NOTIFICATION", state: "FOLLOWING", vote, round: 1 } });
  expect(show(p.takeEffects())).toEqual(["role following", "send 3 FOLLOWERINFO"]);
  return p;
}

describe("zxid", () => {
  it("packs epoch and counter and refuses epochs that would lose precision", () => {
    const z = makeZxid(5, 7);
    expect([epochOf(z), counterOf(z)]).toEqual([5, 7]);
    expect(makeZxid(EPOCH_LIMIT - 1, 2 ** 32 - 1)).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
    expect(() => makeZxid(EPOCH_LIMIT, 0)).toThrow(RangeError);
    expect(() => makeZxid(1, 2 ** 32)).toThrow(RangeError);
  });

  it("knows which zxid may follow which", () => {
    expect(isContiguous(makeZxid(1, 3), makeZxid(1, 4))).toBe(true);
    expect(isContiguous(makeZxid(1, 3), makeZxid(1, 5))).toBe(false);
    expect(isContiguous(makeZxid(1, 3), makeZxid(4, 1))).toBe(true);
    expect(isContiguous(makeZxid(1, 3), makeZxid(4, 2))).toBe(false);
    expect(isContiguous(makeZxid(4, 1), makeZxid(1, 9))).toBe(false);
  });

  it("orders votes by epoch, then zxid, then id", () => {
    const v = (leader: number, zxid: number, peerEpoch: number) => ({ leader, zxid, peerEpoch });
    expect(compareVotes(v(1, 0, 2), v(3, makeZxid(1, 9), 1))).toBeGreaterThan(0);
    expect(compareVotes(v(1, makeZxid(1, 2), 1), v(3, makeZxid(1, 1), 1))).toBeGreaterThan(0);
    expect(compareVotes(v(3, 5, 1), v(2, 5, 1))).toBeGreaterThan(0);
  });
});

describe("ZabPeer ordering obligations", () => {
  it("follower: acceptedEpoch before ACKEPOCH; durable history, then currentEpoch, then the NEWLEADER ack", () => {
    const p = followerOf3();
    const conn = 1;
    let seq = 0;
    const fromLeader = (body: Record<string, unknown>) =>
      p.step({ type: "message", from: 3, msg: { ...body, conn, seq: ++seq, term: 2 } as PeerMessage });

    fromLeader({ type: "LEADERINFO", newEpoch: 2 });
    expect(show(p.takeEffects())).toEqual(["epochs 2/0", "role following", "send 3 ACKEPOCH"]);

    fromLeader({ type: "DIFF", committedZxid: makeZxid(1, 1) });
    fromLeader({ type: "PROPOSAL", entries: [entry(1, 1), entry(1, 2)] });
    fromLeader({ type: "NEWLEADER", epoch: 2 });
    // Committed (1,1) may be applied at once; nothing is acked before the fsync.
    expect(show(p.takeEffects())).toEqual(["append 100000001,100000002", "commit 100000001"]);

    // A proposal of the new epoch arriving meanwhile waits until currentEpoch is set.
    fromLeader({ type: "PROPOSAL", entries: [entry(2, 1)] });
    expect(show(p.takeEffects())).toEqual([]);

    p.step({ type: "persisted", zxid: makeZxid(1, 1) });
    expect(show(p.takeEffects())).toEqual([]);
    // The NEWLEADER ack covers the synced history; no separate ACK for (1,2).
    p.step({ type: "persisted", zxid: makeZxid(1, 2) });
    expect(show(p.takeEffects())).toEqual(["epochs 2/2", "send 3 ACK 200000000", "append 200000001"]);

    fromLeader({ type: "UPTODATE" });
    expect(show(p.takeEffects())).toEqual(["role following serving"]);
    p.step({ type: "persisted", zxid: makeZxid(2, 1) });
    expect(show(p.takeEffects())).toEqual(["send 3 ACK 200000001"]);
    fromLeader({ type: "COMMIT", zxid: makeZxid(2, 1) });
    expect(show(p.takeEffects())).toEqual(["commit 100000002,200000001"]);
  });

  it("follower: a COMMIT for a txn it lacks means lost sync, back to LOOKING", () => {
    const p = followerOf3();
    let seq = 0;
    const fromLeader = (body: Record<string, unknown>) =>
      p.step({ type: "message", from: 3, msg: { ...body, conn: 1, seq: ++seq, term: 1 } as PeerMessage });
    fromLeader({ type: "LEADERINFO", newEpoch: 1 });
    fromLeader({ type: "DIFF", committedZxid: 0 });
    fromLeader({ type: "NEWLEADER", epoch: 1 });
    fromLeader({ type: "UPTODATE" });
    p.takeEffects();
    fromLeader({ type: "COMMIT", zxid: makeZxid(1, 1) });
    expect(p.status().role).toBe("looking");
  });

  it("follower: frames after a gap wait; duplicates are ignored", () => {
    const p = followerOf3();
    const msg = (seq: number, body: Record<string, unknown>) =>
      p.step({ type: "message", from: 3, msg: { ...body, conn: 1, seq, term: 1 } as PeerMessage });
    msg(2, { type: "DIFF", committedZxid: 0 });
    expect(show(p.takeEffects())).toEqual([]);
    msg(1, { type: "LEADERINFO", newEpoch: 1 });
    msg(1, { type: "LEADERINFO", newEpoch: 1 });
    msg(3, { type: "NEWLEADER", epoch: 1 });
    expect(show(p.takeEffects())).toEqual([
      "epochs 1/0",
      "role following",
      "send 3 ACKEPOCH",
      "epochs 1/1",
      "send 3 ACK 100000000",
    ]);
  });

  it("follower: frames of an earlier term of the same leader on the same connection are ignored", () => {
    const p = followerOf3();
    const msg = (seq: number, term: number, body: Record<string, unknown>) =>
      p.step({ type: "message", from: 3, msg: { ...body, conn: 1, seq, term } as PeerMessage });
    // Term 4's LEADERINFO was lost; its later frames wait behind the gap...
    msg(2, 4, { type: "DIFF", committedZxid: 0 });
    msg(3, 4, { type: "NEWLEADER", epoch: 4 });
    // ...then the leader, re-elected in term 5, answers the repeated FOLLOWERINFO.
    msg(1, 5, { type: "LEADERINFO", newEpoch: 5 });
    expect(show(p.takeEffects())).toEqual(["epochs 5/0", "role following", "send 3 ACKEPOCH"]);
    msg(2, 5, { type: "DIFF", committedZxid: 0 });
    msg(3, 5, { type: "NEWLEADER", epoch: 5 });
    expect(show(p.takeEffects())).toEqual(["epochs 5/5", "send 3 ACK 500000000"]);
  });

  it("standalone: serves at once, commits a proposal only after its own fsync", () => {
    const p = new ZabPeer({ ...config(1, [1]), finalizeWaitTicks: 0 }, fresh);
    expect(show(p.takeEffects())).toEqual([
      "role looking",
      "role leading",
      "epochs 1/0",
      "role leading",
      "epochs 1/1",
      "role leading serving",
    ]);
    p.step({ type: "propose", payloads: [enc.encode("x"), enc.encode("y")] });
    expect(show(p.takeEffects())).toEqual(["append 100000001,100000002"]);
    p.step({ type: "persisted", zxid: makeZxid(1, 2) });
    expect(show(p.takeEffects())).toEqual(["commit 100000001,100000002"]);
  });

  it("refuses proposals unless it is an established leader", () => {
    const p = followerOf3();
    expect(() => p.step({ type: "propose", payloads: [enc.encode("x")] })).toThrow(ZabError);
  });

  it("a restart with txns of an epoch newer than currentEpoch adopts that epoch", () => {
    const p = new ZabPeer(config(1, [1, 2, 3]), {
      acceptedEpoch: 2,
      currentEpoch: 1,
      snapshotZxid: 0,
      log: [entry(1, 1), entry(2, 1)],
      connBase: 0,
    });
    expect(show(p.takeEffects())[0]).toBe("epochs 2/2");
    expect(p.status().currentEpoch).toBe(2);
  });

  it("rejects a restored log with a hole", () => {
    expect(
      () =>
        new ZabPeer(config(1, [1, 2, 3]), {
          acceptedEpoch: 1,
          currentEpoch: 1,
          snapshotZxid: 0,
          log: [entry(1, 1), entry(1, 3)],
          connBase: 0,
        }),
    ).toThrow(/hole/);
  });
});

describe("a learner whose elected leader does not lead", () => {
  // initLimit far away: what sends the learner back to looking must be the refusals, not silence.
  const patient = (myId: number): ZabConfig => ({ ...config(myId, [1, 2, 3]), initLimitTicks: 1000 });
  const vote = (leader: number) => ({ leader, zxid: 0, peerEpoch: 0 });
  const notification = (
    state: "LOOKING" | "FOLLOWING" | "LEADING",
    leader: number,
    round = 1,
  ): PeerMessage => ({
    type: "NOTIFICATION",
    state,
    vote: vote(leader),
    round,
  });

  /** Server 1 of {1,2,3} hears only 2's vote (3's was lost), finalizes and follows 2. */
  function followerOf2(): ZabPeer {
    const p = new ZabPeer(patient(1), fresh);
    p.step({ type: "message", from: 2, msg: notification("LOOKING", 2) });
    p.step({ type: "tick" });
    p.step({ type: "tick" });
    expect(p.status().role).toBe("following");
    expect(p.status().leader).toBe(2);
    p.takeEffects();
    return p;
  }

  it("answers a FOLLOWERINFO with its own election state instead of ignoring it", () => {
    const p = new ZabPeer(patient(2), fresh);
    p.step({ type: "message", from: 3, msg: notification("LEADING", 3) });
    p.step({ type: "message", from: 1, msg: notification("FOLLOWING", 3) });
    expect(p.status().role).toBe("following");
    p.takeEffects();
    p.step({
      type: "message",
      from: 1,
      msg: { type: "FOLLOWERINFO", acceptedEpoch: 0, conn: 7, seq: 1, term: 0 } as PeerMessage,
    });
    const sent = p.takeEffects().filter((e) => e.kind === "send");
    expect(sent).toEqual([
      { kind: "send", to: 1, msg: expect.objectContaining(notification("FOLLOWING", 3)) },
    ]);
  });

  it("goes back to looking after a few refusals, and a LOOKING vote then lets it follow the real leader", () => {
    const p = followerOf2();
    // 2 heard 3's better vote after we decided: it follows 3 and says so in answer to each try.
    for (let i = 0; i < 4; i++) {
      p.step({ type: "message", from: 2, msg: notification("FOLLOWING", 3) });
      // Two answers in one tick are one try.
      p.step({ type: "message", from: 2, msg: notification("FOLLOWING", 3) });
      p.step({ type: "tick" });
      expect(p.status().role).toBe("following");
    }
    p.step({ type: "message", from: 2, msg: notification("FOLLOWING", 3) });
    expect(p.status().role).toBe("looking");
    p.step({ type: "message", from: 3, msg: notification("LEADING", 3) });
    expect(p.status().role).toBe("following");
    expect(p.status().leader).toBe(3);
  });

  it("gives up on a leader it cannot reach after a few tries", () => {
    const p = followerOf2();
    for (let i = 0; i < 4; i++) {
      p.step({ type: "peerUnreachable", peer: 2 });
      p.step({ type: "tick" });
    }
    expect(p.status().role).toBe("following");
    p.step({ type: "peerUnreachable", peer: 2 });
    expect(p.status().role).toBe("looking");
  });

  it("keeps waiting for a leader that says it leads", () => {
    const p = followerOf2();
    for (let i = 0; i < 20; i++) {
      p.step({ type: "message", from: 2, msg: notification(i % 2 === 0 ? "LOOKING" : "LEADING", 2) });
      p.step({ type: "tick" });
    }
    expect(p.status().role).toBe("following");
    expect(p.status().leader).toBe(2);
  });
});

describe("a candidate that others already follow", () => {
  /** Server 3, looking in round 1, hears 2 answer FOLLOWING with a vote for 3 in `round`. */
  function candidateAnsweredIn(round: number): ZabPeer {
    const p = new ZabPeer({ ...config(3, [1, 2, 3]), initLimitTicks: 1000 }, fresh);
    const me = { leader: 3, zxid: 0, peerEpoch: 0 };
    p.step({ type: "message", from: 2, msg: { type: "NOTIFICATION", state: "FOLLOWING", vote: me, round } });
    return p;
  }

  it("counts a FOLLOWING answer for itself in its own round as a vote, as ZooKeeper's FLE does", () => {
    // 2 decided for us in round 1 and now only answers; 1 is not reachable yet.
    const p = candidateAnsweredIn(1);
    p.step({ type: "tick" });
    p.step({ type: "tick" });
    expect(p.status().role).toBe("leading");
  });

  it("ignores such an answer from another round", () => {
    const p = candidateAnsweredIn(7);
    for (let i = 0; i < 5; i++) p.step({ type: "tick" });
    expect(p.status().role).toBe("looking");
  });
});
