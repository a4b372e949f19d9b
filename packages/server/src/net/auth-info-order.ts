// The order of a connection's identities. ZooKeeper keeps them in a set backed by a
// ConcurrentHashMap (ServerCnxn.authInfo) and copies them into a list in that set's iteration
// order wherever the order shows: the `whoAmI` reply, the users of an audit line, and the ids an
// `auth` ACL expands to. That order is by hash bucket, then by insertion within a bucket; it is
// kept here as the list is built, so every reader sees ZooKeeper's order.

import type { Id } from "@paddock/jute";
import { javaHashSpread, javaStringHash } from "../tree/java-hash-order.js";

/** The jute-generated Id.hashCode: 17, then 37 * result + each field's hash, scheme first. */
export function javaIdHash(id: Id): number {
  const withScheme = (Math.imul(37, 17) + javaStringHash(id.scheme)) | 0;
  return (Math.imul(37, withScheme) + javaStringHash(id.id)) | 0;
}

/**
 * Buckets of a ConcurrentHashMap grown from 16 by doubling: it resizes once its size reaches
 * three quarters of its buckets. A resize can reorder a bucket's entries; a connection with more
 * than 11 identities is where this order and ZooKeeper's may differ.
 */
function bucketCount(size: number): number {
  let buckets = 16;
  while (size >= buckets * 0.75) buckets *= 2;
  return buckets;
}

/** `ids` (in insertion order) in the order ZooKeeper's authInfo set iterates them. Returns a new array. */
export function zookeeperAuthInfoOrder(ids: readonly Id[]): Id[] {
  const mask = bucketCount(ids.length) - 1;
  return ids
    .map((id, inserted) => ({ id, bucket: javaHashSpread(javaIdHash(id)) & mask, inserted }))
    .sort((a, b) => a.bucket - b.bucket || a.inserted - b.inserted)
    .map((k) => k.id);
}
