// Shared drivers for state machine tests: a fake leader that prepares and applies at once, and
// decoders for the response bodies the state machine writes.

import {
  type ACL,
  ErrorCode,
  type Id,
  JuteReader,
  JuteWriter,
  OpCode,
  type OpResult,
  Perms,
  type Request,
  readAclList,
  readMultiResponse,
  readStat,
  type Stat,
} from "@paddock/jute";
import type { ApplyResult, ReadResult, RequestContext } from "../../src/request/contract.js";
import { StateMachine } from "../../src/request/state-machine.js";
import type { Txn } from "../../src/request/txn.js";

export const OPEN: ACL[] = [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }];
export const T0 = 1_700_000_000_000;

export function newMachine(opts: { extendedTypesEnabled?: boolean; skipAcl?: boolean } = {}): StateMachine {
  return new StateMachine({
    extendedTypesEnabled: opts.extendedTypesEnabled ?? false,
    skipAcl: opts.skipAcl ?? false,
    superDigest: undefined,
  });
}

/** A leader in miniature: zxids and times count up; every prepared txn is recorded. */
export class Driver {
  zxid = 0;
  timeMs = T0;
  readonly log: Txn[] = [];

  constructor(readonly sm: StateMachine = newMachine()) {}

  ctx(sessionId: bigint, identities: Id[] = [{ scheme: "ip", id: "127.0.0.1" }]): RequestContext {
    return { sessionId, identities };
  }

  session(id: bigint, timeoutMs = 30_000): bigint {
    this.applyTxn(this.sm.prepareCreateSession(id, timeoutMs, Buffer.alloc(16, 7), ++this.zxid, this.tick()));
    return id;
  }

  tick(): number {
    this.timeMs += 10;
    return this.timeMs;
  }

  prepare(req: Request, ctx: RequestContext): Txn {
    const txn = this.sm.prepare(req, ctx, ++this.zxid, this.tick(), this.zxid);
    this.log.push(txn);
    return txn;
  }

  applyTxn(txn: Txn, requestType?: number): ApplyResult {
    if (!this.log.includes(txn)) this.log.push(txn);
    return this.sm.apply(txn, requestType);
  }

  /** prepare + apply, like a standalone server. */
  write(req: Request, ctx: RequestContext): ApplyResult {
    return this.applyTxn(this.prepare(req, ctx), req.type);
  }

  read(req: Request, ctx: RequestContext): ReadResult {
    return this.sm.read(req, ctx);
  }
}

export function body(result: { err: number; writeBody?: (w: JuteWriter) => void }): JuteReader {
  if (result.err !== 0 || result.writeBody === undefined) {
    throw new Error(`expected a body, got err ${result.err}`);
  }
  const w = new JuteWriter();
  result.writeBody(w);
  return new JuteReader(w.toBuffer());
}

export function createReq(
  path: string,
  opts: {
    data?: Buffer | null;
    acl?: ACL[] | null;
    flags?: number;
    type?: OpCode.create | OpCode.create2 | OpCode.createContainer | OpCode.createTTL;
    ttl?: number;
  } = {},
): Request {
  const data = opts.data === undefined ? Buffer.from("x") : opts.data;
  const acl = opts.acl === undefined ? OPEN : opts.acl;
  const flags = opts.flags ?? 0;
  if (opts.type === OpCode.createTTL) {
    return { type: OpCode.createTTL, path, data, acl, flags, ttl: opts.ttl ?? -1 };
  }
  return { type: opts.type ?? OpCode.create, path, data, acl, flags };
}

export function createdPath(result: ApplyResult): string {
  return body(result).readPath();
}

export function statBody(result: { err: number; writeBody?: (w: JuteWriter) => void }): Stat {
  return readStat(body(result));
}

export function multiResults(result: ApplyResult | ReadResult): OpResult[] {
  return readMultiResponse(body(result));
}

export function aclBody(result: ReadResult): { acl: ACL[]; stat: Stat } {
  const r = body(result);
  const acl = readAclList(r) ?? [];
  return { acl, stat: readStat(r) };
}

export { ErrorCode, OpCode, Perms };
