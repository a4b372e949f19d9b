// Honest metrics: the same client load on ZooKeeper 3.8 and on Paddock, mntr before and after.
// Every key ZooKeeper moves that Paddock prints must move on Paddock too; every metric Paddock
// prints must move under the load unless it is listed below as measured but moved only by other
// events; and the keys the issue names (latency summaries, byte counters) must be there.
import { CreateMode, ZooKeeperClient } from "@paddock/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPaddock } from "../support/paddock.js";
import { fourLetterWord, type ServerHandle } from "../support/process.js";
import { skipWithoutZookeeper, startZookeeper } from "../support/zookeeper.js";

/** Keys Paddock prints that this load does not move, each for a reason (not a placeholder). */
const MOVED_BY_OTHER_EVENTS: Readonly<Record<string, string>> = {
  zk_version: "text",
  zk_server_state: "text",
  zk_outstanding_requests: "0 between requests",
  zk_max_file_descriptor_count: "a process limit",
  zk_min_latency: "stays 0 on a fast machine",
  zk_connection_rejected: "moves when maxClientCnxns refuses a connection",
  zk_sessionless_connections_expired: "moves when a connection gets no session in time",
  zk_global_outstanding_limit_reached: "moves when globalOutstandingLimit pauses connections",
  zk_connection_drop_count: "moves when a client closes its socket under the server",
  zk_snapshottime: "moves when a snapshot is written (snapCount txns)",
  zk_dbinittime: "measured once, at start",
  zk_local_sessions: "moves in an ensemble with localSessionsEnabled, or in read-only mode",
};

/** The keys the issue names, and the other figures Paddock claims to measure under this load. */
const MUST_MOVE = [
  "zk_readlatency",
  "zk_updatelatency",
  "zk_propagation_latency",
  "zk_bytes_received_count",
  "zk_response_bytes",
  "zk_watch_bytes",
  "zk_connection_request_count",
  "zk_node_changed_watch_count",
  "zk_node_children_watch_count",
  "zk_node_created_watch_count",
  "zk_node_deleted_watch_count",
  "zk_sync_processor_batch_size",
  "zk_last_client_response_size",
  "zk_max_client_response_size",
  "zk_min_client_response_size",
];

function parseMntr(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const tab = line.indexOf("\t");
    if (tab > 0) out.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return out;
}

/** A summary `x` has keys zk_avg_x, zk_cnt_x, ...: it moved when its count did. */
function moved(before: Map<string, string>, after: Map<string, string>): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of after) if (before.get(k) !== v) out.add(k);
  return out;
}

