export { parseAcl } from "./acl-parser.js";
export type { CliArgs } from "./args.js";
export { parseArgs } from "./args.js";
export { formatAcl, formatStat, formatWatchedEvent, javaDateString, javaList, longHex } from "./format.js";
export type { CliOutput, CliSessionOptions, CommandOutput } from "./shell.js";
export { CliSession, COMMAND_NAMES, cliErrorMessage, runCommandLine, usageText } from "./shell.js";
export { tokenize } from "./tokenize.js";
