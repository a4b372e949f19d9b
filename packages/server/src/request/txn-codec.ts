// Binary encoding of txns for the txn log and for proposals to followers. Our own format (not
// ZooKeeper's): a version byte, the txn header, then the body tagged with the opcode it stems
// from. Bytes we wrote ourselves that do not decode mean corruption, so decoding throws.

import { JuteReader, JuteWriter, OpCode, writeAclList } from "@paddock/jute";
import { RepeatedAclListReader } from "./acl-list-reader.js";
import type { MultiOpTxn, ReconfigTxn, Txn, TxnBody } from "./txn.js";

const TXN_FORMAT_VERSION = 1;

export class TxnDecodeError extends Error {
  override name = "TxnDecodeError";
}

function writeBody(w: JuteWriter, body: TxnBody): void {
  switch (body.type) {
    case "create":
      w.writeInt(OpCode.create).writeString(body.path).writeBuffer(body.data);
      writeAclList(w, body.acl);
      w.writeBigLong(body.ephemeralOwner).writeInt(body.parentChildCounter).writeInt(body.opcode);
      return;
    case "delete":
      w.writeInt(OpCode.delete).writeString(body.path);
      return;
    case "setData":
      w.writeInt(OpCode.setData).writeString(body.path).writeBuffer(body.data).writeInt(body.version);
      return;
    case "setACL":
      w.writeInt(OpCode.setACL).writeString(body.path);
      writeAclList(w, body.acl);
      w.writeInt(body.aversion);
      return;
    case "check":
      w.writeInt(OpCode.check).writeString(body.path).writeInt(body.version);
      return;
    case "multi":
      w.writeInt(OpCode.multi).writeInt(body.ops.length);
      for (const op of body.ops) writeBody(w, op);
      return;
    case "createSession":
      w.writeInt(OpCode.createSession).writeInt(body.timeoutMs).writeBuffer(body.passwd);
      return;
    case "closeSession":
      w.writeInt(OpCode.closeSession);
      return;
    case "deleteContainer":
      w.writeInt(OpCode.deleteContainer).writeString(body.path);
      return;
    case "error":
      w.writeInt(OpCode.error).writeInt(body.err);
      return;
    case "reconfig":
      w.writeInt(OpCode.reconfig).writeBuffer(body.data);
      writeIds(w, body.voters);
      writeIds(w, body.observers);
      return;
  }
}

function writeIds(w: JuteWriter, ids: readonly number[]): void {
  w.writeInt(ids.length);
  for (const id of ids) w.writeLong(id);
}

function readIds(r: JuteReader): number[] {
  const count = r.readInt();
  if (count < 0 || count * 8 > r.remaining) throw new TxnDecodeError(`reconfig txn with ${count} ids`);
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push(r.readLong());
  return ids;
}

function readCreateOpcode(
  r: JuteReader,
): OpCode.create | OpCode.create2 | OpCode.createContainer | OpCode.createTTL {
  const op = r.readInt();
  if (
    op === OpCode.create ||
    op === OpCode.create2 ||
    op === OpCode.createContainer ||
    op === OpCode.createTTL
  ) {
    return op;
  }
  throw new TxnDecodeError(`create txn with opcode ${op}`);
}

function isMultiOp(body: TxnBody): body is MultiOpTxn {
  return (
    body.type === "create" ||
    body.type === "delete" ||
    body.type === "setData" ||
    body.type === "check" ||
    body.type === "error"
  );
}

/** Consecutive creates (a learner's stream, a log replay) nearly always repeat one ACL list. */
const txnAcls = new RepeatedAclListReader();

