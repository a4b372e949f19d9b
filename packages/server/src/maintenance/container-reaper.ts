// The container and TTL reaper (ZooKeeper's ContainerManager): every check interval, the server
// that prepares writes proposes the deletion of empty containers (those that once had a child,
// and, with znode.container.maxNeverUsedIntervalMs, those never used for that long) and expired
// TTL nodes, at most containerMaxPerMinute of them per minute.

import type { ServerConfig } from "../config/index.js";
import type { Proposer } from "../pipeline/proposer.js";
import type { ReplicaState } from "../replica/replica-state.js";
import type { ServingRole } from "../replica/serving-role.js";

export class ContainerReaper {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: Pick<
      ServerConfig,
      "containerCheckIntervalMs" | "containerMaxPerMinute" | "containerMaxNeverUsedIntervalMs"
    >,
    private readonly state: ReplicaState,
    private readonly role: ServingRole,
    private readonly proposer: Proposer,
  ) {}

  start(): void {
    const intervalMs = this.config.containerCheckIntervalMs;
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => this.scan(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private scan(): void {
    if (!this.role.prepares) return;
    const nowMs = Date.now();
    const { containerMaxPerMinute, containerCheckIntervalMs } = this.config;
    const perScan = Math.max(1, Math.floor((containerMaxPerMinute * containerCheckIntervalMs) / 60_000));
    const candidates = this.state.sm.containerCandidates(nowMs, this.config.containerMaxNeverUsedIntervalMs);
    for (const path of candidates.slice(0, perScan)) {
      this.proposer.deleteContainer(path, nowMs);
    }
  }
}
