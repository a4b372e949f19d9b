/**
 * The slice of a pino logger the storage engine uses. Kept structural so the engine does not
 * depend on pino and tests can capture lines.
 */
export interface StorageLogger {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

/** Used when the caller passes no logger: a truncated tail must never go unreported. */
export const stderrLogger: StorageLogger = {
  info(fields, msg) {
    process.stderr.write(`${JSON.stringify({ level: "info", msg, ...fields })}\n`);
  },
  warn(fields, msg) {
    process.stderr.write(`${JSON.stringify({ level: "warn", msg, ...fields })}\n`);
  },
  error(fields, msg) {
    process.stderr.write(`${JSON.stringify({ level: "error", msg, ...fields })}\n`);
  },
};
