// client.portUnification: one port for TLS and plaintext clients, told apart by the first byte a
// client sends (a TLS ClientHello starts with the handshake record type, 0x16; a ZooKeeper
// ConnectRequest starts with its length, whose top byte is 0 for any frame a server accepts), as
// ZooKeeper's UnifiedServerSocket and Netty's OptionalSslHandler tell them apart.

import { createServer, type Server, type Socket } from "node:net";
import { Duplex } from "node:stream";

export const TLS_HANDSHAKE_RECORD = 0x16;

/**
 * The socket's stream with `first` (already read off it) in front, as a plain Duplex: a TLSSocket
 * built on it reads `first` too (one built on the socket itself would take over its handle and
 * never see bytes already read).
 */
export function replaying(socket: Socket, first: Buffer): Duplex {
  const stream = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, done) {
      socket.write(chunk, done);
    },
    final(done) {
      socket.end();
      done();
    },
    destroy(err, done) {
      socket.destroy(err ?? undefined);
      done(err);
    },
  });
  socket.on("data", (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on("end", () => stream.push(null));
  socket.on("close", () => stream.destroy());
  stream.push(first);
  return stream;
}

/**
 * Hands a new connection, once its first bytes arrive, to `route.tls` (as a stream that replays
 * them) when they open a TLS handshake, else to `route.plain` (the socket, the bytes put back).
 * With `detectionTimeoutMs`, a connection that sends nothing for that long goes to `route.plain`,
 * as ZooKeeper's UnifiedServerSocket takes a silent peer link for plaintext.
 */
export function routeByFirstByte(
  socket: Socket,
  route: { plain(socket: Socket): void; tls(stream: Duplex): void },
  detectionTimeoutMs?: number,
): void {
  socket.on("error", () => socket.destroy());
  const silent =
    detectionTimeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          socket.removeListener("data", onFirst);
          route.plain(socket);
        }, detectionTimeoutMs);
  silent?.unref();
  socket.once("close", () => clearTimeout(silent));
  const onFirst = (first: Buffer) => {
    clearTimeout(silent);
    socket.pause();
    if (first[0] === TLS_HANDSHAKE_RECORD) {
      route.tls(replaying(socket, first));
    } else {
      socket.unshift(first);
      route.plain(socket);
    }
    socket.resume();
  };
  socket.once("data", onFirst);
}

/** One port for two servers: each connection goes to `secure` or `plain` by its first byte. */
export function unifiedServer(
  plain: { emit(event: "connection", socket: Duplex): boolean },
  secure: { emit(event: "connection", socket: Duplex): boolean },
  detectionTimeoutMs?: number,
): Server {
  return createServer((socket) =>
    routeByFirstByte(
      socket,
      {
        plain: (s) => plain.emit("connection", s),
        tls: (stream) => secure.emit("connection", stream),
      },
      detectionTimeoutMs,
    ),
  );
}
