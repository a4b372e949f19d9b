// The AdminServer against ZooKeeper 3.8's (Jetty, from the Debian package): the same load on both,
// then every command and alias asked of both; keys and value types must match, field order too,
// except for the figures Paddock does not measure (left out, listed below with the reason).
import { CreateMode, ZooKeeperClient } from "@paddock/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminServerMissing } from "../../packages/bench/src/zookeeper-java.js";
import { PADDOCK_MNTR_COUNTERS } from "../../packages/server/src/admin/mntr.js";
import { startPaddock } from "../support/paddock.js";
import { freePort, type ServerHandle } from "../support/process.js";
import { isCI, startZookeeper } from "../support/zookeeper.js";
import { keysOfShape, type Shape, shapeOf, sortedShape, withoutKeys } from "./shape.js";

const missing = adminServerMissing();
if (missing !== undefined && isCI) throw new Error(`ZooKeeper's AdminServer is required in CI: ${missing}`);

/** Commands whose answers depend only on the load below, compared key for key. */
const COMPARED = [
  "configuration",
  "connection_stat_reset",
  "connections",
  "dirs",
  "dump",
  "environment",
  "get_trace_mask",
  "hash",
  "initial_configuration",
  "is_read_only",
  "last_snapshot",
  "leader",
  "observer_connection_stat_reset",
  "observers",
  "ruok",
  "server_stats",
  "stat_reset",
  "stats",
  "voting_view",
  "watch_summary",
  "watches",
  "watches_by_path",
  "zabstate",
] as const;

const TLS_FIGURES = [
  "server_stats.auth_failed_count",
  "server_stats.non_mtlsremote_conn_count",
  "server_stats.non_mtlslocal_conn_count",
];

/** Fields of ZooKeeper's answers that Paddock leaves out because it does not measure them. */
const NOT_MEASURED: Partial<Record<string, readonly string[]>> = {
  // Figures of TLS client ports (x509 auth failures, non-mTLS connections): Paddock has none.
  server_stats: TLS_FIGURES,
  stats: TLS_FIGURES,
};

function dropNested(shape: Shape, paths: readonly string[]): Shape {
  if (typeof shape !== "object" || Array.isArray(shape)) return shape;
  const out: { [key: string]: Shape } = { ...shape };
  for (const p of paths) {
    const [head, ...rest] = p.split(".");
    if (head === undefined || !(head in out)) continue;
    out[head] = rest.length === 0 ? "<dropped>" : dropNested(out[head]!, [rest.join(".")]);
    if (rest.length === 0) delete out[head];
  }
  return out;
}

