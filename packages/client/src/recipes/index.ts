export type { LeaderElectionEvents, LeaderElectionOptions, LeaderInfo } from "./election.js";
export { LeaderElection } from "./election.js";
export { DistributedLock, LockTimeoutError } from "./lock.js";
export type { HeadCheck, QueueStatus } from "./queue.js";
export { ensurePath, SequentialQueue, sequenceOf } from "./queue.js";
export type { ServiceInstance } from "./registry.js";
export { ServiceRegistry } from "./registry.js";
