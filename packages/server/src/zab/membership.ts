// Who votes and who only listens, and every quorum decision taken from that: election, epoch
// choice, NEWLEADER acks, commit and "still have a quorum". Nothing else in zab/ counts votes,
// so dynamic reconfiguration can replace this with a joint old+new quorum in one place.

import { quorumSize } from "./election.js";
import { ZabError } from "./types.js";

export class Membership {
  private readonly voterSet: ReadonlySet<number>;
  private readonly observerSet: ReadonlySet<number>;
  /** Votes that make a quorum of the voters. */
  readonly quorum: number;

  constructor(
    readonly voters: readonly number[],
    readonly observers: readonly number[],
  ) {
    this.voterSet = new Set(voters);
    this.observerSet = new Set(observers);
    for (const o of observers) {
      if (this.voterSet.has(o))
        throw new ZabError("RUNTIME_CONTRACT", `server ${o} is both voter and observer`);
    }
    this.quorum = quorumSize(this.voterSet.size);
  }

  isVoter(id: number): boolean {
    return this.voterSet.has(id);
  }

  isObserver(id: number): boolean {
    return this.observerSet.has(id);
  }

  isMember(id: number): boolean {
    return this.voterSet.has(id) || this.observerSet.has(id);
  }

  /** Voters among `ids` (non-voters do not count). */
  countVoters(ids: Iterable<number>): number {
    let n = 0;
    for (const s of ids) if (this.voterSet.has(s)) n += 1;
    return n;
  }

  /** Whether the voters among `ids` make a quorum. */
  isQuorum(ids: Iterable<number>): boolean {
    return this.countVoters(ids) >= this.quorum;
  }

  /** Whether `count` voters, counted elsewhere, make a quorum. */
  isQuorumCount(count: number): boolean {
    return count >= this.quorum;
  }

  /**
   * The highest zxid a quorum of voters has durably logged, from each voter's acked zxid (the
   * leader's own included), or undefined without enough of them.
   */
  quorumAcked(acked: number[]): number | undefined {
    if (acked.length < this.quorum) return undefined;
    acked.sort((a, b) => b - a);
    return acked[this.quorum - 1];
  }
}
