// Sessions spread over the connect string's servers: each client shuffles the host list once,
// as ZooKeeper's Java client and node-zookeeper-client do, instead of all starting on the first.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPaddock } from "../../../test/support/paddock.js";
import type { ServerHandle } from "../../../test/support/process.js";
import { seededRandom } from "../../chaos/src/rng.js";
import { HostProvider, parseConnectString, ZooKeeperClient } from "../src/index.js";
import { TcpProxy } from "./support/proxy.js";

const label = (h: { host: string; port: number }) => `${h.host}:${h.port}`;

describe("host order", () => {
  const hosts = parseConnectString("a:1,b:2,c:3").hosts;

  it("is a permutation of the connect string, reproducible from a seed", () => {
    const first = new HostProvider(hosts, seededRandom(7)).hosts.map(label);
    const again = new HostProvider(hosts, seededRandom(7)).hosts.map(label);
    expect(again).toEqual(first);
    expect([...first].sort()).toEqual(["a:1", "b:2", "c:3"]);
  });

  it("starts on every host about equally often over many clients", () => {
    const counts = new Map<string, number>();
    for (let seed = 1; seed <= 300; seed++) {
      const start = label(new HostProvider(hosts, seededRandom(seed)).peek());
      counts.set(start, (counts.get(start) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(["a:1", "b:2", "c:3"]);
    // 100 expected each; a fair shuffle stays well inside 70..130 for 300 draws.
    for (const n of counts.values()) expect(n).toBeGreaterThan(70);
  });

  it("walks the shuffled order round-robin and can be pointed at a host", () => {
    const p = new HostProvider(hosts, seededRandom(3));
    const order = p.hosts.map(label);
    expect([p.next(), p.next(), p.next(), p.next()].map(label)).toEqual([...order, order[0]]);
    p.preferNext(hosts[2]!);
    expect(label(p.next())).toBe("c:3");
  });
});

describe("sessions over a three-host connect string", () => {
  let server: ServerHandle;
  const proxies: TcpProxy[] = [];

  beforeAll(async () => {
    server = await startPaddock();
    for (let i = 0; i < 3; i++) {
      const p = new TcpProxy(server.port);
      await p.start();
      proxies.push(p);
    }
  });

  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.stop()));
    await server?.stop();
  });

  it("land on every server, not all on the first", async () => {
    const connectString = proxies.map((p) => p.connectString).join(",");
    const clients = Array.from(
      { length: 24 },
      (_, i) => new ZooKeeperClient({ connectString, sessionTimeoutMs: 4000, random: seededRandom(100 + i) }),
    );
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const perHost = new Map<string, number>();
      for (const c of clients)
        perHost.set(label(c.currentHost), (perHost.get(label(c.currentHost)) ?? 0) + 1);
      expect([...perHost.keys()].sort()).toEqual(proxies.map((p) => `127.0.0.1:${p.port}`).sort());
      for (const n of perHost.values()) expect(n).toBeGreaterThanOrEqual(3);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
