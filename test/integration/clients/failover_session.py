"""A kazoo session for the failover scripts: one that outlives a failover.

The session asks for 20 s, longer than any failover in the tests, and every connection attempt
and command is retried until a member serves.
"""
from kazoo.client import KazooClient
from kazoo.retry import KazooRetry


def session(hosts):
    client = KazooClient(
        hosts=hosts,
        timeout=20.0,
        connection_retry=KazooRetry(max_tries=-1, delay=0.1, max_delay=1.0),
        command_retry=KazooRetry(max_tries=-1, delay=0.1, max_delay=1.0),
    )
    client.start(timeout=15)
    return client
