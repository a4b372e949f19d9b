// One server per data directory. Two processes appending to one txn log interleave and truncate
// each other's records: after a restart, writes both had acknowledged are silently gone. Each
// server holds a lock file in every directory it writes (dataDir and dataLogDir), naming its pid
// and that process's start time; a lock whose process is gone (SIGKILL, power loss) is stale and
// taken over. The start time tells a live holder from an unrelated process that got its pid.

import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

export const LOCK_FILE_NAME = "paddock.lock";

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holderPid: number,
  ) {
    super(
      `data directory ${dir} is in use by another server (pid ${holderPid}): two servers on one ` +
        `data directory lose acknowledged writes; stop it, or give this server its own dataDir / dataLogDir`,
    );
    this.name = "DataDirLockedError";
  }
}

interface Holder {
  pid: number;
  /** The holder's start time in clock ticks since boot (/proc/<pid>/stat), when known. */
  startTicks: string | undefined;
}

/** A process's start time from /proc, or undefined where there is no /proc or no such process. */
function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch {
    return undefined;
  }
}

function isAlive(holder: Holder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: the pid exists but belongs to another user, so it is some live process.
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (holder.startTicks === undefined) return true;
  return processStartTicks(holder.pid) === holder.startTicks;
}

function readHolder(path: string): Holder | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const [pidText, startTicks] = text.trim().split(" ");
  const pid = Number(pidText);
  // A lock file we cannot parse was cut short by a crash while it was being written.
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return { pid, startTicks: startTicks === "" ? undefined : startTicks };
}

export class DataDirLock {
  private constructor(private readonly paths: string[]) {}

  /**
   * Locks every directory in `dirs` (duplicates once) or throws DataDirLockedError naming the
   * first one another live server holds; nothing stays locked when it throws.
   */
  static acquire(dirs: readonly string[]): DataDirLock {
    const taken: string[] = [];
    try {
      for (const dir of new Set(dirs)) {
        const path = join(dir, LOCK_FILE_NAME);
        lockOne(dir, path);
        taken.push(path);
      }
    } catch (err) {
      for (const path of taken) unlinkQuietly(path);
      throw err;
    }
    return new DataDirLock(taken);
  }

  release(): void {
    for (const path of this.paths) {
      // Only our own lock: a server that lost its directory must not delete another's.
      if (readHolder(path)?.pid === process.pid) unlinkQuietly(path);
    }
  }
}

function lockOne(dir: string, path: string): void {
  const content = `${process.pid} ${processStartTicks(process.pid) ?? ""}\n`;
  // Two attempts: the second after clearing a stale lock; a lock another starter took in
  // between is then a live one.
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, "wx", 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = readHolder(path);
      if (holder !== undefined && isAlive(holder)) throw new DataDirLockedError(dir, holder.pid);
      unlinkQuietly(path);
      continue;
    }
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    return;
  }
  const holder = readHolder(path);
  throw new DataDirLockedError(dir, holder?.pid ?? -1);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone: nothing to release.
  }
}
