// A client port: accepts TCP (or, for secureClientPort, TLS) connections, enforces
// maxClientCnxns per address and a deadline for the handshake, and registers each connection.
// What the connection reads goes to the request path through the ConnectionContext; the listener
// never looks at a request.

import { createServer, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import {
  createSecureContext,
  createServer as createTlsServer,
  type SecureContext,
  TLSSocket,
  type Server as TlsServer,
} from "node:tls";
import type { Id } from "@paddock/jute";
import type { Logger } from "../logger.js";
import { ClientConnection, type ConnectionContext } from "./client-connection.js";
import type { ConnectionRegistry } from "./connection-registry.js";
import { javaHostAddress } from "./java-address.js";
import { routeByFirstByte } from "./tls-sniff.js";

export interface ClientListenerOptions {
  port: number;
  /** undefined: every interface, as ZooKeeper's default clientPortAddress. */
  host: string | undefined;
  /** Connections allowed from one address at once; 0 for no limit. */
  maxClientCnxns: number;
  /** clientPortListenBacklog: the accept queue's length; -1 leaves Paddock's default (1024). */
  listenBacklog: number;
  /**
   * How long a new connection may take to get a session (TLS handshake, ConnectRequest):
   * ZooKeeper's sessionlessCnxnTimeout.
   */
  handshakeDeadlineMs: number;
  log: Logger;
  context: ConnectionContext;
  registry: ConnectionRegistry;
  /** TLS (secureClientPort): how to build its options now, and what a client's certificate must pass. */
  tls?: {
    /** The options to start with (already read, so a bad store failed the start). */
    options: import("node:tls").TlsOptions;
    /** Reads the stores again, after a change. */
    reload: () => import("node:tls").TlsOptions;
    /** Why the client's certificate is refused after the handshake, or undefined. */
    refuse: (socket: TLSSocket) => string | undefined;
    /** The identities the client's certificate gives its connection (the x509 scheme). */
    identify: (socket: TLSSocket) => Id[];
    /** Starts watching the stores; returns the stop function. */
    watch: (reload: () => void) => () => void;
    /** client.portUnification: plaintext clients are served on this port too. */
    unified?: boolean;
  };
}

/**
 * What a tls.Server does for its sockets on "secure" and a TLSSocket made by hand does not: read
 * whether the trust store vouches for the client's certificate (OpenSSL itself only fails a
 * handshake that lacks one under "need") into `authorized` and `authorizationError`, which the
 * refusal (untrustedCertificate) and the x509 identity then read.
 */
function recordVerification(socket: TLSSocket, options: import("node:tls").TlsOptions): void {
  if (options.requestCert !== true) return;
  const handle = (socket as unknown as { _handle?: { verifyError?: () => Error | null } })._handle;
  // Node's own tls.Server reads the result here; without it no certificate could be trusted.
  if (typeof handle?.verifyError !== "function")
    throw new Error("TLSSocket has no verifyError: Node changed");
  const error = handle.verifyError() as (Error & { code?: string }) | null;
  if (error === null) {
    socket.authorized = true;
    return;
  }
  // Node's own sockets carry the code here, typed as an Error though it is a string.
  (socket as unknown as { authorizationError: string }).authorizationError = error.code ?? error.message;
}

export class ClientListener {
  private tcp: Server | TlsServer | undefined;
  private stopWatching: (() => void) | undefined;
  private readonly connectionsPerIp = new Map<string, number>();

  constructor(private readonly opts: ClientListenerOptions) {}

  get port(): number {
    const addr = this.tcp?.address();
    return addr !== null && typeof addr === "object" ? addr.port : 0;
  }

  async listen(): Promise<void> {
    const { port, host, log } = this.opts;
    const tls = this.opts.tls;
    let tcp: Server | TlsServer;
    if (tls === undefined) {
      tcp = createServer((socket) => this.accept(socket));
    } else if (tls.unified === true) {
      let context = createSecureContext(tls.options);
      tcp = createServer((socket) => this.sniff(socket, () => context));
      this.watchStores((options) => {
        context = createSecureContext(options);
      });
    } else {
      const secure = createTlsServer(
        { ...tls.options, handshakeTimeout: this.opts.handshakeDeadlineMs },
        (socket) => {
          const refusal = tls.refuse(socket);
          if (refusal !== undefined) {
            log.warn({ remote: socket.remoteAddress, reason: refusal }, "client certificate refused");
            socket.destroy();
            return;
          }
          this.accept(socket, tls.identify(socket));
        },
      );
      secure.on("tlsClientError", (err, socket) => {
        if ((err as NodeJS.ErrnoException).code === "ERR_TLS_HANDSHAKE_TIMEOUT") this.countExpired();
        log.info({ remote: socket.remoteAddress, err: err.message }, "TLS handshake failed");
        // With a listener here Node leaves the socket open: a client that never finishes its
        // handshake would keep it forever.
        socket.destroy();
      });
      this.watchStores((options) => secure.setSecureContext(options));
      tcp = secure;
    }
    this.tcp = tcp;
    // A failed bind (port taken) is the caller's one-line start failure, not a logged error too.
    await new Promise<void>((resolve, reject) => {
      tcp.once("error", reject);
      const backlog = this.opts.listenBacklog > 0 ? this.opts.listenBacklog : 1024;
      tcp.listen({ port, host, backlog }, () => {
        tcp.off("error", reject);
        resolve();
      });
    });
    tcp.on("error", (err) => log.error({ err }, "client port error"));
    log.info(
      { port: this.port, host: host ?? "0.0.0.0" },
      tls === undefined
        ? "binding to client port"
        : tls.unified === true
          ? "binding to client port (plaintext and TLS: client.portUnification)"
          : "binding to secure client port (TLS)",
    );
  }

  /** Stops accepting and drops every open connection. */
  async close(): Promise<void> {
    this.stopWatching?.();
    for (const conn of [...this.opts.registry.all()]) conn.socket.destroy();
    const tcp = this.tcp;
    await new Promise<void>((done) => (tcp ? tcp.close(() => done()) : done()));
  }

  /** Applies the stores again whenever their files change; a store that cannot be read keeps the old one. */
  private watchStores(apply: (options: import("node:tls").TlsOptions) => void): void {
    const tls = this.opts.tls!;
    const { log } = this.opts;
    this.stopWatching = tls.watch(() => {
      try {
        apply(tls.reload());
        log.info("TLS key and trust stores reloaded");
      } catch (err) {
        log.error({ err }, "TLS stores changed but cannot be loaded; keeping the previous ones");
      }
    });
  }

  /** A unified port's connection: TLS if its first byte opens a TLS handshake, else plaintext. */
  private sniff(socket: Socket, context: () => SecureContext): void {
    // A client that sends nothing, or never finishes its TLS handshake, is dropped like one that
    // never sends its ConnectRequest.
    const deadline = setTimeout(() => {
      this.countExpired();
      socket.destroy();
    }, this.opts.handshakeDeadlineMs);
    deadline.unref();
    socket.once("close", () => clearTimeout(deadline));
    routeByFirstByte(socket, {
      plain: (s) => {
        clearTimeout(deadline);
        this.accept(s);
      },
      tls: (stream) => this.acceptTls(stream, socket, context(), deadline),
    });
  }

  /** A unified port's TLS connection: the TLS socket on `stream`, `socket` being the TCP one under it. */
  private acceptTls(stream: Duplex, socket: Socket, context: SecureContext, deadline: NodeJS.Timeout): void {
    const tls = this.opts.tls!;
    const { log } = this.opts;
    const secure = new TLSSocket(stream, {
      isServer: true,
      secureContext: context,
      requestCert: tls.options.requestCert === true,
      rejectUnauthorized: tls.options.rejectUnauthorized === true,
    });
    // The TLS socket sits on a stream, not on the TCP handle: it answers for the peer's address.
    for (const key of ["remoteAddress", "remotePort", "remoteFamily"] as const) {
      Object.defineProperty(secure, key, { value: socket[key] });
    }
    secure.once("secure", () => {
      clearTimeout(deadline);
      recordVerification(secure, tls.options);
      const refusal = tls.refuse(secure);
      if (refusal !== undefined) {
        log.warn({ remote: socket.remoteAddress, reason: refusal }, "client certificate refused");
        secure.destroy();
        return;
      }
      this.accept(secure, tls.identify(secure));
    });
    secure.on("error", (err) => {
      log.info({ remote: socket.remoteAddress, err: err.message }, "TLS connection failed");
      secure.destroy();
    });
  }

  private accept(socket: Socket, identities: readonly Id[] = []): void {
    const { maxClientCnxns: max, log, registry, context } = this.opts;
    // As ZooKeeper counts and names them: one address, however the socket family spells it.
    const ip = javaHostAddress(socket.remoteAddress ?? "unknown");
    const count = this.connectionsPerIp.get(ip) ?? 0;
    if (max > 0 && count >= max) {
      // ZooKeeper's words, its InetAddress printed with the leading slash.
      log.warn({ ip, max }, `Too many connections from /${ip} - max is ${max}`);
      context.metrics.connectionRejected.add();
      socket.destroy();
      return;
    }
    this.connectionsPerIp.set(ip, count + 1);
    const conn = new ClientConnection(socket, context);
    for (const identity of identities) conn.addIdentity(identity);
    registry.add(conn);
    socket.once("close", () => {
      const n = (this.connectionsPerIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.connectionsPerIp.delete(ip);
      else this.connectionsPerIp.set(ip, n);
    });
    // A connection that never completes its handshake must not hold a slot forever.
    const handshakeTimer = setTimeout(() => {
      if (conn.isEstablished || conn.isClosed) return;
      this.countExpired();
      conn.close("no session established in time");
    }, this.opts.handshakeDeadlineMs);
    handshakeTimer.unref();
    socket.once("close", () => clearTimeout(handshakeTimer));
  }

  /** A connection closed by the handshake deadline (ZooKeeper's sessionless_connections_expired). */
  private countExpired(): void {
    this.opts.context.metrics.sessionlessConnectionsExpired.add();
  }
}
