export type { AtomicValue } from "./atomic-long.js";
export { DistributedAtomicLong } from "./atomic-long.js";
export { DistributedBarrier } from "./barrier.js";
export type { DistributedQueueOptions } from "./distributed-queue.js";
export { DistributedQueue } from "./distributed-queue.js";
export { DistributedDoubleBarrier } from "./double-barrier.js";
export type { LeaderElectionEvents, LeaderElectionOptions, LeaderInfo } from "./election.js";
export { LeaderElection } from "./election.js";
export { GroupMember } from "./group-member.js";
export { DistributedIdQueue } from "./id-queue.js";
export type { LeaderLatchEvents, LeaderLatchState, Leadership, Participant } from "./leader-latch.js";
export { LeaderLatch } from "./leader-latch.js";
export type { LeaderSelectorEvents, LeaderSelectorOptions, TakeLeadership } from "./leader-selector.js";
export { LeaderSelector } from "./leader-selector.js";
export { DistributedLock, LockTimeoutError } from "./lock.js";
export type { AcquiredNode, LockDecision, LockDriver } from "./lock-internals.js";
export { LockInternals, sortKeyAfter, standardDriver } from "./lock-internals.js";
export type { LockEvents, LockHold, MutexOptions } from "./mutex.js";
export { HoldInterruptedError, InterProcessLock, InterProcessMutex } from "./mutex.js";
export type { NodeCacheEvents } from "./node-cache.js";
export { NodeCache } from "./node-cache.js";
export type { PathChildrenCacheEvents } from "./path-children-cache.js";
export { PathChildrenCache } from "./path-children-cache.js";
export type { PersistentNodeEvents, PersistentNodeOptions } from "./persistent-node.js";
export { PersistentNode } from "./persistent-node.js";
export { PersistentTtlNode, TOUCH_NODE_NAME } from "./persistent-ttl-node.js";
export { DistributedPriorityQueue, priorityPrefix } from "./priority-queue.js";
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
export type { QueueSerializer } from "./queue-format.js";
export {
  bytesSerializer,
  decodeQueueMessage,
  encodeQueueMessage,
  jsonSerializer,
  stringSerializer,
} from "./queue-format.js";
export { InterProcessReadWriteLock, ReadLock, WriteLock } from "./read-write-lock.js";
export type { RegistryMember } from "./registry.js";
export { ServiceRegistry } from "./registry.js";
export type { Lease, LeaseCount } from "./semaphore.js";
export { InterProcessSemaphoreMutex, InterProcessSemaphoreV2 } from "./semaphore.js";
export type {
  ServiceCacheEvents,
  ServiceInstance,
  ServiceInstanceInput,
  ServiceType,
  UriSpec,
} from "./service-discovery.js";
export {
  decodeInstance,
  encodeInstance,
  ServiceCache,
  ServiceDiscovery,
  serviceInstance,
} from "./service-discovery.js";
export type { SharedValueEvents, VersionedValue } from "./shared-value.js";
export { SharedCount, SharedValue } from "./shared-value.js";
export type { CacheEvent, ChildData, TreeCacheEvents, TreeCacheOptions } from "./tree-cache.js";
export { TreeCache } from "./tree-cache.js";
