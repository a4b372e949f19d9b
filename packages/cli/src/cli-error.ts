/** zkCli's CliException cases: the message goes to stderr, exit code 1. */
export class CliError extends Error {}
