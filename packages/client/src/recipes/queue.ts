// The herd-free queue behind the election and the lock: each participant owns an
// ephemeral-sequential znode under one directory and watches only the znode just before its own,
// so a departure wakes exactly one waiter instead of every participant.
import { performance } from "node:perf_hooks";
import { CreateMode, ErrorCode } from "@paddock/jute";
import type { ZooKeeperClient } from "../client.js";
import { isZooKeeperError } from "../errors.js";

/**
 * Creates `path` and its missing ancestors as persistent znodes; existing ones are fine. A create
 * cut off by ConnectionLoss is sent again (the client queues it until it reconnects): if the
 * first one took effect, the second finds the node there, which is fine.
 */
export async function ensurePath(client: ZooKeeperClient, path: string): Promise<void> {
  let at = "";
  for (const part of path.split("/").filter((p) => p !== "")) {
    at += `/${part}`;
    for (;;) {
      try {
        await client.create(at);
        break;
      } catch (e) {
        if (isZooKeeperError(e, ErrorCode.NodeExists)) break;
        if (!isZooKeeperError(e, ErrorCode.ConnectionLoss)) throw e;
      }
    }
  }
}

/** The sequence number ZooKeeper appended to a sequential znode's name. */
export function sequenceOf(name: string): number {
  const m = /(\d{10})$/.exec(name);
  if (m === null) throw new Error(`not a sequential znode name: ${name}`);
  return Number(m[1]);
}

export interface HeadCheck {
  /** Our position: 0 means first in line. */
  position: number;
  /** The znode we now wait on, when not first. */
  predecessor?: string;
  /** performance.now() before sending getChildren and after its reply. */
  invokeMs: number;
  completeMs: number;
}

export type QueueStatus = { state: "head"; check: HeadCheck } | { state: "waiting"; check: HeadCheck };

/**
 * One participant. `onChange` is called each time the participant's status is re-evaluated
 * (first becoming head, or a new predecessor to wait on); `onGone` when the znode disappears
 * (session expired, or someone deleted it).
 */
export class SequentialQueue {
  private ownName: string | undefined;
  private closed = false;
  private evaluating = false;
  private again = false;

  constructor(
    private readonly client: ZooKeeperClient,
    readonly dir: string,
    private readonly prefix: string,
    private readonly data: string,
    private readonly onChange: (status: QueueStatus) => void,
    private readonly onGone: (reason: string) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  get path(): string | undefined {
    return this.ownName === undefined ? undefined : `${this.dir}/${this.ownName}`;
  }

  get sequence(): number | undefined {
    return this.ownName === undefined ? undefined : sequenceOf(this.ownName);
  }

  /** The name carries the session id so a create whose reply was lost can be found again. */
  private get tag(): string {
    return `${this.prefix}-${this.client.sessionId.toString(16)}-`;
  }

  async join(): Promise<void> {
    // An idle leader or waiter sends nothing, so it would not see the expiry through an error.
    this.client.once("expired", this.onExpired);
    await ensurePath(this.client, this.dir);
    for (;;) {
      try {
        const created = await this.client.create(`${this.dir}/${this.tag}`, this.data, {
          mode: CreateMode.EphemeralSequential,
        });
        this.ownName = created.slice(this.dir.length + 1);
        break;
      } catch (e) {
        if (!isZooKeeperError(e, ErrorCode.ConnectionLoss)) throw e;
        // The create may have happened; our session's znode, if any, is ours.
        const mine = await this.findOwn();
        if (mine !== undefined) {
          this.ownName = mine;
          break;
        }
      }
    }
    await this.evaluate();
  }

  private async findOwn(): Promise<string | undefined> {
    for (;;) {
      try {
        const children = await this.client.getChildren(this.dir);
        return children.find((c) => c.startsWith(this.tag));
      } catch (e) {
        if (!isZooKeeperError(e, ErrorCode.ConnectionLoss)) throw e;
      }
    }
  }

  /** Re-reads the line; serialised, and re-run once if asked again meanwhile. */
  async evaluate(): Promise<void> {
    if (this.evaluating) {
      this.again = true;
      return;
    }
    this.evaluating = true;
    try {
      do {
        this.again = false;
        await this.evaluateOnce();
      } while (this.again && !this.closed);
    } catch (e) {
      if (!this.closed) this.onError(e);
    } finally {
      this.evaluating = false;
    }
  }

  private async evaluateOnce(): Promise<void> {
    while (!this.closed && this.ownName !== undefined) {
      const invokeMs = performance.now();
      let children: string[];
      try {
        children = await this.client.getChildren(this.dir);
      } catch (e) {
        if (isZooKeeperError(e, ErrorCode.ConnectionLoss)) continue;
        if (isZooKeeperError(e, ErrorCode.SessionExpired)) return this.gone("session expired");
        throw e;
      }
      const completeMs = performance.now();
      const line = children.filter((c) => /\d{10}$/.test(c)).sort((a, b) => sequenceOf(a) - sequenceOf(b));
      const position = line.indexOf(this.ownName);
      if (position < 0) return this.gone("candidate znode deleted");
      if (position === 0) {
        this.onChange({ state: "head", check: { position, invokeMs, completeMs } });
        return;
      }
      const predecessor = `${this.dir}/${line[position - 1]!}`;
      let stat: unknown;
      try {
        stat = await this.client.exists(predecessor, () => {
          if (!this.closed) void this.evaluate();
        });
      } catch (e) {
        if (isZooKeeperError(e, ErrorCode.ConnectionLoss)) continue;
        if (isZooKeeperError(e, ErrorCode.SessionExpired)) return this.gone("session expired");
        throw e;
      }
      // Gone between the two reads: look again rather than wait for a watch that cannot fire.
      if (stat === null) continue;
      this.onChange({ state: "waiting", check: { position, predecessor, invokeMs, completeMs } });
      return;
    }
  }

  private readonly onExpired = () => this.gone("session expired");

  private gone(reason: string): void {
    this.client.off("expired", this.onExpired);
    const had = this.ownName !== undefined;
    this.ownName = undefined;
    if (had && !this.closed) this.onGone(reason);
  }

  /**
   * Deletes our znode; idempotent. A delete cut off by ConnectionLoss is sent again until the
   * znode is gone or the session is: while the session lives, a znode left behind would stay
   * first in line, and everyone behind it would wait for a leader or lock holder that has quit.
   */
  async leave(): Promise<void> {
    this.closed = true;
    this.client.off("expired", this.onExpired);
    const path = this.path;
    this.ownName = undefined;
    if (path === undefined) return;
    for (;;) {
      try {
        await this.client.delete(path);
        return;
      } catch (e) {
        if (isZooKeeperError(e, ErrorCode.NoNode) || isZooKeeperError(e, ErrorCode.SessionExpired)) return;
        if (!isZooKeeperError(e, ErrorCode.ConnectionLoss)) throw e;
      }
    }
  }
}
