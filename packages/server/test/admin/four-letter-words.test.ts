// Expected texts were captured from Apache ZooKeeper 3.8.0 (Debian 3.8.0-11+deb12u2, standalone,
// loopback, 4lw.commands.whitelist=*) with `printf <word> | nc -q1 127.0.0.1 <port>`. Inputs below
// are the values that server reported, so the comparison is byte for byte.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type ConnectionInfo,
  FOUR_LETTER_WORDS,
  type FourLetterSource,
  formatConf,
  formatCons,
  formatDirs,
  formatDump,
  formatEnvi,
  formatIsro,
  formatMntr,
  formatRuok,
  formatSrvr,
  formatStat,
  formatWchc,
  formatWchp,
  formatWchs,
  fourLetterWordOf,
  isEnabled,
  javaDate,
  javaDouble,
  javaHex,
  javaSocketAddress,
  NOT_SERVING_MESSAGE,
  notInWhitelistMessage,
  parseWhitelist,
  roundHalfUp4,
  runFourLetterWord,
  type ServerSummary,
} from "../../src/admin/four-letter-words.js";
import { MNTR_COUNTERS, MNTR_PERCENTILE_SUMMARIES, MNTR_SUMMARIES } from "../../src/admin/mntr.js";
import { javaHostAddress } from "../../src/net/java-address.js";

// The Debian build prints an unexpanded Maven property in its version.
const VERSION = ["3.8.0-$", "{mvngit.commit.id}, built on 2024-12-29 17:54 UTC"].join("");

const fresh: ServerSummary = {
  version: VERSION,
  mode: "standalone",
  minLatencyMs: 0,
  avgLatencyMs: 0,
  maxLatencyMs: 0,
  packetsReceived: 3,
  packetsSent: 2,
  aliveConnections: 1,
  outstandingRequests: 0,
  lastZxid: 0,
  nodeCount: 5,
};

const fourLetterConn = (port: number): ConnectionInfo => ({
  remoteAddress: "127.0.0.1",
  remotePort: port,
  interestOps: 0,
  queuedRequests: 0,
  packetsReceived: 1,
  packetsSent: 0,
});

describe("whitelist", () => {
  it("defaults to srvr only and always keeps srvr", () => {
    expect(parseWhitelist(undefined)).toEqual(new Set(["srvr"]));
    expect(parseWhitelist("")).toEqual(new Set(["srvr"]));
    expect(parseWhitelist(" ruok , mntr,bogus,,")).toEqual(new Set(["ruok", "mntr", "srvr"]));
    expect(parseWhitelist("stat", { readOnlyModeEnabled: true })).toEqual(new Set(["stat", "isro", "srvr"]));
  });

  it("`*` (even after other entries) enables every known word", () => {
    expect(parseWhitelist("ruok, * ")).toBe("*");
    for (const w of FOUR_LETTER_WORDS) expect(isEnabled(w, "*")).toBe(true);
    expect(isEnabled("nope", "*")).toBe(false);
    const wl = parseWhitelist("ruok");
    expect(isEnabled("ruok", wl)).toBe(true);
    expect(isEnabled("srvr", wl)).toBe(true);
    expect(isEnabled("stat", wl)).toBe(false);
  });

  it("words the whitelist excludes get ZooKeeper's message (observed for ruok, stat, mntr)", () => {
    expect(notInWhitelistMessage("ruok")).toBe("ruok is not executed because it is not in the whitelist.\n");
  });

  it("recognises words only from their exact first four bytes", () => {
    expect(fourLetterWordOf(Buffer.from("ruok\n"))).toBe("ruok");
    expect(fourLetterWordOf(Buffer.from("stmk\0\0\0\0\0\0\0\xfa", "latin1"))).toBe("stmk");
    expect(fourLetterWordOf(Buffer.from("RUOK"))).toBeUndefined();
    expect(fourLetterWordOf(Buffer.from([0, 0, 0, 45]))).toBeUndefined();
    expect(fourLetterWordOf(Buffer.from("ruo"))).toBeUndefined();
  });
});

