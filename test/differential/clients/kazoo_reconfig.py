"""kazoo's reconfig against a 3-server ensemble (reconfigEnabled=true, super digest super:admin):
the outcome of each call, one JSON object per line; the caller names the ports."""
import json
import sys

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException

hosts = sys.argv[1]
zk = KazooClient(hosts=hosts, timeout=10)
zk.start(timeout=30)


def step(name, fn):
    try:
        data, stat = fn()
        out = {"step": name, "ok": True, "data": data.decode(), "version": stat.version,
               "same_zxid": ("version=%x" % stat.mzxid) in data.decode()}
    except KazooException as e:
        out = {"step": name, "ok": False, "error": type(e).__name__}
    print(json.dumps(out), flush=True)


step("no auth", lambda: zk.reconfig(joining=None, leaving="3", new_members=None))
zk.add_auth("digest", "super:admin")
step("join 4", lambda: zk.reconfig(joining="server.4=127.0.0.1:1:2:participant;127.0.0.1:3",
                                    leaving=None, new_members=None))
step("stale from_config", lambda: zk.reconfig(joining=None, leaving="4", new_members=None, from_config=7))
step("leave 4", lambda: zk.reconfig(joining=None, leaving="4", new_members=None))
step("read config", lambda: zk.get("/zookeeper/config"))
zk.stop()
zk.close()
