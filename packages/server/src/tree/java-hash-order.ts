// The order in which ZooKeeper walks one session's ephemerals: the iteration order of a
// java.util.HashSet<String>. ZooKeeper hands that order to clients twice. Closing a session
// deletes its ephemerals in it, so the NodeDeleted and NodeChildrenChanged events of that one
// txn reach a watcher in it. getEphemerals lists the paths in it. Both walk a clone of the
// session's set (DataTree.getEphemerals), and a clone of n entries is a new table of
// tableSizeFor((int) (n / 0.75f + 1)) buckets filled in the source set's own order.
//
// So a path's place is set by three keys: its bucket in the clone, its bucket in the source set,
// and its place in the source set's bucket (insertion order). The source set only grows in
// ZooKeeper, so its size is the largest the session ever had. Here it is taken as the size now,
// and insertion order as creation order (czxid). Both are deterministic on every replica, and
// they equal ZooKeeper's while a session's ephemerals have only grown, the usual case.

/** java.lang.String.hashCode over UTF-16 code units, as a signed 32-bit int. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** HashMap.hash (and ConcurrentHashMap.spread): the high half folded into the low one, which picks the bucket. */
export function javaHashSpread(h: number): number {
  return h ^ (h >>> 16);
}

function powerOfTwoAtLeast(n: number): number {
  let cap = 1;
  while (cap < n) cap *= 2;
  return cap;
}

/** Buckets of a HashSet grown from the default 16 by doubling to hold `size` entries (load 0.75). */
export function grownCapacity(size: number): number {
  let cap = 16;
  while (size > cap * 0.75) cap *= 2;
  return cap;
}

/** Buckets of a HashSet's clone of `size` entries (HashMap.putMapEntries into an empty map). */
export function cloneCapacity(size: number): number {
  const wanted = Math.trunc(Math.fround(Math.fround(size / Math.fround(0.75)) + 1));
  return powerOfTwoAtLeast(wanted);
}

/**
 * `paths` in the order ZooKeeper iterates a clone of the HashSet they were added to in the given
 * order (see the header). Returns a new array.
 */
export function javaHashSetCloneOrder(pathsInInsertionOrder: readonly string[]): string[] {
  const size = pathsInInsertionOrder.length;
  const sourceMask = grownCapacity(size) - 1;
  const cloneMask = cloneCapacity(size) - 1;
  const keyed = pathsInInsertionOrder.map((path, inserted) => {
    const hash = javaHashSpread(javaStringHash(path));
    return { path, clone: hash & cloneMask, source: hash & sourceMask, inserted };
  });
  keyed.sort((a, b) => a.clone - b.clone || a.source - b.source || a.inserted - b.inserted);
  return keyed.map((k) => k.path);
}