async function command(port: number, name: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/commands/${name}`);
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() };
}

async function load(connectString: string): Promise<ZooKeeperClient> {
  const c = new ZooKeeperClient({ connectString, sessionTimeoutMs: 30_000 });
  await c.connect();
  await c.create("/adm", "x");
  await c.create("/adm/eph", "e", { mode: CreateMode.Ephemeral });
  await c.getData("/adm/eph", () => {});
  await c.getChildren("/adm", () => {});
  // ZooKeeper logs a tree digest every 128 txns: enough writes for `hash` to list one.
  for (let i = 0; i < 130; i++) await c.setData("/adm", `v${i}`);
  return c;
}

describe.skipIf(missing !== undefined)("AdminServer: Paddock against ZooKeeper 3.8", () => {
  let zk: ServerHandle;
  let paddock: ServerHandle;
  let zkAdmin: number;
  let paddockAdmin: number;
  const clients: ZooKeeperClient[] = [];

  beforeAll(async () => {
    zkAdmin = await freePort();
    paddockAdmin = await freePort();
    [zk, paddock] = await Promise.all([
      startZookeeper({ adminServerPort: zkAdmin }),
      startPaddock({
        extraCfg: [
          "admin.enableServer=true",
          "admin.serverAddress=127.0.0.1",
          `admin.serverPort=${paddockAdmin}`,
        ],
      }),
    ]);
    clients.push(await load(zk.connectString), await load(paddock.connectString));
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) await c.close();
    await Promise.all([zk?.stop(), paddock?.stop()]);
  });

  it("lists the same commands, as links under the command URL", async () => {
    const [a, b] = await Promise.all([command(zkAdmin, ""), command(paddockAdmin, "")]);
    const names = (html: string) =>
      [...html.matchAll(/<a href="\/commands\/([a-z_]+)">\1<\/a>/g)].map((m) => m[1]);
    expect(names(b.body)).toEqual(names(a.body));
    expect(names(b.body).length).toBeGreaterThan(20);
  });

  it.each(COMPARED)("%s has ZooKeeper's keys, types and order", async (name) => {
    const [a, b] = await Promise.all([command(zkAdmin, name), command(paddockAdmin, name)]);
    expect(b.status).toBe(200);
    expect(b.type).toBe("application/json");
    const expected = dropNested(shapeOf(JSON.parse(a.body)), NOT_MEASURED[name] ?? []);
    const actual = shapeOf(JSON.parse(b.body));
    expect(sortedShape(actual)).toEqual(sortedShape(expected));
    expect(keysOfShape(actual).join()).toBe(keysOfShape(expected).join());
    const present = keysOfShape(actual);
    expect(Object.keys(JSON.parse(b.body))).toEqual(
      Object.keys(JSON.parse(a.body)).filter((k) => present.includes(k)),
    );
  });

  it("monitor: every key Paddock prints is one of ZooKeeper's, with the same type, or Paddock's own counter", async () => {
    const [a, b] = await Promise.all([command(zkAdmin, "monitor"), command(paddockAdmin, "monitor")]);
    const zkMonitor = JSON.parse(a.body) as Record<string, unknown>;
    const ours = JSON.parse(b.body) as Record<string, unknown>;
    const own: readonly string[] = PADDOCK_MNTR_COUNTERS;
    const foreign = Object.keys(ours).filter((k) => !(k in zkMonitor) && !own.includes(k));
    expect(foreign).toEqual([]);
    for (const k of own) expect([k, typeof ours[k]]).toEqual([k, "number"]);
    for (const [k, v] of Object.entries(ours)) {
      if (!own.includes(k)) expect([k, typeof v]).toEqual([k, typeof zkMonitor[k]]);
    }
    expect(ours.command).toBe("monitor");
    expect(ours.error).toBeNull();
  });

  it("environment and system_properties are maps of strings; environment has ZooKeeper's keys", async () => {
    const [a, b] = await Promise.all([command(zkAdmin, "environment"), command(paddockAdmin, "environment")]);
    expect(Object.keys(JSON.parse(b.body)).sort()).toEqual(Object.keys(JSON.parse(a.body)).sort());
    const props = JSON.parse((await command(paddockAdmin, "system_properties")).body) as Record<
      string,
      unknown
    >;
    expect(props.command).toBe("system_properties");
    for (const [k, v] of Object.entries(props)) if (k !== "error") expect(typeof v).toBe("string");
    expect(Object.keys(props).filter((k) => k !== "command" && k !== "error")).toEqual(
      Object.keys(props)
        .filter((k) => k !== "command" && k !== "error")
        .sort(),
    );
  });

  it("aliases answer under the primary name, as ZooKeeper's do", async () => {
    for (const [alias, primary] of [
      ["conf", "configuration"],
      ["config", "configuration"],
      ["cons", "connections"],
      ["crst", "connection_stat_reset"],
      ["env", "environment"],
      ["envi", "environment"],
      ["gtmk", "get_trace_mask"],
      ["icfg", "initial_configuration"],
      ["isro", "is_read_only"],
      ["lsnp", "last_snapshot"],
      ["lead", "leader"],
      ["mntr", "monitor"],
      ["orst", "observer_connection_stat_reset"],
      ["obsr", "observers"],
      ["srvr", "server_stats"],
      ["stat", "stats"],
      ["srst", "stat_reset"],
      ["sysp", "system_properties"],
      ["wchc", "watches"],
      ["wchp", "watches_by_path"],
      ["wchs", "watch_summary"],
      ["stmk", "set_trace_mask"],
    ]) {
      const [a, b] = await Promise.all([command(zkAdmin, alias!), command(paddockAdmin, alias!)]);
      expect([alias, JSON.parse(b.body).command]).toEqual([alias, primary]);
      expect([alias, JSON.parse(b.body).command]).toEqual([alias, JSON.parse(a.body).command]);
    }
  });

  it("errors are written as ZooKeeper writes them", async () => {
    for (const name of [
      "no_such_command",
      "leader",
      "set_trace_mask",
      "set_trace_mask?traceMask=abc",
      "set_trace_mask?traceMask=99999999999999999999",
    ]) {
      const [a, b] = await Promise.all([command(zkAdmin, name), command(paddockAdmin, name)]);
      expect([name, b.status]).toEqual([name, a.status]);
      expect([name, b.body]).toEqual([name, a.body]);
    }
    const [a, b] = await Promise.all([
      command(zkAdmin, "set_trace_mask?traceMask=306"),
      command(paddockAdmin, "set_trace_mask?traceMask=306"),
    ]);
    expect(b.body).toBe(a.body);
  });

  it("HTTP methods and paths: 405 for POST, 403 for TRACE, 404 outside the command URL", async () => {
    for (const port of [zkAdmin, paddockAdmin]) {
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/commands/ruok`, { method: "POST" })).status).toBe(405);
      expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
      const head = await fetch(`${base}/commands/ruok`, { method: "HEAD" });
      expect(head.status).toBe(200);
    }
    // fetch refuses TRACE; a raw request shows the status.
    const { request } = await import("node:http");
    for (const port of [zkAdmin, paddockAdmin]) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path: "/commands/ruok", method: "TRACE" }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
      expect([port, status]).toEqual([port, 403]);
    }
  });

  it("the same pretty-printed JSON for a fixed answer", async () => {
    const [a, b] = await Promise.all([command(zkAdmin, "ruok"), command(paddockAdmin, "ruok")]);
    expect(b.body).toBe(a.body);
    const [c, d] = await Promise.all([
      command(zkAdmin, "watch_summary"),
      command(paddockAdmin, "watch_summary"),
    ]);
    expect(d.body).toBe(c.body);
  });

  it("compares shapes, not values: a different answer is caught", () => {
    const expected = withoutKeys(shapeOf({ a: 1, b: "x" }), []);
    expect(sortedShape(shapeOf({ a: "1", b: "x" }))).not.toEqual(sortedShape(expected));
    expect(sortedShape(shapeOf({ a: 1 }))).not.toEqual(sortedShape(expected));
  });
});
