// Requests as the client sends them: paths validated and moved under the chroot, data as
// bytes, create modes mapped to their opcodes, multi ops built the same way as single ones.

import {
  CreateMode,
  ErrorCode,
  JuteWriter,
  OpCode,
  type OpResult,
  type Request,
  writeRequest,
} from "@paddock/jute";
import { OPEN_ACL_UNSAFE } from "./acl.js";
import type { CreateOptions } from "./client-options.js";
import type { Data } from "./data.js";
import { zooKeeperError } from "./errors.js";
import { prependChroot, stripChroot, validatePath } from "./paths.js";
import type { Op } from "./transaction.js";

export class RequestBuilder {
  constructor(private readonly chroot: string) {}

  serverPath(path: string, sequential = false): string {
    validatePath(path, sequential);
    return prependChroot(this.chroot, path);
  }

  /** The create request for `mode`: containers use opcode 19, TTL nodes opcode 21. */
  create(path: string, data: Data, options: CreateOptions, wantStat: boolean): Request {
    const mode = options.mode ?? CreateMode.Persistent;
    const sequential =
      mode === CreateMode.PersistentSequential ||
      mode === CreateMode.EphemeralSequential ||
      mode === CreateMode.PersistentSequentialWithTtl;
    const serverPath = this.serverPath(path, sequential);
    const acl = [...(options.acl ?? OPEN_ACL_UNSAFE)];
    const body = toBuffer(data);
    const ttlMode = mode === CreateMode.PersistentWithTtl || mode === CreateMode.PersistentSequentialWithTtl;
    if (ttlMode) {
      const ttl = options.ttlMs;
      if (ttl === undefined || !Number.isInteger(ttl) || ttl <= 0) {
        throw zooKeeperError(ErrorCode.BadArguments, path);
      }
      return { type: OpCode.createTTL, path: serverPath, data: body, acl, flags: mode, ttl };
    }
    if (options.ttlMs !== undefined) throw zooKeeperError(ErrorCode.BadArguments, path);
    if (mode === CreateMode.Container) {
      return { type: OpCode.createContainer, path: serverPath, data: body, acl, flags: mode };
    }
    return {
      type: wantStat ? OpCode.create2 : OpCode.create,
      path: serverPath,
      data: body,
      acl,
      flags: mode,
    };
  }

  op(op: Op): Request {
    switch (op.type) {
      case "create": {
        const opts: CreateOptions = {};
        if (op.acl !== undefined) opts.acl = op.acl;
        if (op.mode !== undefined) opts.mode = op.mode;
        if (op.ttlMs !== undefined) opts.ttlMs = op.ttlMs;
        return this.create(op.path, op.data, opts, false);
      }
      case "delete":
        return { type: OpCode.delete, path: this.serverPath(op.path), version: op.version };
      case "setData":
        return {
          type: OpCode.setData,
          path: this.serverPath(op.path),
          data: toBuffer(op.data),
          version: op.version,
        };
      case "check":
        return { type: OpCode.check, path: this.serverPath(op.path), version: op.version };
    }
  }

  stripResult(res: OpResult): OpResult {
    if (res.type === OpCode.create || res.type === OpCode.create2) {
      return { ...res, path: stripChroot(this.chroot, res.path) };
    }
    return res;
  }
}

export function toBuffer(data: Data): Buffer | null {
  if (data === null || data === undefined) return null;
  if (typeof data === "string") return Buffer.from(data, "utf8");
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

export function encodeRequest(xid: number, req: Request): Buffer {
  const w = new JuteWriter(128);
  const at = w.startFrame();
  w.writeInt(xid).writeInt(req.type);
  writeRequest(w, req);
  w.finishFrame(at);
  return w.toBuffer();
}
