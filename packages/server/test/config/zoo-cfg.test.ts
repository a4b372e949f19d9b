import { describe, expect, it } from "vitest";
import type { ParsedConfig } from "../../src/config/index.js";
import { PROMETHEUS_METRICS_PROVIDER, parseZooCfg } from "../../src/config/index.js";
import { expectConfigError } from "./helpers.js";

const FILE = "/etc/paddock/zoo.cfg";
/** Parses `dataDir=/data` plus the given lines (so line numbers in `lines` start at 2). */
const parse = (...lines: string[]): ParsedConfig => parseZooCfg(["dataDir=/data", ...lines].join("\n"), FILE);

describe("parseZooCfg defaults", () => {
  it("uses ZooKeeper 3.8's defaults when only dataDir is given", () => {
    const c = parse();
    expect(c).toMatchObject({
      tickTimeMs: 3000,
      initLimit: 0,
      syncLimit: 0,
      dataDir: "/data",
      dataLogDir: "/data",
      clientPort: undefined,
      clientPortAddress: undefined,
      secureClientPort: undefined,
      maxClientCnxns: 60,
      maxCnxns: 0,
      minSessionTimeoutMs: 6000,
      maxSessionTimeoutMs: 60000,
      electionAlg: 3,
      peerType: "participant",
      standaloneEnabled: true,
      reconfigEnabled: false,
      syncEnabled: true,
      quorumListenOnAllIPs: false,
      localSessionsEnabled: false,
      autopurgeSnapRetainCount: 3,
      autopurgePurgeIntervalHours: 0,
      juteMaxBufferBytes: 0xfffff,
      snapCount: 100000,
      snapSizeLimitInKb: 4194304,
      commitLogCount: 2000,
      snapshotSizeFactor: 0.33,
      preAllocSizeKb: 65536,
      forceSync: true,
      fsyncWarningThresholdMs: 1000,
      extendedTypesEnabled: false,
      containerCheckIntervalMs: 60000,
      containerMaxPerMinute: 10000,
      superDigest: undefined,
      skipAcl: false,
      readOnlyModeEnabled: false,
      globalOutstandingLimit: 1000,
      maxResponseCacheSize: 400,
      admin: { enableServer: true, serverAddress: "0.0.0.0", serverPort: 8080, commandUrl: "/commands" },
      metricsProvider: { kind: "default", httpPort: 7000 },
      observerMasterPort: undefined,
      dynamicConfigFile: undefined,
      configVersion: undefined,
    });
    expect(c.servers.size).toBe(0);
    expect(c.warnings).toEqual([]);
    expect(c.fourLetterWordWhitelist).toEqual(new Set(["srvr"]));
  });

  it("derives session timeout bounds from tickTime (2x and 20x)", () => {
    const c = parse("tickTime=2000");
    expect([c.minSessionTimeoutMs, c.maxSessionTimeoutMs]).toEqual([4000, 40000]);
  });

  it("treats -1 session timeouts as the default and keeps explicit ones", () => {
    const c = parse("tickTime=2000", "minSessionTimeout=-1", "maxSessionTimeout=90000");
    expect([c.minSessionTimeoutMs, c.maxSessionTimeoutMs]).toEqual([4000, 90000]);
  });

  it("keeps the raw text and every entry as written", () => {
    const text = "dataDir=/data\nclientPort = 2181 \nmystery=1\n";
    const c = parseZooCfg(text, FILE);
    expect(c.initialConfig).toBe(text);
    expect([...c.raw]).toEqual([
      ["dataDir", "/data"],
      ["clientPort", "2181"],
      ["mystery", "1"],
    ]);
  });
});

describe("parseZooCfg required keys and cross-checks", () => {
  it("requires dataDir", () => {
    expectConfigError(() => parseZooCfg("clientPort=2181\n", FILE), {
      file: FILE,
      line: undefined,
      key: "dataDir",
      detail: "dataDir is not set",
    });
  });

  it("rejects tickTime=0 as not set", () => {
    expectConfigError(() => parse("tickTime=0"), { line: 2, key: "tickTime", detail: "tickTime is not set" });
  });

  it("rejects clientPortAddress without clientPort (and clientPort=0 means unset)", () => {
    expectConfigError(() => parse("clientPortAddress=127.0.0.1"), {
      line: 2,
      key: "clientPortAddress",
      detail: "clientPortAddress is set but clientPort is not set",
    });
    expectConfigError(() => parse("clientPort=0", "clientPortAddress=127.0.0.1"), {
      detail: "clientPortAddress is set but clientPort is not set",
    });
    expect(parse("clientPort=0").clientPort).toBeUndefined();
  });

  it("rejects secureClientPortAddress without secureClientPort", () => {
    const allow = "clientPort=2181";
    expectConfigError(() => parse(allow, "secureClientPortAddress=::1"), {
      key: "secureClientPortAddress",
      detail: "secureClientPortAddress is set but secureClientPort is not set",
    });
    expectConfigError(() => parse(allow, "secureClientPort=-1"), {
      key: "secureClientPort",
      detail: "expected an integer in 0..65535, got -1",
    });
    expect(parse(allow, "secureClientPort=2281", "secureClientPortAddress=::1")).toMatchObject({
      secureClientPort: 2281,
      secureClientPortAddress: "::1",
    });
  });

  it("rejects minSessionTimeout > maxSessionTimeout, naming the max line", () => {
    expectConfigError(() => parse("tickTime=2000", "minSessionTimeout=5000", "maxSessionTimeout=4000"), {
      line: 4,
      key: "maxSessionTimeout",
      detail: "minSessionTimeout must not be larger than maxSessionTimeout",
    });
    // The default max (20 x tickTime) counts too.
    expectConfigError(() => parse("tickTime=100", "minSessionTimeout=5000"), {
      line: 3,
      key: "minSessionTimeout",
      detail: "minSessionTimeout must not be larger than maxSessionTimeout",
    });
  });

  it("only supports electionAlg 3", () => {
    expect(parse("electionAlg=3").electionAlg).toBe(3);
    expectConfigError(() => parse("electionAlg=0"), {
      key: "electionAlg",
      detail: "Invalid electionAlg value. Only 3 is supported.",
    });
  });

  it("reads peerType case-insensitively and rejects others", () => {
    expect(parse("peerType=OBSERVER").peerType).toBe("observer");
    expectConfigError(() => parse("peerType=leader"), {
      key: "peerType",
      detail: "Unrecognised peertype: leader",
    });
  });
});

