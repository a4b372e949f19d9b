import pino from "pino";

export type Logger = pino.Logger;

/**
 * JSON logs on stdout (for machines), or one readable line per record when PADDOCK_LOG_PRETTY=1
 * (for `npm start`). pino-pretty is not a dependency; the pretty form is deliberately minimal.
 */
export function createLogger(fields: Record<string, unknown> = {}): Logger {
  const level = process.env.PADDOCK_LOG_LEVEL ?? "info";
  if (process.env.PADDOCK_LOG_PRETTY !== "1") {
    return pino({ level, base: { pid: process.pid, ...fields } });
  }
  const stream = {
    write(line: string): void {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        process.stdout.write(line);
        return;
      }
      const { time, level: lvl, msg, pid: _pid, hostname: _host, ...rest } = rec;
      const when = new Date(Number(time)).toISOString().slice(11, 23);
      const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : "";
      process.stdout.write(`${when} ${pino.levels.labels[Number(lvl)] ?? lvl} ${String(msg)}${extra}\n`);
    },
  };
  return pino({ level, base: fields }, stream);
}