function readBody(r: JuteReader, depth: number): TxnBody {
  const tag = r.readInt();
  switch (tag) {
    case OpCode.create: {
      const path = r.readPath();
      const data = r.readLatin1();
      const acl = txnAcls.read(r);
      if (acl === null) throw new TxnDecodeError(`create ${path}: null ACL`);
      return {
        type: "create",
        path,
        data,
        acl,
        ephemeralOwner: r.readBigLong(),
        parentChildCounter: r.readInt(),
        opcode: readCreateOpcode(r),
      };
    }
    case OpCode.delete:
      return { type: "delete", path: r.readPath() };
    case OpCode.setData:
      return { type: "setData", path: r.readPath(), data: r.readLatin1(), version: r.readInt() };
    case OpCode.setACL: {
      const path = r.readPath();
      const acl = txnAcls.read(r);
      if (acl === null) throw new TxnDecodeError(`setACL ${path}: null ACL`);
      return { type: "setACL", path, acl, aversion: r.readInt() };
    }
    case OpCode.check:
      return { type: "check", path: r.readPath(), version: r.readInt() };
    case OpCode.multi: {
      if (depth > 0) throw new TxnDecodeError("nested multi txn");
      const count = r.readInt();
      if (count < 0 || count > r.remaining) throw new TxnDecodeError(`multi txn with ${count} ops`);
      const ops: MultiOpTxn[] = [];
      for (let i = 0; i < count; i++) {
        const op = readBody(r, depth + 1);
        if (!isMultiOp(op)) throw new TxnDecodeError(`${op.type} inside a multi txn`);
        ops.push(op);
      }
      return { type: "multi", ops };
    }
    case OpCode.createSession:
      return { type: "createSession", timeoutMs: r.readInt(), passwd: r.readBuffer() ?? Buffer.alloc(0) };
    case OpCode.closeSession:
      return { type: "closeSession" };
    case OpCode.deleteContainer:
      return { type: "deleteContainer", path: r.readPath() };
    case OpCode.error:
      return { type: "error", err: r.readInt() };
    case OpCode.reconfig:
      return {
        type: "reconfig",
        data: r.readBuffer() ?? Buffer.alloc(0),
        voters: readIds(r),
        observers: readIds(r),
      };
    default:
      throw new TxnDecodeError(`unknown txn tag ${tag}`);
  }
}

// Encoding is synchronous and never re-entered, so one writer (grown once to the largest txn
// seen) serves every call; only the final copy is allocated.
const scratch = new JuteWriter(4096);

export function encodeTxn(txn: Txn): Buffer {
  const w = scratch;
  w.reset();
  w.writeInt(TXN_FORMAT_VERSION)
    .writeLong(txn.zxid)
    .writeLong(txn.timeMs)
    .writeBigLong(txn.sessionId)
    .writeInt(txn.cxid);
  writeBody(w, txn.body);
  return w.toBuffer();
}

/** Decodes what encodeTxn wrote; throws TxnDecodeError (or JuteDecodeError) on anything else. */
export function decodeTxn(buf: Buffer): Txn {
  const r = new JuteReader(buf);
  const version = r.readInt();
  if (version !== TXN_FORMAT_VERSION) throw new TxnDecodeError(`unknown txn format version ${version}`);
  const txn: Txn = {
    zxid: r.readLong(),
    timeMs: r.readLong(),
    sessionId: r.readBigLong(),
    cxid: r.readInt(),
    body: readBody(r, 0),
  };
  if (r.remaining !== 0) throw new TxnDecodeError(`${r.remaining} trailing bytes after txn ${txn.zxid}`);
  return txn;
}

/** Where the body's tag sits: after the format version, zxid, time, session id and cxid. */
const BODY_TAG_OFFSET = 4 + 8 + 8 + 8 + 4;

/**
 * The reconfig body of an encoded txn, or undefined for any other txn; reads only the body's tag
 * unless it is a reconfig (log recovery asks this of every record).
 */
export function reconfigOf(payload: Buffer): ReconfigTxn | undefined {
  if (payload.length < BODY_TAG_OFFSET + 4 || payload.readInt32BE(BODY_TAG_OFFSET) !== OpCode.reconfig) {
    return undefined;
  }
  const body = decodeTxn(payload).body;
  return body.type === "reconfig" ? body : undefined;
}