describe("Java renderings", () => {
  it("doubles", () => {
    expect(javaDouble(0)).toBe("0.0");
    expect(javaDouble(7.75)).toBe("7.75");
    expect(javaDouble(3)).toBe("3.0");
    expect(javaDouble(1.5e7)).toBe("1.5E7");
    expect(javaDouble(1e7)).toBe("1.0E7");
    expect(javaDouble(0.0001)).toBe("1.0E-4");
  });

  it("rounds averages HALF_UP to 4 decimals on the decimal text", () => {
    expect(roundHalfUp4(4 / 3)).toBe(1.3333);
    expect(roundHalfUp4(2 / 3)).toBe(0.6667);
    expect(roundHalfUp4(2.35)).toBe(2.35);
    expect(roundHalfUp4(1.00005)).toBe(1.0001); // 1.00005 * 10^4 is 10000.49999... in binary
    expect(roundHalfUp4(9.99995)).toBe(10);
    expect(roundHalfUp4(-0.66666)).toBe(-0.6667);
  });

  it("hex like Long.toHexString", () => {
    expect(javaHex(0)).toBe("0");
    expect(javaHex(0x63)).toBe("63");
    expect(javaHex(-1)).toBe("ffffffffffffffff");
    expect(javaHex(BigInt.asIntN(64, 0xc800000000010000n))).toBe("c800000000010000");
  });

  it("socket addresses like InetSocketAddress.toString", () => {
    expect(javaSocketAddress("127.0.0.1", 37932)).toBe("/127.0.0.1:37932");
    expect(javaSocketAddress("::ffff:10.1.2.3", 5)).toBe("/10.1.2.3:5");
    expect(javaSocketAddress("::1", 2181)).toBe("/[0:0:0:0:0:0:0:1]:2181");
    expect(javaSocketAddress("fe80::a:0b", 1)).toBe("/[fe80:0:0:0:0:0:a:b]:1");
    // An address already in Java's form (a connection's remoteAddress) stays as it is.
    expect(javaSocketAddress("0:0:0:0:0:0:0:1", 2181)).toBe("/[0:0:0:0:0:0:0:1]:2181");
  });

  it("client addresses like InetAddress.getHostAddress", () => {
    expect(javaHostAddress("::1")).toBe("0:0:0:0:0:0:0:1");
    expect(javaHostAddress("::ffff:10.1.2.3")).toBe("10.1.2.3");
    expect(javaHostAddress("fd00::2%eth0")).toBe("fd00:0:0:0:0:0:0:2%eth0");
    expect(javaHostAddress("127.0.0.1")).toBe("127.0.0.1");
  });

  it("dates like Date.toString in UTC", () => {
    expect(javaDate(Date.UTC(2026, 10, 21, 7, 44, 46))).toBe("Sat Nov 21 07:44:46 UTC 2026");
    expect(javaDate(Date.UTC(2027, 0, 3, 0, 0, 9))).toBe("Sun Jan 03 00:00:09 UTC 2027");
  });
});

