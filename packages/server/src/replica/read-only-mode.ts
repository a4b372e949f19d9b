// ZooKeeper's read-only mode (readonlymode.enabled): a server that has been looking for a
// quorum for max(2000 ms, tickTime) (ZooKeeper's grace period before it decides it is cut off)
// serves clients that asked for read-only service, from its applied state, which holds only
// txns it saw committed: never one it logged but did not see committed, which the next quorum
// may truncate. Their sessions are local to this server. Joining a quorum ends the mode: its
// clients and their sessions are dropped with every other (RoleTransitions) and reconnect
// read-write.

import type { Logger } from "../logger.js";
import type { RoleChange } from "../quorum/runtime.js";
import type { ReplicaState } from "./replica-state.js";
import type { ServingRole } from "./serving-role.js";

/** ZooKeeper's lower bound on the wait before a looking server starts its read-only server. */
const MIN_GRACE_MS = 2000;

export interface ReadOnlyModeDeps {
  enabled: boolean;
  tickTimeMs: number;
  role: ServingRole;
  state: ReplicaState;
  log: Logger;
}

export class ReadOnlyMode {
  private enterTimer: NodeJS.Timeout | undefined;
  private lookingSinceMs: number | undefined;
  private stopped = false;

  constructor(private readonly deps: ReadOnlyModeDeps) {}

  get active(): boolean {
    return this.deps.role.readOnly;
  }

  /** How long a server looks for a quorum before it serves read-only clients. */
  get graceMs(): number {
    return Math.max(MIN_GRACE_MS, this.deps.tickTimeMs);
  }

  /** The runtime starts looking without a role change: the grace period starts now. */
  start(role: RoleChange["role"]): void {
    if (role === "looking") this.onLooking();
  }

  /** Called on every change of the server's place in the ensemble, after its clients were dropped. */
  onRoleChange(change: RoleChange): void {
    if (!this.deps.enabled || this.stopped) return;
    if (change.role === "looking") {
      this.onLooking();
      return;
    }
    this.lookingSinceMs = undefined;
    clearTimeout(this.enterTimer);
    this.enterTimer = undefined;
    if (this.deps.role.readOnly) this.leave(`${change.role} in epoch ${change.epoch}`);
  }

  private onLooking(): void {
    if (!this.deps.enabled || this.stopped || this.lookingSinceMs !== undefined) return;
    this.lookingSinceMs = Date.now();
    this.enterTimer = setTimeout(() => this.enter(), this.graceMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.enterTimer);
  }

  private enter(): void {
    this.enterTimer = undefined;
    const { role, state, log } = this.deps;
    if (this.stopped || this.lookingSinceMs === undefined) return;
    role.readOnly = true;
    log.warn(
      {
        lookingForMs: Date.now() - this.lookingSinceMs,
        zxid: `0x${state.lastZxid.toString(16)}`,
      },
      "no quorum: serving read-only clients from the committed state (writes need a quorum)",
    );
  }

  private leave(reason: string): void {
    this.deps.role.readOnly = false;
    this.deps.log.info({ now: reason }, "quorum joined: leaving read-only mode");
  }
}
