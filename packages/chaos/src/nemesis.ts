// Applies one kind of fault repeatedly: fault, hold, heal, let the ensemble recover, again.
import { performance } from "node:perf_hooks";
import type { FaultEvent, HistoryEntry } from "./checker/history.js";
import type { FaultName, MembershipChange, Reconfigurable, Target } from "./targets/target.js";

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

type Role = "participant" | "observer";

/** The members of a /zookeeper/config text, by id, with their roles and lines. */
export function membersOfConfig(text: string): Map<number, { role: Role; line: string }> {
  const out = new Map<number, { role: Role; line: string }>();
  for (const line of text.split("\n")) {
    const m = /^server\.(\d+)=[^;]*?(?::(participant|observer))?(?:;|$)/.exec(line.trim());
    if (m === null) continue;
    out.set(Number(m[1]), { role: m[2] === "observer" ? "observer" : "participant", line: line.trim() });
  }
  return out;
}

/**
 * One membership change, chosen so that at least 3 voters remain (the other faults need a
 * quorum that survives one kill): add a server waiting outside the config (as a participant, or
 * an observer a quarter of the time), switch a member's role, or remove a member.
 */
export function chooseChange(
  members: Map<number, { role: Role }>,
  allIds: readonly number[],
  serverLine: (id: number, role: Role) => string,
  random: () => number,
): { change: MembershipChange; label: string } | undefined {
  const voters = [...members].filter(([, m]) => m.role === "participant").map(([id]) => id);
  const observers = [...members].filter(([, m]) => m.role === "observer").map(([id]) => id);
  const outside = allIds.filter((id) => !members.has(id));
  const x = random();
  if (outside.length > 0 && (x < 0.45 || voters.length <= 3)) {
    const id = pick(outside, random);
    const role: Role = random() < 0.25 ? "observer" : "participant";
    return { change: { joining: serverLine(id, role) }, label: `reconfig: add ${id} as ${role}` };
  }
  if (x < 0.7 && (observers.length > 0 || voters.length > 3)) {
    const id =
      voters.length > 3 && (observers.length === 0 || random() < 0.5)
        ? pick(voters, random)
        : pick(observers, random);
    const role: Role = members.get(id)!.role === "observer" ? "participant" : "observer";
    return { change: { joining: serverLine(id, role) }, label: `reconfig: ${id} becomes ${role}` };
  }
  const removable = [...observers, ...(voters.length > 3 ? voters : [])];
  if (removable.length === 0) return undefined;
  const id = pick(removable, random);
  return { change: { leaving: String(id) }, label: `reconfig: remove ${id}` };
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

  /**
   * A reconfig, half the time with a random node killed while it is proposed. Healing restarts
   * the killed node and starts every server outside the new config as one waiting to be added
   * (a removed server stops serving until an operator does that), so the next step can add it.
   */
  private async reconfigStep(
    t: Target,
    r: Reconfigurable,
  ): Promise<{ label: string; heal: () => Promise<void> }> {
    const { random } = this.opts;
    const before = await r.currentConfig().catch(() => "");
    const chosen = chooseChange(membersOfConfig(before), t.ids, (id, role) => r.serverLine(id, role), random);
    const killed = random() < 0.5 ? pick(t.ids, random) : undefined;
    if (killed !== undefined) await t.kill(killed);
    let label = chosen?.label ?? "reconfig: nothing to change";
    if (chosen !== undefined) {
      const outcome = await r.reconfigure(chosen.change).then(
        () => "committed",
        (e: unknown) => `refused or unknown: ${e instanceof Error ? e.message : String(e)}`,
      );
      label += ` (${outcome})`;
    }
    if (killed !== undefined) label += `, node ${killed} killed meanwhile`;
    const heal = async () => {
      if (killed !== undefined) await t.restart(killed);
      const now = await r.currentConfig().catch(() => before);
      const members = membersOfConfig(now);
      if (members.size === 0) return;
      const lines = [...members.values()].map((m) => m.line);
      for (const id of t.ids) {
        if (!members.has(id) && (await t.mode(id)) !== "follower") await r.rejoin(id, lines);
      }
    };
    return { label, heal };
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
        case "reconfig": {
          const r = t.reconfigurable();
          if (r === undefined) throw new Error(`the ${t.name} target cannot reconfigure`);
          const step = await this.reconfigStep(t, r);
          label = step.label;
          heal = step.heal;
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
