// Where audit events go (audit.enable=true). ZooKeeper hands them to its logging as the logger
// org.apache.zookeeper.audit.Slf4jAuditLogger, at INFO, or ERROR for a failure; with its stock
// logback.xml they go to the console with every other line, and its commented-out RFAAUDIT
// appender puts them in a file of their own. Paddock does the same: records of the server's log
// with `logger: "audit"`, or, with paddock.auditLogFile, lines appended to that file in the
// RFAAUDIT layout, rolled as RFAAUDIT rolls. Lines are written with write(2) as the turn that
// made them ends, so a killed server has lost none it logged before its last turn.

import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { userInfo } from "node:os";
import { ConfigError, type ServerConfig } from "../config/index.js";
import type { Logger } from "../logger.js";
import { type AuditEvent, formatAuditEvent } from "./audit-event.js";

export interface AuditSink {
  write(event: AuditEvent): void;
  close(): void;
}

/** The server's log: one record per event, its message the line ZooKeeper would log. */
export class LogAuditSink implements AuditSink {
  private readonly log: Logger;

  constructor(log: Logger) {
    this.log = log.child({ logger: "audit" });
  }

  write(event: AuditEvent): void {
    const line = formatAuditEvent(event);
    if (event.result === "failure") this.log.error(line);
    else this.log.info(line);
  }

  close(): void {}
}

/** logback's %d{ISO8601}: local time, a comma before the milliseconds. */
function iso8601(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())},` +
    String(date.getMilliseconds()).padStart(3, "0")
  );
}

/** RFAAUDIT's rolling in ZooKeeper's logback.xml: a new file past 10 MB, ten kept as `.1`-`.10`. */
export const AUDIT_FILE_MAX_BYTES = 10 * 1024 * 1024;
export const AUDIT_FILE_BACKUPS = 10;

/** A file of its own, in RFAAUDIT's layout (`%d{ISO8601} %p %c{2}: %m%n`), rolled as it rolls. */
export class FileAuditSink implements AuditSink {
  private fd: number;
  private sizeBytes: number;
  private pending: string[] = [];
  private flushQueued = false;

  constructor(
    readonly path: string,
    configPath: string,
    private readonly maxBytes = AUDIT_FILE_MAX_BYTES,
    private readonly backups = AUDIT_FILE_BACKUPS,
  ) {
    try {
      this.fd = openSync(path, "a");
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new ConfigError(`cannot open the audit log: ${reason}`, {
        file: configPath,
        key: "paddock.auditLogFile",
      });
    }
    this.sizeBytes = fstatSync(this.fd).size;
  }

  write(event: AuditEvent): void {
    const level = event.result === "failure" ? "ERROR" : "INFO";
    this.pending.push(
      `${iso8601(new Date())} ${level} o.a.z.a.Slf4jAuditLogger: ${formatAuditEvent(event)}\n`,
    );
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join("");
    this.pending = [];
    this.sizeBytes += writeSync(this.fd, text);
    if (this.sizeBytes >= this.maxBytes) this.roll();
  }

  /** FixedWindowRollingPolicy: the oldest goes, each other moves up one, the file becomes `.1`. */
  private roll(): void {
    closeSync(this.fd);
    rmSync(`${this.path}.${this.backups}`, { force: true });
    for (let i = this.backups - 1; i >= 1; i--) {
      if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
    renameSync(this.path, `${this.path}.1`);
    this.fd = openSync(this.path, "a");
    this.sizeBytes = 0;
  }
}

/**
 * The server's own user, which ZooKeeper names in the events no client caused (its start and
 * stop, a closed session's ephemerals): the login user of its JAAS Server section (always the
 * system user for DIGEST-MD5), else the JVM's user.name.
 */
export function serverUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return "<NA>";
  }
}

export class AuditLog {
  constructor(
    private readonly sink: AuditSink,
    readonly serverUser: string,
  ) {}

  record(event: AuditEvent): void {
    this.sink.write(event);
  }

  serverStarted(): void {
    this.sink.write({ user: this.serverUser, operation: "serverStart", result: "success" });
  }

  serverStartFailed(): void {
    this.sink.write({ user: this.serverUser, operation: "serverStart", result: "failure" });
  }

  /** ZooKeeper logs the stop from its shutdown hook, before it knows the stop worked. */
  serverStopping(): void {
    this.sink.write({ user: this.serverUser, operation: "serverStop", result: "invoked" });
  }

  close(): void {
    this.sink.close();
  }
}

/** The audit log audit.enable asks for, or undefined. */
export function auditLogFromConfig(config: ServerConfig, log: Logger): AuditLog | undefined {
  if (!config.auditEnabled) return undefined;
  const sink =
    config.auditLogFile === ""
      ? new LogAuditSink(log)
      : new FileAuditSink(config.auditLogFile, config.configPath);
  log.info({ file: config.auditLogFile || undefined }, "ZooKeeper audit is enabled.");
  return new AuditLog(sink, serverUserName());
}

/** serverStart's event around a start: success, or failure with the error passed on. */
export async function auditedStart(audit: AuditLog | undefined, start: () => Promise<void>): Promise<void> {
  try {
    await start();
  } catch (err) {
    audit?.serverStartFailed();
    throw err;
  }
  audit?.serverStarted();
}
