import { ErrorCode, OpCode, type Stat } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { keysOf, lineShape, mntrKinds, textShape } from "./four-letter.js";
import { normaliseTranscripts } from "./normalise.js";
import type { TranscriptEntry } from "./raw-client.js";

const window = { startedAtMs: 1_763_700_000_000, endedAtMs: 1_763_700_010_000 };

function stat(overrides: Partial<Stat>): Stat {
  return {
    czxid: 0,
    mzxid: 0,
    ctime: 0,
    mtime: 0,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    dataLength: 0,
    numChildren: 0,
    pzxid: 0,
    ...overrides,
  };
}

function connect(sessionId: bigint): TranscriptEntry {
  return {
    kind: "connect",
    response: {
      protocolVersion: 0,
      timeOutMs: 4000,
      sessionId,
      passwd: Buffer.alloc(16, 7),
      readOnly: false,
    },
    sizeBytes: 37,
  };
}

describe("normaliseTranscripts", () => {
  it("replaces zxids by their rank across all transcripts, keeping 0 and -1", () => {
    const a: TranscriptEntry[] = [
      { kind: "reply", xid: 1, zxid: 0x1_0000_0005, err: 0, op: OpCode.sync, body: { path: "/" } },
      { kind: "event", zxid: -1, type: 3, state: 3, path: "/a" },
    ];
    const b: TranscriptEntry[] = [
      {
        kind: "reply",
        xid: 1,
        zxid: 0x1_0000_0003,
        err: ErrorCode.OK,
        op: OpCode.exists,
        body: { stat: stat({ czxid: 0x1_0000_0003, mzxid: 0x1_0000_0003, pzxid: 0x1_0000_0009 }) },
      },
      { kind: "reply", xid: 2, zxid: 0, err: ErrorCode.NoNode, op: OpCode.getData, extraHex: "00" },
      { kind: "reply", xid: 3, zxid: 0, err: ErrorCode.OK, op: OpCode.delete, extraHex: "00" },
    ];
    const out = normaliseTranscripts(
      [
        { label: "a", transcript: a },
        { label: "b", transcript: b },
      ],
      window,
    );
    expect(out.a?.[0]).toMatchObject({ zxid: "Z2", op: "sync", err: "OK" });
    expect(out.a?.[1]).toMatchObject({ zxid: -1, type: "NodeDataChanged" });
    expect(out.b?.[0]).toMatchObject({
      zxid: "Z1",
      body: { stat: { czxid: "Z1", mzxid: "Z1", pzxid: "Z3" } },
    });
    expect(out.b?.[1]).toEqual({ kind: "reply", op: "getData", xid: 2, zxid: 0, err: "NoNode" });
    expect(out.b?.[2]).toMatchObject({ op: "delete", extraHex: "00" });
  });

  it("gives sessions symbols in handshake order and reuses them for ephemeral owners", () => {
    const first: TranscriptEntry[] = [
      connect(0x0200n),
      {
        kind: "reply",
        xid: 1,
        zxid: 1,
        err: 0,
        op: OpCode.exists,
        body: { stat: stat({ ephemeralOwner: 0x0100n }) },
      },
    ];
    const second: TranscriptEntry[] = [connect(0x0100n), connect(0n)];
    const out = normaliseTranscripts(
      [
        { label: "first", transcript: first },
        { label: "second", transcript: second },
      ],
      window,
    );
    expect(out.first?.[0]).toMatchObject({ session: "S1", passwdBytes: 16 });
    expect(out.first?.[0]).not.toHaveProperty("passwd");
    expect(out.first?.[1]).toMatchObject({ body: { stat: { ephemeralOwner: "S2" } } });
    expect(out.second?.[1]).toMatchObject({ session: "0" });
  });

  it("expresses times as relations and flags implausible ones", () => {
    const t0 = window.startedAtMs + 5;
    const entries: TranscriptEntry[] = [
      {
        kind: "reply",
        xid: 1,
        zxid: 2,
        err: 0,
        op: 3,
        body: { stat: stat({ czxid: 1, mzxid: 1, ctime: t0, mtime: t0 }) },
      },
      {
        kind: "reply",
        xid: 2,
        zxid: 2,
        err: 0,
        op: 3,
        body: { stat: stat({ czxid: 1, mzxid: 2, ctime: t0, mtime: t0 }) },
      },
      {
        kind: "reply",
        xid: 3,
        zxid: 2,
        err: 0,
        op: 3,
        body: { stat: stat({ czxid: 1, mzxid: 1, ctime: 42, mtime: 43 }) },
      },
    ];
    const out = normaliseTranscripts([{ label: "c", transcript: entries }], window).c!;
    expect(out[0]).toMatchObject({ body: { stat: { ctime: "T", mtime: "=ctime" } } });
    expect(out[1]).toMatchObject({ body: { stat: { ctime: "T", mtime: ">=ctime" } } });
    expect(out[2]).toMatchObject({ body: { stat: { ctime: "T?42", mtime: "!=ctime(1ms)" } } });
  });

  it("sorts unordered lists and renders binary data as hex", () => {
    const entries: TranscriptEntry[] = [
      { kind: "reply", xid: 1, zxid: 1, err: 0, op: OpCode.getChildren, body: { children: ["b", "a", "c"] } },
      {
        kind: "reply",
        xid: 2,
        zxid: 1,
        err: 0,
        op: OpCode.getData,
        body: { data: Buffer.from([0, 1, 255]), stat: stat({}) },
      },
      {
        kind: "reply",
        xid: 3,
        zxid: 1,
        err: 0,
        op: OpCode.whoAmI,
        body: {
          clientInfo: [
            { authScheme: "ip", user: "127.0.0.1" },
            { authScheme: "digest", user: "bob" },
          ],
        },
      },
    ];
    const out = normaliseTranscripts([{ label: "c", transcript: entries }], window).c!;
    expect(out[0]).toMatchObject({ body: { children: ["a", "b", "c"] } });
    expect(out[1]).toMatchObject({ body: { data: "hex:0001ff" } });
    // whoAmI keeps its order: Paddock lists a connection's ids in ZooKeeper's hash-set order.
    expect(out[2]).toMatchObject({ body: { clientInfo: ["ip:127.0.0.1", "digest:bob"] } });
  });
});

