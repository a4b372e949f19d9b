// kazoo's Lock recipe guarding a counter (test/integration/clients/kazoo_lock_counter.py) on a
// 3-server Paddock ensemble while its leader is killed twice and a follower once, each with
// SIGKILL and started again (test/support/lock-counter-failover.ts): the schedule and the check of
// Curator's (test/interop/curator-failover.test.ts), with another client's reconnects, retries
// and lock.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startLineProcess } from "../support/line-process.js";
import { describeLockCounterFailover, PER_THREAD, THREADS } from "../support/lock-counter-failover.js";
import { isCI } from "../support/zookeeper.js";

const PYTHON = "/usr/bin/python3";
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "clients", "kazoo_lock_counter.py");

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

describeLockCounterFailover("kazoo's lock across failovers", kazooMissing(), (hosts) =>
  startLineProcess(PYTHON, [SCRIPT, hosts, "/kazoo-failover", String(THREADS), String(PER_THREAD)]),
);
