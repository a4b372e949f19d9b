// Apache Curator's InterProcessMutex guarding a counter (test/interop/java/CuratorLockCounter.java)
// on a 3-server Paddock ensemble while its leader is killed twice and a follower once, each with
// SIGKILL and started again (test/support/lock-counter-failover.ts). kazoo's Lock goes through
// the same in test/integration/kazoo-failover.test.ts.
import { describeLockCounterFailover, PER_THREAD, THREADS } from "../support/lock-counter-failover.js";
import { skipWithoutCurator, startCuratorPeer } from "./curator-peer.js";

describeLockCounterFailover("Curator's lock across failovers", skipWithoutCurator(), (connectString) =>
  startCuratorPeer([connectString, "/curator-failover", String(THREADS), String(PER_THREAD)], {
    mainClass: "CuratorLockCounter",
  }),
);
