import type { ACL, CreateMode, OpResult } from "@paddock/jute";
import type { Data } from "./data.js";

/** One operation of a `multi`. Versions of -1 match any version. */
export type Op =
  | { type: "create"; path: string; data?: Data; acl?: readonly ACL[]; mode?: CreateMode; ttlMs?: number }
  | { type: "delete"; path: string; version: number }
  | { type: "setData"; path: string; data: Data; version: number }
  | { type: "check"; path: string; version: number };

/** One read of a `multiRead`. */
export type MultiReadOp = { type: "getData"; path: string } | { type: "getChildren"; path: string };

/** Helpers building Op values. */
export const Ops = {
  create(
    path: string,
    data?: Data,
    options: { acl?: readonly ACL[]; mode?: CreateMode; ttlMs?: number } = {},
  ): Op {
    return { type: "create", path, data, ...options };
  },
  delete(path: string, version = -1): Op {
    return { type: "delete", path, version };
  },
  setData(path: string, data: Data, version = -1): Op {
    return { type: "setData", path, data, version };
  },
  check(path: string, version: number): Op {
    return { type: "check", path, version };
  },
  getData(path: string): MultiReadOp {
    return { type: "getData", path };
  },
  getChildren(path: string): MultiReadOp {
    return { type: "getChildren", path };
  },
};

/** Collects ops and runs them as one atomic `multi` on commit. */
export class Transaction {
  private readonly ops: Op[] = [];

  constructor(private readonly run: (ops: readonly Op[]) => Promise<OpResult[]>) {}

  create(
    path: string,
    data?: Data,
    options: { acl?: readonly ACL[]; mode?: CreateMode; ttlMs?: number } = {},
  ): this {
    this.ops.push(Ops.create(path, data, options));
    return this;
  }

  delete(path: string, version = -1): this {
    this.ops.push(Ops.delete(path, version));
    return this;
  }

  setData(path: string, data: Data, version = -1): this {
    this.ops.push(Ops.setData(path, data, version));
    return this;
  }

  check(path: string, version: number): this {
    this.ops.push(Ops.check(path, version));
    return this;
  }

  get size(): number {
    return this.ops.length;
  }

  commit(): Promise<OpResult[]> {
    return this.run(this.ops);
  }
}
