// Curator's PersistentNode: a node that should exist as long as this object is started. It is
// created (parents as containers), watched, and created again when it is deleted, after a
// reconnection, and in the new session after the old one was lost, which matters for ephemeral
// modes. Its data is set again when the node is found already there.
import { EventEmitter } from "node:events";
import { CreateMode, ErrorCode, EventType } from "@paddock/jute";
import { type WaitOptions, waitSignal } from "../abort.js";
import type { ZooKeeperClient } from "../client.js";
import type { ConnectionStateChange } from "../connection-tracker.js";
import type { Data } from "../data.js";
import { isRetryableError, isZooKeeperError } from "../errors.js";
import { toBuffer } from "../requests.js";
import { withRetry } from "../retry.js";
import type { WatchedEvent } from "../watches.js";
import { deleteGuaranteed, recipeCreate } from "./protected-create.js";

export interface PersistentNodeOptions {
  /** Curator's useProtection: a `_c_<uuid>-` name found again after ConnectionLoss. */
  protection?: boolean;
  /** For the TTL modes. */
  ttlMs?: number;
}

export interface PersistentNodeEvents {
  /** The node was (re)created; its actual path. */
  created: [path: string];
  error: [err: unknown];
}

const sequential = new Set<CreateMode>([
  CreateMode.PersistentSequential,
  CreateMode.EphemeralSequential,
  CreateMode.PersistentSequentialWithTtl,
]);

export class PersistentNode extends EventEmitter<PersistentNodeEvents> {
  private data: Buffer | null;
  private actualPath: string | undefined;
  private active = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly createdWaiters = new Set<() => void>();

  constructor(
    readonly client: ZooKeeperClient,
    readonly mode: CreateMode,
    readonly basePath: string,
    data: Data,
    private readonly opts: PersistentNodeOptions = {},
  ) {
    super();
    this.data = toBuffer(data);
  }

  /** The node's path once created (with protection prefix and sequence, if any). */
  get path(): string | undefined {
    return this.actualPath;
  }

  get currentData(): Buffer | null {
    return this.data;
  }

  /** Starts keeping the node; creation happens in the background (see waitForInitialCreate). */
  start(): void {
    if (this.active) throw new Error("PersistentNode: already started");
    this.active = true;
    this.client.on("connectionState", this.onConnectionState);
    this.schedule();
  }

  /** Waits until the node has been created once. */
  async waitForInitialCreate(opts: WaitOptions = {}): Promise<string> {
    const wait = waitSignal(`persistent node ${this.basePath}`, opts);
    try {
      while (this.actualPath === undefined) {
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => {
            this.createdWaiters.delete(done);
            reject(wait.signal.reason);
          };
          const done = () => {
            wait.signal.removeEventListener("abort", onAbort);
            resolve();
          };
          if (wait.signal.aborted) return onAbort();
          wait.signal.addEventListener("abort", onAbort, { once: true });
          this.createdWaiters.add(done);
        });
      }
      return this.actualPath;
    } finally {
      wait.dispose();
    }
  }

  /** Changes the node's data (kept for re-creations too). */
  async setData(data: Data): Promise<void> {
    this.data = toBuffer(data);
    const path = this.actualPath;
    if (path !== undefined)
      await withRetry(this.client.retryPolicy, () => this.client.setData(path, this.data));
  }

  /** Stops keeping the node and deletes it. */
  async close(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.client.off("connectionState", this.onConnectionState);
    await this.chain;
    const path = this.actualPath;
    if (path !== undefined && this.deleteOnClose()) await deleteGuaranteed(this.client, path);
  }

  /** PersistentTtlNode leaves its node to expire. */
  protected deleteOnClose(): boolean {
    return true;
  }

  private schedule(): void {
    this.chain = this.chain.then(async () => {
      if (!this.active) return;
      try {
        await this.ensure();
      } catch (e) {
        if (isRetryableError(e) || isZooKeeperError(e, ErrorCode.SessionExpired)) return;
        if (this.listenerCount("error") > 0) this.emit("error", e);
      }
    });
  }

  /** Creates the node unless it is there (then sets our data), and watches it. */
  private async ensure(): Promise<void> {
    const known = this.actualPath;
    const reuseName = known !== undefined && !(this.opts.protection === true && sequential.has(this.mode));
    let path: string;
    if (reuseName) {
      path = known;
      const mode = nonSequential(this.mode);
      try {
        await recipeCreate(this.client, path, { ...this.createOptions(mode), protection: false });
      } catch (e) {
        if (!isZooKeeperError(e, ErrorCode.NodeExists)) throw e;
        await this.client.setData(path, this.data);
      }
    } else {
      try {
        path = (await recipeCreate(this.client, this.basePath, this.createOptions(this.mode))).path;
      } catch (e) {
        if (!isZooKeeperError(e, ErrorCode.NodeExists)) throw e;
        path = this.basePath;
        await this.client.setData(path, this.data);
      }
    }
    this.actualPath = path;
    this.emit("created", path);
    for (const w of [...this.createdWaiters]) w();
    this.createdWaiters.clear();
    if ((await this.client.exists(path, this.onNodeEvent)) === null) this.schedule();
  }

  private createOptions(mode: CreateMode) {
    return {
      data: this.data,
      mode,
      protection: this.opts.protection ?? false,
      ...(this.opts.ttlMs === undefined ? {} : { ttlMs: this.opts.ttlMs }),
    };
  }

  private readonly onNodeEvent = (event: WatchedEvent): void => {
    if (!this.active) return;
    if (event.type === EventType.NodeDeleted) this.schedule();
    else if (event.type === EventType.NodeDataChanged && this.actualPath !== undefined) {
      void this.client.exists(this.actualPath, this.onNodeEvent).catch(() => {});
    }
  };

  private readonly onConnectionState = (change: ConnectionStateChange): void => {
    if (change.state === "RECONNECTED" || change.state === "CONNECTED") this.schedule();
  };
}

function nonSequential(mode: CreateMode): CreateMode {
  switch (mode) {
    case CreateMode.PersistentSequential:
      return CreateMode.Persistent;
    case CreateMode.EphemeralSequential:
      return CreateMode.Ephemeral;
    case CreateMode.PersistentSequentialWithTtl:
      return CreateMode.PersistentWithTtl;
    default:
      return mode;
  }
}
