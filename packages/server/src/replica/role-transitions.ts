// What a change of this server's place in the ensemble means for its clients. A server that
// stops serving (lost its leader or its quorum, or changed role) drops every client: they
// reconnect to a server in a quorum, and nothing prepared or waiting here can be trusted to
// commit, and local sessions end. A server that starts leading gives every session a full timeout from now. Read-only
// mode hears of every change after the clients are dropped.

import type { LearnerTouches } from "../maintenance/learner-touches.js";
import type { SessionExpiry } from "../maintenance/session-expiry.js";
import type { ConnectionRegistry } from "../net/connection-registry.js";
import type { QuorumCommitter } from "../pipeline/commit-quorum.js";
import type { Handshake } from "../pipeline/handshake.js";
import type { QuorumSyncs } from "../pipeline/quorum-syncs.js";
import type { ReplyRouting } from "../pipeline/reply-routing.js";
import type { RoleChange } from "../quorum/runtime.js";
import type { ReadOnlyMode } from "./read-only-mode.js";
import type { ReplicaState } from "./replica-state.js";

export interface RoleTransitionDeps {
  state: ReplicaState;
  registry: ConnectionRegistry;
  routing: ReplyRouting;
  committer: QuorumCommitter;
  handshake: Handshake;
  syncs: QuorumSyncs;
  touches: LearnerTouches;
  expiry: SessionExpiry;
  readOnly: ReadOnlyMode;
}

export class RoleTransitions {
  constructor(private readonly deps: RoleTransitionDeps) {}

  onRoleChange(change: RoleChange): void {
    const lostService = change.previous.serving && (!change.serving || change.role !== change.previous.role);
    // In read-only mode the server is not serving either; any change ends that mode's clients too.
    if (lostService || !change.serving || this.deps.readOnly.active) {
      this.dropClients(`not serving (${change.role})`);
    }
    this.deps.readOnly.onRoleChange(change);
    if (change.role === "leading" && change.serving) {
      this.deps.committer.resetStats();
      // A new leader gives every session a full timeout from now (§8): learners' touches since
      // the last leader are unknown here.
      this.deps.state.trackAllSessions(Date.now());
      this.deps.expiry.schedule();
    }
  }

  /** Stops serving clients: they reconnect to a server that is in a quorum. */
  dropClients(reason: string): void {
    const { state, registry, routing, handshake } = this.deps;
    this.deps.expiry.cancel();
    // Prepared changes may never commit; the next leader prepares from the applied tree.
    state.sm.discardPending();
    this.deps.committer.discardBatch();
    const waiting = new Set([...routing.forwardedConnections(), ...handshake.waitingConnections()]);
    for (const conn of waiting) conn.close(reason);
    routing.clear();
    handshake.clear();
    this.deps.syncs.clear();
    this.deps.touches.clear();
    for (const conn of [...registry.all()]) {
      if (conn.isEstablished || conn.sessionId !== 0n || conn.outstanding > 0) conn.close(reason);
    }
    for (const id of state.sessions.ids()) if (state.sessions.isClosing(id)) state.sessions.remove(id);
    // Local sessions live as long as this server's service does, as ZooKeeper's session tracker
    // does: their clients find them expired and start new ones.
    state.localSessions.clear();
  }
}
