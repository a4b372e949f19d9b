// Dynamic membership, scripted: each test tells one reconfig story in a calm network and checks
// configs, roles and applied txns. The random sweep (sim.test.ts) mixes the same operations with
// crashes, partitions and message loss.

import { describe, expect, it } from "vitest";
import { cluster } from "./scenario.js";

describe("ZAB reconfig", () => {
  it("grows 3 -> 5: the joiners sync as non-voting followers first, then their acks count", () => {
    const c = cluster({ voters: 3, spares: 2 }).settle().expectLeader(3, 1);
    // Waiting to be added, 4 and 5 already follow and apply, but count for nothing.
    c.propose(3, "a").settle();
    for (const id of [4, 5]) {
      expect(c.sim.status(id)).toMatchObject({ role: "following", leader: 3, serving: true });
    }
    c.expectApplied([1, 2, 3, 4, 5], ["a"]);
    c.mark().reconfig(3, [1, 2, 3, 4, 5]).settle();
    c.expectConfig([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]);
    // 3 of 5 without 1 and 2: only the joiners' acks make this commit.
    c.crash(1).crash(2).propose(3, "b").settle().expectApplied([3, 4, 5], ["a", "b"]);
    expect(c.sim.status(3)!.config.version).toBeGreaterThan(0);
  });

  it("commits only with a quorum of the old AND of the new config", () => {
    const c = cluster({ voters: 3, spares: 2 }).settle().expectLeader(3, 1);
    // The new config {3,4,5}: while 4 and 5 stall, {1,2,3} (a quorum of the old) is not enough.
    c.pause(4).pause(5).reconfig(3, [3, 4, 5]).propose(3, "after").ticks(3);
    const st = c.sim.status(3)!;
    expect(st.pendingConfig?.voters).toEqual([3, 4, 5]);
    expect(st.lastCommitted).toBeLessThan(st.pendingConfig!.version);
    expect(c.sim.status(1)!.lastZxid).toBe(st.lastZxid); // the old quorum has it all
    c.expectApplied([1, 2, 3], []);
    c.mark().resume(4).resume(5).settle(200);
    c.expectConfig([3, 4, 5], [3, 4, 5]).expectRemoved(1, 2);
    c.expectApplied([3, 4, 5], ["after"]).expectTrace(/^1 removed: removed from the ensemble/);
    expect(c.sim.stableLeader()).toBe(3);
  });

  it("a removed leader hands over to the designated leader without an election", () => {
    const c = cluster({ voters: 5 }).settle().expectLeader(5, 1);
    c.propose(5, "a").settle();
    c.mark().reconfig(5, [1, 2, 3, 4]).settle();
    c.expectRemoved(5).expectConfig([1, 2, 3, 4], [1, 2, 3, 4]);
    // Everyone acked everything: the tie goes to the highest id.
    c.expectLeader(4, 2).expectTrace(
      "5 info: config v100000002 voters 1,2,3,4 leaves us out as a voter: handing over to 4",
    );
    c.expectTrace("4 info: leader 5 handed leadership to us");
    c.expectNoTrace(/^[1-4] looking/);
    c.propose(4, "b").settle().expectApplied([1, 2, 3, 4], ["a", "b"]);
  });

  it("observers learn the hand-off from the INFORM and follow the designated leader", () => {
    const c = cluster({ voters: 3, observers: 1 }).settle().expectLeader(3, 1);
    c.mark().reconfig(3, [1, 2], [4]).settle();
    c.expectRemoved(3).expectLeader(2, 2).expectConfig([1, 2, 4], [1, 2], [4]);
    c.expectTrace("4 info: leader 3 handed leadership to 2").expectNoTrace(/^[124] looking/);
    expect(c.sim.status(4)).toMatchObject({ role: "observing", leader: 2, serving: true });
    c.propose(2, "after").settle().expectApplied([1, 2, 4], ["after"]);
  });

  it("a leader demoted to observer hands over and keeps learning as an observer", () => {
    const c = cluster({ voters: 3 }).settle().expectLeader(3, 1);
    c.reconfig(3, [1, 2], [3]).settle();
    c.expectConfig([1, 2, 3], [1, 2], [3]).expectLeader(2, 2);
    expect(c.sim.status(3)).toMatchObject({ role: "observing", leader: 2, serving: true });
    c.propose(2, "x").settle().expectApplied([1, 2, 3], ["x"]);
  });

  it("turns an observer into a participant and back", () => {
    const c = cluster({ voters: 3, observers: 1 }).settle().expectLeader(3, 1);
    c.reconfig(3, [1, 2, 3, 4]).settle().expectConfig([1, 2, 3, 4], [1, 2, 3, 4]);
    expect(c.sim.status(4)).toMatchObject({ role: "following", serving: true });
    // 3 of 4 voters: 4's acks are needed now that 1 is down.
    c.crash(1).propose(3, "p").settle().expectApplied([2, 3, 4], ["p"]);
    c.reconfig(3, [1, 2, 3], [4]).settle().expectConfig([2, 3, 4], [1, 2, 3], [4]);
    expect(c.sim.status(4)).toMatchObject({ role: "observing", serving: true });
    c.restart(1).settle().expectConfig([1], [1, 2, 3], [4]).expectApplied("*", ["p"]);
  });

  it.each([
    ["a DIFF read back from the leader's log", false, /^3->2 DIFF/],
    ["a SNAP", true, /^3->2 SNAP/],
  ])(
    "a server down during a reconfig learns it when it syncs (a DIFF from memory, then %s)",
    (_how, decline, sync) => {
      const c = cluster({ voters: 3, spares: 1, timing: { maxLogEntries: 4 } }).settle();
      if (decline) c.declineLogReads();
      c.crash(1).reconfig(3, [1, 2, 3, 4]).settle();
      c.mark().restart(1).settle().expectTrace("3->1 DIFF").expectConfig([1], [1, 2, 3, 4]);
      c.crash(2).reconfig(3, [1, 2, 3, 4], []);
      const writes = Array.from({ length: 12 }, (_, i) => `w${i}`);
      for (const w of writes) c.propose(3, w).ticks(1);
      c.reconfig(3, [2, 3, 4]).settle();
      c.expectRemoved(1);
      c.mark().restart(2).settle().expectTrace(sync).expectConfig([2, 3, 4], [2, 3, 4]);
      c.expectApplied([2, 3, 4], writes);
    },
  );

  it("a removed server that was down learns its removal from the election and waits to be added again", () => {
    const c = cluster({ voters: 5 }).settle().expectLeader(5, 1);
    c.crash(1).reconfig(5, [2, 3, 4, 5]).propose(5, "a").settle();
    c.mark().restart(1).ticks(10);
    c.expectTrace(/^1 info: config v100000001 voters 2,3,4,5 active \(told by a peer during the election\)/);
    // Not stopped: it syncs as a non-voting follower, so a reconfig can add it back.
    c.expectConfig([1], [2, 3, 4, 5]).expectApplied([1], ["a"]);
    expect(c.sim.status(1)?.removed).toBe(false);
    expect(c.sim.stableLeader()).toBe(5);
    c.reconfig(5, [1, 2, 3, 4, 5]).propose(5, "b").settle().expectConfig([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]);
    c.expectApplied([1, 2, 3, 4, 5], ["a", "b"]);
  });

  it("a reconfig pending when its leader dies is committed by the next leader that has it", () => {
    const c = cluster({ voters: 3, spares: 1 }).settle().expectLeader(3, 1);
    // Acks cannot reach 3: the reconfig is on every server but committed nowhere.
    c.block(1, 3).block(2, 3).block(4, 3).reconfig(3, [1, 2, 4]).ticks(2).crash(3).heal();
    c.settle(200).expectConfig([1, 2, 4], [1, 2, 4]);
    // Its old leader missed the commit: it learns the config from the election and waits, not
    // voting, to be added again.
    c.restart(3).ticks(20).expectConfig([3], [1, 2, 4]);
    expect(c.sim.status(3)?.removed).toBe(false);
  });

  it("refuses a second reconfig in flight, a config without a quorum in sync, and a malformed one", () => {
    const c = cluster({ voters: 3 }).settle().expectLeader(3, 1);
    c.reconfig(3, [1, 2, 3], []);
    c.expectReconfigRefused(3, "RECONFIG_IN_PROGRESS", [1, 2]);
    c.settle();
    // 6 and 7 never synced with the leader.
    c.expectReconfigRefused(3, "NEW_CONFIG_NO_QUORUM", [3, 6, 7]);
    c.expectReconfigRefused(3, "BAD_CONFIG", []);
    c.expectReconfigRefused(3, "BAD_CONFIG", [1, 2], [2]);
    c.expectReconfigRefused(1, "NOT_SERVING", [1, 2]);
    c.propose(3, "still").settle().expectApplied("*", ["still"]);
  });
});
