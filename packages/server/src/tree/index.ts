export * from "./acl.js";
export * from "./data-tree.js";
export * from "./node.js";
export * from "./path.js";
export * from "./quota.js";
