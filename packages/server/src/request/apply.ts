// Applying one committed txn to the tree and the sessions table: the changes, the watch events
// they trigger (in ZooKeeper's order) and the reply body of the request that made the txn.
// Prepare already checked everything a client can get wrong, so whatever does not fit here is a
// broken invariant and throws.

import {
  asLatin1,
  ErrorCode,
  EventType,
  type JuteWriter,
  OpCode,
  type OpResult,
  type Stat,
  writeMultiResponse,
  writeStat,
} from "@paddock/jute";
import { type DataTree, TreeInvariantError } from "../tree/data-tree.js";
import { statOf, storedNode, type ZNode } from "../tree/node.js";
import { CONFIG_PATH, parentOf } from "../tree/path.js";
import type { ApplyResult, TriggeredEvent } from "./contract.js";
import type { QuotaAccounting } from "./quota-accounting.js";
import type { SessionTable } from "./session-table.js";
import type { CreateTxn, MultiOpTxn, SetAclTxn, SetDataTxn, Txn } from "./txn.js";

const NO_BODY = (_w: JuteWriter): void => {};

function errorResult(err: number): ApplyResult {
  return { err, events: [], closedSessions: [] };
}

function isCreateOpcode(type: number): type is CreateTxn["opcode"] {
  return (
    type === OpCode.create ||
    type === OpCode.create2 ||
    type === OpCode.createContainer ||
    type === OpCode.createTTL
  );
}

export class TxnApplier {
  constructor(
    private readonly tree: DataTree,
    private readonly sessions: SessionTable,
    private readonly quota: QuotaAccounting,
    private readonly extendedTypesEnabled: boolean,
  ) {}

  /** `requestType` (the originating opcode, when known) only picks the response shape of creates. */
  apply(txn: Txn, requestType: number | undefined): ApplyResult {
    const body = txn.body;
    const events: TriggeredEvent[] = [];
    switch (body.type) {
      case "error":
        return errorResult(body.err);
      case "create": {
        const node = this.applyCreate(body, txn, events);
        const opcode = requestType !== undefined && isCreateOpcode(requestType) ? requestType : body.opcode;
        const path = body.path;
        if (opcode === OpCode.create) {
          return { err: 0, events, closedSessions: [], writeBody: (w) => w.writeString(path) };
        }
        const stat = this.statOf(node);
        return {
          err: 0,
          events,
          closedSessions: [],
          writeBody: (w) => {
            w.writeString(path);
            writeStat(w, stat);
          },
        };
      }
      case "delete":
      case "deleteContainer":
        this.applyDelete(body.path, txn.zxid, events);
        return { err: 0, events, closedSessions: [], writeBody: NO_BODY };
      case "setData": {
        const stat = this.statOf(this.applySetData(body, txn, events));
        return { err: 0, events, closedSessions: [], writeBody: (w) => writeStat(w, stat) };
      }
      case "reconfig": {
        // ZooKeeper answers a reconfig with the new /zookeeper/config, as a getData would.
        const data = asLatin1(body.data);
        const setData: SetDataTxn = { type: "setData", path: CONFIG_PATH, data, version: -1 };
        const stat = this.statOf(this.applySetData(setData, txn, events));
        return {
          err: 0,
          events,
          closedSessions: [],
          writeBody: (w) => {
            w.writeBuffer(data);
            writeStat(w, stat);
          },
        };
      }
      case "setACL": {
        const stat = this.statOf(this.applySetAcl(body, txn));
        return { err: 0, events, closedSessions: [], writeBody: (w) => writeStat(w, stat) };
      }
      case "check":
        return { err: 0, events, closedSessions: [], writeBody: NO_BODY };
      case "multi": {
        const results = this.applyMulti(body.ops, txn, events);
        return { err: 0, events, closedSessions: [], writeBody: (w) => writeMultiResponse(w, results) };
      }
      case "createSession":
        this.sessions.put(txn.sessionId, { timeoutMs: body.timeoutMs, passwd: Buffer.from(body.passwd) });
        return { err: 0, events, closedSessions: [], writeBody: NO_BODY };
      case "closeSession": {
        const deletedEphemerals = this.tree.ephemeralsInZooKeeperOrder(txn.sessionId);
        for (const path of deletedEphemerals) this.applyDelete(path, txn.zxid, events);
        this.sessions.drop(txn.sessionId);
        return { err: 0, events, closedSessions: [txn.sessionId], deletedEphemerals, writeBody: NO_BODY };
      }
    }
  }