describe("parseZooCfg numbers", () => {
  it("reads integers like Integer.parseInt, after trimming", () => {
    const c = parse(
      "tickTime = 2000  ",
      "initLimit=+10",
      "syncLimit=5",
      "maxClientCnxns=0",
      "clientPort=2181",
    );
    expect(c).toMatchObject({
      tickTimeMs: 2000,
      initLimit: 10,
      syncLimit: 5,
      maxClientCnxns: 0,
      clientPort: 2181,
    });
  });

  it.each([
    ["tickTime=2000 # two seconds", "tickTime", 'expected an integer, got "2000 # two seconds"'],
    ["tickTime=2s", "tickTime", 'expected an integer, got "2s"'],
    ["initLimit=0x10", "initLimit", 'expected an integer, got "0x10"'],
    ["syncLimit=1.5", "syncLimit", 'expected an integer, got "1.5"'],
    ["maxClientCnxns=", "maxClientCnxns", 'expected an integer, got ""'],
    ["clientPort=99999999999", "clientPort", 'expected an integer, got "99999999999"'],
    ["autopurge.purgeInterval=1h", "autopurge.purgeInterval", 'expected an integer, got "1h"'],
  ])("rejects %s naming file, line and key", (line, key, detail) => {
    const error = expectConfigError(() => parse(line), { file: FILE, line: 2, key, detail });
    expect(error.message).toBe(`${FILE}:2: ${key}: ${detail}`);
  });

  it.each([
    ["tickTime=-1", "tickTime", "expected an integer >= 0, got -1"],
    ["initLimit=-1", "initLimit", "expected an integer >= 0, got -1"],
    ["syncLimit=-5", "syncLimit", "expected an integer >= 0, got -5"],
    ["maxClientCnxns=-1", "maxClientCnxns", "expected an integer >= 0, got -1"],
    ["minSessionTimeout=-2", "minSessionTimeout", "expected an integer >= -1, got -2"],
    ["clientPort=65536", "clientPort", "expected an integer in 0..65535, got 65536"],
    ["admin.serverPort=0", "admin.serverPort", "expected an integer in 1..65535, got 0"],
    ["jute.maxbuffer=0", "jute.maxbuffer", "expected an integer >= 1, got 0"],
    ["globalOutstandingLimit=0", "globalOutstandingLimit", "expected an integer >= 1, got 0"],
    [
      "znode.container.checkIntervalMs=0",
      "znode.container.checkIntervalMs",
      "expected an integer >= 1, got 0",
    ],
    ["preAllocSize=0", "preAllocSize", `expected an integer in 1..${Number.MAX_SAFE_INTEGER}, got 0`],
  ])("rejects out-of-range %s", (line, key, detail) => {
    expectConfigError(() => parse(line), { line: 2, key, detail });
  });

  it("raises commitLogCount below 500 to 500 with a warning, as ZooKeeper does", () => {
    const c = parse("commitLogCount=50");
    expect(c.commitLogCount).toBe(500);
    expect(c.warnings).toEqual([`${FILE}:2: commitLogCount: 50 is below the minimum 500; using 500`]);
  });

  it("resets snapshotSizeFactor above 1 to its default with a warning, as ZooKeeper does", () => {
    const c = parse("snapshotSizeFactor=1.5");
    expect(c.snapshotSizeFactor).toBe(0.33);
    expect(c.warnings).toEqual([
      `${FILE}:2: snapshotSizeFactor: 1.5 is above the maximum 1; using the default 0.33`,
    ]);
    expect(parse("snapshotSizeFactor=1").snapshotSizeFactor).toBe(1);
    expect(parse("snapshotSizeFactor=-1").snapshotSizeFactor).toBe(-1);
  });

  it("resets autopurge.snapRetainCount below 3 to 3 with a warning", () => {
    const c = parse("autopurge.snapRetainCount=1");
    expect(c.autopurgeSnapRetainCount).toBe(3);
    expect(c.warnings).toEqual([`${FILE}:2: autopurge.snapRetainCount: 1 is below the minimum 3; using 3`]);
    expect(parse("autopurge.snapRetainCount=10").autopurgeSnapRetainCount).toBe(10);
  });

  it("reads autopurge.purgeInterval in hours, <= 0 meaning off", () => {
    expect(parse("autopurge.purgeInterval=24").autopurgePurgeIntervalHours).toBe(24);
    expect(parse("autopurge.purgeInterval=-3").autopurgePurgeIntervalHours).toBe(0);
  });

  it("raises snapCount below 2 to 2 with a warning", () => {
    const c = parse("snapCount=1");
    expect(c.snapCount).toBe(2);
    expect(c.warnings).toHaveLength(1);
  });

  it("reads the remaining numeric keys", () => {
    const c = parse(
      "connectToLearnerMasterLimit=7",
      "clientPortListenBacklog=128",
      "observerMasterPort=2191",
      "snapSizeLimitInKb=-1",
      "commitLogCount=5000",
      "snapshotSizeFactor=0.5",
      "maxCnxns=1000",
      "fsync.warningthresholdms=50",
      "cnxTimeout=2000",
      "electionPortBindRetry=0",
      "maxResponseCacheSize=0",
      "maxGetChildrenResponseCacheSize=10",
      "znode.container.maxPerMinute=5",
      "znode.container.maxNeverUsedIntervalMs=3600000",
      "admin.idleTimeout=1000",
    );
    expect(c).toMatchObject({
      connectToLearnerMasterLimit: 7,
      clientPortListenBacklog: 128,
      observerMasterPort: 2191,
      snapSizeLimitInKb: -1,
      commitLogCount: 5000,
      snapshotSizeFactor: 0.5,
      maxCnxns: 1000,
      fsyncWarningThresholdMs: 50,
      cnxTimeoutMs: 2000,
      electionPortBindRetry: 0,
      maxResponseCacheSize: 0,
      maxGetChildrenResponseCacheSize: 10,
      containerMaxPerMinute: 5,
      containerMaxNeverUsedIntervalMs: 3600000,
    });
    expect(c.admin.idleTimeoutMs).toBe(1000);
    expect(parse("observerMasterPort=0").observerMasterPort).toBeUndefined();
    expectConfigError(() => parse("snapshotSizeFactor=a third"), { key: "snapshotSizeFactor" });
  });

  it("reads Paddock's snapshot write rate under its paddock. name only, off by default", () => {
    expect(parse().snapshotWriteRateMBps).toBe(0);
    const c = parse("paddock.snapshotWriteRateMBps=20");
    expect(c.snapshotWriteRateMBps).toBe(20);
    expect(c.warnings).toEqual([]);
    expectConfigError(() => parse("paddock.snapshotWriteRateMBps=-1"), {
      key: "paddock.snapshotWriteRateMBps",
    });
    // ZooKeeper has no such property: the zookeeper. spelling is not this key.
    expect(parse("zookeeper.paddock.snapshotWriteRateMBps=20").snapshotWriteRateMBps).toBe(0);
  });

  it("reads whether the txn log goes around the page cache, on by default", () => {
    expect(parse().txnLogDirectWrites).toBe(true);
    expect(parse("paddock.txnLogDirectWrites=false").txnLogDirectWrites).toBe(false);
    expect(parse("paddock.txnLogDirectWrites=no").txnLogDirectWrites).toBe(false);
    expectConfigError(() => parse("paddock.txnLogDirectWrites=sometimes"), {
      key: "paddock.txnLogDirectWrites",
    });
  });

  it("reads whether the txn log and the periodic snapshots write zeros ahead, on by default", () => {
    expect(parse().txnLogZeroAhead).toBe(true);
    expect(parse("paddock.txnLogZeroAhead=false").txnLogZeroAhead).toBe(false);
    expect(parse("paddock.txnLogZeroAhead=yes").txnLogZeroAhead).toBe(true);
    expectConfigError(() => parse("paddock.txnLogZeroAhead=later"), { key: "paddock.txnLogZeroAhead" });
    expect(parse().snapshotZeroAhead).toBe(true);
    expect(parse("paddock.snapshotZeroAhead=no").snapshotZeroAhead).toBe(false);
    expectConfigError(() => parse("paddock.snapshotZeroAhead=1x"), { key: "paddock.snapshotZeroAhead" });
  });
});