describe("formatters match ZooKeeper 3.8.0", () => {
  it("ruok has no newline", () => {
    expect(formatRuok()).toBe("imok");
  });

  it("srvr on a fresh standalone server", () => {
    expect(formatSrvr({ ...fresh, packetsReceived: 2, packetsSent: 1 })).toBe(
      `Zookeeper version: ${VERSION}\n` +
        "Latency min/avg/max: 0/0.0/0\n" +
        "Received: 2\n" +
        "Sent: 1\n" +
        "Connections: 1\n" +
        "Outstanding: 0\n" +
        "Zxid: 0x0\n" +
        "Mode: standalone\n" +
        "Node count: 5\n",
    );
  });

  it("srvr on a leader and on a read-only server", () => {
    const leader = formatSrvr({
      ...fresh,
      mode: "leader",
      proposalSizes: { lastBytes: -1, minBytes: -1, maxBytes: -1 },
    });
    expect(leader.endsWith("Mode: leader\nNode count: 5\nProposal sizes last/min/max: -1/-1/-1\n")).toBe(
      true,
    );
    const ro = formatSrvr({ ...fresh, mode: "read-only" });
    expect(ro).toMatch(/^Zookeeper version: .*\nREAD-ONLY mode; serving only read-only clients\nLatency /);
    expect(ro).toContain("\nMode: read-only\n");
  });

  it("stat with clients", () => {
    const clients: ConnectionInfo[] = [
      fourLetterConn(47998),
      { ...fourLetterConn(58114), interestOps: 1, packetsReceived: 10, packetsSent: 10 },
      { ...fourLetterConn(58122), interestOps: 1, packetsReceived: 10, packetsSent: 10 },
    ];
    const summary: ServerSummary = {
      ...fresh,
      minLatencyMs: 0,
      avgLatencyMs: 47 / 20,
      maxLatencyMs: 14,
      packetsReceived: 36,
      packetsSent: 38,
      aliveConnections: 3,
      lastZxid: 8,
      nodeCount: 8,
    };
    expect(formatStat(summary, clients)).toBe(
      `Zookeeper version: ${VERSION}\n` +
        "Clients:\n" +
        " /127.0.0.1:47998[0](queued=0,recved=1,sent=0)\n" +
        " /127.0.0.1:58114[1](queued=0,recved=10,sent=10)\n" +
        " /127.0.0.1:58122[1](queued=0,recved=10,sent=10)\n" +
        "\n" +
        "Latency min/avg/max: 0/2.35/14\n" +
        "Received: 36\n" +
        "Sent: 38\n" +
        "Connections: 3\n" +
        "Outstanding: 0\n" +
        "Zxid: 0x8\n" +
        "Mode: standalone\n" +
        "Node count: 8\n",
    );
  });

  it("cons with sessions, and after crst (lcxid omitted, lzxid -1)", () => {
    const withSession: ConnectionInfo = {
      remoteAddress: "127.0.0.1",
      remotePort: 58114,
      interestOps: 1,
      queuedRequests: 0,
      packetsReceived: 9,
      packetsSent: 9,
      session: {
        sessionId: 0x1000003f5c20000n,
        lastOp: "PING",
        establishedAtMs: 1795251076642,
        timeoutMs: 10000,
        lastCxid: 6,
        lastZxid: 8,
        lastResponseTimeMs: 296162,
        lastLatencyMs: 1,
        minLatencyMs: 0,
        avgLatencyMs: 4.7,
        maxLatencyMs: 14,
      },
    };
    expect(formatCons([withSession, fourLetterConn(58146)])).toBe(
      " /127.0.0.1:58114[1](queued=0,recved=9,sent=9,sid=0x1000003f5c20000,lop=PING,est=1795251076642," +
        "to=10000,lcxid=0x6,lzxid=0x8,lresp=296162,llat=1,minlat=0,avglat=4,maxlat=14)\n" +
        " /127.0.0.1:58146[0](queued=0,recved=1,sent=0)\n" +
        "\n",
    );
    const reset: ConnectionInfo = {
      ...withSession,
      packetsReceived: 1,
      packetsSent: 1,
      session: { ...withSession.session!, lastCxid: -1, lastZxid: -1, avgLatencyMs: 0, maxLatencyMs: 0 },
    };
    expect(formatCons([reset])).toBe(
      " /127.0.0.1:58114[1](queued=0,recved=1,sent=1,sid=0x1000003f5c20000,lop=PING,est=1795251076642," +
        "to=10000,lzxid=0xffffffffffffffff,lresp=296162,llat=1,minlat=0,avglat=0,maxlat=0)\n\n",
    );
    expect(formatCons([])).toBe("\n");
  });

  it("conf standalone", () => {
    expect(
      formatConf({
        clientPort: 22917,
        secureClientPort: -1,
        dataDir: "/tmp/wz/data/version-2",
        dataDirSizeBytes: 457,
        dataLogDir: "/tmp/wz/data/version-2",
        dataLogSizeBytes: 457,
        tickTimeMs: 2000,
        maxClientCnxns: 60,
        minSessionTimeoutMs: 4000,
        maxSessionTimeoutMs: 40000,
        clientPortListenBacklog: -1,
        serverId: 0,
      }),
    ).toBe(
      "clientPort=22917\nsecureClientPort=-1\ndataDir=/tmp/wz/data/version-2\ndataDirSize=457\n" +
        "dataLogDir=/tmp/wz/data/version-2\ndataLogSize=457\ntickTime=2000\nmaxClientCnxns=60\n" +
        "minSessionTimeout=4000\nmaxSessionTimeout=40000\nclientPortListenBacklog=-1\nserverId=0\n",
    );
  });

  it("conf on a quorum member ends with the membership and no trailing newline", () => {
    const text = formatConf({
      clientPort: 2181,
      secureClientPort: -1,
      dataDir: "/data/version-2",
      dataDirSizeBytes: 0,
      dataLogDir: "/data/version-2",
      dataLogSizeBytes: 0,
      tickTimeMs: 2000,
      maxClientCnxns: 60,
      minSessionTimeoutMs: 4000,
      maxSessionTimeoutMs: 40000,
      clientPortListenBacklog: -1,
      serverId: 2,
      quorum: {
        initLimit: 5,
        syncLimit: 2,
        electionAlg: 3,
        electionPorts: [3888],
        quorumPorts: [2888],
        peerType: 0,
        members: ["server.1=zk1:2888:3888:participant;0.0.0.0:2181", "server.2=zk2:2888:3888:participant"],
        configVersion: 0x100000000,
      },
    });
    expect(text).toMatch(
      /serverId=2\ninitLimit=5\nsyncLimit=2\nelectionAlg=3\nelectionPort=3888\nquorumPort=2888\npeerType=0\n/,
    );
    expect(
      text.endsWith(
        "membership: \nserver.1=zk1:2888:3888:participant;0.0.0.0:2181\n" +
          "server.2=zk2:2888:3888:participant\nversion=100000000",
      ),
    ).toBe(true);
  });

  it("envi keys in order, missing values as <NA>", () => {
    const text = formatEnvi({
      "zookeeper.version": VERSION,
      "host.name": "localhost",
      "os.memory.free": "368MB",
    });
    const lines = text.split("\n");
    expect(lines[0]).toBe("Environment:");
    expect(lines.slice(1, -1).map((l) => l.split("=")[0])).toEqual([
      "zookeeper.version",
      "host.name",
      "java.version",
      "java.vendor",
      "java.home",
      "java.class.path",
      "java.library.path",
      "java.io.tmpdir",
      "java.compiler",
      "os.name",
      "os.arch",
      "os.version",
      "user.name",
      "user.home",
      "user.dir",
      "os.memory.free",
      "os.memory.max",
      "os.memory.total",
    ]);
    expect(lines[1]).toBe(`zookeeper.version=${VERSION}`);
    expect(lines[9]).toBe("java.compiler=<NA>");
    expect(lines[16]).toBe("os.memory.free=368MB");
    expect(text.endsWith("os.memory.total=<NA>\n")).toBe(true);
  });

  it("mntr reproduces a fresh standalone server's full output, given every figure ZooKeeper has", () => {
    const expected = readFileSync(new URL("./fixtures/mntr-3.8.0-standalone.txt", import.meta.url), "utf8");
    // Paddock measures a subset and leaves the rest out; given them all, the layout is ZooKeeper's.
    const zero = { count: 0, sum: 0, min: 0, max: 0 };
    const text = formatMntr({
      nonMtlsRemoteConnCount: 0,
      nonMtlsLocalConnCount: 0,
      connectionDropProbability: 0,
      authFailedCount: 0,
      outstandingTlsHandshake: 0,
      summaries: Object.fromEntries([
        ...MNTR_SUMMARIES.map((n) => [n, zero]),
        ...MNTR_PERCENTILE_SUMMARIES.map((n) => [n, { ...zero, p50: 0, p95: 0, p99: 0, p999: 0 }]),
      ]),
      version: VERSION,
      serverState: "standalone",
      ephemeralsCount: 0,
      aliveConnections: 1,
      avgLatencyMs: 0,
      minLatencyMs: 0,
      maxLatencyMs: 0,
      outstandingRequests: 0,
      znodeCount: 5,
      globalSessions: 0,
      localSessions: 0,
      packetsSent: 11,
      packetsReceived: 10,
      watchCount: 0,
      approximateDataSizeBytes: 44,
      uptimeMs: 32083,
      lastClientResponseSize: -1,
      minClientResponseSize: -1,
      maxClientResponseSize: -1,
      openFileDescriptorCount: 42,
      maxFileDescriptorCount: 20000,
      counters: { ...Object.fromEntries(MNTR_COUNTERS.map((n) => [n, 0])), bytes_received_count: 40 },
    });
    expect(text).toBe(expected);
  });

  it("mntr leaves out what the snapshot does not measure, never printing a zero for it", () => {
    const text = formatMntr({
      version: "v",
      serverState: "standalone",
      ephemeralsCount: 0,
      aliveConnections: 1,
      avgLatencyMs: 0,
      minLatencyMs: 0,
      maxLatencyMs: 0,
      outstandingRequests: 0,
      znodeCount: 5,
      globalSessions: 0,
      packetsSent: 1,
      packetsReceived: 1,
      watchCount: 0,
      approximateDataSizeBytes: 44,
      uptimeMs: 1,
      lastClientResponseSize: 16,
      minClientResponseSize: 16,
      maxClientResponseSize: 16,
      counters: { response_bytes: 16 },
      summaries: { readlatency: { count: 1, sum: 2, min: 2, max: 2, p50: 2, p95: 2, p99: 2, p999: 2 } },
    });
    const keys = text.split("\n").map((l) => l.split("\t")[0]);
    expect(keys).toContain("zk_response_bytes");
    expect(keys).toContain("zk_p999_readlatency");
    for (const absent of [
      "zk_local_sessions",
      "zk_connection_drop_probability",
      "zk_auth_failed_count",
      "zk_non_mtls_remote_conn_count",
      "zk_outstanding_tls_handshake",
      "zk_throttled_ops",
      "zk_avg_updatelatency",
      "zk_avg_fsynctime",
    ]) {
      expect(keys).not.toContain(absent);
    }
  });

  it("mntr puts peer state third, skips null gauges and prints summaries", () => {
    const text = formatMntr({
      version: "v",
      serverState: "leader",
      peerState: "leading - broadcast",
      ephemeralsCount: 0,
      aliveConnections: 0,
      avgLatencyMs: 4 / 3,
      minLatencyMs: 1,
      maxLatencyMs: 2,
      outstandingRequests: 0,
      znodeCount: 5,
      globalSessions: 0,
      localSessions: 0,
      packetsSent: 0,
      packetsReceived: 0,
      watchCount: 0,
      approximateDataSizeBytes: 0,
      uptimeMs: 1,
      lastClientResponseSize: -1,
      minClientResponseSize: -1,
      maxClientResponseSize: -1,
      quorumSize: 3,
      leader: {
        learners: 2,
        syncedFollowers: 2,
        syncedNonVotingFollowers: 0,
        syncedObservers: 0,
        pendingSyncs: 0,
        leaderUptimeMs: 10,
        lastProposalSize: 36,
        maxProposalSize: 90,
        minProposalSize: 36,
      },
      summaries: {
        fsynctime: { count: 4, sum: 10, min: 1, max: 5 },
        readlatency: { count: 1, sum: 3, min: 3, max: 3, p50: 3, p95: 3, p99: 3, p999: 4 },
      },
    });
    const lines = text.split("\n");
    expect(lines.slice(0, 3)).toEqual([
      "zk_version\tv",
      "zk_server_state\tleader",
      "zk_peer_state\tleading - broadcast",
    ]);
    expect(lines).toContain("zk_avg_latency\t1.3333");
    expect(lines).toContain("zk_synced_followers\t2");
    expect(lines).toContain("zk_quorum_size\t3");
    expect(lines.some((l) => l.startsWith("zk_open_file_descriptor_count"))).toBe(false);
    const at = lines.indexOf("zk_avg_fsynctime\t2.5");
    expect(lines.slice(at, at + 5)).toEqual([
      "zk_avg_fsynctime\t2.5",
      "zk_min_fsynctime\t1",
      "zk_max_fsynctime\t5",
      "zk_cnt_fsynctime\t4",
      "zk_sum_fsynctime\t10",
    ]);
    expect(lines).toContain("zk_p50_readlatency\t3");
    expect(lines).toContain("zk_p999_readlatency\t4");
  });

  it("wchs, wchc and wchp", () => {
    expect(formatWchs({ connections: 0, paths: 0, totalWatches: 0 })).toBe(
      "0 connections watching 0 paths\nTotal watches:0\n",
    );
    expect(formatWchs({ connections: 2, paths: 3, totalWatches: 6 })).toBe(
      "2 connections watching 3 paths\nTotal watches:6\n",
    );
    expect(formatWchc([])).toBe("\n");
    expect(formatWchp([])).toBe("\n");
    const a = 0x1000003f5c20000n;
    const b = 0x1000003f5c20001n;
    expect(
      formatWchc([
        { sessionId: a, paths: ["/nonexist", "/zz", "/zz/e1"] },
        { sessionId: b, paths: ["/nonexist", "/zz", "/zz/e1"] },
      ]),
    ).toBe(
      "0x1000003f5c20000\n\t/nonexist\n\t/zz\n\t/zz/e1\n0x1000003f5c20001\n\t/nonexist\n\t/zz\n\t/zz/e1\n\n",
    );
    expect(
      formatWchp([
        { path: "/nonexist", sessionIds: [a, b] },
        { path: "/zz", sessionIds: [a, b] },
        { path: "/zz/e1", sessionIds: [a, b] },
      ]),
    ).toBe(
      "/nonexist\n\t0x1000003f5c20000\n\t0x1000003f5c20001\n/zz\n\t0x1000003f5c20000\n\t0x1000003f5c20001\n" +
        "/zz/e1\n\t0x1000003f5c20000\n\t0x1000003f5c20001\n\n",
    );
  });

  it("dump with sessions, ephemerals and connection buckets", () => {
    const t = (s: number) => Date.UTC(2026, 10, 21, 8, 51, s);
    expect(
      formatDump({
        sessionBuckets: [
          { expiryMs: t(27), sessionIds: [] },
          { expiryMs: t(31), sessionIds: [] },
          { expiryMs: t(33), sessionIds: [0x1000003f5c20000n, 0x1000003f5c20001n] },
        ],
        ephemerals: [{ sessionId: 0x1000003f5c20000n, paths: ["/zz/e2", "/zz/e1"] }],
        connectionBuckets: [
          {
            expiryMs: t(33),
            connections: [
              { remoteAddress: "127.0.0.1", remotePort: 58114, sessionId: 0x1000003f5c20000n },
              { remoteAddress: "127.0.0.1", remotePort: 58122, sessionId: 0x1000003f5c20001n },
            ],
          },
          {
            expiryMs: t(43),
            connections: [{ remoteAddress: "127.0.0.1", remotePort: 58152, sessionId: 0n }],
          },
        ],
      }),
    ).toBe(
      "SessionTracker dump:\n" +
        "Session Sets (3)/(2):\n" +
        "0 expire at Sat Nov 21 08:51:27 UTC 2026:\n" +
        "0 expire at Sat Nov 21 08:51:31 UTC 2026:\n" +
        "2 expire at Sat Nov 21 08:51:33 UTC 2026:\n" +
        "\t0x1000003f5c20000\n" +
        "\t0x1000003f5c20001\n" +
        "ephemeral nodes dump:\n" +
        "Sessions with Ephemerals (1):\n" +
        "0x1000003f5c20000:\n" +
        "\t/zz/e2\n" +
        "\t/zz/e1\n" +
        "Connections dump:\n" +
        "Connections Sets (2)/(3):\n" +
        "2 expire at Sat Nov 21 08:51:33 UTC 2026:\n" +
        "\tip: /127.0.0.1:58114 sessionId: 0x1000003f5c20000\n" +
        "\tip: /127.0.0.1:58122 sessionId: 0x1000003f5c20001\n" +
        "1 expire at Sat Nov 21 08:51:43 UTC 2026:\n" +
        "\tip: /127.0.0.1:58152 sessionId: 0x0\n",
    );
    expect(formatDump({ sessionBuckets: [], ephemerals: [] })).toBe(
      "SessionTracker dump:\nSession Sets (0)/(0):\nephemeral nodes dump:\nSessions with Ephemerals (0):\n",
    );
  });

  it("dirs and isro", () => {
    expect(formatDirs(457, 457)).toBe("datadir_size: 457\nlogdir_size: 457\n");
    expect(formatIsro("standalone")).toBe("rw");
    expect(formatIsro("read-only")).toBe("ro");
    expect(formatIsro(undefined)).toBe("null");
  });
});

