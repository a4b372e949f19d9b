// Wire-level behaviour checked against a scripted fake server: handshake bytes, xid numbering,
// FIFO reply matching and the reconnect handshake.
import * as net from "node:net";
import {
  FrameDecoder,
  JuteReader,
  JuteWriter,
  OpCode,
  readConnectRequest,
  readRequestHeader,
  writeConnectResponse,
  writeReplyHeader,
} from "@paddock/jute";
import { afterEach, describe, expect, it } from "vitest";
import { parseConnectString, ZooKeeperClient } from "../src/index.js";
import { waitFor, waitForState } from "./support/util.js";
import { pickPort } from "./support/zookeeper.js";

interface Received {
  socket: net.Socket;
  frames: Buffer[];
}

async function fakeServer(): Promise<{ port: number; conns: Received[]; server: net.Server }> {
  const conns: Received[] = [];
  const server = net.createServer((socket) => {
    const rec: Received = { socket, frames: [] };
    conns.push(rec);
    const decoder = new FrameDecoder(1 << 20);
    socket.on("data", (d) => decoder.push(d, (f) => rec.frames.push(Buffer.from(f))));
    socket.on("error", () => {});
  });
  const port = await pickPort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return { port, conns, server };
}

function frame(build: (w: JuteWriter) => void): Buffer {
  const w = new JuteWriter();
  const at = w.startFrame();
  build(w);
  w.finishFrame(at);
  return w.toBuffer();
}

const password = Buffer.alloc(16, 7);

function accept(socket: net.Socket, sessionId: bigint, timeOutMs = 6000, readOnly = false): void {
  socket.write(
    frame((w) =>
      writeConnectResponse(w, {
        protocolVersion: 0,
        timeOutMs,
        sessionId,
        passwd: password,
        readOnly,
      }),
    ),
  );
}

describe("wire protocol (fake server)", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it("parses connect strings", () => {
    expect(parseConnectString("a:1,b:2/app/x")).toEqual({
      hosts: [
        { host: "a", port: 1 },
        { host: "b", port: 2 },
      ],
      chroot: "/app/x",
    });
    expect(parseConnectString("[::1]:3,c")).toEqual({
      hosts: [
        { host: "::1", port: 3 },
        { host: "c", port: 2181 },
      ],
      chroot: "",
    });
    expect(() => parseConnectString("a:99999")).toThrow();
    expect(() => parseConnectString("a:1/bad/")).toThrow();
  });

  it("sends the readOnly byte, numbers xids from 1 and resumes with session, password and zxid", async () => {
    const { port, conns, server } = await fakeServer();
    const client = new ZooKeeperClient({
      connectString: `127.0.0.1:${port}`,
      sessionTimeoutMs: 6000,
      readOnly: true,
    });
    cleanups.push(() => {
      client.dropConnection();
      void client.close();
      server.close();
    });
    const connecting = client.connect();
    await waitFor(() => conns[0]?.frames.length === 1);
    const first = conns[0] as Received;
    const hello = first.frames[0] as Buffer;
    expect(hello.length).toBe(45);
    const req = readConnectRequest(new JuteReader(hello));
    expect(req).toMatchObject({
      protocolVersion: 0,
      lastZxidSeen: 0,
      timeOutMs: 6000,
      sessionId: 0n,
      readOnly: true,
    });
    expect(req.passwd).toEqual(Buffer.alloc(16));
    accept(first.socket, 0x1234n);
    await connecting;
    expect(client.sessionId).toBe(0x1234n);

    const p1 = client.exists("/a");
    const p2 = client.exists("/b");
    await waitFor(() => first.frames.length === 3);
    const xids = first.frames.slice(1).map((f) => readRequestHeader(new JuteReader(f)));
    expect(xids).toEqual([
      { xid: 1, type: OpCode.exists },
      { xid: 2, type: OpCode.exists },
    ]);
    first.socket.write(frame((w) => writeReplyHeader(w, { xid: 1, zxid: 0x500, err: -101 })));
    expect(await p1).toBeNull();
    expect(client.lastZxid).toBe(0x500);

    // A reply for the wrong xid breaks FIFO order: the client must drop the connection.
    first.socket.write(frame((w) => writeReplyHeader(w, { xid: 9, zxid: 0x501, err: -101 })));
    await expect(p2).rejects.toMatchObject({ code: -4 });
    await waitFor(() => conns.length === 2 && (conns[1] as Received).frames.length === 1);
    const again = readConnectRequest(new JuteReader((conns[1] as Received).frames[0] as Buffer));
    expect(again).toMatchObject({ sessionId: 0x1234n, lastZxidSeen: 0x500 });
    expect(again.passwd).toEqual(password);
    accept((conns[1] as Received).socket, 0x1234n);
    await waitForState(client, "connected");
  });

  it("reports a read-only server", async () => {
    const { port, conns, server } = await fakeServer();
    const client = new ZooKeeperClient({ connectString: `127.0.0.1:${port}`, readOnly: true });
    const seen: boolean[] = [];
    client.on("connected", (info) => seen.push(info.readOnly));
    cleanups.push(() => {
      client.dropConnection();
      void client.close();
      server.close();
    });
    const connecting = client.connect();
    await waitFor(() => conns[0]?.frames.length === 1);
    accept((conns[0] as Received).socket, 3n, 6000, true);
    await connecting;
    expect(client.readOnly).toBe(true);
    expect(seen).toEqual([true]);
  });

  it("turns a zero timeout in the handshake into expiry", async () => {
    const { port, conns, server } = await fakeServer();
    const client = new ZooKeeperClient({
      connectString: `127.0.0.1:${port}`,
      sessionId: 5n,
      sessionPassword: password,
    });
    cleanups.push(() => {
      server.close();
    });
    const connecting = client.connect();
    await waitFor(() => conns[0]?.frames.length === 1);
    accept((conns[0] as Received).socket, 0n, 0);
    await expect(connecting).rejects.toMatchObject({ code: -112 });
    expect(client.state).toBe("expired");
  });

  it("pings at about a third of the negotiated timeout", async () => {
    const { port, conns, server } = await fakeServer();
    const client = new ZooKeeperClient({ connectString: `127.0.0.1:${port}`, sessionTimeoutMs: 900 });
    cleanups.push(() => {
      client.dropConnection();
      void client.close();
      server.close();
    });
    const connecting = client.connect();
    await waitFor(() => conns[0]?.frames.length === 1);
    const conn = conns[0] as Received;
    const at = Date.now();
    accept(conn.socket, 9n, 900);
    await connecting;
    await waitFor(() => conn.frames.length === 2, 2000);
    const elapsed = Date.now() - at;
    expect(readRequestHeader(new JuteReader(conn.frames[1] as Buffer))).toEqual({
      xid: -2,
      type: OpCode.ping,
    });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(600);
    // No answer to the ping: the connection is declared dead at 2/3 of the timeout.
    await waitForState(client, "disconnected", 2000);
    expect(Date.now() - at).toBeLessThan(1000);
  });
});
