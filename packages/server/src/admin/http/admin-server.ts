// The AdminServer: ZooKeeper's HTTP commands on node:http, with its URL layout and answers
// (GET <commandURL>/<name>?key=value as JSON, the list of commands as links at <commandURL>,
// 405 for other methods, 403 for TRACE, 404 elsewhere). Other parts (the console) add their own
// paths with `route`. A port that cannot be bound is logged and the server serves on without
// it, as ZooKeeper does.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo, Server as NetServer } from "node:net";
import type { TlsOptions } from "node:tls";
import type { AdminServerConfig } from "../../config/index.js";
import type { Logger } from "../../logger.js";
import { unifiedServer } from "../../net/tls-sniff.js";
import { ADMIN_COMMAND_NAMES, type AdminCommandSource, runAdminCommand } from "./admin-commands.js";
import { jacksonJson } from "./jackson-json.js";

/** Answers one request under a routed path. */
export type AdminRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

export class AdminHttpServer {
  /** The HTTP(S) servers that answer requests (one, or HTTP and HTTPS with port unification). */
  private readonly servers: (Server | HttpsServer)[];
  /** What binds the port: the one server, or a sniffer handing each connection to one of two. */
  private readonly listener: Server | HttpsServer | NetServer;
  private readonly routes = new Map<string, AdminRoute>();
  private listening = false;

  constructor(
    private readonly config: AdminServerConfig,
    private readonly source: () => AdminCommandSource,
    private readonly log: Logger,
    /** HTTPS (admin.forceHttps / admin.portUnification): admin-tls.ts. */
    tls?: TlsOptions,
  ) {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    if (tls === undefined) {
      const http = createServer(handler);
      this.servers = [http];
      this.listener = http;
    } else if (!config.portUnification) {
      const https = createHttpsServer(tls, handler);
      this.servers = [https];
      this.listener = https;
    } else {
      const http = createServer(handler);
      const https = createHttpsServer(tls, handler);
      this.servers = [http, https];
      // Each connection's first byte tells a TLS ClientHello from an HTTP request line.
      this.listener = unifiedServer(http, https);
    }
    for (const server of this.servers) {
      // Jetty's idle timeout: a connection with no traffic for this long is closed.
      server.timeout = config.idleTimeoutMs;
      server.keepAliveTimeout = config.idleTimeoutMs;
    }
  }

  /** Serves `path` (exact, or a prefix when it ends with "/") with `route`, before the 404. */
  route(path: string, route: AdminRoute): void {
    this.routes.set(path, route);
  }

  /** The bound port, or undefined when the server is not listening. */
  get port(): number | undefined {
    if (!this.listening) return undefined;
    return (this.listener.address() as AddressInfo).port;
  }

  /** Binds the port; false (and a logged error) when it cannot, the rest of the server unaffected. */
  async start(): Promise<boolean> {
    const { serverAddress, serverPort, commandUrl } = this.config;
    const bound = await new Promise<boolean>((resolve) => {
      const onError = (err: Error) => {
        this.listener.off("listening", onListening);
        this.log.error(
          { err },
          `Problem starting AdminServer on address ${serverAddress}, port ${serverPort} and command URL ${commandUrl}`,
        );
        resolve(false);
      };
      const onListening = () => {
        this.listener.off("error", onError);
        resolve(true);
      };
      this.listener.once("error", onError);
      this.listener.once("listening", onListening);
      this.listener.listen(serverPort, serverAddress);
    });
    this.listening = bound;
    if (bound) {
      this.log.info(
        `Started AdminServer on address ${serverAddress}, port ${this.port} and command URL ${commandUrl}`,
      );
    }
    return bound;
  }

  async close(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    await new Promise<void>((resolve) => {
      this.listener.close(() => resolve());
      for (const server of this.servers) server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://admin");
    } catch {
      sendStatus(res, 400, "Bad Request");
      return;
    }
    try {
      if (req.method === "TRACE") {
        sendStatus(res, 403, "Forbidden");
        return;
      }
      const base = this.config.commandUrl;
      if (url.pathname === base || url.pathname.startsWith(`${base}/`)) {
        this.commands(req, res, url, decodeURIComponent(url.pathname.slice(base.length + 1)));
        return;
      }
      for (const [path, route] of this.routes) {
        if (url.pathname === path || (path.endsWith("/") && url.pathname.startsWith(path))) {
          route(req, res, url);
          return;
        }
      }
      sendStatus(res, 404, "Not Found");
    } catch (err) {
      // A bug answering one request must not take the admin server (or the server) down.
      this.log.error({ err, url: req.url }, "admin request failed");
      if (!res.headersSent) sendStatus(res, 500, "Server Error");
      else res.destroy();
    }
  }

  private commands(req: IncomingMessage, res: ServerResponse, url: URL, name: string): void {
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendStatus(res, 405, `HTTP method ${req.method} is not supported by this URL`);
      return;
    }
    if (name === "") {
      const links = ADMIN_COMMAND_NAMES.map(
        (c) => `<a href="${this.config.commandUrl}/${c}">${c}</a>\n<br/>\n`,
      ).join("");
      send(res, 200, "text/html;charset=utf-8", links, req.method === "HEAD");
      return;
    }
    const params = new Map<string, string>();
    for (const [k, v] of url.searchParams) if (!params.has(k)) params.set(k, v);
    const body = jacksonJson(runAdminCommand(name, this.source(), params));
    send(res, 200, "application/json", body, req.method === "HEAD");
  }
}

function send(res: ServerResponse, status: number, type: string, body: string, headOnly = false): void {
  const bytes = Buffer.from(body, "utf8");
  res.writeHead(status, { "Content-Type": type, "Content-Length": bytes.length });
  res.end(headOnly ? undefined : bytes);
}

function sendStatus(res: ServerResponse, status: number, message: string): void {
  send(res, status, "text/plain;charset=utf-8", `HTTP ERROR ${status} ${message}\n`);
}

export { send as sendAdminBody, sendStatus as sendAdminStatus };
