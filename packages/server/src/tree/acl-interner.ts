import type { ACL } from "@paddock/jute";

/**
 * One shared copy of each distinct ACL list, as ZooKeeper keeps its ACL cache: a million znodes
 * created with the same ACL hold one list instead of a million decoded copies, and the digest's
 * per-list hash is computed once. A list leaves the table when the garbage collector finds no
 * znode using it any more, so client-chosen ACLs cannot grow it without bound.
 *
 * Shared lists are never mutated: a setACL replaces a znode's list.
 */
export class AclInterner {
  private readonly byKey = new Map<string, WeakRef<readonly ACL[]>>();
  private readonly cleanup = new FinalizationRegistry<string>((key) => {
    // The key may have been taken by a newer list since; only drop it if that one is gone too.
    if (this.byKey.get(key)?.deref() === undefined) this.byKey.delete(key);
  });

  // The last list asked about and its shared copy: bulk loads (a snapshot, a burst of creates
  // from one client) ask about the same list over and over, and building its key costs more
  // than the rest of inserting a znode. Each replicated create decodes its own copy of the list,
  // so an equal list counts as the same one.
  private lastAsked: readonly ACL[] | undefined;
  private lastShared: readonly ACL[] = [];

  intern(acl: readonly ACL[]): readonly ACL[] {
    if (acl === this.lastAsked || acl === this.lastShared) return this.lastShared;
    if (sameEntries(acl, this.lastShared)) return this.lastShared;
    const shared = this.lookup(acl);
    this.lastAsked = acl;
    this.lastShared = shared;
    return shared;
  }

  private lookup(acl: readonly ACL[]): readonly ACL[] {
    let key = "";
    for (const a of acl) key += `${a.perms}\u0000${a.id.scheme}\u0000${a.id.id}\u0000`;
    const shared = this.byKey.get(key)?.deref();
    if (shared !== undefined) return shared;
    this.byKey.set(key, new WeakRef(acl));
    this.cleanup.register(acl, key);
    return acl;
  }

  /** Distinct lists in the table (including ones collected but not yet swept). */
  get size(): number {
    return this.byKey.size;
  }
}

function sameEntries(a: readonly ACL[], b: readonly ACL[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.perms !== y.perms || x.id.scheme !== y.id.scheme || x.id.id !== y.id.id) return false;
  }
  return true;
}
