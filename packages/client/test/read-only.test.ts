// READ_ONLY against Apache ZooKeeper 3.8 in read-only mode (-Dreadonlymode.enabled=true): a
// server cut off from its ensemble serves reads to clients that allow it; the client moves to a
// read-write server once one is there. (Paddock's server gets read-only mode later.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../chaos/src/rng.js";
import {
  type ConnectionState,
  CreateMode,
  NotReadOnlyError,
  ZooKeeperClient,
  type ZooKeeperClientOptions,
} from "../src/index.js";
import { waitFor } from "./support/util.js";
import { shouldSkipZooKeeperTests } from "./support/zookeeper.js";
import { type PartitionedZooKeepers, startPartitionedZooKeepers } from "./support/zookeeper-read-only.js";

describe.skipIf(shouldSkipZooKeeperTests())("read-only mode against ZooKeeper 3.8", () => {
  let zk: PartitionedZooKeepers;
  const clients: ZooKeeperClient[] = [];

  function client(ports: number[], opts: Partial<ZooKeeperClientOptions> = {}): ZooKeeperClient {
    const c = new ZooKeeperClient({
      connectString: ports.map((p) => `127.0.0.1:${p}`).join(","),
      sessionTimeoutMs: 6000,
      reconnectDelayMs: 50,
      random: seededRandom(5),
      ...opts,
    });
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    zk = await startPartitionedZooKeepers();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await zk?.stop();
  });

  it("READ_ONLY on a server without quorum: reads work, writes fail with NotReadOnly", async () => {
    const [one] = zk.clientPorts;
    const ro = client([one], { canBeReadOnly: true });
    const states: ConnectionState[] = [];
    ro.on("connectionState", (c) => states.push(c.state));
    await ro.connect();
    expect(ro.readOnly).toBe(true);
    expect(states).toEqual(["READ_ONLY"]);
    expect(await ro.getChildren("/")).toContain("zookeeper");
    await expect(ro.create("/ro-write", "x")).rejects.toBeInstanceOf(NotReadOnlyError);
    await expect(ro.create("/ro-eph", "x", { mode: CreateMode.Ephemeral })).rejects.toBeInstanceOf(
      NotReadOnlyError,
    );

    // A client that does not allow read-only servers gets no session there.
    const rw = client([one], { connectTimeoutMs: 1500 });
    await expect(rw.connect()).rejects.toMatchObject({ name: "ConnectionLossError" });
  });

  it("moves from a read-only server to a read-write one as soon as one serves", {
    timeout: 90_000,
  }, async () => {
    const [one, two, three] = zk.clientPorts;
    const c = client([one, two, three], { canBeReadOnly: true });
    const changes: { state: ConnectionState; newSession: boolean }[] = [];
    c.on("connectionState", (ch) => changes.push({ state: ch.state, newSession: ch.newSession }));
    await c.connect();
    expect(c.connectionState).toBe("READ_ONLY");
    expect(c.currentHost.port).toBe(one);
    await zk.startMajority();
    await waitFor(() => c.connectionState === "CONNECTED", 30_000, "CONNECTED on a read-write server");
    expect(c.readOnly).toBe(false);
    expect([two, three]).toContain(c.currentHost.port);
    // As Curator: the first read-write connection is CONNECTED. As Java: a session from a
    // read-only server is not offered to a read-write one, so this is a new session.
    expect(changes).toEqual([
      { state: "READ_ONLY", newSession: false },
      { state: "SUSPENDED", newSession: false },
      { state: "CONNECTED", newSession: true },
    ]);
    await c.create("/rw-write", "x");
    expect((await c.getData("/rw-write")).data?.toString()).toBe("x");
  });
});
