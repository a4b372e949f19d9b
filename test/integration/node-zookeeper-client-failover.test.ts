// node-zookeeper-client (npm) on a 3-server Paddock ensemble while its leader is killed twice and
// a follower once, each with SIGKILL and started again (test/support/failover-schedule.ts): one
// session's one-shot watches, re-armed by each read, follow another session's 400 writes through
// the reconnects every leader's death forces on them (clients/nzk_watch_follow.mjs), as kazoo's
// do in kazoo-failover.test.ts.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describeThroughFailovers } from "../support/failover-schedule.js";
import { startLineProcess } from "../support/line-process.js";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "clients", "nzk_watch_follow.mjs");
const WRITES = 400;

describeThroughFailovers("node-zookeeper-client across failovers", false, [
  {
    name: "its watches follow every write to the end",
    start: (connectString) =>
      startLineProcess(process.execPath, [SCRIPT, connectString, "/nzk-follow", String(WRITES)]),
    done: `DONE children=${WRITES} value=${WRITES} seen_children=${WRITES} seen_value=${WRITES} errors=0`,
  },
]);