  private applyCreate(body: CreateTxn, txn: Txn, events: TriggeredEvent[]): ZNode {
    // insertChild throws if the parent is missing: prepare guaranteed it exists.
    const parentPath = parentOf(body.path);
    if (parentPath === undefined)
      throw new TreeInvariantError(`apply create ${body.path} (zxid ${txn.zxid})`);
    const node = storedNode(body.data, body.acl, txn.zxid, txn.timeMs, body.ephemeralOwner);
    const parent = this.tree.insertChild(body.path, node, body.parentChildCounter, txn.zxid);
    this.quota.created(body.path, parentPath, body.data?.length ?? 0);
    events.push(
      { type: EventType.NodeCreated, path: body.path, acl: node.acl },
      { type: EventType.NodeChildrenChanged, path: parentPath, acl: parent.acl },
    );
    return node;
  }

  private applyDelete(path: string, zxid: number, events: TriggeredEvent[]): void {
    const parentPath = parentOf(path);
    if (parentPath === undefined) throw new TreeInvariantError(`apply delete ${path} (zxid ${zxid})`);
    const removed = this.tree.remove(path);
    const parent = this.tree.update(parentPath, { pzxid: zxid });
    this.quota.deleted(path, parentPath, removed.data?.length ?? 0);
    events.push(
      { type: EventType.NodeDeleted, path, acl: removed.acl },
      { type: EventType.NodeChildrenChanged, path: parentPath, acl: parent.acl },
    );
  }

  private existing(path: string, zxid: number): ZNode {
    const node = this.tree.get(path);
    if (node === undefined) throw new TreeInvariantError(`apply (zxid ${zxid}): ${path} does not exist`);
    return node;
  }

  private applySetData(body: SetDataTxn, txn: Txn, events: TriggeredEvent[]): ZNode {
    const before = this.existing(body.path, txn.zxid).data?.length ?? 0;
    const node = this.tree.update(body.path, {
      data: body.data,
      version: body.version,
      mzxid: txn.zxid,
      mtimeMs: txn.timeMs,
    });
    this.quota.dataChanged(body.path, (body.data?.length ?? 0) - before);
    events.push({ type: EventType.NodeDataChanged, path: body.path, acl: node.acl });
    return node;
  }

  private applySetAcl(body: SetAclTxn, txn: Txn): ZNode {
    this.existing(body.path, txn.zxid);
    return this.tree.update(body.path, { acl: body.acl, aversion: body.aversion });
  }

  /** A multi applies whole or, when prepare failed one of its ops, not at all. */
  private applyMulti(ops: readonly MultiOpTxn[], txn: Txn, events: TriggeredEvent[]): OpResult[] {
    if (ops.some((op) => op.type === "error")) {
      return ops.map((op) => ({ type: OpCode.error, err: op.type === "error" ? op.err : ErrorCode.OK }));
    }
    const results: OpResult[] = [];
    for (const op of ops) {
      switch (op.type) {
        case "create": {
          const node = this.applyCreate(op, txn, events);
          results.push(
            op.opcode === OpCode.create
              ? { type: OpCode.create, path: op.path }
              : { type: OpCode.create2, path: op.path, stat: this.statOf(node) },
          );
          break;
        }
        case "delete":
          this.applyDelete(op.path, txn.zxid, events);
          results.push({ type: OpCode.delete });
          break;
        case "setData":
          results.push({ type: OpCode.setData, stat: this.statOf(this.applySetData(op, txn, events)) });
          break;
        case "check":
          results.push({ type: OpCode.check });
          break;
        case "error":
          throw new TreeInvariantError("unreachable: error op in a successful multi");
      }
    }
    return results;
  }

  private statOf(node: ZNode): Stat {
    return statOf(node, this.extendedTypesEnabled);
  }
}
