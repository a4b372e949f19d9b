import { EventEmitter } from "node:events";
import type { ZooKeeperClient } from "../client.js";
import { type HeadCheck, SequentialQueue } from "./queue.js";

export interface LeaderInfo {
  path: string;
  sequence: number;
  /** The getChildren that showed this candidate first (performance.now() times). */
  check: HeadCheck;
}

export interface LeaderElectionEvents {
  /** This candidate is now the leader. */
  leader: [info: LeaderInfo];
  /** Waiting behind `predecessor` (the only znode this candidate watches). */
  follower: [predecessor: string];
  /** Candidacy ended without close(): the session expired or the znode was deleted. */
  lost: [reason: string];
  error: [err: unknown];
}

export interface LeaderElectionOptions {
  /** Stored in the candidate znode, e.g. this process's address. */
  id?: string;
}

/**
 * Leader election without herd effect: candidates are ephemeral-sequential znodes under `dir`;
 * the lowest is the leader and every other watches only its immediate predecessor. A leader
 * stays leader until close() or session expiry; while disconnected it cannot know whether its
 * session survives, so callers that must never overlap should also watch the client's state.
 */
export class LeaderElection extends EventEmitter<LeaderElectionEvents> {
  private readonly queue: SequentialQueue;
  private leading = false;

  constructor(
    readonly client: ZooKeeperClient,
    readonly dir: string,
    opts: LeaderElectionOptions = {},
  ) {
    super();
    this.queue = new SequentialQueue(
      client,
      dir,
      "candidate",
      opts.id ?? "",
      (status) => {
        if (status.state === "head") {
          if (this.leading) return;
          this.leading = true;
          this.emit("leader", {
            path: this.queue.path!,
            sequence: this.queue.sequence!,
            check: status.check,
          });
        } else {
          this.emit("follower", status.check.predecessor!);
        }
      },
      (reason) => {
        this.leading = false;
        this.emit("lost", reason);
      },
      (err) => this.emit("error", err),
    );
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The candidate znode, once created. */
  get path(): string | undefined {
    return this.queue.path;
  }

  /** Joins the election; resolves once this candidate knows whether it leads. */
  async start(): Promise<void> {
    await this.queue.join();
  }

  /** Leaves the election (deleting the candidate znode), letting the next candidate lead. */
  async close(): Promise<void> {
    this.leading = false;
    await this.queue.leave();
  }
}
