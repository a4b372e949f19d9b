// A learner's report of client activity: the leader alone expires sessions, so a learner tells
// it, every half tickTime, which of its sessions sent anything since the last report (ZAB
// carries them on the next PING reply).

import type { QuorumRuntime } from "../quorum/runtime.js";
import type { ServingRole } from "../replica/serving-role.js";
import { ZabError } from "../zab/types.js";

export class LearnerTouches {
  /** Sessions active since the last report, with the timeout their connection negotiated. */
  private readonly touched = new Map<bigint, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly quorum: QuorumRuntime,
    private readonly role: ServingRole,
    private readonly tickTimeMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.report(), Math.max(10, this.tickTimeMs / 2));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  record(sessionId: bigint, timeoutMs: number): void {
    this.touched.set(sessionId, timeoutMs);
  }

  clear(): void {
    this.touched.clear();
  }

  private report(): void {
    if (!this.role.isLearner || this.touched.size === 0) return;
    const touches = [...this.touched].map(([sessionId, timeoutMs]) => ({ sessionId, timeoutMs }));
    this.touched.clear();
    try {
      this.quorum.step({ type: "touchSessions", touches });
    } catch (err) {
      if (!(err instanceof ZabError) || err.code === "INVARIANT") throw err;
    }
  }
}
