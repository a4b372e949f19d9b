"""What the kazoo scenarios print, step by step, so two servers' runs compare line for line."""


def step(name, call, show=lambda result: result):
    """Runs an async call with a deadline: a closed connection must not hang the run."""
    try:
        print(name, show(call().get(timeout=10)))
    except Exception as e:
        print(name, type(e).__name__)


def data(result):
    return result[0]


def acl_text(acls):
    return sorted("%s:%s:%d" % (a.id.scheme, a.id.id, a.perms) for a in acls[0])
