export * from "./args.js";
export * from "./compare.js";
export * from "./connection.js";
export * from "./histogram.js";
export * from "./load.js";
export * from "./report.js";
export * from "./rng.js";
export * from "./servers.js";
