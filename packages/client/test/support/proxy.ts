// A loopback TCP forwarder whose "network" can be cut or stalled, to simulate partitions between
// a client and the server without touching either.
import * as net from "node:net";
import { pickPort } from "./zookeeper.js";

export class TcpProxy {
  port = 0;
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private blocked = false;
  private stalled = false;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<void> {
    this.port = await pickPort();
    this.server = net.createServer((client) => {
      if (this.blocked) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.targetPort, "127.0.0.1");
      this.sockets.add(client).add(upstream);
      // Bytes arriving while stalled are dropped, like a black-holed route.
      client.on("data", (d) => {
        if (!this.stalled) upstream.write(d);
      });
      upstream.on("data", (d) => {
        if (!this.stalled) client.write(d);
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on("close", end).on("error", end);
      upstream.on("close", end).on("error", end);
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Cuts every connection and refuses new ones until `unblock`. */
  block(): void {
    this.blocked = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  unblock(): void {
    this.blocked = false;
  }

  /** Keeps connections open but silently drops all bytes, then cuts them on `unstall`. */
  stall(): void {
    this.stalled = true;
  }

  unstall(): void {
    this.stalled = false;
    // Streams that lost bytes are unusable; only fresh connections are trustworthy.
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async stop(): Promise<void> {
    this.block();
    const server = this.server;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
