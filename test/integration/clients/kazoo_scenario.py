"""The same kazoo session against any server: prints one line per observable result so the
outputs of Apache ZooKeeper and Paddock can be compared line by line. zxids, times and session
ids are left out; everything else a kazoo user sees is printed."""
import sys
import threading

from kazoo.client import KazooClient
from kazoo.exceptions import BadVersionError, NoAuthError, NodeExistsError, NoNodeError, NotEmptyError
from kazoo.security import make_digest_acl

hosts = sys.argv[1]
root = "/kazoo-scenario"


def stat_line(stat):
    return (
        f"version={stat.version} cversion={stat.cversion} aversion={stat.aversion} "
        f"dataLength={stat.dataLength} numChildren={stat.numChildren} "
        f"ephemeral={stat.ephemeralOwner != 0} czxid==mzxid={stat.czxid == stat.mzxid}"
    )


zk = KazooClient(hosts=hosts, timeout=10)
zk.start(timeout=10)
print("connected", zk.connected)

zk.create(root, b"r")
print("ensure_path", zk.ensure_path(root + "/a/b/c"))
data, stat = zk.get(root)
print("get", data, stat_line(stat))
stat = zk.set(root, b"r2", version=0)
print("set", stat_line(stat))
try:
    zk.set(root, b"x", version=0)
except BadVersionError:
    print("set stale version -> BadVersionError")
try:
    zk.create(root, b"")
except NodeExistsError:
    print("create existing -> NodeExistsError")
try:
    zk.get(root + "/missing")
except NoNodeError:
    print("get missing -> NoNodeError")
try:
    zk.delete(root + "/a")
except NotEmptyError:
    print("delete non-empty -> NotEmptyError")

seqs = [zk.create(root + "/s-", b"", sequence=True) for _ in range(3)]
print("sequence", [s.rsplit("/", 1)[1] for s in seqs])
zk.delete(seqs[1])
print("sequence after delete", zk.create(root + "/s-", b"", sequence=True).rsplit("/", 1)[1])
eph = zk.create(root + "/e", b"", ephemeral=True)
print("ephemeral", stat_line(zk.exists(eph)))
print("children", sorted(zk.get_children(root)))

events = []
seen = [threading.Event() for _ in range(3)]


@zk.DataWatch(root + "/watched")
def watch_data(data, stat, event):
    events.append(("data", data, event.type if event else None))
    seen[min(len(events), 3) - 1].set()


# Each write waits for the previous event: kazoo re-reads the node after an event, and a write
# racing that read would make the sequence depend on timing rather than on the server.
seen[0].wait(10)
zk.create(root + "/watched", b"1")
seen[1].wait(10)
zk.set(root + "/watched", b"2")
seen[2].wait(10)
print("datawatch", events[:3])

child_events = []
child_got = threading.Event()


@zk.ChildrenWatch(root + "/a")
def watch_children(children):
    child_events.append(sorted(children))
    if len(child_events) >= 2:
        child_got.set()


zk.create(root + "/a/x", b"")
child_got.wait(10)
print("childrenwatch", child_events[:2])

tx = zk.transaction()
tx.create(root + "/t1", b"a")
tx.check(root, 1)
tx.set_data(root + "/t1", b"b")
print("transaction ok", [type(r).__name__ if not isinstance(r, (str, bool)) else r for r in tx.commit()])
tx = zk.transaction()
tx.create(root + "/t2", b"a")
tx.check(root, 99)
print("transaction failed", [type(r).__name__ for r in tx.commit()])
print("t2 exists", zk.exists(root + "/t2") is not None)

acl = make_digest_acl("alice", "secret", all=True)
secure = KazooClient(hosts=hosts, timeout=10, auth_data=[("digest", "alice:secret")])
secure.start(timeout=10)
secure.create(root + "/private", b"s", acl=[acl])
try:
    zk.get(root + "/private")
except NoAuthError:
    print("read without auth -> NoAuthError")
print("read with auth", secure.get(root + "/private")[0])
acls, _ = secure.get_acls(root + "/private")
print("acl", [(a.perms, a.id.scheme, a.id.id) for a in acls])

lock = zk.Lock(root + "/lock", "me")
with lock:
    print("lock held", lock.is_acquired, len(lock.contenders()))
print("lock released", lock.is_acquired)

elected = threading.Event()
election = secure.Election(root + "/election", "secure")
t = threading.Thread(target=lambda: election.run(elected.set), daemon=True)
t.start()
print("elected", elected.wait(10))
election.cancel()

secure.delete(root + "/private")
secure.stop()
secure.close()
zk.delete(root, recursive=True)
print("deleted", zk.exists(root) is None)
zk.stop()
zk.close()
print("done")
