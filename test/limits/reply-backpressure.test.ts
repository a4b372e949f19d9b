// A client that pipelines reads and never reads the replies must not grow the server without
// bound: once a connection's unsent replies pass a bound, the server stops reading its requests
// (TCP pushes back on the client) until the replies drain. Before this, 300 getData of a 1 MB
// znode from one such client grew the server by the whole 300 MB.
import { readFileSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { join } from "node:path";
import { ZooKeeperClient } from "@paddock/client";
import {
  FrameDecoder,
  JuteReader,
  JuteWriter,
  OpCode,
  readReplyHeader,
  writeConnectRequest,
  writeRequest,
  writeRequestHeader,
} from "@paddock/jute";
import { afterAll, describe, expect, it } from "vitest";
import { PADDOCK_SERVER_PATH } from "../support/paddock.js";
import {
  freePort,
  makeTempDir,
  type StartedProcess,
  startProcess,
  stopProcess,
  waitForImok,
  writeZooCfg,
} from "../support/process.js";

const VALUE_BYTES = 1_000_000;
const READS = 300;

let server: StartedProcess | undefined;
afterAll(async () => {
  if (server !== undefined) await stopProcess(server);
});

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kb * 1024;
}

function frame(write: (w: JuteWriter) => void): Buffer {
  const w = new JuteWriter();
  const at = w.startFrame();
  write(w);
  w.finishFrame(at);
  return w.toBuffer();
}

describe("reply backpressure", () => {
  it("a client that never reads its replies does not grow the server; its replies all arrive later", async () => {
    const dir = makeTempDir("paddock-backpressure");
    const port = await freePort();
    server = startProcess(process.execPath, [PADDOCK_SERVER_PATH, writeZooCfg(dir, join(dir, "data"), port)]);
    expect(await waitForImok(server, "127.0.0.1", port, 15_000)).toBe(true);
    const pid = server.child.pid!;
    const writer = new ZooKeeperClient({ connectString: `127.0.0.1:${port}`, sessionTimeoutMs: 30_000 });
    await writer.connect();
    await writer.create("/big", Buffer.alloc(VALUE_BYTES, 7));

    const socket: Socket = createConnection({ host: "127.0.0.1", port });
    await new Promise((r) => socket.once("connect", r));
    const replies: number[] = [];
    let handshakeDone = false;
    const decoder = new FrameDecoder(VALUE_BYTES * 2);
    socket.on("data", (chunk) =>
      decoder.push(chunk, (f) => {
        if (!handshakeDone) {
          handshakeDone = true;
          return;
        }
        replies.push(readReplyHeader(new JuteReader(f)).xid);
      }),
    );
    socket.write(
      frame((w) =>
        writeConnectRequest(w, {
          protocolVersion: 0,
          lastZxidSeen: 0,
          timeOutMs: 30_000,
          sessionId: 0n,
          passwd: Buffer.alloc(16),
          readOnly: undefined,
        }),
      ),
    );
    while (!handshakeDone) await new Promise((r) => setTimeout(r, 10));

    const baseline = rssBytes(pid);
    socket.pause();
    const requests: Buffer[] = [];
    for (let xid = 1; xid <= READS; xid++) {
      requests.push(
        frame((w) => {
          writeRequestHeader(w, { xid, type: OpCode.getData });
          writeRequest(w, { type: OpCode.getData, path: "/big", watch: false });
        }),
      );
    }
    socket.write(Buffer.concat(requests));
    let peak = baseline;
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 100));
      peak = Math.max(peak, rssBytes(pid));
    }
    // The server keeps serving others meanwhile.
    expect((await writer.exists("/big"))?.dataLength).toBe(VALUE_BYTES);
    const growthMb = (peak - baseline) / 1048576;
    expect(growthMb, `server RSS grew ${growthMb.toFixed(0)} MB`).toBeLessThan(80);

    socket.resume();
    const until = Date.now() + 20_000;
    while (replies.length < READS && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(replies).toEqual(Array.from({ length: READS }, (_, i) => i + 1));
    socket.destroy();
    await writer.close();
  });
});
