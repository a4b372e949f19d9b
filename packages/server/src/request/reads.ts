// Reads, answered by any server from its applied tree: getData, exists, getChildren(2), getACL,
// getEphemerals, getAllChildrenNumber and multiRead, with ZooKeeper's check order (NoNode before
// NoAuth) and the watch each read asks to register.

import {
  type ACL,
  type Bytes,
  ErrorCode,
  OpCode,
  type OpResult,
  Perms,
  type Request,
  writeAclList,
  writeMultiResponse,
  writeStat,
} from "@paddock/jute";
import { checkAcl, maskAcl } from "../tree/acl.js";
import type { DataTree } from "../tree/data-tree.js";
import { statOf, type ZNode } from "../tree/node.js";
import type { ReadResult, RequestContext, WatchRegistration } from "./contract.js";

export class TreeReader {
  constructor(
    private readonly tree: DataTree,
    private readonly skipAcl: boolean,
    private readonly extendedTypesEnabled: boolean,
    private readonly letAnySaslUserDoX?: string,
  ) {}

  private allowed(node: ZNode, perm: number, ctx: RequestContext): boolean {
    return checkAcl(node.acl, perm, ctx.identities, this.skipAcl, this.letAnySaslUserDoX);
  }

  read(req: Request, ctx: RequestContext): ReadResult {
    switch (req.type) {
      case OpCode.exists: {
        if (req.path.includes("\0")) return { err: ErrorCode.BadArguments };
        const node = this.tree.get(req.path);
        if (node !== undefined && !this.allowed(node, Perms.READ, ctx)) return { err: ErrorCode.NoAuth };
        const watch: WatchRegistration | undefined = req.watch
          ? { path: req.path, table: "data" }
          : undefined;
        if (node === undefined)
          return watch === undefined ? { err: ErrorCode.NoNode } : { err: ErrorCode.NoNode, watch };
        const stat = statOf(node, this.extendedTypesEnabled);
        return this.withWatch({ err: 0, writeBody: (w) => writeStat(w, stat) }, watch);
      }
      case OpCode.getData: {
        const found = this.readable(req.path, Perms.READ, ctx);
        if (typeof found === "number") return { err: found };
        const stat = statOf(found, this.extendedTypesEnabled);
        const data = found.data;
        return this.withWatch(
          {
            err: 0,
            writeBody: (w) => {
              w.writeBuffer(data);
              writeStat(w, stat);
            },
          },
          req.watch ? { path: req.path, table: "data" } : undefined,
        );
      }
      case OpCode.getChildren:
      case OpCode.getChildren2: {
        const found = this.readable(req.path, Perms.READ, ctx);
        if (typeof found === "number") return { err: found };
        const children = this.tree.sortedChildren(found);
        const watch: WatchRegistration | undefined = req.watch
          ? { path: req.path, table: "child" }
          : undefined;
        if (req.type === OpCode.getChildren) {
          return this.withWatch({ err: 0, writeBody: (w) => w.writeStringVector(children) }, watch);
        }
        const stat = statOf(found, this.extendedTypesEnabled);
        return this.withWatch(
          {
            err: 0,
            writeBody: (w) => {
              w.writeStringVector(children);
              writeStat(w, stat);
            },
          },
          watch,
        );
      }
      case OpCode.getACL: {
        const found = this.readable(req.path, Perms.READ | Perms.ADMIN, ctx);
        if (typeof found === "number") return { err: found };
        const acl: ACL[] = this.allowed(found, Perms.ADMIN, ctx) ? [...found.acl] : maskAcl(found.acl);
        const stat = statOf(found, this.extendedTypesEnabled);
        return {
          err: 0,
          writeBody: (w) => {
            writeAclList(w, acl);
            writeStat(w, stat);
          },
        };
      }
      case OpCode.getAllChildrenNumber: {
        const found = this.readable(req.path, Perms.READ, ctx);
        if (typeof found === "number") return { err: found };
        const total = this.tree.descendantCount(req.path);
        return { err: 0, writeBody: (w) => w.writeInt(total) };
      }
      case OpCode.getEphemerals: {
        const prefix = req.prefixPath.trim();
        const all = this.tree.ephemeralsInZooKeeperOrder(ctx.sessionId);
        const list = prefix === "" || prefix === "/" ? all : all.filter((p) => p.startsWith(req.prefixPath));
        return { err: 0, writeBody: (w) => w.writeStringVector(list) };
      }
      case OpCode.multiRead: {
        const results = req.ops.map((op) => this.readOp(op, ctx));
        return { err: 0, writeBody: (w) => writeMultiResponse(w, results) };
      }
      default:
        return { err: ErrorCode.Unimplemented };
    }
  }

  private withWatch(result: ReadResult, watch: WatchRegistration | undefined): ReadResult {
    return watch === undefined ? result : { ...result, watch };
  }

  /** The node if it exists and `perm` passes, else NoNode / NoAuth (in that order). */
  private readable(path: string, perm: number, ctx: RequestContext): ZNode | number {
    const node = this.tree.get(path);
    if (node === undefined) return ErrorCode.NoNode;
    if (!this.allowed(node, perm, ctx)) return ErrorCode.NoAuth;
    return node;
  }

  private readOp(op: Request, ctx: RequestContext): OpResult<Bytes> {
    if (op.type !== OpCode.getData && op.type !== OpCode.getChildren) {
      return { type: OpCode.error, err: ErrorCode.MarshallingError };
    }
    const found = this.readable(op.path, Perms.READ, ctx);
    if (typeof found === "number") return { type: OpCode.error, err: found };
    if (op.type === OpCode.getData)
      return { type: OpCode.getData, data: found.data, stat: statOf(found, this.extendedTypesEnabled) };
    return { type: OpCode.getChildren, children: [...this.tree.sortedChildren(found)] };
  }
}
