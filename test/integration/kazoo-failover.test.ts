// kazoo on a 3-server Paddock ensemble while its leader is killed twice and a follower once, each
// with SIGKILL and started again (test/support/failover-schedule.ts): its Lock recipe guarding a
// counter, as Curator's does in test/interop/curator-failover.test.ts
// (clients/kazoo_lock_counter.py), and its ChildrenWatch and DataWatch following another
// session's 400 writes (clients/kazoo_watch_follow.py) through the reconnects every leader's
// death forces on them.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  describeThroughFailovers,
  LOCK_COUNTER_DONE,
  PER_THREAD,
  THREADS,
} from "../support/failover-schedule.js";
import { startLineProcess } from "../support/line-process.js";
import { isCI } from "../support/zookeeper.js";

const PYTHON = "/usr/bin/python3";
const CLIENTS = join(dirname(fileURLToPath(import.meta.url)), "clients");
const WRITES = 400;

/** Skips only outside CI, where python3-kazoo may be missing; in CI its absence fails the suite. */
function kazooMissing(): boolean {
  try {
    execFileSync(PYTHON, ["-c", "import kazoo"], { stdio: "ignore" });
    return false;
  } catch {
    if (isCI) throw new Error("CI needs python3-kazoo; .ci/run installs it");
    console.warn("skipping kazoo failover: python3-kazoo is not installed");
    return true;
  }
}

describeThroughFailovers("kazoo across failovers", kazooMissing(), [
  {
    name: "its lock loses no increment and is never held twice",
    start: (hosts) =>
      startLineProcess(PYTHON, [
        join(CLIENTS, "kazoo_lock_counter.py"),
        hosts,
        "/kazoo-failover",
        String(THREADS),
        String(PER_THREAD),
      ]),
    done: LOCK_COUNTER_DONE,
  },
  {
    name: "its watches follow every write to the end",
    start: (hosts) =>
      startLineProcess(PYTHON, [
        join(CLIENTS, "kazoo_watch_follow.py"),
        hosts,
        "/kazoo-follow",
        String(WRITES),
      ]),
    done: `DONE children=${WRITES} value=${WRITES} seen_children=${WRITES} seen_value=${WRITES} errors=0`,
  },
]);