describe("four-letter shapes", () => {
  it("replaces values but keeps paths and keys", () => {
    expect(lineShape("Zxid: 0x1a2b")).toBe("Zxid: 0xH");
    expect(lineShape("Latency min/avg/max: 0/7.75/25")).toBe("Latency min/avg/max: N/F/N");
    expect(lineShape(" /127.0.0.1:37942[0](queued=0,recved=1,sent=0)")).toBe(
      " /IP:PORT[N](queued=N,recved=N,sent=N)",
    );
    expect(lineShape("3 expire at Sat Nov 21 07:44:46 UTC 2026:")).toBe("N expire at DATE:");
    expect(lineShape("\t/4lw/n-0000000001")).toBe("\t/4lw/n-0000000001");
    expect(lineShape("lzxid=-1")).toBe("lzxid=N");
  });

  it("records whether the text ends with a newline", () => {
    expect(textShape("imok")).toEqual({ lines: ["imok"], trailingNewline: false });
    expect(textShape("a: 1\nb: 2\n")).toEqual({ lines: ["a: N", "b: N"], trailingNewline: true });
  });

  it("extracts keys and mntr value kinds", () => {
    expect(keysOf("Environment:\nzookeeper.version=3.8\nhost.name=x\n", "=")).toEqual([
      "<Environment:>",
      "zookeeper.version",
      "host.name",
    ]);
    const kinds = mntrKinds("zk_version\t3.8.0\nzk_avg_latency\t0.0\nzk_uptime\t123\n");
    expect([...kinds]).toEqual([
      ["zk_version", "text"],
      ["zk_avg_latency", "float"],
      ["zk_uptime", "int"],
    ]);
  });
});
