// Byte strings from §17 of the client-protocol reference, encoded and decoded through the
// public codec exactly as a server or client would frame them.
import { describe, expect, it } from "vitest";
import {
  EventType,
  FrameDecoder,
  JuteReader,
  JuteWriter,
  KeeperState,
  OpCode,
  readConnectRequest,
  readConnectResponse,
  readReplyHeader,
  readRequest,
  readRequestHeader,
  readStat,
  readWatcherEvent,
  type Stat,
  writeConnectRequest,
  writeConnectResponse,
  writeReplyHeader,
  writeRequest,
  writeRequestHeader,
  writeStat,
  writeWatcherEvent,
  Xid,
} from "../src/index.js";
import { hex } from "./prng.js";

function framed(write: (w: JuteWriter) => void): Buffer {
  const w = new JuteWriter(16);
  const at = w.startFrame();
  write(w);
  w.finishFrame(at);
  return w.toBuffer();
}

function onlyFrame(bytes: Buffer): Buffer {
  const bodies: Buffer[] = [];
  new FrameDecoder(0xfffff).push(bytes, (b) => bodies.push(b));
  expect(bodies).toHaveLength(1);
  return bodies[0]!;
}

const connectRequest45 = hex(`
  00 00 00 2D  00 00 00 00  00 00 00 00 00 00 00 00  00 00 75 30  00 00 00 00 00 00 00 00
  00 00 00 10  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  00`);

const connectResponse41 = hex(`
  00 00 00 25  00 00 00 00  00 00 75 30  01 00 00 0A 1B 2C 00 00
  00 00 00 10  A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 AA AB AC AD AE AF  00`);