describe("runFourLetterWord", () => {
  function fakeSource(serving: boolean) {
    const calls: string[] = [];
    let mask = 306n;
    const source: FourLetterSource = {
      isServing: () => serving,
      mode: () => "standalone",
      server: () => fresh,
      connections: () => [fourLetterConn(1)],
      conf: () => {
        throw new Error("not needed");
      },
      environment: () => ({}),
      monitor: () => {
        throw new Error("not needed");
      },
      watchSummary: () => ({ connections: 0, paths: 0, totalWatches: 0 }),
      watchesBySession: () => [],
      watchesByPath: () => [],
      dump: () => ({ sessionBuckets: [], ephemerals: [] }),
      dirs: () => ({ dataDirSizeBytes: 1, logDirSizeBytes: 2 }),
      resetConnectionStats: () => calls.push("crst"),
      resetServerStats: () => calls.push("srst"),
      traceMask: () => mask,
      setTraceMask: (m) => {
        mask = m;
      },
      digests: () => [],
    };
    return { source, calls };
  }

  it("answers known words, refuses non-whitelisted ones and ignores unknown bytes", () => {
    const { source, calls } = fakeSource(true);
    expect(runFourLetterWord("ruok", "*", source)).toBe("imok");
    expect(runFourLetterWord("ruok", parseWhitelist(undefined), source)).toBe(notInWhitelistMessage("ruok"));
    expect(runFourLetterWord("srvr", parseWhitelist(undefined), source)).toBe(formatSrvr(fresh));
    expect(runFourLetterWord("xyzw", "*", source)).toBeUndefined();
    expect(runFourLetterWord("dirs", "*", source)).toBe("datadir_size: 1\nlogdir_size: 2\n");
    expect(runFourLetterWord("crst", "*", source)).toBe("Connection stats reset.\n");
    expect(runFourLetterWord("srst", "*", source)).toBe("Server stats reset.\n");
    expect(calls).toEqual(["crst", "srst"]);
    expect(runFourLetterWord("gtmk", "*", source)).toBe("306");
    expect(runFourLetterWord("stmk", "*", source, 250n)).toBe("250");
    expect(runFourLetterWord("stmk", "*", source)).toBe("");
    expect(runFourLetterWord("gtmk", "*", source)).toBe("250");
    expect(runFourLetterWord("hash", "*", source)).toBe("");
  });

  it("words that need a data tree answer the not-serving message while not serving", () => {
    const { source, calls } = fakeSource(false);
    for (const w of [
      "stat",
      "srvr",
      "conf",
      "cons",
      "crst",
      "srst",
      "dump",
      "dirs",
      "mntr",
      "wchs",
      "wchc",
      "wchp",
    ]) {
      expect(runFourLetterWord(w, "*", source)).toBe(NOT_SERVING_MESSAGE);
    }
    expect(runFourLetterWord("hash", "*", source)).toBe(
      "This ZooKeeper instance is not currently serving requests",
    );
    expect(calls).toEqual([]);
    expect(runFourLetterWord("ruok", "*", source)).toBe("imok");
    expect(runFourLetterWord("isro", "*", source)).toBe("null");
    expect(runFourLetterWord("envi", "*", source)?.startsWith("Environment:\nzookeeper.version=<NA>\n")).toBe(
      true,
    );
  });
});