describe("parseZooCfg booleans", () => {
  it.each([
    "standaloneEnabled",
    "reconfigEnabled",
    "syncEnabled",
    "quorumListenOnAllIPs",
    "localSessionsEnabled",
    "localSessionsUpgradingEnabled",
    "admin.enableServer",
    "extendedTypesEnabled",
    "readonlymode.enabled",
    "digest.enabled",
    "enforceQuota",
  ])("%s accepts true/false in any case and nothing else", (key) => {
    const read = (v: string): ParsedConfig => parse(`${key}=${v}`);
    const values = [read("TRUE"), read("False")].map((c) => c.raw.get(key));
    expect(values).toEqual(["TRUE", "False"]);
    expectConfigError(() => read("yes"), {
      line: 2,
      key,
      detail: `Invalid option yes for ${key}. Choose 'true' or 'false.'`,
    });
  });

  it("maps booleans onto their fields", () => {
    const c = parse(
      "standaloneEnabled=false",
      "reconfigEnabled=TRUE",
      "syncEnabled=false",
      "quorumListenOnAllIPs=true",
      "localSessionsEnabled=true",
      "admin.enableServer=false",
      "extendedTypesEnabled=true",
      "readonlymode.enabled=true",
      "digest.enabled=false",
    );
    expect(c).toMatchObject({
      standaloneEnabled: false,
      reconfigEnabled: true,
      syncEnabled: false,
      quorumListenOnAllIPs: true,
      localSessionsEnabled: true,
      extendedTypesEnabled: true,
      readOnlyModeEnabled: true,
      digestEnabled: false,
    });
    expect(c.admin.enableServer).toBe(false);
  });

  it("reads forceSync, skipACL and leaderServes as yes/no", () => {
    expect(parse("forceSync=no").forceSync).toBe(false);
    expect(parse("forceSync=yes").forceSync).toBe(true);
    expect(parse("skipACL=yes").skipAcl).toBe(true);
    expect(parse("leaderServes=no").leaderServes).toBe(false);
    expectConfigError(() => parse("forceSync=maybe"), {
      key: "forceSync",
      detail: 'expected yes or no, got "maybe"',
    });
  });
});

