// Curator's DistributedDoubleBarrier: `memberQty` members enter together and leave together.
// Entering: each member creates an ephemeral `<path>/<uuid>`; the one that sees memberQty
// children creates `<path>/ready`, which everyone else waits for. Leaving: the lowest member
// waits for the highest to go, every other one deletes its node and waits for the lowest, so
// each waits on one node; the last out deletes `ready`.
import { randomUUID } from "node:crypto";
import { CreateMode, ErrorCode } from "@paddock/jute";
import { abortable, type WaitOptions, waitSignal } from "../abort.js";
import type { ZooKeeperClient } from "../client.js";
import { isZooKeeperError } from "../errors.js";
import { withRetry } from "../retry.js";
import { childrenOrEmpty, deleteGuaranteed, joinPath, nodeName, recipeCreate } from "./protected-create.js";

const READY_NODE = "ready";

export class DistributedDoubleBarrier {
  readonly ourPath: string;
  readonly readyPath: string;

  constructor(
    readonly client: ZooKeeperClient,
    readonly barrierPath: string,
    readonly memberQty: number,
  ) {
    if (!Number.isInteger(memberQty) || memberQty <= 0)
      throw new RangeError("memberQty must be a positive integer");
    this.ourPath = joinPath(barrierPath, randomUUID());
    this.readyPath = joinPath(barrierPath, READY_NODE);
  }

  /** Joins and waits until memberQty members have joined. */
  async enter(opts: WaitOptions = {}): Promise<void> {
    const wait = waitSignal(`double barrier ${this.barrierPath} (enter)`, opts);
    try {
      let wake!: () => void;
      let woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const readyExists =
        (await withRetry(this.client.retryPolicy, () => this.client.exists(this.readyPath, () => wake()))) !==
        null;
      await recipeCreate(this.client, this.ourPath, { mode: CreateMode.Ephemeral, protection: false });
      if (readyExists) return;
      for (;;) {
        const children = await childrenOrEmpty(this.client, this.barrierPath);
        if (children.length >= this.memberQty) {
          await this.client.create(this.readyPath).catch((e: unknown) => {
            if (!isZooKeeperError(e, ErrorCode.NodeExists)) throw e;
          });
          return;
        }
        await abortable(woken, wait.signal);
        if ((await this.client.exists(this.readyPath)) !== null) return;
        woken = new Promise<void>((resolve) => {
          wake = resolve;
        });
        if ((await this.client.exists(this.readyPath, () => wake())) !== null) return;
      }
    } catch (e) {
      if (wait.signal.aborted) await deleteGuaranteed(this.client, this.ourPath);
      throw e;
    } finally {
      wait.dispose();
    }
  }

  /** Leaves and waits until every member has left. */
  async leave(opts: WaitOptions = {}): Promise<void> {
    const wait = waitSignal(`double barrier ${this.barrierPath} (leave)`, opts);
    const ourName = nodeName(this.ourPath);
    let ourNodeShouldExist = true;
    try {
      for (;;) {
        const children = (await childrenOrEmpty(this.client, this.barrierPath))
          .filter((c) => c !== READY_NODE)
          .sort();
        if (children.length === 0) break;
        const ourIndex = children.indexOf(ourName);
        if (ourIndex < 0 && ourNodeShouldExist)
          throw new Error(`double barrier: our node ${this.ourPath} is missing`);
        if (children.length === 1) {
          if (ourNodeShouldExist && children[0] !== ourName) {
            throw new Error(`double barrier: the last node (${children[0]}) is not ours (${ourName})`);
          }
          if (ourNodeShouldExist) await deleteGuaranteed(this.client, this.ourPath);
          break;
        }
        let wake!: () => void;
        const woken = new Promise<void>((resolve) => {
          wake = resolve;
        });
        let watched: string;
        if (ourIndex === 0) watched = children[children.length - 1] as string;
        else {
          watched = children[0] as string;
          if (ourNodeShouldExist) await deleteGuaranteed(this.client, this.ourPath);
          ourNodeShouldExist = false;
        }
        const stat = await this.client.exists(joinPath(this.barrierPath, watched), () => wake());
        if (stat !== null) await abortable(woken, wait.signal);
      }
      await deleteGuaranteed(this.client, this.readyPath);
    } finally {
      wait.dispose();
    }
  }
}
