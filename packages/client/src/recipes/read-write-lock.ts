// Curator's InterProcessReadWriteLock: readers share, a writer excludes everyone. Both halves
// queue in one directory, readers as `_c_<uuid>-__READ__<seq>`, writers as `_c_<uuid>-__WRIT__<seq>`,
// sorted by sequence. A writer waits for the node just before it; a reader waits only for the
// first writer before it. A reader whose own write lock is held (downgrading) gets in at once.

import { ErrorCode } from "@paddock/jute";
import type { ZooKeeperClient } from "../client.js";
import type { Data } from "../data.js";
import { zooKeeperError } from "../errors.js";
import { type LockDriver, sortKeyAfter, standardDriver } from "./lock-internals.js";
import { InterProcessLock } from "./mutex.js";

const READ_LOCK_NAME = "__READ__";
const WRITE_LOCK_NAME = "__WRIT__";

const sortKey = (name: string) => sortKeyAfter(sortKeyAfter(name, READ_LOCK_NAME), WRITE_LOCK_NAME);

/** The write half: exclusive, re-entrant per object. */
export class WriteLock extends InterProcessLock {
  constructor(client: ZooKeeperClient, basePath: string, data?: Data) {
    const driver: LockDriver = { sortKey, decide: standardDriver.decide };
    super(client, basePath, WRITE_LOCK_NAME, 1, driver, () => data);
  }
}

/** The read half: shared with other readers, re-entrant per object. */
export class ReadLock extends InterProcessLock {
  constructor(client: ZooKeeperClient, basePath: string, writeLock: WriteLock, data?: Data) {
    const driver: LockDriver = {
      sortKey,
      decide(sorted, ourName) {
        if (writeLock.isAcquired) return { owns: true };
        let firstWrite = -1;
        for (let i = 0; i < sorted.length; i++) {
          const node = sorted[i] as string;
          if (node.includes(WRITE_LOCK_NAME)) {
            if (firstWrite < 0) firstWrite = i;
          } else if (node.startsWith(ourName)) {
            if (firstWrite < 0) return { owns: true };
            return { owns: false, watch: sorted[firstWrite] as string };
          }
        }
        throw zooKeeperError(ErrorCode.NoNode, ourName);
      },
      fixedSuffix() {
        // Holding the write lock: take the writer's place in the queue (Curator does the same).
        const writerPath = writeLock.lockPath;
        return writeLock.isAcquired && writerPath !== undefined
          ? sortKeyAfter(writerPath, WRITE_LOCK_NAME)
          : undefined;
      },
    };
    super(client, basePath, READ_LOCK_NAME, Number.MAX_SAFE_INTEGER, driver, () => data);
  }
}

export class InterProcessReadWriteLock {
  readonly writeLock: WriteLock;
  readonly readLock: ReadLock;

  constructor(client: ZooKeeperClient, basePath: string, data?: Data) {
    this.writeLock = new WriteLock(client, basePath, data);
    this.readLock = new ReadLock(client, basePath, this.writeLock, data);
  }
}
