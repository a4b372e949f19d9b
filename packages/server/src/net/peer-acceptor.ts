// The listening half of the peer links (net/peer-transport.ts dials the other half): the peer
// and election ports, and the checks an inbound link passes before any of its frames reach ZAB.
//
// A dialler names itself in its URL (`/?from=<myid>`, with its own peer and election addresses).
// In order, a link is refused when that id is ours, malformed, or neither a member nor a server
// we can take as a guest; with sslQuorum's hostname verification, when its certificate does not
// name the host of that id's server line; with quorum authentication, when the first frame is not
// a valid proof or does not come in time. An admitted link replaces the earlier one from that id,
// and its frames are decoded (a SNAP's pieces reassembled, net/snapshot-stream.ts) and delivered.

import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Server as NetServer } from "node:net";
import { type ConnectionOptions, checkServerIdentity, type TLSSocket, type TlsOptions } from "node:tls";
import type { WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../logger.js";
import type { PeerCodec } from "../zab/codec.js";
import type { PeerMessage } from "../zab/messages.js";
import type { PeerAddress } from "./peer-address.js";
import { logOversizedFrame } from "./peer-frame-limit.js";
import type { PeerChannel, PeerLinkAuth } from "./peer-link-auth.js";
import { SnapshotAssembly } from "./snapshot-stream.js";
import { untrustedCertificate } from "./tls-context.js";
import { unifiedServer } from "./tls-sniff.js";
import { wsModule } from "./ws-module.js";

/** How long an acceptor waits for a dialler's proof. */
const AUTH_DEADLINE_MS = 5000;

/**
 * sslQuorum: mutual TLS on every link. `server` secures our listeners (it must ask for and
 * verify the dialler's certificate), `client` our dials. With `verifyIdentity` the acceptor's
 * certificate must name the host we dialled; with `verifyDiallerIdentity` a dialler's must name
 * the server line's host of the id it claims.
 */
export interface PeerTlsOptions {
  server: TlsOptions;
  client: ConnectionOptions;
  verifyIdentity: boolean;
  verifyDiallerIdentity: boolean;
  /**
   * ssl.quorum.clientAuth: a dialler's certificate is required (need), checked when sent (want),
   * or not asked for (none). A link without one has nothing to match to its claimed id.
   */
  diallerCertificate: "need" | "want" | "none";
  /** portUnification: how long to wait for a link's first bytes before taking it as plaintext. */
  detectionTimeoutMs: number;
  /** Dial with TLS (sslQuorum); default true. False while portUnification rolls TLS in. */
  dial?: boolean;
  /** portUnification: the listeners take plaintext links too (sniffed per connection). */
  unified?: boolean;
}

/** What the acceptor counts; the transport's stats object, shared. */
export interface InboundStats {
  received: number;
  undecodable: number;
  oversizedFrames: number;
}

export interface PeerAcceptorOptions {
  myId: number;
  codec: PeerCodec;
  log: Logger;
  maxFrameBytes: number;
  auth?: PeerLinkAuth;
  stats: InboundStats;
  /** The address we know for `id`, a member's or a guest's; undefined for a stranger. */
  knownAddress(id: number): PeerAddress | undefined;
  /** Whether one more server outside the config may be taken as a guest. */
  canAdmitGuest(): boolean;
  /**
   * An inbound link passed every check and replaced any earlier one from `from`: no frame of the
   * earlier link is delivered after this call. `guest` is set for a server outside the config.
   */
  onAdmitted(channel: PeerChannel, from: number, guest: PeerAddress | undefined): void;
  onMessage(from: number, msg: PeerMessage): void;
}

export class PeerAcceptor {
  /**
   * Per channel: what binds the port (`listener`: the HTTP(S) server, or with portUnification a
   * sniffer in front of both), the HTTP(S) servers behind it and their WebSocket servers.
   */
  private readonly servers: {
    channel: PeerChannel;
    listener: HttpServer | NetServer;
    http: HttpServer[];
    wss: WebSocketServer[];
  }[] = [];
  /** The admitted link of each server, by `${channel}/${id}`. */
  private readonly inbound = new Map<string, WebSocket>();

  constructor(
    private readonly opts: PeerAcceptorOptions,
    /** sslQuorum's options; replaced by reloadTls. */
    private tls: PeerTlsOptions | undefined,
  ) {}

  async listen(channel: PeerChannel, port: number, host: string | undefined): Promise<void> {
    const refuse = (_req: IncomingMessage, res: import("node:http").ServerResponse) => {
      res.writeHead(426).end("paddock peer port: WebSocket only\n");
    };
    const tls = this.tls;
    const plain = tls === undefined || tls.unified === true ? createHttpServer(refuse) : undefined;
    const secure = tls === undefined ? undefined : createHttpsServer(tls.server, refuse);
    secure?.on("tlsClientError", (err, socket) => {
      const remote = socket.remoteAddress;
      this.opts.log.warn({ channel, remote, err: err.message }, "peer TLS handshake failed");
      // With a listener here Node leaves the socket open: a handshake that never ends would stay.
      socket.destroy();
    });
    const sockets: WebSocketServer[] = [];
    for (const server of [plain, secure]) {
      if (server === undefined) continue;
      const wss = new (wsModule().WebSocketServer)({
        server,
        perMessageDeflate: false,
        maxPayload: this.opts.maxFrameBytes,
      });
      wss.on("connection", (ws, req) => this.accept(channel, ws, req));
      wss.on("headers", (headers, req) =>
        this.opts.auth?.upgradeHeaders(channel, claimedId(req), req, headers),
      );
      wss.on("error", (err) => this.opts.log.error({ err, channel }, "peer listener error"));
      sockets.push(wss);
    }
    // portUnification: one port, each connection handed to the TLS or the plaintext server by
    // its first byte.
    const http: HttpServer | NetServer =
      plain !== undefined && secure !== undefined
        ? unifiedServer(plain, secure, tls?.detectionTimeoutMs)
        : (secure ?? plain)!;
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen({ port, host }, () => {
        http.off("error", reject);
        resolve();
      });
    });
    http.on("error", (err) => this.opts.log.error({ err, channel }, "peer listener error"));
    this.servers.push({
      channel,
      listener: http,
      http: [plain, secure].filter((h): h is HttpServer => h !== undefined),
      wss: sockets,
    });
    this.opts.log.info({ channel, port, host: host ?? "0.0.0.0" }, "listening for peers");
  }

  /** Ports actually bound (tests listen on port 0). */
  boundPorts(): { peer: number; election: number } {
    const port = (c: PeerChannel) => {
      const a = this.servers.find((s) => s.channel === c)?.listener.address();
      return a !== null && typeof a === "object" ? a.port : 0;
    };
    return { peer: port("peer"), election: port("election") };
  }

  /** New links are accepted with the new stores; links up now keep the session they have. */
  reloadTls(tls: PeerTlsOptions): void {
    this.tls = tls;
    for (const s of this.servers) {
      for (const h of s.http) {
        if ("setSecureContext" in h) (h as unknown as import("node:tls").Server).setSecureContext(tls.server);
      }
    }
  }

  async close(): Promise<void> {
    for (const ws of this.inbound.values()) ws.terminate();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((done) => {
            for (const w of s.wss) {
              for (const c of w.clients) c.terminate();
              w.close();
            }
            s.listener.close(() => done());
            for (const h of s.http) h.closeAllConnections();
          }),
      ),
    );
  }

  private accept(channel: PeerChannel, ws: WebSocket, req: IncomingMessage): void {
    const params = new URL(req.url ?? "/", "ws://x").searchParams;
    const from = claimedId(req);
    const validId = Number.isSafeInteger(from) && from >= 0 && from !== this.opts.myId;
    const known = validId ? this.opts.knownAddress(from) : undefined;
    const guest = validId && known === undefined ? this.guestAddress(params, req) : undefined;
    const addr = known ?? guest;
    if (addr === undefined) {
      this.opts.log.warn({ channel, url: req.url, remote: req.socket.remoteAddress }, "unknown peer refused");
      ws.close(1008, "unknown server id");
      return;
    }
    const mismatch = this.certificateRefusal(addr.host, req);
    if (mismatch !== undefined) {
      // Checked before any frame is read: the link of the real server with that id stays.
      this.opts.log.warn(
        { channel, claimed: from, remote: req.socket.remoteAddress, reason: mismatch },
        "peer refused",
      );
      ws.close(1008, "certificate does not match the claimed server id");
      return;
    }
    const auth = this.opts.auth?.admit(channel, from, req);
    if (auth === undefined) {
      this.register(channel, from, ws, guest);
      return;
    }
    const refuse = (reason: string) => {
      this.opts.log.warn(
        { channel, claimed: from, remote: req.socket.remoteAddress, reason },
        "peer refused",
      );
      ws.close(1008, "quorum authentication failed");
    };
    if ("refuse" in auth) {
      refuse(auth.refuse);
      return;
    }
    // The first frame must be the dialler's proof; nothing else is read before it checks out.
    const deadline = setTimeout(() => refuse("no authentication proof in time"), AUTH_DEADLINE_MS);
    ws.on("error", () => ws.terminate());
    ws.once("close", () => clearTimeout(deadline));
    ws.once("message", (data, isBinary) => {
      clearTimeout(deadline);
      const why = isBinary ? "a peer frame before the authentication proof" : auth.proof(String(data));
      if (why !== undefined) refuse(why);
      else this.register(channel, from, ws, guest);
    });
  }

  /**
   * Where a server no config names (one waiting to be added) says it listens: its URL's
   * addresses, the socket's own host when the URL gives a wildcard. Undefined when the URL has
   * none or no more guests may be taken.
   */
  private guestAddress(params: URLSearchParams, req: IncomingMessage): PeerAddress | undefined {
    if (!this.opts.canAdmitGuest()) return undefined;
    const peerPort = Number(params.get("peer"));
    const electionPort = Number(params.get("election"));
    const valid = (p: number) => Number.isInteger(p) && p >= 1 && p <= 65535;
    if (!valid(peerPort) || !valid(electionPort) || peerPort === electionPort) return undefined;
    const claimed = params.get("host") ?? "";
    const host =
      claimed === "" || claimed === "0.0.0.0" || claimed === "::"
        ? (req.socket.remoteAddress ?? "")
        : claimed;
    return host === "" ? undefined : { host, peerPort, electionPort };
  }

  /**
   * With sslQuorum: why the dialler's certificate is refused, if it is: one the trust store does
   * not vouch for (only clientAuth "want" lets such a handshake finish), or one that does not name
   * `host` (its server line's).
   */
  private certificateRefusal(host: string, req: IncomingMessage): string | undefined {
    const tls = this.tls;
    const socket = req.socket as TLSSocket;
    // portUnification takes plaintext links too, while sslQuorum is rolled in or out: those
    // carry no certificate to check.
    if (tls === undefined || socket.encrypted !== true) return undefined;
    const untrusted = untrustedCertificate(socket);
    if (untrusted !== undefined || !tls.verifyDiallerIdentity) return untrusted;
    const cert = socket.getPeerCertificate();
    if (cert.raw === undefined)
      return tls.diallerCertificate === "need" ? "no client certificate" : undefined;
    return checkServerIdentity(host, cert)?.message;
  }

  /** An admitted inbound link: it replaces the one of that server id and its frames go to ZAB. */
  private register(channel: PeerChannel, from: number, ws: WebSocket, guest: PeerAddress | undefined): void {
    const key = `${channel}/${from}`;
    // A redial replaces the old link: the old socket may be half-dead (peer restarted).
    this.inbound.get(key)?.terminate();
    this.inbound.set(key, ws);
    this.opts.onAdmitted(channel, from, guest);
    const stats = this.opts.stats;
    // A SNAP's pieces, until the SNAP that ends them; dropped with the link.
    const snapshot = new SnapshotAssembly();
    ws.on("message", (data, isBinary) => {
      if (!isBinary) return;
      let msgs: PeerMessage[];
      try {
        msgs = snapshot.receive(toBytes(data), channel === "peer", this.opts.codec);
      } catch (err) {
        // A peer speaking garbage is a broken peer, never a reason to crash.
        stats.undecodable++;
        this.opts.log.warn({ peer: from, channel, err }, "undecodable peer frame; dropping the link");
        ws.terminate();
        return;
      }
      for (const msg of msgs) {
        stats.received++;
        if (msg.type === "NOTIFICATION" ? channel !== "election" : channel !== "peer") continue;
        this.opts.onMessage(from, msg);
      }
    });
    ws.on("error", (err) => {
      logOversizedFrame(err, { peer: from, channel, direction: "inbound" }, this.opts);
      ws.terminate();
    });
    ws.on("close", () => {
      if (this.inbound.get(key) === ws) this.inbound.delete(key);
    });
  }
}

/** The server id a dialler claims in its URL (`/?from=<id>`); NaN when it names none. */
function claimedId(req: IncomingMessage): number {
  return Number(new URL(req.url ?? "/", "ws://x").searchParams.get("from"));
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
