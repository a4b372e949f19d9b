export * from "./contract.js";
export { type NodeView, PendingChanges } from "./pending.js";
export { isWriteRequest } from "./prepare-request.js";
export type { SessionInfo } from "./session-table.js";
export { StateMachine } from "./state-machine.js";
export * from "./txn.js";
export { decodeTxn, encodeTxn, reconfigOf, TxnDecodeError } from "./txn-codec.js";
