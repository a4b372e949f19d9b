// The web console's HTTP side, on the AdminServer: the page (/console), this server's state
// (/console/api/state), its timeline as Server-Sent Events (/console/api/events) and a tree
// browser (/console/api/tree) that goes through a real client session on this server's client
// port, so ACLs and digest credentials apply exactly as they do to any client. The page reads
// the state and events of every member (CORS allows it) to show the whole ensemble.

import type { IncomingMessage, ServerResponse } from "node:http";
import { ZooKeeperClient } from "@paddock/client";
import type { Logger } from "../../logger.js";
import type { AdminView } from "../four-letter-source.js";
import type { AdminHttpServer } from "../http/admin-server.js";
import { CONSOLE_PAGE } from "./console-page.js";
import type { Timeline } from "./timeline.js";

const CORS = { "Access-Control-Allow-Origin": "*" };

function json(res: ServerResponse, status: number, body: unknown, cors = false): void {
  const text = JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  res.writeHead(status, { "Content-Type": "application/json", ...(cors ? CORS : {}) }).end(text);
}

function hex(n: number | bigint): string {
  return `0x${BigInt.asUintN(64, BigInt(n)).toString(16)}`;
}

/** `id=url,...`, or each member's host with this server's admin port. */
export function consolePeers(view: AdminView, adminPort: number): Record<string, string> {
  const { config } = view;
  const out: Record<string, string> = {};
  for (const part of config.admin.consolePeers.split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  if (Object.keys(out).length > 0) return out;
  for (const s of config.servers.values()) out[String(s.id)] = `http://${s.host}:${adminPort}`;
  return out;
}

/** Tracks since when each learner is behind the leader, to show its lag in ms. */
class LagClock {
  private readonly behindSinceMs = new Map<number, number>();

  lagMs(sid: number, lagTxns: number, nowMs: number): number {
    if (lagTxns <= 0) {
      this.behindSinceMs.delete(sid);
      return 0;
    }
    const since = this.behindSinceMs.get(sid) ?? nowMs;
    this.behindSinceMs.set(sid, since);
    return nowMs - since;
  }
}

export function consoleState(view: AdminView, lag: LagClock, adminPort: number) {
  const { config, role, state, registry, watches, quorum } = view;
  const runtime = quorum?.runtime;
  const status = runtime?.status();
  const nowMs = Date.now();
  const learners = runtime?.isLeader === true ? runtime.peer.learnerDetails() : null;
  return {
    myid: config.myid ?? 0,
    mode: role.mode,
    serving: role.isServing,
    role: status?.role ?? "standalone",
    epoch: status?.epoch ?? 0,
    leader: status?.leader ?? null,
    lastZxid: hex(state.sm.lastZxid),
    configVersion: hex(config.configVersion),
    readOnly: role.mode === "read-only",
    znodeCount: state.sm.nodeCount(),
    sessions: state.sm.sessionIds().length,
    connections: registry.size,
    watches: watches.totalWatchCount(),
    members: [...config.servers.values()]
      .sort((a, b) => a.id - b.id)
      .map((s) => ({ id: s.id, host: s.host, clientPort: s.clientPort ?? null, type: s.role })),
    learners:
      learners?.map((l) => {
        const lagTxns = Math.max(0, state.sm.lastZxid - l.ackedZxid);
        return {
          sid: l.sid,
          observer: l.observer,
          phase: l.phase,
          ackedZxid: hex(l.ackedZxid),
          lagTxns,
          lagMs: lag.lagMs(l.sid, lagTxns, nowMs),
        };
      }) ?? null,
    peers: config.standalone ? {} : consolePeers(view, adminPort),
    atMs: nowMs,
  };
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A client session on this server, authenticated with `digest` (user:password) if given. */
async function withClient<T>(
  view: AdminView,
  digest: string | undefined,
  work: (c: ZooKeeperClient) => Promise<T>,
) {
  const host = view.config.clientPortAddress ?? "127.0.0.1";
  const client = new ZooKeeperClient({
    connectString: `${host === "0.0.0.0" ? "127.0.0.1" : host}:${view.config.clientPort ?? 2181}`,
    sessionTimeoutMs: 10_000,
  });
  try {
    await client.connect();
    if (digest !== undefined && digest !== "") await client.addAuth("digest", digest);
    return await work(client);
  } finally {
    await client.close().catch(() => {});
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function treeRead(view: AdminView, url: URL, req: IncomingMessage, res: ServerResponse) {
  const path = url.searchParams.get("path") ?? "/";
  const digest = req.headers["x-digest"] as string | undefined;
  try {
    const out = await withClient(view, digest, async (c) => {
      const { data, stat } = await c.getData(path);
      const children = await c.getChildren(path).catch(() => [] as string[]);
      const { acl } = await c.getACL(path);
      return { path, children: children.sort(), data: data?.toString("base64") ?? null, stat, acl };
    });
    json(res, 200, out);
  } catch (err) {
    json(res, 200, { path, error: errorText(err) });
  }
}

async function treeWrite(view: AdminView, req: IncomingMessage, res: ServerResponse) {
  let body: { op?: string; path?: string; data?: string; digest?: string };
  try {
    body = JSON.parse(await readBody(req, 1024 * 1024));
  } catch (err) {
    json(res, 400, { error: errorText(err) });
    return;
  }
  const { op, path, data, digest } = body;
  if (typeof path !== "string" || !path.startsWith("/")) {
    json(res, 400, { error: "path must start with /" });
    return;
  }
  try {
    await withClient(view, digest, async (c) => {
      if (op === "set") await c.setData(path, data ?? "");
      else if (op === "create") await c.create(path, data ?? "");
      else if (op === "delete") await c.delete(path);
      else throw new Error(`unknown op ${String(op)}: use set, create or delete`);
    });
    json(res, 200, { ok: true });
  } catch (err) {
    json(res, 200, { error: errorText(err) });
  }
}

/** Adds the console's paths to the AdminServer. */
export function addConsoleRoutes(
  http: AdminHttpServer,
  view: AdminView,
  timeline: Timeline,
  log: Logger,
): void {
  const lag = new LagClock();
  http.route("/console", (_req, res) => {
    res.writeHead(200, { "Content-Type": "text/html;charset=utf-8" }).end(CONSOLE_PAGE);
  });
  http.route("/console/api/state", (_req, res) =>
    json(res, 200, consoleState(view, lag, http.port ?? 0), true),
  );
  http.route("/console/api/events", (req, res, url) => {
    res.writeHead(200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
      ...CORS,
    });
    res.socket?.setTimeout(0);
    const send = (e: unknown) => res.write(`data: ${JSON.stringify(e)}\n\n`);
    for (const e of timeline.since(Number(url.searchParams.get("since") ?? 0))) send(e);
    const unsubscribe = timeline.subscribe(send);
    // A comment line now and then keeps proxies from closing an idle stream.
    const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
    req.on("close", () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  });
  http.route("/console/api/tree", (req, res, url) => {
    const work = req.method === "POST" ? treeWrite(view, req, res) : treeRead(view, url, req, res);
    work.catch((err: unknown) => {
      log.error({ err }, "console tree request failed");
      if (!res.headersSent) json(res, 500, { error: errorText(err) });
    });
  });
}
