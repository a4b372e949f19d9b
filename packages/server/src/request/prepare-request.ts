// From a client's write request to the body of the txn that replicates it: which opcodes are
// writes, the op check each opcode runs (prepare.ts), a multi's all-or-nothing, and the writes
// Paddock refuses. A refused write is an error body, not an exception: it still takes its zxid.

import { ErrorCode, MULTI_WRITE_OPS, OpCode, type Request } from "@paddock/jute";
import { TreeInvariantError } from "../tree/data-tree.js";
import {
  type Prepared,
  type PrepareEnv,
  prepareCheck,
  prepareCreate,
  prepareDelete,
  prepareSetAcl,
  prepareSetData,
} from "./prepare.js";
import type { MultiOpTxn, TxnBody } from "./txn.js";

const WRITE_OPCODES: ReadonlySet<number> = new Set([
  OpCode.create,
  OpCode.delete,
  OpCode.setData,
  OpCode.setACL,
  OpCode.check,
  OpCode.multi,
  OpCode.create2,
  OpCode.reconfig,
  OpCode.createContainer,
  OpCode.deleteContainer,
  OpCode.createTTL,
]);

/** Requests that go through prepare -> replicate -> apply (session create/close have their own entries). */
export function isWriteRequest(type: number): boolean {
  return WRITE_OPCODES.has(type);
}

function prepareOp(env: PrepareEnv, op: Request): Prepared<TxnBody> {
  switch (op.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return prepareCreate(env, op);
    case OpCode.delete:
      return prepareDelete(env, op);
    case OpCode.setData:
      return prepareSetData(env, op);
    case OpCode.setACL:
      return prepareSetAcl(env, op);
    case OpCode.check:
      return prepareCheck(env, op);
    default:
      return { ok: false, err: ErrorCode.Unimplemented };
  }
}

/**
 * The txn body of a client write (not closeSession); on success its changes are published to
 * the pending view under `zxid`, on failure nothing is.
 */
export function prepareRequestBody(env: PrepareEnv, req: Request, zxid: number): TxnBody {
  switch (req.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
    case OpCode.delete:
    case OpCode.setData:
    case OpCode.setACL:
    case OpCode.check: {
      const prepared = prepareOp(env, req);
      if (!prepared.ok) return { type: "error", err: prepared.err };
      env.scratch.commit(zxid);
      return prepared.body;
    }
    case OpCode.multi:
      return prepareMulti(env, req.ops, zxid);
    case OpCode.reconfig:
      // The proposer prepares reconfigs itself (StateMachine.prepareReconfig): it needs the members.
      throw new TreeInvariantError("reconfig reached the plain prepare stage");
    case OpCode.deleteContainer:
      // Only the container scanner deletes containers (prepareDeleteContainer); clients may not.
      return { type: "error", err: ErrorCode.Unimplemented };
    default:
      return { type: "error", err: ErrorCode.Unimplemented };
  }
}

function prepareMulti(env: PrepareEnv, ops: readonly Request[], zxid: number): TxnBody {
  const bodies: MultiOpTxn[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    // The jute decoder admits only these; anything else is refused like an undecodable op.
    const prepared: Prepared<TxnBody> = MULTI_WRITE_OPS.has(op.type)
      ? prepareOp(env, op)
      : { ok: false, err: ErrorCode.MarshallingError };
    if (!prepared.ok) {
      // Nothing of a failed multi reaches the pending view: the scratch is simply dropped.
      return {
        type: "multi",
        ops: ops.map((_, j) => ({
          type: "error",
          err: j < i ? ErrorCode.OK : j === i ? prepared.err : ErrorCode.RuntimeInconsistency,
        })),
      };
    }
    const body = prepared.body;
    if (
      body.type !== "create" &&
      body.type !== "delete" &&
      body.type !== "setData" &&
      body.type !== "check"
    ) {
      throw new TreeInvariantError(`multi: op ${op.type} prepared into a ${body.type} txn`);
    }
    bodies.push(body);
  }
  env.scratch.commit(zxid);
  return { type: "multi", ops: bodies };
}