/** mntr once the server answers in full (it may still be starting). */
async function mntr(server: ServerHandle): Promise<Map<string, string>> {
  for (let i = 0; ; i++) {
    const text = await fourLetterWord(server.host, server.port, "mntr");
    if (text.startsWith("zk_version") || i > 50) return parseMntr(text);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function load(connectString: string): Promise<ZooKeeperClient[]> {
  const clients = [0, 1, 2].map(() => new ZooKeeperClient({ connectString, sessionTimeoutMs: 30_000 }));
  for (const c of clients) await c.connect();
  const [a, b, c] = clients as [ZooKeeperClient, ZooKeeperClient, ZooKeeperClient];
  await a.create("/load");
  for (let i = 0; i < 60; i++) {
    const x = clients[i % 3]!;
    const path = `/load/n${i}`;
    await x.exists(path, () => {});
    await x.getChildren("/load", () => {});
    await x.create(path, Buffer.alloc(i % 50, 1));
    await x.getData(path, () => {});
    await x.setData(path, "y");
    await x.sync("/load");
  }
  for (let i = 0; i < 60; i += 2) {
    await b.getData(`/load/n${i}`, () => {});
    await a.delete(`/load/n${i}`);
  }
  await b.create("/load/eph", "", { mode: CreateMode.Ephemeral });
  await c.transaction().create("/load/m1").create("/load/m2").commit();
  await a.create("/load/n1").catch(() => {});
  // A watch left set, so the watch gauge ends above where it started.
  await a.exists("/load/never", () => {});
  return clients;
}

// Skipped only outside CI when ZooKeeper 3.8 (Debian's zookeeper, with java) is not installed;
// under CI=true skipWithoutZookeeper throws instead.
describe.skipIf(skipWithoutZookeeper())("honest metrics: mntr under the same load as ZooKeeper", () => {
  let zk: ServerHandle;
  let paddock: ServerHandle;
  const clients: ZooKeeperClient[] = [];
  const zkMoved = new Set<string>();
  let ours: { before: Map<string, string>; after: Map<string, string>; moved: Set<string> };

  beforeAll(async () => {
    [zk, paddock] = await Promise.all([startZookeeper(), startPaddock()]);
    const [zkBefore, paddockBefore] = await Promise.all([mntr(zk), mntr(paddock)]);
    const loaded = await Promise.all([load(zk.connectString), load(paddock.connectString)]);
    clients.push(...loaded.flat());
    // Group commits and replies settle before the second reading.
    await new Promise((r) => setTimeout(r, 300));
    const [zkAfter, paddockAfter] = await Promise.all([mntr(zk), mntr(paddock)]);
    for (const k of moved(zkBefore, zkAfter)) zkMoved.add(k);
    ours = { before: paddockBefore, after: paddockAfter, moved: moved(paddockBefore, paddockAfter) };
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await Promise.all([zk?.stop(), paddock?.stop()]);
  });

  it("every key ZooKeeper moves and Paddock prints moves on Paddock too", () => {
    // A summary moved when its count did; its min or a percentile may land on the same value.
    const judgedBy = (k: string) => {
      const m = /^zk_(?:avg|min|max|cnt|sum|p50|p95|p99|p999)_(.+)$/.exec(k);
      return m !== null && ours.after.has(`zk_cnt_${m[1]}`) ? `zk_cnt_${m[1]}` : k;
    };
    const printedNotMoved = [...zkMoved].filter((k) => ours.after.has(k) && !ours.moved.has(judgedBy(k)));
    expect(printedNotMoved).toEqual([]);
    // The load is real: ZooKeeper moved dozens of keys, Paddock prints most of the basic ones.
    expect(zkMoved.size).toBeGreaterThan(50);
  });

  it("the figures Paddock measures move under the load", () => {
    for (const key of MUST_MOVE) {
      const summary = ours.after.has(`zk_cnt_${key.slice(3)}`);
      const probe = summary ? `zk_cnt_${key.slice(3)}` : key;
      expect([key, ours.after.has(probe)]).toEqual([key, true]);
      expect([key, ours.moved.has(probe)]).toEqual([key, true]);
      // ZooKeeper moves them under the same load: the comparison is fair.
      expect([key, zkMoved.has(probe)]).toEqual([key, true]);
    }
  });

  it("every metric Paddock prints moves under the load or is listed with the event that moves it", () => {
    const still = [...ours.after.keys()].filter((k) => !ours.moved.has(k));
    // A summary that did not move has all of its keys still: judge it by its count.
    const unexplained = still.filter((k) => {
      const match = /^zk_(?:avg|min|max|cnt|sum|p50|p95|p99|p999)_(.+)$/.exec(k);
      const m = match !== null && ours.after.has(`zk_cnt_${match[1]}`) ? match : null;
      const name = m === null ? k : `zk_${m[1]}`;
      if (m !== null && ours.moved.has(`zk_cnt_${m[1]}`)) return false; // e.g. a stable min
      return MOVED_BY_OTHER_EVENTS[name] === undefined;
    });
    expect(unexplained).toEqual([]);
  });

  it("keys ZooKeeper moves that Paddock leaves out are all unmeasured (none printed as 0)", () => {
    const absent = [...zkMoved].filter((k) => !ours.after.has(k));
    for (const k of absent) expect(ours.before.has(k)).toBe(false);
    // The list, for the docs: what Paddock does not measure yet.
    console.log(
      `ZooKeeper keys moved by the load that Paddock does not print (${absent.length}):`,
      absent.join(" "),
    );
  });
});
