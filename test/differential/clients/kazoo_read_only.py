"""kazoo with read_only=True against one server cut off from its quorum: prints, as JSON, what
each call did (a value, or the name of the exception kazoo raised), so that the transcripts of
two servers can be compared."""
import json
import sys

from kazoo.client import KazooClient

hosts = sys.argv[1]
out = []


def attempt(name, fn):
    try:
        result = fn()
        out.append([name, "ok" if result is None else result])
    except Exception as e:  # the exception's class is the answer being compared
        out.append([name, type(e).__name__])


zk = KazooClient(hosts=hosts, read_only=True, timeout=10, connection_retry={"max_tries": -1, "delay": 0.1})
zk.start(timeout=30)
out.append(["state", str(zk.client_state)])
attempt("get", lambda: [zk.get("/ro/a")[0].decode(), zk.get("/ro/a")[1].version])
attempt("children", lambda: sorted(zk.get_children("/ro")))
attempt("exists-missing", lambda: zk.exists("/ro/missing") is None)
attempt("get-missing", lambda: zk.get("/ro/missing"))
attempt("get-acls", lambda: len(zk.get_acls("/ro/a")[0]))
attempt("watch", lambda: zk.get("/ro/a", watch=lambda event: None)[1].version)
attempt("create", lambda: zk.create("/ro/b", b"x"))
attempt("create-ephemeral", lambda: zk.create("/ro/e", b"x", ephemeral=True))
attempt("create-sequential", lambda: zk.create("/ro/s-", b"x", sequence=True))
attempt("set", lambda: zk.set("/ro/a", b"y"))
attempt("delete", lambda: zk.delete("/ro/a"))
attempt("set-acls", lambda: zk.set_acls("/ro/a", zk.get_acls("/ro/a")[0]))
attempt("sync", lambda: zk.sync("/ro"))
attempt("get-after", lambda: zk.get("/ro/a")[0].decode())
zk.stop()
zk.close()
print(json.dumps(out))