describe("parseZooCfg system-property keys", () => {
  it("accepts JVM-only properties as zoo.cfg keys", () => {
    const c = parse(
      "jute.maxbuffer=4194304",
      "readonlymode.enabled=true",
      "znode.container.checkIntervalMs=1000",
      "extendedTypesEnabled=true",
    );
    expect(c).toMatchObject({
      juteMaxBufferBytes: 4194304,
      readOnlyModeEnabled: true,
      containerCheckIntervalMs: 1000,
      extendedTypesEnabled: true,
    });
    expect(c.warnings).toEqual([]);
  });

  it("accepts the zookeeper. prefix on them", () => {
    const c = parse(
      "zookeeper.jute.maxbuffer=2000000",
      "zookeeper.snapCount=5000",
      "zookeeper.4lw.commands.whitelist=ruok",
      "zookeeper.admin.serverPort=9090",
      "zookeeper.skipACL=yes",
      "zookeeper.znode.container.checkIntervalMs=500",
    );
    expect(c).toMatchObject({
      juteMaxBufferBytes: 2000000,
      snapCount: 5000,
      skipAcl: true,
      containerCheckIntervalMs: 500,
    });
    expect(c.admin.serverPort).toBe(9090);
    expect(c.fourLetterWordWhitelist).toEqual(new Set(["ruok", "srvr"]));
    expect(c.warnings).toEqual([]);
  });

  it("does not alias ZooKeeper's own keys with the prefix", () => {
    const c = parse("zookeeper.tickTime=10");
    expect(c.tickTimeMs).toBe(3000);
    expect(c.warnings).toHaveLength(1);
  });

  it("reads superDigest under all its spellings and checks its shape", () => {
    const digest = "super:D/InIHSb7yEEbrWz8b9l71RjZJU=";
    for (const key of [
      "superDigest",
      "DigestAuthenticationProvider.superDigest",
      "zookeeper.DigestAuthenticationProvider.superDigest",
    ]) {
      expect(parse(`${key}=${digest}`).superDigest).toBe(digest);
    }
    expectConfigError(() => parse("superDigest=nocolon"), {
      key: "superDigest",
      detail: 'expected super:<base64 digest>, got "nocolon"',
    });
  });

  it("lets the last of two spellings win, with a warning naming both", () => {
    const c = parse("snapCount=10", "zookeeper.snapCount=20");
    expect(c.snapCount).toBe(20);
    expect(c.warnings).toEqual([`${FILE}:3: zookeeper.snapCount: overrides snapCount from line 2`]);
  });

  it("lets the last duplicate of a key win", () => {
    expect(parse("tickTime=1000", "tickTime=2000").tickTimeMs).toBe(2000);
  });

  it("reads admin.* keys", () => {
    const c = parse("admin.serverAddress=127.0.0.1", "admin.serverPort=8081", "admin.commandURL=/cmds");
    expect(c.admin).toMatchObject({ serverAddress: "127.0.0.1", serverPort: 8081, commandUrl: "/cmds" });
    expectConfigError(() => parse("admin.commandURL=cmds"), { key: "admin.commandURL" });
  });
});

describe("parseZooCfg 4lw.commands.whitelist", () => {
  it("splits on commas, trims, and always keeps srvr", () => {
    expect(parse("4lw.commands.whitelist= stat , ruok,,mntr ").fourLetterWordWhitelist).toEqual(
      new Set(["stat", "ruok", "mntr", "srvr"]),
    );
  });

  it("treats * anywhere as every word", () => {
    expect(parse("4lw.commands.whitelist=*").fourLetterWordWhitelist).toBe("*");
    expect(parse("4lw.commands.whitelist=ruok, *").fourLetterWordWhitelist).toBe("*");
  });

  it("adds isro in read-only mode", () => {
    expect(parse("readonlymode.enabled=true").fourLetterWordWhitelist).toEqual(new Set(["srvr", "isro"]));
  });

  it("warns about and drops unknown words (case-sensitive)", () => {
    const c = parse("4lw.commands.whitelist=ruok,RUOK,kill");
    expect(c.fourLetterWordWhitelist).toEqual(new Set(["ruok", "srvr"]));
    expect(c.warnings).toEqual([
      `${FILE}:2: 4lw.commands.whitelist: unknown four-letter word "RUOK" ignored`,
      `${FILE}:2: 4lw.commands.whitelist: unknown four-letter word "kill" ignored`,
    ]);
  });

  it("leaves an empty whitelist at srvr only", () => {
    expect(parse("4lw.commands.whitelist=").fourLetterWordWhitelist).toEqual(new Set(["srvr"]));
  });
});

describe("parseZooCfg metricsProvider", () => {
  it("reads the Prometheus provider and its options", () => {
    const c = parse(
      `metricsProvider.className=${PROMETHEUS_METRICS_PROVIDER}`,
      "metricsProvider.httpPort=7070",
      "metricsProvider.httpHost=127.0.0.1",
      "metricsProvider.exportJvmInfo=false",
    );
    expect(c.metricsProvider).toMatchObject({
      kind: "prometheus",
      className: PROMETHEUS_METRICS_PROVIDER,
      httpPort: 7070,
      httpHost: "127.0.0.1",
      exportJvmInfo: false,
    });
    expect(c.metricsProvider.options.get("httpPort")).toBe("7070");
    expect(c.warnings).toEqual([]);
  });

  it("rejects an unknown provider class and bad options", () => {
    expectConfigError(() => parse("metricsProvider.className=com.example.Metrics"), {
      key: "metricsProvider.className",
      detail: /^metrics provider class was not found: com.example.Metrics/,
    });
    expectConfigError(
      () => parse(`metricsProvider.className=${PROMETHEUS_METRICS_PROVIDER}`, "metricsProvider.httpPort=x"),
      { line: 3, key: "metricsProvider.httpPort" },
    );
  });

  it("warns that options without the Prometheus provider do nothing", () => {
    const c = parse("metricsProvider.httpPort=7070");
    expect(c.metricsProvider.kind).toBe("default");
    expect(c.warnings[0]).toMatch(/metricsProvider.httpPort ignored/);
  });
});

