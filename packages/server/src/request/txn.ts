// Transactions: what prepare decides and apply executes. Plain data only (strings, numbers,
// bigints, Buffers, arrays; znode values are latin1 strings, see ZValue) because txns are logged
// to disk and sent to followers; everything apply needs is inside, so applying the same txns in
// the same order gives the same tree.

import type { ACL, OpCode } from "@paddock/jute";
import type { ZValue } from "../tree/node.js";

export type CreateOpcode = OpCode.create | OpCode.create2 | OpCode.createContainer | OpCode.createTTL;

export interface CreateTxn {
  type: "create";
  /** Final path, sequence suffix included. */
  path: string;
  data: ZValue | null;
  /** Already fixed up (auth expanded, validated). */
  acl: ACL[];
  /** Raw stored owner: 0, the session id, or the container/TTL marker. */
  ephemeralOwner: bigint;
  /** The parent's stored child-creation counter after this create. */
  parentChildCounter: number;
  /** Opcode of the request: `create` answers with the path only, the others with path + stat. */
  opcode: CreateOpcode;
}

export interface DeleteTxn {
  type: "delete";
  path: string;
}

export interface SetDataTxn {
  type: "setData";
  path: string;
  data: ZValue | null;
  /** The node's data version after this txn. */
  version: number;
}

export interface SetAclTxn {
  type: "setACL";
  path: string;
  acl: ACL[];
  /** The node's ACL version after this txn. */
  aversion: number;
}

/** A passed version check (inside multi, or a top-level check on servers that accept it). */
export interface CheckTxn {
  type: "check";
  path: string;
  version: number;
}

/** A write that failed in prepare; it still takes a zxid and answers with `err`. */
export interface ErrorTxn {
  type: "error";
  err: number;
}

export type MultiOpTxn = CreateTxn | DeleteTxn | SetDataTxn | CheckTxn | ErrorTxn;

/**
 * One zxid for all ops. A failed multi holds only ErrorTxns: err 0 before the failing op, its
 * code at it, RuntimeInconsistency after it.
 */
export interface MultiTxn {
  type: "multi";
  ops: MultiOpTxn[];
}

export interface CreateSessionTxn {
  type: "createSession";
  timeoutMs: number;
  passwd: Buffer;
}

/** Closes Txn.sessionId and deletes its ephemerals (those present when it is applied). */
export interface CloseSessionTxn {
  type: "closeSession";
}

export interface DeleteContainerTxn {
  type: "deleteContainer";
  path: string;
}

/**
 * A new ensemble config (opcode reconfig). Applied as ZooKeeper applies its reconfig txn: a
 * setData of /zookeeper/config with version -1, whose data is the new config as ZooKeeper prints
 * it (server lines, then `version=<this txn's zxid in hex>`). The voters and observers are what
 * ZAB needs to know the entry as a reconfig when the log is read back from disk.
 */
export interface ReconfigTxn {
  type: "reconfig";
  data: Buffer;
  voters: number[];
  observers: number[];
  /**
   * The caller lacks WRITE on /zookeeper/config. Never encoded: ZooKeeper checks the ACL after
   * the new config's quorum, so the leader answers NoAuth only if ZAB would have proposed it.
   */
  aclDenied?: true;
}

export type TxnBody =
  | CreateTxn
  | ReconfigTxn
  | DeleteTxn
  | SetDataTxn
  | SetAclTxn
  | CheckTxn
  | MultiTxn
  | CreateSessionTxn
  | CloseSessionTxn
  | DeleteContainerTxn
  | ErrorTxn;

export interface Txn {
  zxid: number;
  /** The leader's wall clock when it prepared the txn: ctime/mtime of what it touches. */
  timeMs: number;
  sessionId: bigint;
  cxid: number;
  body: TxnBody;
}
