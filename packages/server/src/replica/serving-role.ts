// What this server may do for clients right now, from its place in the ensemble. Standalone it
// does everything itself; in an ensemble only a server in sync with an established leader
// serves, the leader prepares every write, and learners forward theirs to it. A member cut off
// from its quorum serves nothing, or, in read-only mode, reads to read-only clients.

import type { ServerMode } from "../admin/four-letter-words.js";
import type { QuorumRuntime } from "../quorum/runtime.js";

export class ServingRole {
  /** Set by ReadOnlyMode while this server, out of any quorum, serves read-only clients. */
  readOnly = false;

  constructor(private readonly quorum: QuorumRuntime | undefined) {}

  get replicated(): boolean {
    return this.quorum !== undefined;
  }

  /** Standalone, or a quorum member in sync with an established leader. */
  get isServing(): boolean {
    return this.quorum === undefined || this.quorum.serving;
  }

  /** A serving follower or observer: writes go to the leader. */
  get isLearner(): boolean {
    return this.quorum?.serving === true && !this.quorum.isLeader;
  }

  /**
   * Standalone or the established leader: it assigns zxids, so it prepares writes and runs
   * what produces txns on its own (session expiry, the container reaper).
   */
  get prepares(): boolean {
    return this.quorum === undefined || this.quorum.isLeader;
  }

  get mode(): ServerMode {
    if (this.quorum === undefined) return "standalone";
    if (this.readOnly) return "read-only";
    switch (this.quorum.role) {
      case "leading":
        return "leader";
      case "observing":
        return "observer";
      default:
        return "follower";
    }
  }
}
