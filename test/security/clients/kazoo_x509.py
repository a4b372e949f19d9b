# kazoo over TLS with client certificates against one server; prints one line per step, so the
# same run against Paddock and ZooKeeper can be compared line by line.
# usage: kazoo_x509.py <secure port> <certificate dir> <alice's x509 id>
import sys

from kazoo.client import KazooClient
from kazoo.security import CREATOR_ALL_ACL, make_acl

from kazoo_steps import acl_text, data, step

port, certs, alice_id = sys.argv[1], sys.argv[2], sys.argv[3]


def client(who):
    zk = KazooClient(
        hosts="127.0.0.1:" + port,
        use_ssl=True,
        verify_certs=True,
        ca=certs + "/ca.pem",
        certfile="%s/%s.crt" % (certs, who),
        keyfile="%s/%s.key" % (certs, who),
        connection_retry={"max_tries": 0},
        timeout=10,
    )
    zk.start(timeout=20)
    return zk


alice = client("alice")
step("create x509 acl", lambda: alice.create_async("/x", b"alice's", acl=[make_acl("x509", alice_id, all=True)]))
step("get own", lambda: alice.get_async("/x"), data)
step("create auth acl", lambda: alice.create_async("/c", b"", acl=CREATOR_ALL_ACL))
step("getacl auth", lambda: alice.get_acls_async("/c"), acl_text)
step("invalid id", lambda: alice.create_async("/bad", b"", acl=[make_acl("x509", "not a name", read=True)]))
step("multi-part id", lambda: alice.create_async("/m", b"", acl=[make_acl("x509", "CN=a+OU=b,O=c\\, d", read=True)]))
alice.stop()
bob = client("bob")
step("other certificate get", lambda: bob.get_async("/x"), data)
bob.stop()
admin = client("admin")
step("super user get", lambda: admin.get_async("/x"), data)
admin.stop()
