# kazoo with SASL DIGEST-MD5 (pure-sasl) against one server; prints one line per step, so the
# same run against Paddock and ZooKeeper can be compared line by line.
# usage: kazoo_sasl.py <port> <scenario>
import sys
import time

from kazoo.client import KazooClient
from kazoo.handlers.threading import KazooTimeoutError
from kazoo.security import CREATOR_ALL_ACL, make_acl

from kazoo_steps import acl_text, data, step

port, scenario = sys.argv[1], sys.argv[2]


def settled_state(zk):
    """The state once a failed SASL exchange has ended the session. kazoo learns of the failure
    after start() returns, so a request sent at once races the server's close and fails with
    AuthFailedError or ConnectionClosedError depending on timing, against ZooKeeper too (a CI
    run saw both); waiting for the state to settle makes the run repeatable. AUTH_FAILED is a
    step on the way: kazoo reports it, then stops its connection loop and reports CLOSED, and a
    CI run once read the state in between."""
    deadline = time.time() + 10
    while zk.client_state in ("CONNECTED", "AUTH_FAILED") and time.time() < deadline:
        time.sleep(0.02)
    return zk.client_state


def new_client(user=None, password=None):
    """An unstarted client, logging in with DIGEST-MD5 when given a user."""
    opts = {}
    if user is not None:
        opts["sasl_options"] = {"mechanism": "DIGEST-MD5", "username": user, "password": password}
    return KazooClient(hosts="127.0.0.1:" + port, connection_retry={"max_tries": 0}, timeout=10, **opts)


def client(user=None, password=None):
    zk = new_client(user, password)
    try:
        zk.start(timeout=10)
    except Exception as e:
        print("start", type(e).__name__)
        return None
    print("start ok")
    return zk


def failed_login(user, password):
    """A client whose SASL login the server refuses. kazoo's start() returns once the session is
    connected, and the SASL exchange follows on kazoo's connection thread; when the refusal is
    handled there before start() looks, start() finds the client no longer connected and raises
    KazooTimeoutError at once. Which one happens is thread timing, on either server (a CI run saw
    it against Paddock), so both count as the refused login they are. Only a start() that waited
    out its whole timeout is reported."""
    zk = new_client(user, password)
    started = time.time()
    try:
        zk.start(timeout=10)
    except KazooTimeoutError:
        if time.time() - started >= 9:
            print("start timed out")
    return zk


if scenario == "acls":
    bob = client("bob", "bobsecret")
    step("create sasl acl", lambda: bob.create_async("/s", b"secret", acl=[make_acl("sasl", "bob", all=True)]))
    step("get own", lambda: bob.get_async("/s"), data)
    step("getacl", lambda: bob.get_acls_async("/s"), acl_text)
    step("create auth acl", lambda: bob.create_async("/c", b"mine", acl=CREATOR_ALL_ACL))
    step("getacl auth", lambda: bob.get_acls_async("/c"), acl_text)
    step("kerberos-style id", lambda: bob.create_async("/k", b"", acl=[make_acl("sasl", "svc/host@REALM", read=True)]))
    step("bad id", lambda: bob.create_async("/bad", b"", acl=[make_acl("sasl", "a@b@c", read=True)]))
    step("addauth sasl", lambda: bob.add_auth_async("sasl", "bob:bobsecret"))
    bob.stop()
    carol = client("carol", "carolsecret")
    step("other user get", lambda: carol.get_async("/s"), data)
    carol.stop()
    admin = client("admin", "adminsecret")
    step("super user get", lambda: admin.get_async("/s"), data)
    admin.stop()
    root = client("super", "supersecret")
    step("user named super get", lambda: root.get_async("/s"), data)
    root.stop()
    anon = client()
    step("anonymous get", lambda: anon.get_async("/s"), data)
    step("anonymous create sasl acl", lambda: anon.create_async("/a", b"", acl=[make_acl("sasl", "bob", all=True)]))
    anon.stop()
elif scenario == "numbered-super":
    # Run with superUser.1=carol and letAnySaslUserDoX=anysasl.
    bob = client("bob", "bobsecret")
    step("create sasl acl", lambda: bob.create_async("/s", b"secret", acl=[make_acl("sasl", "bob", all=True)]))
    step("create any-user acl", lambda: bob.create_async("/x", b"shared", acl=[make_acl("sasl", "anysasl", read=True)]))
    bob.stop()
    carol = client("carol", "carolsecret")
    step("numbered super user get", lambda: carol.get_async("/s"), data)
    step("numbered super user set", lambda: carol.set_async("/s", b"changed"), lambda stat: stat.version)
    carol.stop()
    admin = client("admin", "adminsecret")
    step("plain user get", lambda: admin.get_async("/s"), data)
    step("plain user get any-user acl", lambda: admin.get_async("/x"), data)
    step("plain user set any-user acl", lambda: admin.set_async("/x", b"no"), lambda stat: stat.version)
    admin.stop()
    anon = client()
    step("anonymous get any-user acl", lambda: anon.get_async("/x"), data)
    anon.add_auth("digest", "anysasl:x")
    step("digest anysasl get any-user acl", lambda: anon.get_async("/x"), data)
    anon.stop()
elif scenario == "failures":
    for user, password in [("bob", "wrong"), ("nobody", "x")]:
        zk = failed_login(user, password)
        print("state", settled_state(zk))
        step("get after failure", lambda: zk.get_async("/"), data)
        zk.stop()
elif scenario == "no-provider":
    zk = client()
    step("create sasl acl", lambda: zk.create_async("/n", b"", acl=[make_acl("sasl", "bob", all=True)]))
    zk.stop()
elif scenario == "required":
    bob = client("bob", "bobsecret")
    step("sasl client get", lambda: bob.get_async("/"), data)
    bob.stop()
else:
    raise SystemExit("unknown scenario " + scenario)
