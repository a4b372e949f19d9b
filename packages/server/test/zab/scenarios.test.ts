import { describe, expect, it } from "vitest";
import { cluster, z } from "./scenario.js";

describe("ZAB scenarios", () => {
  it("elects the highest id when histories are equal, and everyone follows it", () => {
    const c = cluster({ voters: 3 }).settle().expectLeader(3, 1);
    c.expectTrace("3 leading leader=3 epoch=1 serving");
    c.propose(3, "a", "b").settle().expectApplied("*", ["a", "b"]);
  });

  it("a forged FOLLOWERINFO with a huge connection id locks no member out once its link drops", () => {
    const c = cluster({ voters: 3 }).settle().expectLeader(3, 1);
    // Without quorum auth anyone may dial the leader as server 1: its FOLLOWERINFO replaces 1's
    // session, and its connection id is larger than any the real server 1 will ever pick.
    const forged = { type: "FOLLOWERINFO", conn: 2 ** 40, seq: 1, term: 0, acceptedEpoch: 1 } as const;
    c.forgeOverOwnLink(3, 1, forged);
    // Server 1 hears nothing from its session, reconnects with a new id, and is taken back.
    c.mark().ticks(200).settle().propose(3, "a").settle();
    c.expectTrace("1 following leader=3 epoch=1 serving");
    c.expectApplied("*", ["a"]);
  });

  it("a PROPOSAL batch closes once its payloads reach maxBatchBytes (so it fits the peer frame limit)", () => {
    const batches = (c: ReturnType<typeof cluster>) =>
      c
        .traceSinceMark()
        .filter((l) => l.startsWith("3->1 PROPOSAL"))
        .map((l) => l.split(" ").at(-1));
    const unbounded = cluster({ voters: 3 }).settle();
    unbounded.mark().propose(3, "aaaa", "bbbb", "cccc", "dddd", "eeee").settle();
    const bounded = cluster({ voters: 3, timing: { maxBatchBytes: 8 } }).settle();
    bounded.mark().propose(3, "aaaa", "bbbb", "cccc", "dddd", "eeee").settle();
    bounded.expectApplied("*", ["aaaa", "bbbb", "cccc", "dddd", "eeee"]);
    // 4-byte payloads, closed at 8 bytes: 2 + 2 + 1 entries.
    expect(batches(unbounded)).toEqual(["x5"]);
    expect(batches(bounded)).toEqual(["x2", "x2", "x1"]);
  });

  it("a follower slightly behind gets a DIFF", () => {
    const c = cluster({ voters: 3 }).settle();
    c.propose(3, "a", "b").settle();
    c.crash(1).propose(3, "c", "d").settle();
    c.mark().restart(1).settle();
    c.expectTrace("3->1 DIFF").expectNoTrace(/SNAP|TRUNC/);
    c.expectApplied("*", ["a", "b", "c", "d"]);
  });

  it("a leader that dies after logging a txn nobody else got has it truncated (TRUNC)", () => {
    const c = cluster({ voters: 3 }).settle().expectLeader(3, 1);
    c.propose(3, "a").settle();
    // Server 3's proposals reach no one: it logs "lost" alone, then dies.
    c.block(3, 1, 2).propose(3, "lost").ticks(1).crash(3).heal();
    c.settle().expectLeader(2, 2);
    c.propose(2, "b").settle();
    c.mark().restart(3).settle().expectLeader(2, 2);
    c.expectTrace(`2->3 TRUNC ${z(1, 1)}`).expectTrace(`3 truncated to ${z(1, 1)}`);
    c.expectApplied("*", ["a", "b"]);
  });

  it("a leader that reached a minority of a 5-ensemble: the minority follower is truncated", () => {
    const c = cluster({ voters: 5 }).settle().expectLeader(5, 1);
    c.propose(5, "a").settle();
    // "x" reaches only server 4 (leader + 4 = 2 of 5: no quorum), then both go away.
    c.block(5, 1, 2, 3).propose(5, "x").ticks(2).crash(5).crash(4).heal();
    c.settle().expectLeader(3, 2).propose(3, "b").settle();
    c.mark().restart(4).restart(5).settle().expectLeader(3, 2);
    c.expectTrace(`3->4 TRUNC ${z(1, 1)}`).expectTrace(`3->5 TRUNC ${z(1, 1)}`);
    c.expectApplied("*", ["a", "b"]);
  });

  it("a txn on a quorum survives the leader's death even if it was never committed there", () => {
    const c = cluster({ voters: 3 }).settle();
    // Acks cannot reach the leader, so "y" is durable on all three but not committed anywhere.
    c.block(1, 3).block(2, 3).propose(3, "y").ticks(1).crash(3).heal();
    c.settle().expectLeader(2, 2).expectApplied([1, 2], ["y"]);
    c.restart(3).settle().expectApplied("*", ["y"]);
  });

  it("a follower with no txns gets a SNAP once the leader's log in memory no longer starts at 0", () => {
    const c = cluster({ voters: 3, timing: { maxLogEntries: 4 } }).settle();
    c.crash(1);
    const writes = Array.from({ length: 12 }, (_, i) => `w${i + 1}`);
    for (const w of writes) c.propose(3, w).ticks(1);
    c.settle().mark().restart(1).settle();
    c.expectTrace(/^3->1 SNAP 0x1000000/).expectNoTrace(/reads its log/);
    c.expectApplied("*", writes);
  });

  it("a follower behind the leader's log in memory gets a DIFF read back from the log on disk", () => {
    const c = cluster({ voters: 3, timing: { maxLogEntries: 4 } }).settle();
    c.propose(3, "w0").settle().crash(1);
    const writes = Array.from({ length: 12 }, (_, i) => `w${i + 1}`);
    for (const w of writes) c.propose(3, w).ticks(1);
    // Proposals keep coming while the log is read: they join the DIFF or follow it live.
    c.settle().mark().restart(1).ticks(3).propose(3, "during").settle();
    c.expectTrace(`3 reads its log for 1 from ${z(1, 1)}: 13 txns`).expectTrace("3->1 DIFF");
    c.expectNoTrace(/SNAP/);
    c.expectApplied("*", ["w0", ...writes, "during"]);
  });

  it("a DIFF from the log falls back to a SNAP when the read is declined or the txns left the disk", () => {
    for (const leaveDisk of [false, true]) {
      const c = cluster({ voters: 3, timing: { maxLogEntries: 4 } }).settle();
      c.propose(3, "w0").settle().crash(1);
      const writes = Array.from({ length: 12 }, (_, i) => `w${i + 1}`);
      for (const w of writes) c.propose(3, w).ticks(1);
      c.settle();
      if (leaveDisk) c.compactAndPurge(3);
      else c.declineLogReads();
      c.mark().restart(1).settle();
      c.expectTrace(/^3 reads its log for 1 from .*: declined$/);
      c.expectTrace(/^3->1 SNAP/);
      c.expectApplied("*", ["w0", ...writes]);
    }
  });

  it("two leaders in different epochs: the stale one's writes never commit", () => {
    const c = cluster({ voters: 5 }).settle().expectLeader(5, 1);
    c.propose(5, "a").settle();
    // Leader 5 stalls (a long pause); the others elect a new leader in epoch 2 and go on.
    c.pause(5).ticks(20).settle();
    const next = c.sim.stableLeader()!;
    expect(c.sim.status(next)?.epoch).toBe(2);
    c.propose(next, "b").settle();
    // 5 wakes up still believing it leads epoch 1: for a moment both serve.
    c.mark().resume(5).ticks(0);
    expect(c.sim.servingLeaders()).toEqual([next, 5].sort());
    c.propose(5, "stale");
    c.ticks(10).settle().expectLeader(next, 2);
    c.expectTrace(/^5 warn: lost quorum/);
    c.expectTrace(`${next}->5 TRUNC ${z(1, 1)}`);
    c.expectApplied("*", ["a", "b"]);
    expect(c.sim.epochLeaders.get(1)).toBe(5);
    expect(c.sim.epochLeaders.get(2)).toBe(next);
  });

  it("asymmetric link: a follower that cannot hear the leader waits; the leader keeps its quorum", () => {
    const c = cluster({ voters: 3 }).settle().expectLeader(3, 1);
    c.mark().block(3, 1).ticks(10);
    c.expectTrace("1 warn: leaving leader 3: silent for 5 ticks in broadcast");
    c.propose(3, "a").ticks(5).expectApplied([2, 3], ["a"]).expectApplied([1], []);
    expect(c.sim.status(1)?.role).toBe("looking");
    c.heal().settle().expectLeader(3, 1).expectTrace("3->1 DIFF");
    c.expectApplied("*", ["a"]);
  });

  it("bridge: two halves that only meet through server 3 keep the leader that 3 follows", () => {
    const c = cluster({ voters: 5 }).settle().expectLeader(5, 1);
    c.partition([1, 2], [4, 5]).ticks(10);
    c.propose(5, "a").ticks(5).expectApplied([3, 4, 5], ["a"]);
    c.expectNoTrace(/leading leader=[1-4]/);
    c.heal().settle().expectLeader(5, 1);
    c.expectApplied("*", ["a"]);
  });

  it("a server whose disk was wiped rejoins and is rebuilt", () => {
    const c = cluster({ voters: 3 }).settle();
    c.propose(3, "a", "b").settle();
    c.wipe(1).mark().restart(1).settle();
    c.expectTrace("3->1 DIFF");
    c.expectApplied("*", ["a", "b"]);
    expect(c.sim.status(1)?.currentEpoch).toBe(1);
  });

  it("a wiped server behind a compacted log is rebuilt from a snapshot", () => {
    const c = cluster({ voters: 3, timing: { maxLogEntries: 2 } }).settle();
    const writes = ["a", "b", "c", "d", "e", "f"];
    for (const w of writes) c.propose(3, w).ticks(1);
    c.settle().wipe(2).mark().restart(2).settle();
    c.expectTrace(/^3->2 SNAP/);
    c.expectApplied("*", writes);
  });

  it("a looking observer in a later round and a looking voter do not keep answering each other", () => {
    const c = cluster({ voters: 3, observers: 1 }).settle().expectLeader(3, 1);
    // Each time the observer loses the leader it looks in a new round; the voters stay in round 1.
    for (let i = 0; i < 3; i++) c.isolate(4).ticks(10).heal().settle();
    expect(c.sim.status(4)).toMatchObject({ role: "observing", serving: true });
    // Voter 1 and the observer lose the others together: both look, the observer in a later round.
    c.partition([1, 4], [2, 3]).ticks(10);
    expect(c.sim.status(1)?.role).toBe("looking");
    expect(c.sim.status(4)?.role).toBe("looking");
    // What they send each other now is their periodic votes and one answer each, not a bounce
    // that every resend starts again (seed 27870 of the sweep once stalled on millions of them).
    const before = c.sim.stats.delivered;
    c.ticks(20);
    expect(c.sim.stats.delivered - before).toBeLessThan(200);
    c.heal().settle().expectLeader(3, 1);
  });

  it("observers learn commits through INFORM, forward writes, and never count for a quorum", () => {
    const c = cluster({ voters: 3, observers: 1 }).settle().expectLeader(3, 1);
    expect(c.sim.status(4)?.role).toBe("observing");
    c.propose(3, "a").settle().expectApplied([4], ["a"]);
    c.forward(4, "from-observer").settle().expectApplied("*", ["a", "from-observer"]);
    // Leader + observer are 2 of 4 servers but only 1 of 3 voters: no quorum.
    c.mark().crash(1).crash(2).ticks(15);
    expect(c.sim.servingLeaders()).toEqual([]);
    c.expectTrace("3 warn: lost quorum: 1 of 2 voters in sync");
    c.restart(1).settle().expectApplied("*", ["a", "from-observer"]);
    expect(c.sim.stableLeader()).toBe(3);
  });

  it("sync on a follower completes after every earlier commit is applied there", () => {
    const c = cluster({ voters: 3 }).settle();
    c.block(2, 3).propose(3, "a").ticks(0).sync(1, 7);
    c.mark().heal().settle();
    const lines = c.traceSinceMark();
    expect(lines).toContain("1 syncDone 7");
    c.expectApplied([1], ["a"]);
  });

  it("session touches ride on PING replies; REVALIDATE goes to the leader and back", () => {
    const c = cluster({ voters: 3 }).settle().mark();
    c.sim.input(1, { type: "touchSessions", touches: [{ sessionId: 0x100n, timeoutMs: 4000 }] });
    c.ticks(2).expectTrace("3 sessionTouches from 1: 256/4000");
    c.sim.input(2, { type: "revalidate", sessionId: 0x200n, timeoutMs: 6000 });
    c.ticks(1).expectTrace("3 revalidate from 2: 512/6000");
    c.sim.input(3, { type: "revalidateReply", to: 2, sessionId: 0x200n, valid: true });
    c.ticks(1).expectTrace("2 revalidated 512 valid=true");
  });

  it("a server restarted with an unsynced tail comes back with what reached the disk", () => {
    const c = cluster({ voters: 3 }).settle();
    c.propose(3, "a").settle();
    c.crash(1).crash(2).crash(3);
    c.restart(1).restart(2).restart(3).settle().expectLeader(3, 2);
    c.expectApplied("*", ["a"]);
  });
});
