// Binds the ZAB runtime's callbacks to the stages that handle them: commits to the apply stage,
// snapshots to the replica state, role changes to the role transitions, and the leader<->learner
// requests (forwarded writes, session touches and revalidations, syncs) to their stages.

import { dynamicConfigText } from "../config/index.js";
import type { SessionExpiry } from "../maintenance/session-expiry.js";
import type { Snapshotter } from "../maintenance/snapshotter.js";
import type { Applier } from "../pipeline/applier.js";
import type { QuorumCommitter } from "../pipeline/commit-quorum.js";
import type { ForwardedIntake } from "../pipeline/forwarded-intake.js";
import type { Handshake } from "../pipeline/handshake.js";
import type { QuorumSyncs } from "../pipeline/quorum-syncs.js";
import type { QuorumHost } from "../quorum/runtime.js";
import { decodeTxn } from "../request/index.js";
import { ZabError } from "../zab/types.js";
import type { ReplicaState } from "./replica-state.js";
import type { RoleTransitions } from "./role-transitions.js";
import type { ServingRole } from "./serving-role.js";

export interface QuorumHostDeps {
  state: ReplicaState;
  applier: Applier;
  snapshotter: Snapshotter;
  transitions: RoleTransitions;
  intake: ForwardedIntake;
  expiry: SessionExpiry;
  handshake: Handshake;
  syncs: QuorumSyncs;
  role: ServingRole;
  storageFailed: (err: unknown) => void;
  /** The leader's own proposals, applied as prepared instead of decoded from their payload. */
  committer?: Pick<QuorumCommitter, "takeProposed">;
}

export function quorumHost(d: QuorumHostDeps): QuorumHost {
  return {
    applyCommitted: (entries) => {
      for (const entry of entries) {
        const txn =
          d.committer?.takeProposed(entry.zxid) ??
          decodeTxn(Buffer.from(entry.payload.buffer, entry.payload.byteOffset, entry.payload.byteLength));
        if (txn.zxid !== entry.zxid) {
          throw new Error(`committed entry ${entry.zxid.toString(16)} holds txn ${txn.zxid.toString(16)}`);
        }
        d.applier.apply(txn);
      }
    },
    snapshotAt: (zxid) => {
      if (d.state.lastZxid !== zxid) {
        throw new ZabError(
          "INVARIANT",
          `SNAP at ${zxid.toString(16)} but applied state is at ${d.state.lastZxid.toString(16)}`,
        );
      }
      return d.state.sm.snapshotView();
    },
    loadSnapshot: async (zxid, chunks) => {
      await d.state.loadSnapshotInTurns(chunks);
      if (d.state.lastZxid !== zxid) {
        throw new ZabError(
          "INVARIANT",
          `snapshot for ${zxid.toString(16)} holds state at ${d.state.lastZxid.toString(16)}`,
        );
      }
      d.snapshotter.restarted();
      d.state.trackAllSessions(Date.now());
    },
    onRoleChange: (change) => d.transitions.onRoleChange(change),
    onForwarded: (from, payload) => d.intake.onForwarded(from, payload),
    onSessionTouches: (_from, touches) => {
      // Only the leader expires sessions; a touch reaching anyone else is stale.
      if (d.role.prepares) d.expiry.touched(touches);
    },
    onRevalidate: (from, sessionId, timeoutMs) => d.handshake.revalidateFor(from, sessionId, timeoutMs),
    onRevalidated: (sessionId, valid) => d.handshake.revalidated(sessionId, valid),
    onSyncDone: (requestId) => d.syncs.done(requestId),
    onConfigActivated: (version, servers) =>
      d.state.setConfigData(Buffer.from(dynamicConfigText(servers.values(), BigInt(version)))),
    storageFailed: (err) => d.storageFailed(err),
  };
}
