// Server <-> server links over WebSockets: one binary frame per turn of the event loop and link,
// holding that turn's PeerFrames (proto/peer.proto; the batching is peer-outbox.ts).
//
// Every server listens on its peerPort (leader <-> learner traffic) and its electionPort (votes)
// and dials every other member on both. A link is one-way: we send only on the sockets we
// dialled and receive only on the sockets others dialled to us, so no tie-break between two
// simultaneous dials is needed. The dialler names itself in the URL (`/?from=<myid>`). Without
// sslQuorum nothing checks that name, so the peer ports belong on a trusted network, as
// ZooKeeper's do; with it every link is wss with mutual TLS, and a link's claimed id must match its
// certificate: the certificate must name the host of that id's server line (ZooKeeper's quorum
// hostname verification), checked before any frame is read.
//
// Frames sent while a link is down are dropped: the ZAB core tolerates loss (numbered channels,
// vote resends), so the transport never buffers beyond the socket's own queue, and a peer whose
// queue grows past `maxBufferedBytes` is cut off and dialled afresh.

import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type ConnectionOptions, checkServerIdentity, type TLSSocket, type TlsOptions } from "node:tls";
import { WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../logger.js";
import type { PeerCodec } from "../zab/codec.js";
import type { PeerMessage } from "../zab/messages.js";
import { PeerOutbox } from "./peer-outbox.js";

export interface PeerAddress {
  host: string;
  peerPort: number;
  electionPort: number;
}

export type PeerChannel = "peer" | "election";

export interface PeerTransportOptions {
  myId: number;
  /** Every member, this server included. */
  members: ReadonlyMap<number, PeerAddress>;
  /** Listen on every interface instead of the host our own server line names. */
  listenOnAllIps: boolean;
  codec: PeerCodec;
  log: Logger;
  onMessage(from: number, msg: PeerMessage): void;
  /** An outbound link to `id` on `channel` went down (it is redialled on its own). */
  onLinkDown?(id: number, channel: PeerChannel): void;
  /** Outbound queue bound per link; a peer this far behind is disconnected. Default 64 MiB. */
  maxBufferedBytes?: number;
  /** Largest frame accepted (SNAP carries the whole tree). Default 1 GiB. */
  maxFrameBytes?: number;
  /** First redial delay; doubles per failure up to maxRedialMs. */
  minRedialMs?: number;
  maxRedialMs?: number;
  /**
   * sslQuorum: mutual TLS on every link. `server` secures our listeners (it must ask for and
   * verify the dialler's certificate), `client` our dials; with `verifyIdentity` a certificate
   * must name the server line's host of the id it claims, and ours is checked the same way.
   */
  tls?: { server: TlsOptions; client: ConnectionOptions; verifyIdentity: boolean };
  /** How often an open outbound link is pinged. Default 1000 ms. */
  livenessIntervalMs?: number;
  /**
   * An outbound link with no pong for this long is dropped and redialled. A peer cut off by the
   * network sends no FIN or RST: without this the link would stay "open" while TCP retransmits
   * into the void, and a healed partition would never be noticed. Default 3000 ms.
   */
  livenessTimeoutMs?: number;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|0:0:0:0:0:0:0:1)$/i;

/**
 * The address to listen on for a server line naming `host`: a loopback name is bound as given
 * (several local servers share a machine on different ports); any other name means "reachable
 * from elsewhere", so all interfaces are bound — simpler and more robust than resolving our own
 * name, which in containers often maps to an address we do not hold.
 */
export function listenHostFor(host: string, listenOnAllIps: boolean): string | undefined {
  if (listenOnAllIps || !LOOPBACK.test(host)) return undefined;
  return host === "localhost" ? "127.0.0.1" : host;
}

interface OutLink {
  id: number;
  channel: PeerChannel;
  url: string;
  ws: WebSocket | undefined;
  open: boolean;
  failures: number;
  timer: NodeJS.Timeout | undefined;
  /** A dial failure is logged once per outage, not per retry. */
  warned: boolean;
  /** Last time the peer answered a ping (or the link opened). */
  lastPongMs: number;
}

/**
 * RFC 6455 has clients mask every frame so that a browser's script cannot steer the bytes an
 * intermediary proxy sees. A peer link is server to server with no script in the loop, and a
 * real mask costs an XOR pass over every proposal on each end; with an all-zero mask ws skips
 * both passes while the frames stay valid WebSocket.
 */
function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

export class PeerTransport {
  private readonly servers: { channel: PeerChannel; http: HttpServer; wss: WebSocketServer }[] = [];
  private readonly out = new Map<string, OutLink>();
  private readonly inbound = new Map<string, WebSocket>();
  private readonly maxBufferedBytes: number;
  private readonly maxFrameBytes: number;
  private readonly minRedialMs: number;
  private readonly maxRedialMs: number;
  private closed = false;
  private readonly livenessIntervalMs: number;
  private readonly livenessTimeoutMs: number;
  private livenessTimer: NodeJS.Timeout | undefined;
  /**
   * Messages queued on an open link / dropped (link down, or closed before the turn ended), for
   * diagnostics and tests.
   */
  readonly stats = { sent: 0, dropped: 0, received: 0, undecodable: 0 };
  private readonly outbox = new PeerOutbox({
    encodeFrames: (frames) => this.opts.codec.encodeFrames(frames),
    onDropped: (frames) => {
      this.stats.dropped += frames;
    },
  });

  /** sslQuorum's options; replaced when the stores are reloaded. */
  private tls: PeerTransportOptions["tls"];

  constructor(private readonly opts: PeerTransportOptions) {
    this.tls = opts.tls;
    this.maxBufferedBytes = opts.maxBufferedBytes ?? 64 * 1024 * 1024;
    this.maxFrameBytes = opts.maxFrameBytes ?? 1024 * 1024 * 1024;
    this.minRedialMs = opts.minRedialMs ?? 50;
    this.maxRedialMs = opts.maxRedialMs ?? 1000;
    this.livenessIntervalMs = opts.livenessIntervalMs ?? 1000;
    this.livenessTimeoutMs = opts.livenessTimeoutMs ?? 3000;
  }

  async start(): Promise<void> {
    const me = this.opts.members.get(this.opts.myId);
    if (me === undefined) throw new Error(`server ${this.opts.myId} is not among the members`);
    const host = listenHostFor(me.host, this.opts.listenOnAllIps);
    await this.listen("peer", me.peerPort, host);
    await this.listen("election", me.electionPort, host);
    for (const [id, addr] of this.opts.members) {
      if (id === this.opts.myId) continue;
      for (const channel of ["peer", "election"] as const) {
        const port = channel === "peer" ? addr.peerPort : addr.electionPort;
        const link: OutLink = {
          id,
          channel,
          url: `${this.tls === undefined ? "ws" : "wss"}://${formatHost(addr.host)}:${port}/?from=${this.opts.myId}`,
          ws: undefined,
          open: false,
          failures: 0,
          timer: undefined,
          warned: false,
          lastPongMs: 0,
        };
        this.out.set(`${channel}/${id}`, link);
        this.dial(link);
      }
    }
    this.livenessTimer = setInterval(() => this.checkLiveness(), this.livenessIntervalMs);
    this.livenessTimer.unref();
  }

  /** Pings every open outbound link; drops (and so redials) one whose peer stopped answering. */
  private checkLiveness(): void {
    const nowMs = Date.now();
    for (const link of this.out.values()) {
      if (!link.open || link.ws === undefined) continue;
      if (nowMs - link.lastPongMs > this.livenessTimeoutMs) {
        this.opts.log.warn(
          { peer: link.id, channel: link.channel, silentMs: nowMs - link.lastPongMs },
          "peer link silent; redialling",
        );
        link.ws.terminate();
        continue;
      }
      try {
        link.ws.ping();
      } catch {
        // The socket is closing; its close event redials.
      }
    }
  }

  /** Ports actually bound (tests listen on port 0). */
  boundPorts(): { peer: number; election: number } {
    const port = (c: PeerChannel) => {
      const a = this.servers.find((s) => s.channel === c)?.http.address();
      return a !== null && typeof a === "object" ? a.port : 0;
    };
    return { peer: port("peer"), election: port("election") };
  }

  isLinkOpen(id: number, channel: PeerChannel): boolean {
    return this.out.get(`${channel}/${id}`)?.open ?? false;
  }

  send(to: number, msg: PeerMessage): void {
    const channel: PeerChannel = msg.type === "NOTIFICATION" ? "election" : "peer";
    const link = this.out.get(`${channel}/${to}`);
    if (link === undefined || !link.open || link.ws === undefined) {
      this.stats.dropped++;
      return;
    }
    if (link.ws.bufferedAmount > this.maxBufferedBytes) {
      this.opts.log.warn(
        { peer: to, channel, bufferedBytes: link.ws.bufferedAmount },
        "peer is not keeping up; dropping its link",
      );
      this.stats.dropped++;
      link.ws.terminate();
      return;
    }
    this.outbox.enqueue(link.ws, this.opts.codec.encode(msg));
    this.stats.sent++;
  }

  /**
   * sslQuorum's stores changed: new links (both ways) use the new key and trust stores; links up
   * now keep the session they have.
   */
  reloadTls(tls: NonNullable<PeerTransportOptions["tls"]>): void {
    this.tls = tls;
    for (const s of this.servers) {
      if ("setSecureContext" in s.http)
        (s.http as unknown as import("node:tls").Server).setSecureContext(tls.server);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.livenessTimer);
    for (const link of this.out.values()) {
      clearTimeout(link.timer);
      link.ws?.terminate();
    }
    for (const ws of this.inbound.values()) ws.terminate();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((done) => {
            for (const c of s.wss.clients) c.terminate();
            s.wss.close(() => s.http.close(() => done()));
            s.http.closeAllConnections();
          }),
      ),
    );
  }

  private async listen(channel: PeerChannel, port: number, host: string | undefined): Promise<void> {
    const refuse = (_req: IncomingMessage, res: import("node:http").ServerResponse) => {
      res.writeHead(426).end("paddock peer port: WebSocket only\n");
    };
    const tls = this.tls;
    const http = tls === undefined ? createHttpServer(refuse) : createHttpsServer(tls.server, refuse);
    if (tls !== undefined) {
      http.on("tlsClientError", (err, socket) =>
        this.opts.log.warn(
          { channel, remote: socket.remoteAddress, err: err.message },
          "peer TLS handshake failed",
        ),
      );
    }
    const wss = new WebSocketServer({
      server: http,
      perMessageDeflate: false,
      maxPayload: this.maxFrameBytes,
    });
    wss.on("connection", (ws, req) => this.accept(channel, ws, req));
    wss.on("error", (err) => this.opts.log.error({ err, channel }, "peer listener error"));
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen({ port, host }, () => {
        http.off("error", reject);
        resolve();
      });
    });
    http.on("error", (err) => this.opts.log.error({ err, channel }, "peer listener error"));
    this.servers.push({ channel, http, wss });
    this.opts.log.info({ channel, port, host: host ?? "0.0.0.0" }, "listening for peers");
  }

  private accept(channel: PeerChannel, ws: WebSocket, req: IncomingMessage): void {
    const from = Number(new URL(req.url ?? "/", "ws://x").searchParams.get("from"));
    if (!Number.isInteger(from) || from === this.opts.myId || !this.opts.members.has(from)) {
      this.opts.log.warn({ channel, url: req.url, remote: req.socket.remoteAddress }, "unknown peer refused");
      ws.close(1008, "unknown server id");
      return;
    }
    const mismatch = this.identityMismatch(from, req);
    if (mismatch !== undefined) {
      // Checked before any frame is read: the link of the real server with that id stays.
      this.opts.log.warn(
        { channel, claimed: from, remote: req.socket.remoteAddress, reason: mismatch },
        "peer refused",
      );
      ws.close(1008, "certificate does not match the claimed server id");
      return;
    }
    const key = `${channel}/${from}`;
    // A redial replaces the old link: the old socket may be half-dead (peer restarted).
    this.inbound.get(key)?.terminate();
    this.inbound.set(key, ws);
    ws.on("message", (data, isBinary) => {
      if (!isBinary) return;
      let msgs: PeerMessage[];
      try {
        msgs = this.opts.codec.decodeFrames(toBytes(data));
      } catch (err) {
        // A peer speaking garbage is a broken peer, never a reason to crash.
        this.stats.undecodable++;
        this.opts.log.warn({ peer: from, channel, err }, "undecodable peer frame; dropping the link");
        ws.terminate();
        return;
      }
      for (const msg of msgs) {
        this.stats.received++;
        if (msg.type === "NOTIFICATION" ? channel !== "election" : channel !== "peer") continue;
        this.opts.onMessage(from, msg);
      }
    });
    ws.on("error", () => ws.terminate());
    ws.on("close", () => {
      if (this.inbound.get(key) === ws) this.inbound.delete(key);
    });
  }

  /** With sslQuorum: why the dialler's certificate does not belong to server `from`, if it does not. */
  private identityMismatch(from: number, req: IncomingMessage): string | undefined {
    const tls = this.tls;
    if (tls === undefined || !tls.verifyIdentity) return undefined;
    const cert = (req.socket as TLSSocket).getPeerCertificate?.();
    if (cert === undefined || cert.raw === undefined) return "no client certificate";
    const host = this.opts.members.get(from)?.host;
    if (host === undefined) return "unknown server id";
    return checkServerIdentity(host, cert)?.message;
  }

  private dial(link: OutLink): void {
    if (this.closed) return;
    link.timer = undefined;
    const ws = new WebSocket(link.url, {
      perMessageDeflate: false,
      maxPayload: this.maxFrameBytes,
      handshakeTimeout: 2000,
      generateMask: zeroMask,
      ...(this.tls === undefined
        ? {}
        : {
            ...this.tls.client,
            ...(this.tls.verifyIdentity ? {} : { checkServerIdentity: () => undefined }),
          }),
    });
    link.ws = ws;
    ws.on("pong", () => {
      link.lastPongMs = Date.now();
    });
    ws.on("open", () => {
      link.open = true;
      link.failures = 0;
      link.lastPongMs = Date.now();
      if (link.warned) this.opts.log.info({ peer: link.id, channel: link.channel }, "peer link up");
      link.warned = false;
    });
    // We never expect data on an outbound link; a peer sending some is ignored.
    ws.on("error", (err) => {
      if (!link.warned) {
        link.warned = true;
        this.opts.log.debug({ peer: link.id, channel: link.channel, err: err.message }, "peer link down");
      }
    });
    ws.on("close", () => {
      if (link.ws !== ws) return;
      const wasOpen = link.open;
      link.open = false;
      link.ws = undefined;
      if (wasOpen) this.opts.onLinkDown?.(link.id, link.channel);
      if (this.closed) return;
      const delayMs = Math.min(this.maxRedialMs, this.minRedialMs * 2 ** Math.min(link.failures, 10));
      link.failures++;
      link.timer = setTimeout(() => this.dial(link), delayMs);
    });
  }
}

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
