export * from "./contract.js";
export { type NodeView, PendingChanges } from "./pending.js";
export { isWriteRequest, type SessionInfo, StateMachine } from "./state-machine.js";
export * from "./txn.js";
export { decodeTxn, encodeTxn, TxnDecodeError } from "./txn-codec.js";
