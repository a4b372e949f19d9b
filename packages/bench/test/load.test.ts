import { createServer, type Server, type Socket } from "node:net";
import {
  ErrorCode,
  FrameDecoder,
  JuteReader,
  JuteWriter,
  OpCode,
  readConnectRequest,
  writeConnectResponse,
  writeReplyHeader,
} from "@paddock/jute";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LOAD_OPTIONS, parseHostList } from "../src/args.js";
import { BenchSession, type ReplyHandler, SessionRequester } from "../src/connection.js";
import { runLoad } from "../src/load.js";
import { formatResult } from "../src/report.js";
import { freePort, type LaunchedTarget, launchTarget, paddockMissing } from "../src/servers.js";

/** A scripted server: completes handshakes and answers every request with OK, optionally swapping pairs. */
async function fakeServer(
  swapPairs: boolean,
  maxConnections = Infinity,
): Promise<{ server: Server; port: number }> {
  let connections = 0;
  const server = createServer((socket: Socket) => {
    connections += 1;
    if (connections > maxConnections) {
      socket.destroy();
      return;
    }
    const decoder = new FrameDecoder(1 << 20);
    let handshakeDone = false;
    let held: number | undefined;
    const reply = (xid: number) => {
      const w = new JuteWriter();
      const at = w.startFrame();
      writeReplyHeader(w, { xid, zxid: 1, err: ErrorCode.OK });
      w.finishFrame(at);
      socket.write(w.toBuffer());
    };
    socket.on("data", (chunk) =>
      decoder.push(chunk, (body) => {
        const r = new JuteReader(body);
        if (!handshakeDone) {
          const req = readConnectRequest(r);
          handshakeDone = true;
          const w = new JuteWriter();
          const at = w.startFrame();
          writeConnectResponse(w, {
            protocolVersion: 0,
            timeOutMs: req.timeOutMs,
            sessionId: 7n,
            passwd: Buffer.alloc(16),
            readOnly: false,
          });
          w.finishFrame(at);
          socket.write(w.toBuffer());
          return;
        }
        const xid = r.readInt();
        if (!swapPairs) return reply(xid);
        if (held === undefined) {
          held = xid;
          return;
        }
        reply(xid);
        reply(held);
        held = undefined;
      }),
    );
    socket.on("error", () => {});
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { server, port };
}

class Recorder implements ReplyHandler {
  tags: number[] = [];
  closed: { inFlight: number; error: Error | undefined } | undefined;
  onReply(_s: BenchSession, tag: number, err: number, latencyMs: number): void {
    expect(err).toBe(ErrorCode.OK);
    expect(latencyMs).toBeGreaterThanOrEqual(0);
    this.tags.push(tag);
  }
  onClose(_s: BenchSession, inFlight: number, error: Error | undefined): void {
    this.closed = { inFlight, error };
  }
}

const until = async (cond: () => boolean, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("BenchSession against a scripted server", () => {
  it("pipelines hundreds of requests in one write and matches replies in order", async () => {
    const { server, port } = await fakeServer(false);
    const session = await BenchSession.open({ host: "127.0.0.1", port, sessionTimeoutMs: 30_000 });
    expect(session.sessionId).toBe(7n);
    const rec = new Recorder();
    session.handler = rec;
    // More than the ring's initial 64 slots, so it has to grow with requests in flight.
    for (let i = 0; i < 300; i++) session.enqueue({ type: OpCode.exists, path: `/k${i}`, watch: false }, i);
    expect(session.inFlight).toBe(300);
    session.flush();
    await until(() => rec.tags.length === 300);
    expect(rec.tags).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(session.inFlight).toBe(0);
    session.destroy();
    expect(rec.closed).toBeUndefined();
    server.close();
  });

  it("drops the connection and reports in-flight requests when replies come out of order", async () => {
    const { server, port } = await fakeServer(true);
    const session = await BenchSession.open({ host: "127.0.0.1", port, sessionTimeoutMs: 30_000 });
    const rec = new Recorder();
    session.handler = rec;
    for (let i = 0; i < 4; i++) session.enqueue({ type: OpCode.sync, path: "/" }, i);
    session.flush();
    await until(() => rec.closed !== undefined);
    expect(rec.tags).toEqual([]);
    expect(rec.closed?.inFlight).toBe(4);
    expect(rec.closed?.error?.message).toMatch(/out of order/);
    server.close();
  });
});

describe("runLoad failures", () => {
  it("fails cleanly, closing the sessions it did open, when the server refuses some", async () => {
    const { server, port } = await fakeServer(false, 3);
    await expect(
      runLoad({
        ...DEFAULT_LOAD_OPTIONS,
        hosts: [{ host: "127.0.0.1", port }],
        workload: "create",
        clients: 4,
        durationMs: 100,
        warmupMs: 0,
      }),
    ).rejects.toThrow(/2 of 4 sessions failed: 127\.0\.0\.1:\d+: /);
    server.close();
  });
});

// npm test builds the bundle first; a missing one is a broken setup, so fail rather than skip.
const missingBundle = paddockMissing();
if (missingBundle !== undefined) throw new Error(missingBundle);

describe("runLoad against a Paddock server", () => {
  let target: LaunchedTarget;

  beforeAll(async () => {
    target = await launchTarget("paddock", { kind: "standalone" });
  });

  afterAll(async () => {
    await target?.stop();
  });

  async function rootGone(root: string): Promise<boolean> {
    const session = await BenchSession.open({
      ...parseHostList(target.connectString)[0]!,
      sessionTimeoutMs: 10_000,
    });
    const { err } = await new SessionRequester(session).request({
      type: OpCode.exists,
      path: root,
      watch: false,
    });
    await session.close();
    return err === ErrorCode.NoNode;
  }

  it("runs a short pipelined mix with no errors and removes its znodes", async () => {
    const result = await runLoad({
      ...DEFAULT_LOAD_OPTIONS,
      hosts: parseHostList(target.connectString),
      workload: "mix",
      clients: 4,
      outstanding: 4,
      znodes: 50,
      durationMs: 1000,
      warmupMs: 200,
    });
    expect(result.ops).toBeGreaterThan(0);
    expect(result.errorCount).toBe(0);
    expect(result.errors).toEqual([]);
    expect(result.lostClients).toBe(0);
    expect(result.cleanupError).toBeUndefined();
    expect(result.measuredMs).toBeGreaterThanOrEqual(990);
    expect(result.opsPerSec).toBeCloseTo((result.ops * 1000) / result.measuredMs, 6);
    expect(result.readLatency!.count + result.writeLatency!.count).toBe(result.ops);
    expect(result.readLatency!.count).toBeGreaterThan(result.writeLatency!.count);
    expect(result.latency.p50Ms).toBeGreaterThan(0);
    expect(result.latency.p50Ms).toBeLessThanOrEqual(result.latency.p99Ms);
    expect(result.latency.p99Ms).toBeLessThanOrEqual(result.latency.maxMs);
    expect(formatResult(result)).toMatch(/ops\/s\s+[\d,]+/);
    expect(await rootGone(result.root)).toBe(true);
  });

  it("creates unique znodes and deletes them afterwards", async () => {
    const result = await runLoad({
      ...DEFAULT_LOAD_OPTIONS,
      hosts: parseHostList(target.connectString),
      workload: "create",
      clients: 2,
      outstanding: 8,
      durationMs: 300,
      warmupMs: 0,
      root: "/bench-create-test",
    });
    expect(result.ops).toBeGreaterThan(0);
    expect(result.errorCount).toBe(0);
    expect(result.cleanupError).toBeUndefined();
    expect(await rootGone("/bench-create-test")).toBe(true);
  });

  it("refuses an existing root and leaves what is under it alone", async () => {
    const hosts = parseHostList(target.connectString);
    const session = await BenchSession.open({ ...hosts[0]!, sessionTimeoutMs: 10_000 });
    const req = new SessionRequester(session);
    const acl = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
    expect((await req.request({ type: OpCode.create, path: "/mine", data: null, acl, flags: 0 })).err).toBe(
      0,
    );
    expect(
      (await req.request({ type: OpCode.create, path: "/mine/k0", data: null, acl, flags: 0 })).err,
    ).toBe(0);
    await expect(
      runLoad({
        ...DEFAULT_LOAD_OPTIONS,
        hosts,
        workload: "set",
        root: "/mine",
        durationMs: 100,
        warmupMs: 0,
      }),
    ).rejects.toThrow(/\/mine already exists/);
    expect((await req.request({ type: OpCode.exists, path: "/mine/k0", watch: false })).err).toBe(0);
    await session.close();
  });
});
