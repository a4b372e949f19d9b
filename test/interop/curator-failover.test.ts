// Apache Curator's InterProcessMutex guarding a counter (test/interop/java/CuratorLockCounter.java)
// on a 3-server Paddock ensemble while its leader is killed twice and a follower once, each with
// SIGKILL and started again (test/support/failover-schedule.ts). kazoo goes through the same in
// test/integration/kazoo-failover.test.ts.
import {
  describeThroughFailovers,
  LOCK_COUNTER_DONE,
  PER_THREAD,
  THREADS,
} from "../support/failover-schedule.js";
import { skipWithoutCurator, startCuratorPeer } from "./curator-peer.js";

// Skipped only outside CI when Curator's jars or javac are missing; skipWithoutCurator throws in CI.
describeThroughFailovers("Curator across failovers", skipWithoutCurator(), [
  {
    name: "its lock loses no increment and is never held twice",
    start: (connectString) =>
      startCuratorPeer([connectString, "/curator-failover", String(THREADS), String(PER_THREAD)], {
        mainClass: "CuratorLockCounter",
      }),
    done: LOCK_COUNTER_DONE,
  },
]);
