// Applies one kind of fault repeatedly: fault, hold, heal, let the ensemble recover, again.
import { performance } from "node:perf_hooks";
import type { FaultEvent, HistoryEntry } from "./checker/history.js";
import type { FaultName, Target } from "./targets/target.js";

export interface NemesisOptions {
  fault: FaultName;
  random: () => number;
  /** How long each fault lasts before it is healed. */
  faultMs: number;
  /** Quiet time after healing before the next fault. */
  quietMs: number;
  record: (e: Omit<FaultEvent, "id">) => HistoryEntry;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export class Nemesis {
  private stopping = false;
  private loop: Promise<void> | undefined;
  faultsApplied = 0;

  constructor(
    private readonly target: Target,
    private readonly opts: NemesisOptions,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  /** Stops after the fault in progress is healed. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  private async leaderOrRandom(): Promise<number> {
    return (await this.target.leader()) ?? pick(this.target.ids, this.opts.random);
  }

  private async run(): Promise<void> {
    const { fault, random } = this.opts;
    await sleep(this.opts.quietMs);
    while (!this.stopping) {
      const t = this.target;
      const startMs = performance.now();
      let label = "";
      let heal: () => Promise<void>;
      switch (fault) {
        case "kill-leader":
        case "kill-random": {
          const id = fault === "kill-leader" ? await this.leaderOrRandom() : pick(t.ids, random);
          label = `kill -9 node ${id}`;
          await t.kill(id);
          heal = () => t.restart(id);
          break;
        }
        case "kill-all-but-one": {
          // No quorum anywhere: the survivor may serve read-only clients, and nobody writes.
          const survivor = pick(t.ids, random);
          const killed = t.ids.filter((x) => x !== survivor);
          label = `kill -9 all but node ${survivor}`;
          await Promise.all(killed.map((id) => t.kill(id)));
          heal = async () => {
            for (const id of killed) await t.restart(id);
          };
          break;
        }
        case "pause-leader": {
          const id = await this.leaderOrRandom();
          label = `pause node ${id}`;
          await t.pause(id);
          heal = () => t.unpause(id);
          break;
        }
        case "partition-one": {
          const id = pick(t.ids, random);
          const rest = t.ids.filter((x) => x !== id);
          label = `isolate node ${id}`;
          await t.partition([[id], rest]);
          heal = () => t.heal();
          break;
        }
        case "partition-majority": {
          const order = shuffled(t.ids, random);
          const minority = order.slice(0, Math.floor(t.size / 2));
          const majority = order.slice(Math.floor(t.size / 2));
          label = `split ${minority.join(",")} | ${majority.join(",")}`;
          await t.partition([minority, majority]);
          heal = () => t.heal();
          break;
        }
        case "bridge": {
          // Two halves that only share one node; each half plus the bridge is a majority.
          const order = shuffled(t.ids, random);
          const half = Math.floor(t.size / 2);
          const bridge = order[half]!;
          const a = order.slice(0, half);
          const b = order.slice(half + 1);
          label = `bridge ${a.join(",")} <${bridge}> ${b.join(",")}`;
          await t.partition([
            [...a, bridge],
            [bridge, ...b],
          ]);
          heal = () => t.heal();
          break;
        }
      }
      this.faultsApplied++;
      this.opts.record({
        kind: "fault",
        name: fault,
        phase: "start",
        target: label,
        atMs: startMs,
        appliedMs: performance.now(),
      });
      this.opts.log?.(`fault: ${label}`);
      await sleep(this.opts.faultMs);
      await heal();
      this.opts.record({ kind: "fault", name: fault, phase: "heal", target: label, atMs: performance.now() });
      this.opts.log?.(`healed: ${label}`);
      // Let the healed node rejoin before the next fault, so faults do not pile up into an outage.
      try {
        await t.waitForQuorum(30_000);
      } catch (e) {
        this.opts.log?.(`no quorum after healing ${label}: ${(e as Error).message}`);
      }
      await sleep(this.opts.quietMs);
    }
  }
}