describe("§17 worked examples", () => {
  it("ConnectRequest with readOnly: 49 bytes, body 45", () => {
    const bytes = framed((w) =>
      writeConnectRequest(w, {
        protocolVersion: 0,
        lastZxidSeen: 0,
        timeOutMs: 30_000,
        sessionId: 0n,
        passwd: Buffer.alloc(16),
        readOnly: false,
      }),
    );
    expect(bytes).toEqual(connectRequest45);
    expect(readConnectRequest(new JuteReader(onlyFrame(bytes)))).toEqual({
      protocolVersion: 0,
      lastZxidSeen: 0,
      timeOutMs: 30_000,
      sessionId: 0n,
      passwd: Buffer.alloc(16),
      readOnly: false,
    });
  });

  it("ConnectRequest without readOnly: length 44, last byte absent", () => {
    const expected = Buffer.concat([hex("0000002C"), connectRequest45.subarray(4, 48)]);
    const bytes = framed((w) =>
      writeConnectRequest(w, {
        protocolVersion: 0,
        lastZxidSeen: 0,
        timeOutMs: 30_000,
        sessionId: 0n,
        passwd: Buffer.alloc(16),
        readOnly: undefined,
      }),
    );
    expect(bytes).toEqual(expected);
    expect(readConnectRequest(new JuteReader(onlyFrame(bytes))).readOnly).toBeUndefined();
  });

  it("ConnectResponse: 41 bytes", () => {
    const passwd = hex("A0A1A2A3A4A5A6A7A8A9AAABACADAEAF");
    const bytes = framed((w) =>
      writeConnectResponse(w, {
        protocolVersion: 0,
        timeOutMs: 30_000,
        sessionId: 0x0100000a1b2c0000n,
        passwd,
        readOnly: false,
      }),
    );
    expect(bytes).toEqual(connectResponse41);
    const res = readConnectResponse(new JuteReader(onlyFrame(connectResponse41)));
    expect(res).toEqual({
      protocolVersion: 0,
      timeOutMs: 30_000,
      sessionId: 0x0100000a1b2c0000n,
      passwd,
      readOnly: false,
    });
  });

  it("invalid-session ConnectResponse", () => {
    const expected = hex(
      `00 00 00 25 00 00 00 00 00 00 00 00 ${"00 ".repeat(8)} 00 00 00 10 ${"00 ".repeat(16)} 00`,
    );
    const bytes = framed((w) =>
      writeConnectResponse(w, {
        protocolVersion: 0,
        timeOutMs: 0,
        sessionId: 0n,
        passwd: Buffer.alloc(16),
        readOnly: false,
      }),
    );
    expect(bytes).toEqual(expected);
  });

  it("getData('/a', watch) request with xid 1: 19 bytes", () => {
    const expected = hex("0000000F 00000001 00000004 00000002 2F61 01");
    const bytes = framed((w) => {
      writeRequestHeader(w, { xid: 1, type: OpCode.getData });
      writeRequest(w, { type: OpCode.getData, path: "/a", watch: true });
    });
    expect(bytes).toEqual(expected);
    const r = new JuteReader(onlyFrame(expected));
    expect(readRequestHeader(r)).toEqual({ xid: 1, type: OpCode.getData });
    expect(readRequest(OpCode.getData, r)).toEqual({ type: OpCode.getData, path: "/a", watch: true });
    expect(r.remaining).toBe(0);
  });

  it("getData reply with data 'hi': 94 bytes", () => {
    const stat: Stat = {
      czxid: 0x100000005,
      mzxid: 0x100000005,
      ctime: 1_763_700_000_000,
      mtime: 1_763_700_000_000,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      dataLength: 2,
      numChildren: 0,
      pzxid: 0x100000005,
    };
    const bytes = framed((w) => {
      writeReplyHeader(w, { xid: 1, zxid: 0x100000005, err: 0 });
      w.writeBuffer(Buffer.from("hi"));
      writeStat(w, stat);
    });
    expect(bytes.length).toBe(94);
    expect(bytes.subarray(0, 26)).toEqual(hex("0000005A 00000001 0000000100000005 00000000 00000002 6869"));
    const r = new JuteReader(onlyFrame(bytes));
    expect(readReplyHeader(r)).toEqual({ xid: 1, zxid: 0x100000005, err: 0 });
    expect(r.readBuffer()).toEqual(Buffer.from("hi"));
    expect(readStat(r)).toEqual(stat);
  });

  it("getData NoNode reply: header only", () => {
    const expected = hex("00000010 00000001 0000000100000005 FFFFFF9B");
    expect(framed((w) => writeReplyHeader(w, { xid: 1, zxid: 0x100000005, err: -101 }))).toEqual(expected);
    expect(readReplyHeader(new JuteReader(onlyFrame(expected)))).toEqual({
      xid: 1,
      zxid: 0x100000005,
      err: -101,
    });
  });

  it("ping request and reply", () => {
    const request = hex("00000008 FFFFFFFE 0000000B");
    expect(framed((w) => writeRequestHeader(w, { xid: Xid.ping, type: OpCode.ping }))).toEqual(request);
    const reply = framed((w) => writeReplyHeader(w, { xid: Xid.ping, zxid: 0x1_0000_0007, err: 0 }));
    expect(reply).toEqual(hex("00000010 FFFFFFFE 0000000100000007 00000000"));
  });

  it.each([
    ["3.9+", 0x100000006, "0000000100000006"],
    ["3.8", -1, "FFFFFFFFFFFFFFFF"],
  ])("NodeDataChanged notification for /a (%s)", (_v, zxid, zxidHex) => {
    const expected = hex(`0000001E FFFFFFFF ${zxidHex} 00000000 00000003 00000003 00000002 2F61`);
    const bytes = framed((w) => {
      writeReplyHeader(w, { xid: Xid.notification, zxid, err: 0 });
      writeWatcherEvent(w, { type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: "/a" });
    });
    expect(bytes).toEqual(expected);
    const r = new JuteReader(onlyFrame(expected));
    expect(readReplyHeader(r)).toEqual({ xid: -1, zxid, err: 0 });
    expect(readWatcherEvent(r)).toEqual({ type: 3, state: 3, path: "/a" });
  });

  it("digest auth packet and its success reply", () => {
    const expected = hex(`00000027 FFFFFFFC 00000064 00000000 00000006 646967657374
      0000000D 757365723A70617373776F7264`);
    const bytes = framed((w) => {
      writeRequestHeader(w, { xid: Xid.auth, type: OpCode.auth });
      writeRequest(w, {
        type: OpCode.auth,
        authType: 0,
        scheme: "digest",
        auth: Buffer.from("user:password"),
      });
    });
    expect(bytes).toEqual(expected);
    const r = new JuteReader(onlyFrame(expected));
    expect(readRequestHeader(r)).toEqual({ xid: -4, type: 100 });
    expect(readRequest(OpCode.auth, r)).toEqual({
      type: OpCode.auth,
      authType: 0,
      scheme: "digest",
      auth: Buffer.from("user:password"),
    });
    const reply = framed((w) => writeReplyHeader(w, { xid: Xid.auth, zxid: 0, err: 0 }));
    expect(reply).toEqual(hex("00000010 FFFFFFFC 0000000000000000 00000000"));
  });
});
