// Curator's LeaderSelector: participants queue on an InterProcessMutex at `leaderPath` (nodes
// `_c_<uuid>-lock-<seq>` holding the id); the holder runs takeLeadership() and leads until it
// returns, then releases the mutex so the next one leads. The leadership's signal aborts on
// SUSPENDED or LOST (as Curator's LeaderSelectorListenerAdapter cancels leadership then), on
// interruptLeadership() and on close(): takeLeadership must stop when it aborts.
import { EventEmitter } from "node:events";
import { ErrorCode } from "@paddock/jute";
import { sleep } from "../abort.js";
import type { ZooKeeperClient } from "../client.js";
import { isZooKeeperError } from "../errors.js";
import type { Leadership, Participant } from "./leader-latch.js";
import { InterProcessMutex } from "./mutex.js";

export interface LeaderSelectorOptions {
  /** Stored in this participant's node, shown by participants(). */
  id?: string;
  /** Queue up again after each leadership ends (Curator's autoRequeue()). Default false. */
  autoRequeue?: boolean;
}

export interface LeaderSelectorEvents {
  /** takeLeadership threw, or acquiring failed in a way that ended this participation. */
  error: [err: unknown];
}

/** Called when this participant leads; leadership lasts until the returned promise settles. */
export type TakeLeadership = (leadership: Leadership) => Promise<void>;

export class LeaderSelector extends EventEmitter<LeaderSelectorEvents> {
  private readonly mutex: InterProcessMutex;
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly closing = new AbortController();
  private leading: AbortController | undefined;
  private autoRequeue: boolean;
  readonly id: string;

  constructor(
    readonly client: ZooKeeperClient,
    readonly leaderPath: string,
    private readonly takeLeadership: TakeLeadership,
    opts: LeaderSelectorOptions = {},
  ) {
    super();
    this.id = opts.id ?? "";
    this.autoRequeue = opts.autoRequeue ?? false;
    this.mutex = new InterProcessMutex(client, leaderPath, this.id === "" ? {} : { data: this.id });
  }

  get hasLeadership(): boolean {
    return this.leading !== undefined;
  }

  /** Joins the queue (once; see requeue()). */
  start(): void {
    if (this.closed) throw new Error("LeaderSelector: closed");
    this.requeue();
  }

  /** Queues up again if not already queued or leading; false when it was. */
  requeue(): boolean {
    if (this.closed || this.running !== undefined) return false;
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return true;
  }

  /** Ends the current leadership (its signal aborts); with autoRequeue the selector queues again. */
  interruptLeadership(): void {
    this.leading?.abort(new Error(`leadership of ${this.leaderPath} interrupted`));
  }

  /** Leaves: aborts a leadership in progress and removes this participant's node. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.autoRequeue = false;
    this.closing.abort(new Error(`LeaderSelector ${this.leaderPath} closed`));
    await this.running;
  }

  /** Every participant in queue order, the first marked leader. */
  async participants(): Promise<Participant[]> {
    const out: Participant[] = [];
    for (const path of await this.mutex.participantNodes()) {
      try {
        const { data } = await this.client.getData(path);
        out.push({ id: data?.toString("utf8") ?? "", isLeader: out.length === 0 });
      } catch (e) {
        if (!isZooKeeperError(e, ErrorCode.NoNode)) throw e;
      }
    }
    return out;
  }

  private async loop(): Promise<void> {
    do {
      try {
        await this.leadOnce();
      } catch (e) {
        if (this.closing.signal.aborted) return;
        if (this.listenerCount("error") > 0) this.emit("error", e);
        if (!this.autoRequeue) return;
        // As Curator with autoRequeue: connection trouble is waited out, then back in the queue.
        await sleep(100, this.closing.signal).catch(() => {});
      }
    } while (this.autoRequeue && !this.closed);
  }

  private async leadOnce(): Promise<void> {
    const hold = await this.mutex.acquire({ signal: this.closing.signal });
    const leading = new AbortController();
    const end = (reason: unknown) => leading.abort(reason);
    const onHoldAbort = () => end(hold.signal.reason);
    const onClose = () => end(this.closing.signal.reason);
    hold.signal.addEventListener("abort", onHoldAbort, { once: true });
    this.closing.signal.addEventListener("abort", onClose, { once: true });
    this.leading = leading;
    try {
      await this.takeLeadership({ token: hold.token, signal: leading.signal });
    } finally {
      this.leading = undefined;
      hold.signal.removeEventListener("abort", onHoldAbort);
      this.closing.signal.removeEventListener("abort", onClose);
      await this.mutex.release();
    }
  }
}
