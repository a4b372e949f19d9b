// ZooKeeper's txn records (zookeeper.jute, module org.apache.zookeeper.txn) as they appear in its
// txn log: a TxnHeader, the record for the header's type, then a TxnDigest when the writer had
// digests on (3.6+). Decoding follows SerializeUtils.deserializeTxn.

import { type ACL, JuteReader, JuteWriter, OpCode, readAclList, writeAclList } from "@paddock/jute";

export interface ZkTxnHeader {
  clientId: bigint;
  cxid: number;
  zxid: number;
  timeMs: number;
  type: number;
}

export type ZkTxnBody =
  | {
      type: "create";
      path: string;
      data: Buffer | null;
      acl: ACL[];
      ephemeral: boolean;
      parentCVersion: number;
    }
  | {
      type: "createTTL";
      path: string;
      data: Buffer | null;
      acl: ACL[];
      parentCVersion: number;
      ttlMs: number;
    }
  | { type: "createContainer"; path: string; data: Buffer | null; acl: ACL[]; parentCVersion: number }
  | { type: "delete"; path: string }
  | { type: "setData"; path: string; data: Buffer | null; version: number }
  | { type: "setACL"; path: string; acl: ACL[]; version: number }
  | { type: "check"; path: string; version: number }
  | { type: "createSession"; timeoutMs: number }
  /** paths2Delete is null for logs written before CloseSessionTxn existed. */
  | { type: "closeSession"; paths2Delete: string[] | null }
  | { type: "error"; err: number }
  | { type: "multi"; txns: { type: number; body: ZkTxnBody }[] };

export interface ZkTxnDigest {
  version: number;
  treeDigest: bigint;
}

export interface ZkTxnEntry {
  header: ZkTxnHeader;
  body: ZkTxnBody;
  digest: ZkTxnDigest | undefined;
}

export class ZkFormatError extends Error {
  override name = "ZkFormatError";
}

/** A zxid as an exact JS number; ZooKeeper's epochs from 2^21 on do not fit one. */
export function readZxid(r: JuteReader, what: string): number {
  const v = r.readLong();
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new ZkFormatError(`${what} ${v} is outside what Paddock can hold (epoch must be below 2^21)`);
  }
  return v;
}

function readAcls(r: JuteReader): ACL[] {
  return readAclList(r) ?? [];
}

function readBody(type: number, r: JuteReader, inMulti: boolean): ZkTxnBody {
  switch (type) {
    case OpCode.create:
    case OpCode.create2: {
      const path = r.readPath();
      const data = r.readBuffer();
      const acl = readAcls(r);
      const ephemeral = r.readBool();
      // A pre-3.3 CreateTxnV0 ends here; -1 makes the tree derive the parent's cversion.
      const parentCVersion = r.remaining >= 4 ? r.readInt() : -1;
      return { type: "create", path, data, acl, ephemeral, parentCVersion };
    }
    case OpCode.createTTL: {
      const path = r.readPath();
      const data = r.readBuffer();
      const acl = readAcls(r);
      const parentCVersion = r.readInt();
      return { type: "createTTL", path, data, acl, parentCVersion, ttlMs: r.readLong() };
    }
    case OpCode.createContainer: {
      const path = r.readPath();
      const data = r.readBuffer();
      const acl = readAcls(r);
      return { type: "createContainer", path, data, acl, parentCVersion: r.readInt() };
    }
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { type: "delete", path: r.readPath() };
    case OpCode.setData:
    case OpCode.reconfig:
      return { type: "setData", path: r.readPath(), data: r.readBuffer(), version: r.readInt() };
    case OpCode.setACL: {
      const path = r.readPath();
      const acl = readAcls(r);
      return { type: "setACL", path, acl, version: r.readInt() };
    }
    case OpCode.check:
      return { type: "check", path: r.readPath(), version: r.readInt() };
    case OpCode.error:
      return { type: "error", err: r.readInt() };
    case OpCode.createSession:
      if (!inMulti) return { type: "createSession", timeoutMs: r.readInt() };
      break;
    case OpCode.closeSession:
      // Decoded in decodeZkTxnEntry: whether a CloseSessionTxn follows depends on what is left.
      break;
    case OpCode.multi:
      if (!inMulti) {
        const count = r.readInt();
        if (count < 0 || count > r.remaining) throw new ZkFormatError(`multi txn with ${count} sub-txns`);
        const txns: { type: number; body: ZkTxnBody }[] = [];
        for (let i = 0; i < count; i++) {
          const subType = r.readInt();
          const bytes = r.readBuffer() ?? Buffer.alloc(0);
          const sub = new JuteReader(bytes);
          txns.push({ type: subType, body: readBody(subType, sub, true) });
        }
        return { type: "multi", txns };
      }
      break;
  }
  throw new ZkFormatError(`unsupported txn type ${type}${inMulti ? " inside a multi" : ""}`);
}

