"""One kazoo session writes while another follows it with kazoo's ChildrenWatch and DataWatch.

The writer creates 400 children and sets a value to each count in turn. The follower's watches
must end on the last state. A leader's death drops every client's connection, so the follower
reconnects at each one: kazoo then re-registers its watches (SetWatches, with the last zxid the
session saw) and re-reads, and every write after that must still reach it as an event on
whichever member it is now connected to. test/integration/kazoo-failover.test.ts runs it while
servers of the ensemble are killed.

Usage: kazoo_watch_follow.py <hosts> <path> <writes>
Prints READY, PROGRESS <n> every 20 writes, then
DONE children=<n> value=<v> seen_children=<n> seen_value=<v> errors=<e>.
"""
import sys
import threading
import time
import traceback

from kazoo.exceptions import NodeExistsError

from failover_session import session


def main():
    hosts, path, writes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    writer = session(hosts)
    follower = session(hosts)
    writer.ensure_path(path + "/children")
    writer.create(path + "/value", b"0")
    seen = {"children": 0, "value": "0"}
    changed = threading.Condition()

    @follower.ChildrenWatch(path + "/children")
    def on_children(children):
        with changed:
            seen["children"] = len(children)
            changed.notify_all()

    @follower.DataWatch(path + "/value")
    def on_value(data, _stat):
        with changed:
            seen["value"] = data.decode() if data is not None else None
            changed.notify_all()

    def on_state(state):
        # For whoever reads the output: which failures the follower's session went through.
        print("FOLLOWER %s" % state, flush=True)

    follower.add_listener(on_state)
    print("READY", flush=True)
    errors = 0
    for i in range(1, writes + 1):
        try:
            try:
                writer.retry(writer.create, "%s/children/c%04d" % (path, i))
            except NodeExistsError:
                pass  # a create retried after its reply was lost
            writer.retry(writer.set, path + "/value", str(i).encode())
        except Exception:
            errors += 1
            traceback.print_exc()
        if i % 20 == 0:
            print("PROGRESS %d" % i, flush=True)
    children = len(writer.retry(writer.get_children, path + "/children"))
    value = writer.retry(writer.get, path + "/value")[0].decode()
    deadline = time.time() + 30
    with changed:
        while time.time() < deadline and (seen["children"], seen["value"]) != (children, value):
            changed.wait(0.5)
        seen_children, seen_value = seen["children"], seen["value"]
    print(
        "DONE children=%d value=%s seen_children=%d seen_value=%s errors=%d"
        % (children, value, seen_children, seen_value, errors),
        flush=True,
    )
    for client in (writer, follower):
        client.stop()
        client.close()
    sys.exit(0 if errors == 0 else 1)


if __name__ == "__main__":
    main()
