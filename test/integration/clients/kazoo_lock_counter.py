"""A counter in one znode, incremented under kazoo's Lock recipe by several sessions.

Each increment reads the value and writes it back plus one without a version, so only the lock
keeps increments from being lost. test/integration/kazoo-failover.test.ts runs it while servers
of the ensemble are killed: the final value must equal the number of increments.

Usage: kazoo_lock_counter.py <hosts> <path> <threads> <increments per thread>
Prints READY, PROGRESS <n> every 20 increments, then DONE increments=<n> value=<v> errors=<e>.
"""
import sys
import threading
import traceback

from failover_session import session


def main():
    hosts, path, threads, per_thread = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    setup = session(hosts)
    setup.ensure_path(path)
    setup.create(path + "/counter", b"0")
    print("READY", flush=True)
    done = [0]
    errors = []
    progress = threading.Lock()

    def worker(index):
        client = session(hosts)
        try:
            lock = client.Lock(path + "/lock", "worker-%d" % index)
            for _ in range(per_thread):
                with lock:
                    value, _stat = client.retry(client.get, path + "/counter")
                    client.retry(client.set, path + "/counter", str(int(value) + 1).encode())
                with progress:
                    done[0] += 1
                    if done[0] % 20 == 0:
                        print("PROGRESS %d" % done[0], flush=True)
        except Exception:
            errors.append(traceback.format_exc())
            traceback.print_exc()
        finally:
            client.stop()
            client.close()

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    value, _stat = setup.retry(setup.get, path + "/counter")
    print("DONE increments=%d value=%d errors=%d" % (done[0], int(value), len(errors)), flush=True)
    setup.stop()
    setup.close()
    sys.exit(0 if not errors else 1)


if __name__ == "__main__":
    main()
