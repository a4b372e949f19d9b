import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirLock, DataDirLockedError, LOCK_FILE_NAME } from "../../src/storage/index.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "paddock-lock-"));
  dirs.push(d);
  return d;
}

/** The pid of a process that has exited: a lock it left behind is stale. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((r) => child.once("exit", r));
  return child.pid!;
}

describe("DataDirLock", () => {
  it("refuses a directory a live server holds, naming the directory and the holder", () => {
    const dir = tempDir();
    const first = DataDirLock.acquire([dir]);
    let thrown: unknown;
    try {
      DataDirLock.acquire([dir]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(DataDirLockedError);
    expect((thrown as DataDirLockedError).holderPid).toBe(process.pid);
    expect((thrown as Error).message).toContain(dir);
    first.release();
    expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(false);
    DataDirLock.acquire([dir]).release();
  });

  it("takes over a lock whose process is gone, or that names a recycled pid, or is torn", async () => {
    const dir = tempDir();
    const path = join(dir, LOCK_FILE_NAME);
    writeFileSync(path, `${await deadPid()} 123\n`);
    DataDirLock.acquire([dir]).release();
    // Our own pid, but another start time: the pid was reused by an unrelated process.
    writeFileSync(path, `${process.pid} 1\n`);
    DataDirLock.acquire([dir]).release();
    writeFileSync(path, "");
    const lock = DataDirLock.acquire([dir]);
    expect(readFileSync(path, "utf8").split(" ")[0]).toBe(String(process.pid));
    lock.release();
  });

  it("locks the log directory too, and leaves nothing locked when one of them is taken", () => {
    const data = tempDir();
    const logs = tempDir();
    const other = DataDirLock.acquire([logs]);
    expect(() => DataDirLock.acquire([data, logs])).toThrow(DataDirLockedError);
    expect(existsSync(join(data, LOCK_FILE_NAME))).toBe(false);
    other.release();
    const both = DataDirLock.acquire([data, logs, data]);
    expect(existsSync(join(data, LOCK_FILE_NAME)) && existsSync(join(logs, LOCK_FILE_NAME))).toBe(true);
    both.release();
  });
});
