// The fencing example of docs/client.md, run for real: a lock holder stalls past its session
// timeout (its network is cut, as a long GC pause or a frozen VM would), its session expires,
// another process takes the lock and writes; when the first one wakes up and writes with its old
// token, the storage service refuses it. Without the token the stale write would have landed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPaddock } from "../../../../test/support/paddock.js";
import type { ServerHandle } from "../../../../test/support/process.js";
import { InterProcessMutex, ZooKeeperClient } from "../../src/index.js";
import { TcpProxy } from "../support/proxy.js";
import { waitFor } from "../support/util.js";

/** A storage service that remembers the largest fencing token it has accepted. */
class FencedStore {
  private highestToken = -1;
  readonly values = new Map<string, string>();

  write(key: string, value: string, token: number): void {
    if (token < this.highestToken) {
      throw new Error(`stale fencing token ${token}: a holder with ${this.highestToken} has written since`);
    }
    this.highestToken = token;
    this.values.set(key, value);
  }
}

describe("fencing tokens", () => {
  let server: ServerHandle;
  let proxy: TcpProxy;
  const clients: ZooKeeperClient[] = [];

  beforeAll(async () => {
    server = await startPaddock({ extraCfg: ["tickTime=500"] });
    proxy = new TcpProxy(server.port);
    await proxy.start();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await proxy?.stop();
    await server?.stop();
  });

  it("a storage service refuses the write of a holder whose session expired while it was paused", async () => {
    const store = new FencedStore();
    // Process A reaches ZooKeeper through a link that is about to fail.
    const a = new ZooKeeperClient({ connectString: proxy.connectString, sessionTimeoutMs: 1000 });
    const b = new ZooKeeperClient({ connectString: server.connectString, sessionTimeoutMs: 1000 });
    clients.push(a, b);
    const lockA = new InterProcessMutex(a, "/fenced/orders");
    const lockB = new InterProcessMutex(b, "/fenced/orders");

    const holdA = await lockA.acquire();
    store.write("order-1", "written by A", holdA.token);

    // A stalls: nothing it sends or receives gets through, for longer than its session timeout.
    proxy.stall();
    const holdB = await lockB.acquire({ timeoutMs: 10_000 });
    expect(holdB.token).toBeGreaterThan(holdA.token);
    store.write("order-1", "written by B", holdB.token);

    // A wakes up still believing it holds the lock (a process that was paused has not run any
    // code that could tell it otherwise) and writes. The token stops it.
    expect(() => store.write("order-1", "stale write by A", holdA.token)).toThrow(/stale fencing token/);
    expect(store.values.get("order-1")).toBe("written by B");

    // A's client does find out, once its connection is seen to be dead: the hold's signal aborts.
    await waitFor(() => holdA.signal.aborted, 10_000, "A's hold signal");
    proxy.unstall();
    await lockB.release();
  });
});
