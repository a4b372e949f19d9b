export * from "./bytes.js";
export * from "./constants.js";
export * from "./errors.js";
export * from "./frame.js";
export * from "./reader.js";
export * from "./records.js";
export * from "./writer.js";
