// A small builder for scripted scenarios on top of the simulator, in a calm network (every
// message takes one time unit, fsync one unit, no random faults), so each script reads like the
// story it tells: "elect 3; isolate 3; propose on 3; crash 3; heal; expect TRUNC to 3".

import type { PeerMessage, ZabConfig } from "../../src/zab/index.js";
import { formatZxid, makeZxid } from "../../src/zab/index.js";
import { Simulator } from "./simulator.js";

export interface ClusterOptions {
  voters: number;
  observers?: number;
  /** Servers in no config at first (ids after the voters and observers), waiting to be added. */
  spares?: number;
  seed?: number;
  timing?: Partial<Omit<ZabConfig, "myId" | "voters" | "observers">>;
}

export function cluster(opts: ClusterOptions): Scenario {
  return new Scenario(
    new Simulator({
      seed: opts.seed ?? 1,
      voters: opts.voters,
      observers: opts.observers ?? 0,
      spares: opts.spares ?? 0,
      trace: true,
      ...(opts.timing === undefined ? {} : { timing: opts.timing }),
    }),
  );
}

/** zxid helper for expectations: z(2, 1) is the first txn of epoch 2, printed as in traces. */
export function z(epoch: number, counter: number): string {
  return formatZxid(makeZxid(epoch, counter));
}

export class Scenario {
  private markAt = 0;

  constructor(readonly sim: Simulator) {}

  /** Run until one leader serves every running server and all have applied everything committed. */
  settle(maxTicks = 80): this {
    const sim = this.sim;
    const settled = () => {
      if (sim.stableLeader() === null) return false;
      return sim
        .memberIds()
        .every(
          (id) =>
            sim.status(id) === null ||
            sim.server(id).paused ||
            sim.server(id).applied.length === sim.committed.length,
        );
    };
    if (!sim.runUntilTrue(settled, maxTicks)) {
      throw new Error(`cluster did not settle within ${maxTicks} ticks\n${this.traceSinceMark().join("\n")}`);
    }
    // Let trailing acks and commits land so the next step starts from a quiet cluster.
    sim.runTicks(1);
    return this;
  }

  ticks(n: number): this {
    this.sim.runTicks(n);
    return this;
  }

  /** Forget earlier trace lines: later expectTrace calls look only at what happens from here. */
  mark(): this {
    this.markAt = this.sim.trace.length;
    return this;
  }

  traceSinceMark(): string[] {
    return this.sim.trace.slice(this.markAt).map((l) => l.replace(/^t=\d+ /, ""));
  }

  expectTrace(line: string | RegExp): this {
    const lines = this.traceSinceMark();
    const found = lines.some((l) => (typeof line === "string" ? l === line : line.test(l)));
    if (!found) throw new Error(`trace has no line ${String(line)}; since mark:\n${lines.join("\n")}`);
    return this;
  }

  expectNoTrace(line: RegExp): this {
    const hit = this.traceSinceMark().find((l) => line.test(l));
    if (hit !== undefined) throw new Error(`unexpected trace line: ${hit}`);
    return this;
  }

  expectLeader(id: number, epoch: number): this {
    const leader = this.sim.stableLeader();
    const st = this.sim.status(id);
    if (leader !== id || st === null || st.epoch !== epoch) {
      throw new Error(
        `expected leader ${id} in epoch ${epoch}, got ${leader} (epoch ${st?.epoch})\n${this.traceSinceMark().join("\n")}`,
      );
    }
    return this;
  }

  /** Every listed server (or every running one, for "*") applied exactly these txns. */
  expectApplied(ids: number[] | "*", texts: string[]): this {
    const list = ids === "*" ? this.sim.allIds().filter((id) => this.sim.status(id) !== null) : ids;
    for (const id of list) {
      const got = this.sim.appliedTexts(id);
      if (got.join(",") !== texts.join(",")) {
        throw new Error(`s${id} applied [${got.join(",")}], expected [${texts.join(",")}]`);
      }
    }
    return this;
  }

  /** Leader `id` proposes a new config; it must accept it. */
  reconfig(id: number, voters: number[], observers: number[] = []): this {
    const refused = this.sim.reconfig(id, voters, observers);
    if (refused !== null)
      throw new Error(`reconfig refused: ${refused}\n${this.traceSinceMark().join("\n")}`);
    return this;
  }

  /** Leader `id` must refuse this config change with `code`. */
  expectReconfigRefused(id: number, code: string, voters: number[], observers: number[] = []): this {
    const refused = this.sim.reconfig(id, voters, observers);
    if (refused !== code) throw new Error(`reconfig: expected ${code}, got ${refused ?? "accepted"}`);
    return this;
  }

  /** Every listed server runs with this active config (voters, observers, in any order). */
  expectConfig(ids: number[], voters: number[], observers: number[] = []): this {
    const key = (xs: readonly number[]) => [...xs].sort((a, b) => a - b).join(",");
    for (const id of ids) {
      const st = this.sim.status(id);
      if (st === null) throw new Error(`s${id} is down`);
      if (key(st.config.voters) !== key(voters) || key(st.config.observers) !== key(observers)) {
        throw new Error(
          `s${id} has voters [${st.config.voters}] observers [${st.config.observers}], expected [${voters}] [${observers}]`,
        );
      }
    }
    return this;
  }

  expectRemoved(...ids: number[]): this {
    for (const id of ids) {
      const st = this.sim.status(id);
      if (st === null || !st.removed)
        throw new Error(`s${id} is not removed (${st === null ? "down" : st.role})`);
    }
    return this;
  }

  propose(id: number, ...texts: string[]): this {
    this.sim.propose(id, ...texts);
    return this;
  }

  forward(id: number, text: string): this {
    this.sim.forward(id, text);
    return this;
  }

  sync(id: number, requestId: number): this {
    this.sim.sync(id, requestId);
    return this;
  }

  forgeOverOwnLink(to: number, from: number, msg: PeerMessage): this {
    this.sim.forgeOverOwnLink(to, from, msg);
    return this;
  }

  crash(id: number): this {
    this.sim.crash(id, null, "none");
    return this;
  }

  restart(id: number): this {
    this.sim.restart(id);
    return this;
  }

  wipe(id: number): this {
    this.sim.wipe(id);
    return this;
  }

  pause(id: number): this {
    this.sim.pause(id);
    return this;
  }

  resume(id: number): this {
    this.sim.resume(id);
    return this;
  }

  isolate(id: number): this {
    this.sim.isolate(id);
    return this;
  }

  partition(...groups: number[][]): this {
    this.sim.partition(...groups);
    return this;
  }

  /** Drop everything `from` sends to each of `to`. */
  block(from: number, ...to: number[]): this {
    for (const t of to) this.sim.block(from, t);
    return this;
  }

  heal(): this {
    this.sim.heal();
    return this;
  }

  /** Snapshot what `id` has applied and delete those txns' log files. */
  compactAndPurge(id: number): this {
    this.sim.compact(id, true);
    return this;
  }

  /** Answer every readLog from now on with null (as for a DIFF too large to send). */
  declineLogReads(): this {
    this.sim.setFaults({ logReadDeclineRate: 1 });
    return this;
  }
}
