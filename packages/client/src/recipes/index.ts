export { DistributedBarrier } from "./barrier.js";
export { DistributedDoubleBarrier } from "./double-barrier.js";
export type { LeaderElectionEvents, LeaderElectionOptions, LeaderInfo } from "./election.js";
export { LeaderElection } from "./election.js";
export type { LeaderLatchEvents, LeaderLatchState, Leadership, Participant } from "./leader-latch.js";
export { LeaderLatch } from "./leader-latch.js";
export type { LeaderSelectorEvents, LeaderSelectorOptions, TakeLeadership } from "./leader-selector.js";
export { LeaderSelector } from "./leader-selector.js";
export { DistributedLock, LockTimeoutError } from "./lock.js";
export type { AcquiredNode, LockDecision, LockDriver } from "./lock-internals.js";
export { LockInternals, sortKeyAfter, standardDriver } from "./lock-internals.js";
export type { LockEvents, LockHold, MutexOptions } from "./mutex.js";
export { HoldInterruptedError, InterProcessLock, InterProcessMutex } from "./mutex.js";
export type { CreatedNode, RecipeCreateOptions } from "./protected-create.js";
export {
  deleteGuaranteed,
  ensureNode,
  ensureParents,
  PROTECTED_PREFIX,
  recipeCreate,
  withoutProtection,
} from "./protected-create.js";
export type { HeadCheck, QueueStatus } from "./queue.js";
export { ensurePath, SequentialQueue, sequenceOf } from "./queue.js";
export { InterProcessReadWriteLock, ReadLock, WriteLock } from "./read-write-lock.js";
export type { ServiceInstance } from "./registry.js";
export { ServiceRegistry } from "./registry.js";
export type { Lease, LeaseCount } from "./semaphore.js";
export { InterProcessSemaphoreMutex, InterProcessSemaphoreV2 } from "./semaphore.js";