/** Decodes one txn log entry (the bytes the entry's Adler-32 covers). */
export function decodeZkTxnEntry(bytes: Buffer): ZkTxnEntry {
  const r = new JuteReader(bytes);
  const header: ZkTxnHeader = {
    clientId: r.readBigLong(),
    cxid: r.readInt(),
    zxid: readZxid(r, "txn zxid"),
    timeMs: r.readLong(),
    type: r.readInt(),
  };
  if (header.type === OpCode.closeSession) return decodeCloseSession(header, r);
  const body = readBody(header.type, r, false);
  return { header, body, digest: readDigest(r, header.zxid) };
}

function readDigest(r: JuteReader, zxid: number): ZkTxnDigest | undefined {
  let digest: ZkTxnDigest | undefined;
  if (r.remaining >= 12) digest = { version: r.readInt(), treeDigest: BigInt.asUintN(64, r.readBigLong()) };
  if (r.remaining !== 0) throw new ZkFormatError(`${r.remaining} stray bytes after txn ${zxid}`);
  return digest;
}

/**
 * A CloseSessionTxn (the paths to delete) follows the header only when the writer had
 * zookeeper.closeSessionTxn.enabled (the 3.8 default); a digest may follow either way. The
 * record form is tried first, then the bare header.
 */
function decodeCloseSession(header: ZkTxnHeader, r: JuteReader): ZkTxnEntry {
  const start = r.offset;
  try {
    const paths2Delete = r.readStringVector();
    return { header, body: { type: "closeSession", paths2Delete }, digest: readDigest(r, header.zxid) };
  } catch {
    r.offset = start;
    return { header, body: { type: "closeSession", paths2Delete: null }, digest: readDigest(r, header.zxid) };
  }
}

function writeBody(w: JuteWriter, body: ZkTxnBody): void {
  switch (body.type) {
    case "create":
      w.writeString(body.path).writeBuffer(body.data);
      writeAclList(w, body.acl);
      w.writeBool(body.ephemeral).writeInt(body.parentCVersion);
      return;
    case "createTTL":
      w.writeString(body.path).writeBuffer(body.data);
      writeAclList(w, body.acl);
      w.writeInt(body.parentCVersion).writeLong(body.ttlMs);
      return;
    case "createContainer":
      w.writeString(body.path).writeBuffer(body.data);
      writeAclList(w, body.acl);
      w.writeInt(body.parentCVersion);
      return;
    case "delete":
      w.writeString(body.path);
      return;
    case "setData":
      w.writeString(body.path).writeBuffer(body.data).writeInt(body.version);
      return;
    case "setACL":
      w.writeString(body.path);
      writeAclList(w, body.acl);
      w.writeInt(body.version);
      return;
    case "check":
      w.writeString(body.path).writeInt(body.version);
      return;
    case "createSession":
      w.writeInt(body.timeoutMs);
      return;
    case "closeSession":
      if (body.paths2Delete !== null) w.writeStringVector(body.paths2Delete);
      return;
    case "error":
      w.writeInt(body.err);
      return;
    case "multi":
      w.writeInt(body.txns.length);
      for (const t of body.txns) {
        const sub = new JuteWriter();
        writeBody(sub, t.body);
        w.writeInt(t.type).writeBuffer(sub.toBuffer());
      }
      return;
  }
}

/** The inverse of decodeZkTxnEntry (used to build test logs in ZooKeeper's format). */
export function encodeZkTxnEntry(entry: ZkTxnEntry): Buffer {
  const w = new JuteWriter();
  const h = entry.header;
  w.writeBigLong(h.clientId).writeInt(h.cxid).writeLong(h.zxid).writeLong(h.timeMs).writeInt(h.type);
  writeBody(w, entry.body);
  if (entry.digest !== undefined) {
    w.writeInt(entry.digest.version).writeBigLong(BigInt.asIntN(64, entry.digest.treeDigest));
  }
  return w.toBuffer();
}
