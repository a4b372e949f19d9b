// Who votes and who only listens, and every quorum decision taken from that: election, epoch
// choice, NEWLEADER acks, commit and "still have a quorum". Nothing else in zab/ counts votes.
//
// Dynamic reconfiguration (ZooKeeper 3.5+): a server holds its ACTIVE config (the last one a
// committed reconfig entry made, or the static one, version 0) and the PENDING configs of the
// reconfig entries in its log past the commit point (at most one in practice: a leader refuses a
// second while one is in flight). While a config is pending, every quorum decision needs a
// quorum of the active config AND of each pending one, as ZooKeeper's SyncedLearnerTracker does
// with its (QuorumVerifier, ackset) pairs; commit is the one place where the pending config
// matters only from its own zxid on.

import { quorumSize } from "./election.js";
import type { QuorumConfig } from "./messages.js";
import { ZabError } from "./types.js";

/** The checks every config must pass before it is used (static, proposed or received). */
export function validateConfig(c: QuorumConfig): string | null {
  if (c.voters.length === 0) return "a config needs at least one voter";
  const seen = new Set<number>();
  for (const id of [...c.voters, ...c.observers]) {
    if (!Number.isSafeInteger(id) || id <= 0) return `server id ${id} is not a positive integer`;
    if (seen.has(id)) return `server ${id} appears twice`;
    seen.add(id);
  }
  return null;
}

export function sameConfig(a: QuorumConfig, b: QuorumConfig): boolean {
  const key = (x: readonly number[]) => [...x].sort((p, q) => p - q).join(",");
  return a.version === b.version && key(a.voters) === key(b.voters) && key(a.observers) === key(b.observers);
}

export function formatConfig(c: QuorumConfig): string {
  const obs = c.observers.length > 0 ? ` observers ${c.observers.join(",")}` : "";
  return `v${c.version.toString(16)} voters ${c.voters.join(",")}${obs}`;
}

function quorumOf(c: QuorumConfig): number {
  return quorumSize(c.voters.length);
}

/** Whether the voters of `c` among `ids` are a quorum of `c` (a config we do not hold). */
export function isQuorumOf(c: QuorumConfig, ids: readonly number[]): boolean {
  return c.voters.filter((v) => ids.includes(v)).length >= quorumOf(c);
}

/** How a server takes part under the configs it knows. */
export type Participation = "voter" | "observer" | "nonVoting";

export class Membership {
  private activeConfig: QuorumConfig;
  private pendingConfigs: QuorumConfig[] = [];

  constructor(active: QuorumConfig) {
    const bad = validateConfig(active);
    if (bad !== null) throw new ZabError("RUNTIME_CONTRACT", `config ${formatConfig(active)}: ${bad}`);
    this.activeConfig = active;
  }

  get active(): QuorumConfig {
    return this.activeConfig;
  }

  get pending(): readonly QuorumConfig[] {
    return this.pendingConfigs;
  }

  /** The active config and every pending one: a quorum decision needs each of them. */
  all(): QuorumConfig[] {
    return [this.activeConfig, ...this.pendingConfigs];
  }

  /** Replaces the active config by a newer one (committed); pending ones it covers go. */
  activate(c: QuorumConfig): void {
    if (c.version <= this.activeConfig.version) {
      throw new ZabError(
        "INVARIANT",
        `config ${formatConfig(c)} is not newer than the active ${formatConfig(this.activeConfig)}`,
      );
    }
    this.activeConfig = c;
    this.pendingConfigs = this.pendingConfigs.filter((p) => p.version > c.version);
  }

  /** The pending configs, recomputed from the reconfig entries past the commit point. */
  setPending(configs: QuorumConfig[]): void {
    this.pendingConfigs = configs.filter((p) => p.version > this.activeConfig.version);
  }

  addPending(c: QuorumConfig): void {
    if (c.version > this.activeConfig.version) this.pendingConfigs.push(c);
  }

  /** A voter in the active config or in a pending one: it votes, and may lead. */
  isVoter(id: number): boolean {
    return this.all().some((c) => c.voters.includes(id));
  }

  /** Voter anywhere, else observer in the newest config that names it, else non-voting. */
  participation(id: number): Participation {
    if (this.isVoter(id)) return "voter";
    const configs = this.all();
    for (let i = configs.length - 1; i >= 0; i--) {
      if (configs[i]!.observers.includes(id)) return "observer";
    }
    return "nonVoting";
  }

  /** Named (as voter or observer) by the active config. */
  isActiveMember(id: number): boolean {
    const c = this.activeConfig;
    return c.voters.includes(id) || c.observers.includes(id);
  }

  /** Every voter of every config we know: whom election notifications go to. */
  allVoters(): number[] {
    const out = new Set<number>();
    for (const c of this.all()) for (const v of c.voters) out.add(v);
    return [...out];
  }

  /** Whether the voters among `ids` make a quorum of the active config and of each pending one. */
  isQuorum(ids: Iterable<number>): boolean {
    const set = new Set(ids);
    return this.all().every((c) => c.voters.filter((v) => set.has(v)).length >= quorumOf(c));
  }

  /** Whether the voters among `ids` make a quorum of the active config alone. */
  isActiveQuorum(ids: Iterable<number>): boolean {
    const set = new Set(ids);
    const c = this.activeConfig;
    return c.voters.filter((v) => set.has(v)).length >= quorumOf(c);
  }

  /**
   * Whether `ids` may commit `zxid`: a quorum of the active config and of every pending config
   * whose entry is at or before zxid (the other half of quorumAcked, counted by holder).
   */
  isCommitQuorum(ids: Iterable<number>, zxid: number): boolean {
    const set = new Set(ids);
    return [this.activeConfig, ...this.pendingConfigs.filter((p) => p.version <= zxid)].every(
      (c) => c.voters.filter((v) => set.has(v)).length >= quorumOf(c),
    );
  }

  /** For log lines: "1 of 2" (count of the quorum needed), per config while one is pending. */
  describeCount(ids: Iterable<number>): string {
    const set = new Set(ids);
    const count = (c: QuorumConfig) => `${c.voters.filter((v) => set.has(v)).length} of ${quorumOf(c)}`;
    if (this.pendingConfigs.length === 0) return count(this.activeConfig);
    return this.all()
      .map((c) => `${count(c)} (${formatConfig(c)})`)
      .join(" and ");
  }

  /**
   * The highest zxid that may commit, from each server's durably acked zxid (the leader's own
   * included), or undefined when not even the active config has a quorum. A zxid before a
   * pending config's own entry needs only the older configs; from that entry on it needs a
   * quorum of the pending config too.
   */
  quorumAcked(acked: ReadonlyMap<number, number>): number | undefined {
    let bound = quorumAckedIn(this.activeConfig, acked);
    if (bound === undefined) return undefined;
    for (const p of this.pendingConfigs) {
      const q = quorumAckedIn(p, acked);
      bound = Math.min(bound, q !== undefined && q >= p.version ? q : p.version - 1);
    }
    return bound;
  }
}

function quorumAckedIn(c: QuorumConfig, acked: ReadonlyMap<number, number>): number | undefined {
  const zs: number[] = [];
  for (const v of c.voters) {
    const z = acked.get(v);
    if (z !== undefined) zs.push(z);
  }
  const q = quorumOf(c);
  if (zs.length < q) return undefined;
  zs.sort((a, b) => b - a);
  return zs[q - 1];
}
