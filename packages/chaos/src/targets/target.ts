import { type Mode, serverMode } from "../four-letter.js";

export type FaultName =
  | "kill-leader"
  | "kill-random"
  | "pause-leader"
  | "partition-one"
  | "partition-majority"
  | "bridge"
  | "kill-all-but-one"
  | "reconfig";

export const FAULTS: readonly FaultName[] = [
  "kill-leader",
  "kill-random",
  "pause-leader",
  "partition-one",
  "partition-majority",
  "bridge",
  "kill-all-but-one",
  "reconfig",
];

/** A reconfig as zkCli's `reconfig -add` / `-remove` spells it. */
export interface MembershipChange {
  joining?: string;
  leaving?: string;
}

/** What the reconfig nemesis needs: an ensemble whose members can change (reconfigEnabled). */
export interface Reconfigurable {
  /** /zookeeper/config as the ensemble has it now (server lines with client parts, version). */
  currentConfig(): Promise<string>;
  /** Sends a reconfig; resolves with the new config text, rejects with the server's error. */
  reconfigure(change: MembershipChange): Promise<string>;
  /** `server.N=...` for node `id` in `role`, with its client part. */
  serverLine(id: number, role: "participant" | "observer"): string;
  /**
   * Restarts node `id` as a server waiting to be added: its zoo.cfg names `members` (server lines
   * of the current config) and itself, as a removed server must be started to be added again.
   */
  rejoin(id: number, members: string[]): Promise<void>;
}

/** An ensemble the chaos runner can hurt. Node ids are 1..size. */
export abstract class Target {
  abstract readonly name: "processes" | "containers";
  abstract readonly size: number;
  /** host:port for each node's client port, by id. */
  abstract clientAddress(id: number): { host: string; port: number };
  abstract start(): Promise<void>;
  abstract destroy(): Promise<void>;
  abstract kill(id: number): Promise<void>;
  abstract restart(id: number): Promise<void>;
  abstract pause(id: number): Promise<void>;
  abstract unpause(id: number): Promise<void>;
  /** Cuts the network so only nodes in the same group talk; a node may be in two groups (bridge). */
  abstract partition(groups: number[][]): Promise<void>;
  abstract heal(): Promise<void>;
  abstract supports(fault: FaultName): boolean;

  /** Dynamic membership, when this target runs with reconfigEnabled. */
  reconfigurable(): Reconfigurable | undefined {
    return undefined;
  }

  get ids(): number[] {
    return Array.from({ length: this.size }, (_, i) => i + 1);
  }

  get connectString(): string {
    return this.ids
      .map((id) => {
        const a = this.clientAddress(id);
        return `${a.host}:${a.port}`;
      })
      .join(",");
  }

  async mode(id: number): Promise<Mode> {
    const a = this.clientAddress(id);
    return serverMode(a.host, a.port);
  }

  async modes(): Promise<Map<number, Mode>> {
    const out = new Map<number, Mode>();
    await Promise.all(this.ids.map(async (id) => out.set(id, await this.mode(id))));
    return out;
  }

  async leader(): Promise<number | undefined> {
    const leaders = [...(await this.modes())].filter(([, m]) => m === "leader").map(([id]) => id);
    return leaders.length === 1 ? leaders[0] : undefined;
  }

  /** Waits until `ids` (default all) serve with exactly one leader among all nodes. */
  async waitForQuorum(timeoutMs = 30_000, ids = this.ids): Promise<number> {
    const until = Date.now() + timeoutMs;
    let last = new Map<number, Mode>();
    while (Date.now() < until) {
      last = await this.modes();
      const leaders = [...last].filter(([, m]) => m === "leader").map(([id]) => id);
      const serving = ids.every((id) => ["leader", "follower", "observer"].includes(last.get(id)!));
      if (leaders.length === 1 && serving) return leaders[0]!;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no single serving leader within ${timeoutMs} ms: ${JSON.stringify([...last])}`);
  }
}