describe("parseZooCfg unknown and unsupported keys", () => {
  it("accepts unknown keys with a warning, keeping them in raw", () => {
    const c = parse("clientPort=2181", "foo.bar=1");
    expect(c.raw.get("foo.bar")).toBe("1");
    expect(c.warnings).toEqual([`${FILE}:3: foo.bar: unknown key; ignored`]);
  });

  it("suggests the right spelling for a case mistake", () => {
    const c = parse("ticktime=2000");
    expect(c.tickTimeMs).toBe(3000);
    expect(c.warnings).toEqual([`${FILE}:2: ticktime: unknown key; ignored (did you mean tickTime?)`]);
  });

  it("suggests the nearest known key for a misspelling", () => {
    const c = parse("clientPort=2181", "clientPortAdress=127.0.0.1", "minSesionTimeout=4000", "foo=1");
    expect(c.warnings).toEqual([
      `${FILE}:3: clientPortAdress: unknown key; ignored (did you mean clientPortAddress?)`,
      `${FILE}:4: minSesionTimeout: unknown key; ignored (did you mean minSessionTimeout?)`,
      `${FILE}:5: foo: unknown key; ignored`,
    ]);
  });

  it("refuses to start on a security setting it cannot honour, naming the file, line and key", () => {
    for (const [line, key] of [
      ["quorum.auth.kerberos.servicePrincipal=zkquorum/_HOST", "quorum.auth.kerberos.servicePrincipal"],
      ["ssl.crl=true", "ssl.crl"],
      ["ssl.quorum.context.supplier.class=com.example.Ctx", "ssl.quorum.context.supplier.class"],
      ["ssl.ocsp=true", "ssl.ocsp"],
    ] as const) {
      expectConfigError(() => parse("clientPort=2181", line), {
        file: FILE,
        line: 3,
        key,
        detail:
          /security setting not implemented by Paddock; refusing to run without it .*paddock\.allowUnsupportedSecurity=true/,
      });
    }
  });

  it("reads the AdminServer's HTTPS keys, which need the quorum key store", () => {
    const c = parse("admin.forceHttps=true", "ssl.quorum.keyStore.location=/etc/zk/q.pem");
    expect(c.admin.forceHttps).toBe(true);
    expect(c.admin.portUnification).toBe(false);
    expectConfigError(() => parse("admin.portUnification=true"), {
      file: FILE,
      line: 2,
      key: "admin.portUnification",
      detail: /ssl\.quorum\.keyStore\.location is not set/,
    });
  });

  it("reads the quorum's portUnification, which needs the quorum key store", () => {
    expect(
      parse("portUnification=true", "ssl.quorum.keyStore.location=/etc/zk/q.pem").quorumPortUnification,
    ).toBe(true);
    expectConfigError(() => parse("portUnification=true"), {
      file: FILE,
      line: 2,
      key: "portUnification",
      detail: /ssl\.quorum\.keyStore\.location is not set/,
    });
  });

  it("reads client.portUnification (TLS and plaintext on clientPort)", () => {
    const store = "ssl.keyStore.location=/etc/zk/server.pem";
    expect(parse("client.portUnification=true", store).clientPortUnification).toBe(true);
    expect(parse("zookeeper.client.portUnification=true", store).clientPortUnification).toBe(true);
    expectConfigError(() => parse("client.portUnification=true"), {
      file: FILE,
      line: 2,
      key: "client.portUnification",
      detail: /ssl\.keyStore\.location is not set/,
    });
    expect(parse().clientPortUnification).toBe(false);
  });

  it("accepts a security key set to what Paddock does anyway (off)", () => {
    const c = parse(
      "sslQuorum=false",
      "quorum.auth.enableSasl=false",
      "DigestAuthenticationProvider.enabled=true",
    );
    expect(c.warnings).toEqual([]);
  });

  it("runs anyway with paddock.allowUnsupportedSecurity=true, saying what it ignores", () => {
    const c = parse("ssl.quorum.ocsp=true", "ssl.crl=true", "paddock.allowUnsupportedSecurity=true");
    expect(c.warnings).toEqual([
      `${FILE}:2: ssl.quorum.ocsp: security setting not implemented by Paddock; ignored because paddock.allowUnsupportedSecurity=true`,
      `${FILE}:3: ssl.crl: security setting not implemented by Paddock; ignored because paddock.allowUnsupportedSecurity=true`,
    ]);
  });

  it("DigestAuthenticationProvider.enabled=false leaves the digest scheme out", () => {
    expect([...parse().authSchemes].sort()).toEqual(["digest", "ip"]);
    expect([...parse("zookeeper.DigestAuthenticationProvider.enabled=false").authSchemes]).toEqual(["ip"]);
    // An authProvider entry naming the digest provider registers it anyway, as in ZooKeeper.
    const named = parse(
      "DigestAuthenticationProvider.enabled=false",
      "authProvider.1=org.apache.zookeeper.server.auth.DigestAuthenticationProvider",
    );
    expect([...named.authSchemes].sort()).toEqual(["digest", "ip"]);
  });

  it("reads the store reload keys: sslQuorumReloadCertFiles and 3.9's client.certReload", () => {
    expect([parse().sslQuorumReloadCertFiles, parse().clientCertReload]).toEqual([false, false]);
    const on = parse("sslQuorumReloadCertFiles=true", "zookeeper.client.certReload=true");
    expect(on.warnings).toEqual([]);
    expect([on.sslQuorumReloadCertFiles, on.clientCertReload]).toEqual([true, true]);
  });

  it("admin.needClientAuth: HTTPS clients need a certificate the quorum trust store trusts", () => {
    const https = [
      "admin.forceHttps=true",
      "ssl.quorum.keyStore.location=/k.pem",
      "ssl.quorum.trustStore.location=/ca.pem",
    ];
    const c = parse(...https, "zookeeper.admin.needClientAuth=true");
    expect(c.admin.needClientAuth).toBe(true);
    expect(c.warnings).toEqual([]);
    expect(parse(...https).admin.needClientAuth).toBe(false);
    expectConfigError(
      () =>
        parse(
          "admin.portUnification=true",
          "ssl.quorum.keyStore.location=/k.pem",
          "admin.needClientAuth=true",
        ),
      {
        key: "admin.needClientAuth",
        detail: /ssl\.quorum\.trustStore\.location is not set/,
      },
    );
    // Plain HTTP asks for no certificate, as in ZooKeeper: said, not refused.
    expect(parse("clientPort=2181", "admin.needClientAuth=true").warnings).toEqual([
      `${FILE}:3: admin.needClientAuth: has no effect: the AdminServer serves plain HTTP (set admin.forceHttps or admin.portUnification)`,
    ]);
  });

  it("reads the SASL and enforced-authentication keys", () => {
    const c = parse(
      "clientPort=2181",
      "authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
      "zookeeper.authProvider.sasl2=org.apache.zookeeper.server.auth.DigestAuthenticationProvider",
      "java.security.auth.login.config=/etc/zk/jaas.conf",
      "zookeeper.superUser=admin",
      "enforce.auth.enabled=true",
      "enforce.auth.schemes= sasl , digest",
    );
    expect(c).toMatchObject({
      jaasLoginConfig: "/etc/zk/jaas.conf",
      saslSuperUser: "admin",
      saslServerLoginContext: "Server",
      enforceAuthEnabled: true,
    });
    expect([...c.authSchemes].sort()).toEqual(["digest", "ip", "sasl"]);
    expect([...(c.enforcedAuthSchemes ?? [])].sort()).toEqual(["digest", "sasl"]);
    expect(c.warnings).toEqual([]);
    expect(parse("clientPort=2181").enforcedAuthSchemes).toBeUndefined();
    expect([...parse("clientPort=2181").authSchemes].sort()).toEqual(["digest", "ip"]);
    // sessionRequireClientSASLAuth wins over enforce.auth.schemes, as in ZooKeeper.
    const required = parse(
      "authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
      "sessionRequireClientSASLAuth=true",
      "enforce.auth.enabled=true",
      "enforce.auth.schemes=digest",
    );
    expect([...(required.enforcedAuthSchemes ?? [])]).toEqual(["sasl"]);
    expect(parse("jaasLoginConfig=/j.conf").jaasLoginConfig).toBe("/j.conf");
  });

  it("reads every SASL super user (superUser and superUser.<any>) and letAnySaslUserDoX", () => {
    const c = parse(
      "clientPort=2181",
      "superUser=admin",
      "superUser.1=carol",
      "zookeeper.superUser.ops=dave",
      "letAnySaslUserDoX=anysasl",
    );
    expect([...c.saslSuperUsers].sort()).toEqual(["admin", "carol", "dave"]);
    expect(c.letAnySaslUserDoX).toBe("anysasl");
    expect(c.warnings).toEqual([]);
    expect(parse("zookeeper.letAnySaslUserDoX=x").letAnySaslUserDoX).toBe("x");
    expect([...parse("clientPort=2181").saslSuperUsers]).toEqual([]);
  });

  it("refuses enforced schemes without a provider and providers Paddock does not have", () => {
    expectConfigError(() => parse("enforce.auth.enabled=true"), {
      key: "enforce.auth.enabled",
      detail: "enforce.auth.enabled is true enforce.auth.schemes must be  configured.",
    });
    expectConfigError(() => parse("enforce.auth.enabled=true", "enforce.auth.schemes=sasl"), {
      detail: "Authentication scheme sasl is not available.",
    });
    expectConfigError(() => parse("sessionRequireClientSASLAuth=true"), {
      key: "sessionRequireClientSASLAuth",
      detail: "Authentication scheme sasl is not available.",
    });
    expectConfigError(() => parse("clientPort=2181", "authProvider.1=com.example.MyProvider"), {
      line: 3,
      key: "authProvider.1",
      detail: /authentication provider com\.example\.MyProvider is not available in Paddock/,
    });
  });

  it("reads the x509 provider, ssl.authProvider and the x509 super user", () => {
    const x509 = "authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider";
    const c = parse(x509, "zookeeper.ssl.authProvider=x509", "X509AuthenticationProvider.superUser=CN=admin");
    expect([...c.authSchemes].sort()).toEqual(["digest", "ip", "x509"]);
    expect(c).toMatchObject({ sslAuthProvider: "x509", x509SuperUser: "CN=admin" });
    expect(c.warnings).toEqual([]);
    expectConfigError(() => parse("ssl.authProvider=x509"), {
      key: "ssl.authProvider",
      detail: /^Could not create SSLContext with specified auth provider: x509/,
    });
    expectConfigError(() => parse(x509, "ssl.authProvider=custom"), {
      detail: /^Could not create SSLContext with specified auth provider: custom/,
    });
  });

  it("reads ssl.ciphersuites by Java's names and refuses names it cannot map", () => {
    const c = parse(
      "ssl.ciphersuites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384",
      "zookeeper.ssl.quorum.ciphersuites=TLS_AES_128_GCM_SHA256",
    );
    expect(c).toMatchObject({
      sslCiphersuites: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384",
      sslQuorumCiphersuites: "TLS_AES_128_GCM_SHA256",
    });
    expect(c.warnings).toEqual([]);
    expectConfigError(() => parse("ssl.ciphersuites=TLS_AES_128_GCM_SHA256,ECDHE-RSA-AES128-GCM-SHA256"), {
      line: 2,
      key: "ssl.ciphersuites",
      detail: /^unknown or unsupported cipher suite ECDHE-RSA-AES128-GCM-SHA256 \(Java's names/,
    });
    expectConfigError(() => parse("ssl.quorum.ciphersuites= , "), { detail: "no cipher suite named" });
  });

  it("reads the quorum.auth.* switches, refusing ZooKeeper's invalid combinations in its words", () => {
    const c = parse(
      "quorum.auth.enableSasl=true",
      "quorum.auth.learnerRequireSasl=true",
      "quorum.auth.serverRequireSasl=true",
      "quorum.auth.learner.saslLoginContext=L",
    );
    expect(c).toMatchObject({
      quorumAuthEnableSasl: true,
      quorumAuthLearnerRequireSasl: true,
      quorumAuthServerRequireSasl: true,
      quorumAuthLearnerLoginContext: "L",
      quorumAuthServerLoginContext: "QuorumServer",
    });
    expect(c.warnings).toEqual([]);
    expectConfigError(() => parse("quorum.auth.serverRequireSasl=true"), {
      key: "quorum.auth.serverRequireSasl",
      detail: "quorum.auth.enableSasl is disabled, so cannot enable quorum.auth.serverRequireSasl",
    });
    expectConfigError(() => parse("quorum.auth.learnerRequireSasl=true"), {
      key: "quorum.auth.learnerRequireSasl",
      detail: "quorum.auth.enableSasl is disabled, so cannot enable quorum.auth.learnerRequireSasl",
    });
    expectConfigError(() => parse("quorum.auth.enableSasl=true", "quorum.auth.serverRequireSasl=true"), {
      detail: "quorum.auth.learnerRequireSasl is disabled, so cannot enable quorum.auth.serverRequireSasl",
    });
  });

  it("reads sslQuorum and the ssl.quorum.* stores", () => {
    const c = parse(
      "sslQuorum=true",
      "ssl.quorum.keyStore.location=/q.jks",
      "zookeeper.ssl.quorum.hostnameVerification=false",
    );
    expect(c).toMatchObject({
      sslQuorum: true,
      sslQuorumKeyStoreLocation: "/q.jks",
      sslQuorumHostnameVerification: false,
    });
    expect(c.warnings).toEqual([]);
  });

  it("has the accepting peer check a dialler's certificate unless ssl.quorum.clientHostnameVerification is off", () => {
    expect(parse("sslQuorum=true")).toMatchObject({
      sslQuorumHostnameVerification: true,
      sslQuorumClientHostnameVerification: true,
    });
    const c = parse("sslQuorum=true", "zookeeper.ssl.quorum.clientHostnameVerification=false");
    expect(c.sslQuorumClientHostnameVerification).toBe(false);
    expect(c.warnings).toEqual([]);
    expectConfigError(() => parse("ssl.quorum.clientHostnameVerification=no"), {
      key: "ssl.quorum.clientHostnameVerification",
    });
  });

  it("reads the rest of ZooKeeper 3.8's ssl.* and ssl.quorum.* keys", () => {
    const c = parse(
      "sslQuorum=true",
      "ssl.keyStore.passwordPath=/secrets/key",
      "zookeeper.ssl.trustStore.passwordPath=/secrets/trust",
      "ssl.quorum.keyStore.passwordPath=/secrets/qkey",
      "ssl.quorum.trustStore.passwordPath=/secrets/qtrust",
      "ssl.quorum.protocol=TLSv1.3",
      "ssl.quorum.enabledProtocols=TLSv1.2,TLSv1.3",
      "ssl.quorum.clientAuth=want",
      "ssl.quorum.handshakeDetectionTimeoutMillis=250",
      "ssl.crl=false",
      "ssl.ocsp=FALSE",
      "zookeeper.ssl.quorum.crl=false",
      "ssl.quorum.ocsp=false",
    );
    expect(c).toMatchObject({
      sslKeyStorePasswordPath: "/secrets/key",
      sslTrustStorePasswordPath: "/secrets/trust",
      sslQuorumKeyStorePasswordPath: "/secrets/qkey",
      sslQuorumTrustStorePasswordPath: "/secrets/qtrust",
      sslQuorumProtocol: "TLSv1.3",
      sslQuorumEnabledProtocols: "TLSv1.2,TLSv1.3",
      sslQuorumClientAuth: "want",
      sslQuorumHandshakeDetectionTimeoutMillis: 250,
    });
    // Revocation checks off is what Paddock does anyway: nothing to say.
    expect(c.warnings).toEqual([]);
    expect(parse("sslQuorum=true")).toMatchObject({
      sslQuorumClientAuth: "need",
      sslQuorumHandshakeDetectionTimeoutMillis: 5000,
    });
    // ZooKeeper reads it for its quorum's unified socket only; its client port has no use for it.
    expect(parse("ssl.handshakeDetectionTimeoutMillis=100").warnings).toEqual([
      `${FILE}:2: ssl.handshakeDetectionTimeoutMillis: accepted for compatibility; has no effect in Paddock`,
    ]);
    expectConfigError(() => parse("ssl.quorum.handshakeDetectionTimeoutMillis=0"), {
      key: "ssl.quorum.handshakeDetectionTimeoutMillis",
    });
    expectConfigError(() => parse("ssl.quorum.clientAuth=sometimes"), { key: "ssl.quorum.clientAuth" });
    for (const refused of ["ssl.crl=true", "ssl.quorum.ocsp=true", "ssl.context.supplier.class=a.B"]) {
      expectConfigError(() => parse(refused), { detail: /security setting not implemented by Paddock/ });
    }
  });

  it("reads the client port's TLS keys, with or without the zookeeper. prefix", () => {
    const c = parse(
      "secureClientPort=2281",
      "ssl.keyStore.location=/k.p12",
      "zookeeper.ssl.trustStore.location=/t.pem",
      "ssl.clientAuth=want",
      "ssl.enabledProtocols=TLSv1.2,TLSv1.3",
    );
    expect(c).toMatchObject({
      secureClientPort: 2281,
      sslKeyStoreLocation: "/k.p12",
      sslTrustStoreLocation: "/t.pem",
      sslClientAuth: "want",
      sslEnabledProtocols: "TLSv1.2,TLSv1.3",
    });
    expect(c.warnings).toEqual([]);
    expectConfigError(() => parse("ssl.clientAuth=sometimes"), { key: "ssl.clientAuth" });
    expectConfigError(() => parse("ssl.keyStore.type=BKS"), { key: "ssl.keyStore.type" });
  });

  it("checks client certificates' names only when ssl.clientHostnameVerification asks, as ZooKeeper", () => {
    expect(parse("secureClientPort=2281")).toMatchObject({
      sslHostnameVerification: true,
      sslClientHostnameVerification: false,
    });
    const c = parse("secureClientPort=2281", "zookeeper.ssl.clientHostnameVerification=true");
    expect(c.sslClientHostnameVerification).toBe(true);
    expect(c.warnings).toEqual([]);
    expectConfigError(() => parse("ssl.clientHostnameVerification=maybe"), {
      key: "ssl.clientHostnameVerification",
    });
  });

  it("warns that other ZooKeeper features Paddock lacks are ignored", () => {
    const c = parse(
      "oraclePath=/o",
      "jvm.pause.warn-threshold-ms=1000",
      // Documented ZooKeeper tuning keys, with and without the system property's prefix.
      "maxBatchSize=1000",
      "zookeeper.commitProcessor.numWorkerThreads=2",
      "zookeeper.snapshot.trust.empty=true",
    );
    expect(c.warnings).toHaveLength(5);
    for (const w of c.warnings) expect(w).toMatch(/not supported by Paddock; ignored$/);
    // A misspelt key is still unknown.
    expect(parse("maxBatchSzie=3").warnings).toEqual([`${FILE}:2: maxBatchSzie: unknown key; ignored`]);
  });

  it("reads the audit log's keys", () => {
    const off = parse();
    expect([off.auditEnabled, off.auditImplClass, off.auditLogFile]).toEqual([
      false,
      "org.apache.zookeeper.audit.Slf4jAuditLogger",
      "",
    ]);
    const on = parse(
      "zookeeper.audit.enable=true",
      "audit.impl.class=org.apache.zookeeper.audit.Slf4jAuditLogger",
      "paddock.auditLogFile=/var/log/zookeeper/zookeeper_audit.log",
    );
    expect(on.warnings).toEqual([]);
    expect([on.auditEnabled, on.auditLogFile]).toEqual([true, "/var/log/zookeeper/zookeeper_audit.log"]);
    // Another logger class is a Java class Paddock cannot load: the start stops, naming it.
    expectConfigError(() => parse("audit.enable=true", "audit.impl.class=com.example.KafkaAuditLogger"), {
      key: "audit.impl.class",
      detail: /audit logger class was not found: com\.example\.KafkaAuditLogger/,
    });
  });

  it("reads DigestAuthenticationProvider.digestAlg by Java's names", () => {
    expect(parse().digestAlgorithm).toBe("sha1");
    expect(parse("DigestAuthenticationProvider.digestAlg=SHA-256").digestAlgorithm).toBe("sha256");
    expect(parse("zookeeper.DigestAuthenticationProvider.digestAlg=sha3-256").digestAlgorithm).toBe(
      "sha3-256",
    );
    expectConfigError(() => parse("DigestAuthenticationProvider.digestAlg=MD2"), {
      key: "DigestAuthenticationProvider.digestAlg",
      detail: /unsupported ACL digest algorithm "MD2"/,
    });
  });

  it("says which accepted keys have no effect, and stays quiet about honoured ones", () => {
    const c = parse(
      "maxCnxns=100",
      "globalOutstandingLimit=1000",
      "clientPortListenBacklog=64",
      "snapCount=1000",
    );
    expect(c.warnings).toEqual([`${FILE}:2: maxCnxns: accepted for compatibility; has no effect in Paddock`]);
  });

  it("rejects hierarchical quorum keys", () => {
    expectConfigError(() => parse("group.1=1:2:3"), { key: "group.1", detail: /not supported by Paddock/ });
    expectConfigError(() => parse("weight.1=2"), { key: "weight.1" });
  });
});

describe("parseZooCfg server lines", () => {
  it("collects server.N lines by id", () => {
    const c = parse(
      "server.1=zoo1:2888:3888;2181",
      "server.2=zoo2:2888:3888:observer",
      "server.3 = zoo3:2888:3888 ",
    );
    expect([...c.servers.keys()]).toEqual([1, 2, 3]);
    expect(c.servers.get(2)?.role).toBe("observer");
    expect(c.servers.get(3)?.electionPort).toBe(3888);
    expect(c.serverLines.get(3)).toBe(4);
  });

  it("reports a bad server line with its line and key", () => {
    expectConfigError(() => parse("clientPort=2181", "server.7=zoo1:2888"), { line: 3, key: "server.7" });
  });

  it("rejects two keys naming the same id", () => {
    expectConfigError(() => parse("server.1=a:2888:3888", "server.01=b:2888:3888"), {
      line: 3,
      key: "server.01",
      detail: "duplicate server id 1 (also defined at line 2)",
    });
  });

  it("reads version as hex", () => {
    expect(parse("server.1=a:2888:3888", "version=100000000").configVersion).toBe(0x100000000n);
    expectConfigError(() => parse("version=xyz"), { key: "version" });
  });

  it("refuses server lines and version next to dynamicConfigFile", () => {
    expectConfigError(() => parse("dynamicConfigFile=/conf/zoo.cfg.dynamic", "server.1=a:2888:3888"), {
      line: 3,
      key: "server.1",
      detail: "parameter: server.1 must be in a separate dynamic config file",
    });
    expectConfigError(() => parse("dynamicConfigFile=/conf/zoo.cfg.dynamic", "version=1"), {
      key: "version",
      detail: "parameter: version must be in a separate dynamic config file",
    });
  });

  it("applies multiAddress.enabled whatever its position in the file", () => {
    expectConfigError(() => parse("server.1=a:1:2|b:1:2", "multiAddress.enabled=true"), {
      detail: /not supported by Paddock/,
    });
  });
});
