// The console's timeline: what this server lived through (elections, leader changes, syncs,
// session expiries), kept in a bounded ring so a page opened later still sees recent history,
// and pushed to the pages watching as it happens.

import type { QuorumEvent } from "../../quorum/runtime.js";
import { sessionIdHex } from "../../session/session-id.js";

export interface TimelineEvent {
  /** Increasing per server: a page resuming a stream skips what it has. */
  seq: number;
  atMs: number;
  /** election, leader, sync, session, start. */
  kind: string;
  text: string;
  /** The role after a role change; the new leader's id when one is known. */
  role?: string;
  leader?: number | null;
  epoch?: number;
}

const KEEP_EVENTS = 500;

export class Timeline {
  private readonly events: TimelineEvent[] = [];
  private readonly listeners = new Set<(e: TimelineEvent) => void>();
  private seq = 0;

  record(kind: string, text: string, extra: Partial<TimelineEvent> = {}): void {
    const event: TimelineEvent = { seq: ++this.seq, atMs: Date.now(), kind, text, ...extra };
    this.events.push(event);
    if (this.events.length > KEEP_EVENTS) this.events.shift();
    for (const listener of this.listeners) listener(event);
  }

  /** What happened after `seq` (everything kept, for 0). */
  since(seq = 0): TimelineEvent[] {
    return this.events.filter((e) => e.seq > seq);
  }

  subscribe(listener: (e: TimelineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  quorumEvent(e: QuorumEvent): void {
    switch (e.kind) {
      case "role": {
        const extra = { role: e.role, leader: e.leader, epoch: e.epoch };
        if (e.role === "looking") {
          const was = e.previousRole === "looking" ? "" : ` (was ${e.previousRole})`;
          this.record("election", `looking for a leader${was}`, extra);
        } else if (e.serving) {
          const took = e.electionMs === undefined ? "" : ` after ${e.electionMs} ms`;
          const what = e.role === "leading" ? "leading" : `${e.role} server ${e.leader}`;
          this.record("leader", `${what} in epoch ${e.epoch}, serving${took}`, extra);
        } else {
          const what = e.role === "leading" ? "elected leader" : `${e.role} server ${e.leader}`;
          // The new epoch is agreed during discovery: 0 until then.
          const epoch = e.epoch === 0 ? "" : ` in epoch ${e.epoch}`;
          this.record("election", `${what}${epoch}, synchronizing`, extra);
        }
        return;
      }
      case "sync-sent":
        this.record("sync", `${e.how} to server ${e.peer}`);
        return;
      case "sync-received":
        this.record("sync", `${e.how} from server ${e.peer}`);
        return;
    }
  }

  sessionExpired(sessionId: bigint): void {
    this.record("session", `session ${sessionIdHex(sessionId)} expired`);
  }
}
