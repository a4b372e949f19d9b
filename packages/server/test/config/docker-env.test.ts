import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DockerEnvError, dockerFlavour, jvmSettingsFromEnv, jvmSizeMb } from "../../src/config/docker-env.js";
import { parseZooCfg, resolveServerConfig, zooCfgFromEnv } from "../../src/config/index.js";
import { jaasCredentials, jaasUsers, parseJaas } from "../../src/config/jaas.js";

describe("zooCfgFromEnv (official image entrypoint)", () => {
  it("writes the image defaults in the entrypoint's order, with no clientPort line", () => {
    const out = zooCfgFromEnv({});
    expect(out.zooCfg).toBe(
      [
        "dataDir=/data",
        "dataLogDir=/datalog",
        "tickTime=2000",
        "initLimit=5",
        "syncLimit=2",
        "autopurge.snapRetainCount=3",
        "autopurge.purgeInterval=0",
        "maxClientCnxns=60",
        "standaloneEnabled=true",
        "admin.enableServer=true",
        "server.1=localhost:2888:3888;2181",
        "",
      ].join("\n"),
    );
    expect(out).toMatchObject({ myid: "1", confDir: "/conf", dataDir: "/data", dataLogDir: "/datalog" });
  });

  it("gives a standalone server on client port 2181 by default", () => {
    const out = zooCfgFromEnv({});
    const c = resolveServerConfig(parseZooCfg(out.zooCfg, "/conf/zoo.cfg"), {
      cwd: "/",
      myidText: `${out.myid}\n`,
    });
    expect(c).toMatchObject({ standalone: true, myid: 1, clientPort: 2181, tickTimeMs: 2000 });
    expect(c.warnings).toEqual([
      "/conf/zoo.cfg:11: server.1: Invalid configuration, only one server specified (ignoring)",
    ]);
  });

  it("maps every ZOO_* variable onto its key", () => {
    const out = zooCfgFromEnv({
      ZOO_DATA_DIR: "/var/zk",
      ZOO_DATA_LOG_DIR: "/var/zklog",
      ZOO_CONF_DIR: "/etc/zk",
      ZOO_TICK_TIME: "1000",
      ZOO_INIT_LIMIT: "10",
      ZOO_SYNC_LIMIT: "4",
      ZOO_AUTOPURGE_SNAPRETAINCOUNT: "5",
      ZOO_AUTOPURGE_PURGEINTERVAL: "12",
      ZOO_MAX_CLIENT_CNXNS: "0",
      ZOO_STANDALONE_ENABLED: "false",
      ZOO_ADMINSERVER_ENABLED: "false",
      ZOO_4LW_COMMANDS_WHITELIST: "srvr,ruok,mntr",
      ZOO_MY_ID: "2",
    });
    expect(out.zooCfg.split("\n")).toEqual([
      "dataDir=/var/zk",
      "dataLogDir=/var/zklog",
      "tickTime=1000",
      "initLimit=10",
      "syncLimit=4",
      "autopurge.snapRetainCount=5",
      "autopurge.purgeInterval=12",
      "maxClientCnxns=0",
      "standaloneEnabled=false",
      "admin.enableServer=false",
      "server.1=localhost:2888:3888;2181",
      "4lw.commands.whitelist=srvr,ruok,mntr",
      "",
    ]);
    expect(out).toMatchObject({
      myid: "2",
      confDir: "/etc/zk",
      dataDir: "/var/zk",
      dataLogDir: "/var/zklog",
    });
  });

  it("splits ZOO_SERVERS and ZOO_CFG_EXTRA on spaces and newlines, one line per word", () => {
    const out = zooCfgFromEnv({
      ZOO_MY_ID: "3",
      ZOO_SERVERS:
        "server.1=zoo1:2888:3888;2181 server.2=zoo2:2888:3888;2181\n  server.3=0.0.0.0:2888:3888;2181",
      ZOO_CFG_EXTRA:
        "metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider\tmetricsProvider.httpPort=7070",
    });
    const lines = out.zooCfg.trimEnd().split("\n");
    expect(lines.slice(10)).toEqual([
      "server.1=zoo1:2888:3888;2181",
      "server.2=zoo2:2888:3888;2181",
      "server.3=0.0.0.0:2888:3888;2181",
      "metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
      "metricsProvider.httpPort=7070",
    ]);
    const c = resolveServerConfig(parseZooCfg(out.zooCfg, "/conf/zoo.cfg"), {
      cwd: "/",
      myidText: `${out.myid}\n`,
    });
    expect(c).toMatchObject({ standalone: false, myid: 3, clientPort: 2181 });
    expect(c.metricsProvider).toMatchObject({ kind: "prometheus", httpPort: 7070 });
  });

  it("falls back to the defaults for empty ZOO_SERVERS and ZOO_MY_ID, and skips an empty whitelist", () => {
    const out = zooCfgFromEnv({ ZOO_SERVERS: "  ", ZOO_MY_ID: "", ZOO_4LW_COMMANDS_WHITELIST: "" });
    expect(out.zooCfg).toContain("\nserver.1=localhost:2888:3888;2181\n");
    expect(out.zooCfg).not.toContain("4lw");
    expect(out.myid).toBe("1");
  });

  it("keeps an explicitly empty variable empty, as the Dockerfile ENV defaults only fill unset ones", () => {
    expect(zooCfgFromEnv({ ZOO_TICK_TIME: "" }).zooCfg).toContain("\ntickTime=\n");
  });

  it("writes old-style server lines without a client port as given", () => {
    const out = zooCfgFromEnv({ ZOO_SERVERS: "server.1=zoo1:2888:3888" });
    const c = resolveServerConfig(parseZooCfg(out.zooCfg, "/conf/zoo.cfg"), { cwd: "/", myidText: "1" });
    expect(c.clientPort).toBeUndefined();
  });
});

describe("zooCfgFromEnv (Bitnami's image)", () => {
  const resolve = (out: ReturnType<typeof zooCfgFromEnv>) =>
    resolveServerConfig(parseZooCfg(out.zooCfg, "/opt/bitnami/zookeeper/conf/zoo.cfg"), {
      cwd: "/",
      myidText: `${out.myid}\n`,
    });

  it("tells the two images' variables apart", () => {
    expect(dockerFlavour({})).toBe("official");
    expect(dockerFlavour({ ZOO_SERVERS: "server.1=a:2888:3888;2181" })).toBe("official");
    expect(dockerFlavour({ ALLOW_ANONYMOUS_LOGIN: "yes" })).toBe("bitnami");
    expect(dockerFlavour({ ZOO_SERVER_ID: "2" })).toBe("bitnami");
    expect(dockerFlavour({ ZOO_SERVERS: "zoo1:2888:3888,zoo2:2888:3888" })).toBe("bitnami");
    expect(dockerFlavour({ ZOO_MY_ID: "1", ALLOW_ANONYMOUS_LOGIN: "yes" })).toBe("official");
  });

  it("writes Bitnami's defaults: a standalone server on ZOO_PORT_NUMBER with data under /bitnami", () => {
    const out = zooCfgFromEnv({ ALLOW_ANONYMOUS_LOGIN: "yes" });
    expect(out.zooCfg.split("\n")).toEqual([
      "tickTime=2000",
      "initLimit=10",
      "syncLimit=5",
      "preAllocSize=65536",
      "snapCount=100000",
      "dataDir=/bitnami/zookeeper/data",
      "clientPort=2181",
      "maxCnxns=0",
      "maxClientCnxns=60",
      "reconfigEnabled=false",
      "quorumListenOnAllIPs=false",
      "autopurge.purgeInterval=0",
      "autopurge.snapRetainCount=3",
      "4lw.commands.whitelist=srvr, mntr",
      "maxSessionTimeout=40000",
      "admin.serverPort=8080",
      "admin.enableServer=false",
      "",
    ]);
    expect(out).toMatchObject({
      flavour: "bitnami",
      myid: "1",
      confDir: "/opt/bitnami/zookeeper/conf",
      dataDir: "/bitnami/zookeeper/data",
      dataLogDir: "/bitnami/zookeeper/data",
    });
    expect(resolve(out)).toMatchObject({ standalone: true, clientPort: 2181 });
  });

  it("numbers ZOO_SERVERS in order, or takes the ::id suffixes, with ZOO_PORT_NUMBER as client port", () => {
    const numbered = zooCfgFromEnv({
      ALLOW_ANONYMOUS_LOGIN: "yes",
      ZOO_SERVER_ID: "2",
      ZOO_PORT_NUMBER: "2281",
      ZOO_SERVERS: "zoo1:2888:3888,0.0.0.0:2888:3888;zoo3:2888:3888:observer",
    });
    expect(numbered.zooCfg).toContain(
      "server.1=zoo1:2888:3888;2281\nserver.2=0.0.0.0:2888:3888;2281\nserver.3=zoo3:2888:3888:observer;2281\n",
    );
    expect(resolve(numbered)).toMatchObject({ standalone: false, myid: 2, clientPort: 2281 });
    const withIds = zooCfgFromEnv({
      ALLOW_ANONYMOUS_LOGIN: "yes",
      ZOO_SERVER_ID: "7",
      ZOO_SERVERS: "zoo7:2888:3888::7 zoo9:2888:3888::9",
    });
    expect(withIds.zooCfg).toContain("server.7=zoo7:2888:3888;2181\nserver.9=zoo9:2888:3888;2181\n");
    expect(() => zooCfgFromEnv({ ALLOW_ANONYMOUS_LOGIN: "yes", ZOO_SERVERS: "zoo1:2888,zoo2:2888" })).toThrow(
      /should follow the next syntax: host:port:port/,
    );
  });

  it("maps ZOO_CFG_* to keys and the tunables to theirs", () => {
    const out = zooCfgFromEnv({
      ALLOW_ANONYMOUS_LOGIN: "yes",
      ZOO_TICK_TIME: "500",
      ZOO_4LW_COMMANDS_WHITELIST: "*",
      ZOO_LISTEN_ALLIPS_ENABLED: "yes",
      ZOO_DATA_LOG_DIR: "/bitnami/zookeeper/log",
      ZOO_CFG_minSessionTimeout: "3000",
      ZOO_CFG_znode_container_checkIntervalMs: "1000",
    });
    expect(out.zooCfg.startsWith("tickTime=500\n")).toBe(true);
    expect(out.zooCfg).toContain("\ndataLogDir=/bitnami/zookeeper/log\n");
    expect(out.zooCfg).toContain("\nquorumListenOnAllIPs=true\n");
    expect(out.zooCfg).toContain("\n4lw.commands.whitelist=*\n");
    expect(out.zooCfg).toContain("\nminSessionTimeout=3000\nznode.container.checkIntervalMs=1000\n");
    expect(out.dataLogDir).toBe("/bitnami/zookeeper/log");
  });

  it("refuses what Bitnami refuses", () => {
    expect(() => zooCfgFromEnv({ ZOO_SERVER_ID: "1" })).toThrow(
      /Set the environment variable ALLOW_ANONYMOUS_LOGIN=yes to allow unauthenticated users/,
    );
    expect(() => zooCfgFromEnv({ ZOO_ENABLE_AUTH: "yes" })).toThrow(DockerEnvError);
    expect(() => zooCfgFromEnv({ ZOO_ENABLE_AUTH: "yes" })).toThrow(
      /ZOO_SERVER_USERS and ZOO_SERVER_PASSWORDS/,
    );
    const anonymous = { ALLOW_ANONYMOUS_LOGIN: "yes" };
    expect(() => zooCfgFromEnv({ ...anonymous, ZOO_TLS_CLIENT_ENABLE: "true" })).toThrow(
      "ZOO_TLS_CLIENT_ENABLE=yes needs ZOO_TLS_CLIENT_KEYSTORE_FILE",
    );
    expect(() =>
      zooCfgFromEnv({
        ...anonymous,
        ZOO_TLS_QUORUM_ENABLE: "yes",
        ZOO_TLS_QUORUM_KEYSTORE_FILE: "/certs/k.jks",
      }),
    ).toThrow("ZOO_TLS_QUORUM_ENABLE=yes needs ZOO_TLS_QUORUM_TRUSTSTORE_FILE");
    expect(() => zooCfgFromEnv({ ...anonymous, ZOO_TLS_CLIENT_AUTH: "maybe" })).toThrow(
      "The allowed values for ZOO_TLS_CLIENT_AUTH are: none want need",
    );
    expect(() => zooCfgFromEnv({ ...anonymous, ZOO_ENABLE_QUORUM_AUTH: "yes" })).toThrow(
      "ZOO_ENABLE_QUORUM_AUTH=yes needs ZOO_QUORUM_LEARNER_USER and ZOO_QUORUM_LEARNER_PASSWORD",
    );
    expect(() =>
      zooCfgFromEnv({
        ...anonymous,
        ZOO_ENABLE_QUORUM_AUTH: "yes",
        ZOO_QUORUM_LEARNER_USER: "zk",
        ZOO_QUORUM_LEARNER_PASSWORD: "pw",
        ZOO_QUORUM_SERVER_USERS: "zk,other",
        ZOO_QUORUM_SERVER_PASSWORDS: "pw",
      }),
    ).toThrow(/ZOO_QUORUM_SERVER_USERS and ZOO_QUORUM_SERVER_PASSWORDS with one password per user/);
  });
});

describe("JVM options", () => {
  it("reads JVM memory sizes", () => {
    expect(jvmSizeMb("512m")).toBe(512);
    expect(jvmSizeMb("2G")).toBe(2048);
    expect(jvmSizeMb("1048576k")).toBe(1024);
    expect(jvmSizeMb("1073741824")).toBe(1024);
    expect(jvmSizeMb("lots")).toBeUndefined();
  });

  it("turns the last -Xmx into the heap limit, system properties into zoo.cfg lines, and reports the rest", () => {
    expect(jvmSettingsFromEnv({})).toEqual({
      heapMb: undefined,
      heapSource: undefined,
      zooCfgLines: [],
      ignored: [],
    });
    expect(jvmSettingsFromEnv({ ZK_SERVER_HEAP: "512" })).toMatchObject({
      heapMb: 512,
      heapSource: "-Xmx512m from ZK_SERVER_HEAP",
    });
    const s = jvmSettingsFromEnv({
      ZK_SERVER_HEAP: "512",
      SERVER_JVMFLAGS: "-Xmx768m",
      JVMFLAGS:
        "-Xms1g -Xmx2g -XX:+UseG1GC -Dzookeeper.extendedTypesEnabled=true -Djute.maxbuffer=4194304 -Dreadonlymode.enabled=true -Dfoo=bar",
    });
    expect(s).toEqual({
      heapMb: 2048,
      heapSource: "-Xmx2g from JVMFLAGS",
      zooCfgLines: ["extendedTypesEnabled=true", "jute.maxbuffer=4194304", "readonlymode.enabled=true"],
      ignored: ["-XX:+UseG1GC (JVMFLAGS)", "-Dfoo=bar (JVMFLAGS)"],
    });
    // The JAAS file of SASL and quorum authentication, as ZooKeeper's scripts pass it.
    expect(
      jvmSettingsFromEnv({ SERVER_JVMFLAGS: "-Djava.security.auth.login.config=/conf/jaas.conf" })
        .zooCfgLines,
    ).toEqual(["java.security.auth.login.config=/conf/jaas.conf"]);
    const out = zooCfgFromEnv({ JVMFLAGS: "-Xmx300m -Dzookeeper.extendedTypesEnabled=true -verbose:gc" });
    expect(out.zooCfg.endsWith("\nextendedTypesEnabled=true\n")).toBe(true);
    expect(out.notes).toEqual([
      "heap limit 300 MiB (-Xmx300m from JVMFLAGS)",
      "JVM options without a Node equivalent, ignored: -verbose:gc (JVMFLAGS) (NODE_OPTIONS takes Node's own)",
    ]);
  });

  it("applies Bitnami's ZOO_HEAP_SIZE unless JVMFLAGS sizes the heap itself", () => {
    expect(jvmSettingsFromEnv({ ALLOW_ANONYMOUS_LOGIN: "yes" }).heapMb).toBe(1024);
    expect(jvmSettingsFromEnv({ ALLOW_ANONYMOUS_LOGIN: "yes", ZOO_HEAP_SIZE: "300" }).heapMb).toBe(300);
    expect(
      jvmSettingsFromEnv({ ALLOW_ANONYMOUS_LOGIN: "yes", ZOO_HEAP_SIZE: "300", JVMFLAGS: "-Xms64m -Xmx128m" })
        .heapMb,
    ).toBe(128);
  });
});

describe("Bitnami's ZOO_ENABLE_AUTH", () => {
  it("turns on SASL DIGEST-MD5 with Bitnami's zoo_jaas.conf, no anonymous login needed", () => {
    const out = zooCfgFromEnv({
      ZOO_ENABLE_AUTH: "yes",
      ZOO_SERVER_USERS: "alice,bob",
      ZOO_SERVER_PASSWORDS: 'wonder;la"nd',
      ZOO_CLIENT_USER: "alice",
      ZOO_CLIENT_PASSWORD: "wonder",
    });
    expect(out.zooCfg).toContain(
      "authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider\n",
    );
    expect(out.zooCfg).toContain(
      "java.security.auth.login.config=/opt/bitnami/zookeeper/conf/zoo_jaas.conf\n",
    );
    expect(out.jaas?.path).toBe("/opt/bitnami/zookeeper/conf/zoo_jaas.conf");
    expect(out.jaas?.text).toContain('    user_alice="wonder"\n    user_bob="la\\"nd";\n');
    expect(out.jaas?.text).toContain('username="alice"');
    const parsed = parseZooCfg(out.zooCfg, "/opt/bitnami/zookeeper/conf/zoo.cfg");
    // Both keys are honoured (Bitnami's own maxCnxns line is the only one warned about).
    expect(parsed.warnings.filter((w) => /authProvider|login\.config/.test(w))).toEqual([]);
    expect(parsed.authSchemes.has("sasl")).toBe(true);
  });
});

describe("Bitnami's ZOO_ENABLE_QUORUM_AUTH", () => {
  it("requires quorum SASL with QuorumLearner and QuorumServer sections in zoo_jaas.conf", () => {
    const out = zooCfgFromEnv({
      ALLOW_ANONYMOUS_LOGIN: "yes",
      ZOO_SERVERS: "zk1:2888:3888,zk2:2888:3888,zk3:2888:3888",
      ZOO_ENABLE_QUORUM_AUTH: "yes",
      ZOO_QUORUM_LEARNER_USER: "zkpeer",
      ZOO_QUORUM_LEARNER_PASSWORD: "peer secret",
      ZOO_QUORUM_SERVER_USERS: "zkpeer;old",
      ZOO_QUORUM_SERVER_PASSWORDS: 'peer,o"ld',
    });
    const lines = out.zooCfg.split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "quorum.auth.enableSasl=true",
        "quorum.auth.learnerRequireSasl=true",
        "quorum.auth.serverRequireSasl=true",
        "quorum.auth.learner.saslLoginContext=QuorumLearner",
        "quorum.auth.server.saslLoginContext=QuorumServer",
        "java.security.auth.login.config=/opt/bitnami/zookeeper/conf/zoo_jaas.conf",
      ]),
    );
    expect(lines.some((l) => l.startsWith("authProvider."))).toBe(false);
    // The lists split on commas, semicolons and spaces; the learner's password is taken whole.
    expect(out.jaas?.text).toBe(
      [
        "QuorumLearner {",
        "    org.apache.zookeeper.server.auth.DigestLoginModule required",
        '    username="zkpeer"',
        '    password="peer secret";',
        "};",
        "QuorumServer {",
        "    org.apache.zookeeper.server.auth.DigestLoginModule required",
        '    user_zkpeer="peer"',
        '    user_old="o\\"ld";',
        "};",
        "",
      ].join("\n"),
    );
    // The translation is a start Paddock accepts: every key honoured, the JAAS file readable.
    const dir = mkdtempSync(join(tmpdir(), "paddock-bitnami-"));
    try {
      const jaasPath = join(dir, "zoo_jaas.conf");
      writeFileSync(jaasPath, out.jaas!.text);
      const parsed = parseZooCfg(
        out.zooCfg.replace(out.jaas!.path, jaasPath),
        "/opt/bitnami/zookeeper/conf/zoo.cfg",
      );
      expect(parsed.warnings.filter((w) => /quorum\.auth|login\.config/.test(w))).toEqual([]);
      expect(parsed.quorumAuthServerRequireSasl).toBe(true);
      const jaas = parseJaas(readFileSync(jaasPath, "utf8"), jaasPath);
      expect(jaasUsers(jaas, "QuorumServer")).toEqual(
        new Map([
          ["zkpeer", "peer"],
          ["old", 'o"ld'],
        ]),
      );
      expect(jaasCredentials(jaas, "QuorumLearner")).toEqual({ username: "zkpeer", password: "peer secret" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes the client and quorum sections into one file when both are on", () => {
    const out = zooCfgFromEnv({
      ZOO_ENABLE_AUTH: "yes",
      ZOO_SERVER_USERS: "alice",
      ZOO_SERVER_PASSWORDS: "wonder",
      ZOO_ENABLE_QUORUM_AUTH: "yes",
      ZOO_QUORUM_LEARNER_USER: "zkpeer",
      ZOO_QUORUM_LEARNER_PASSWORD: "peer",
      ZOO_QUORUM_SERVER_USERS: "zkpeer",
      ZOO_QUORUM_SERVER_PASSWORDS: "peer",
    });
    expect(out.jaas?.text.match(/^\w+ \{$/gm)).toEqual([
      "Client {",
      "Server {",
      "QuorumLearner {",
      "QuorumServer {",
    ]);
    expect(out.zooCfg.match(/^java\.security\.auth\.login\.config=/gm)).toHaveLength(1);
    expect(out.zooCfg).toContain(
      "authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider\n",
    );
  });
});

describe("Bitnami's ZOO_TLS_CLIENT_* and ZOO_TLS_QUORUM_*", () => {
  const tlsEnv = {
    ALLOW_ANONYMOUS_LOGIN: "yes",
    ZOO_TLS_CLIENT_ENABLE: "yes",
    ZOO_TLS_CLIENT_KEYSTORE_FILE: "/bitnami/zookeeper/certs/zookeeper.keystore.jks",
    ZOO_TLS_CLIENT_KEYSTORE_PASSWORD: "kpass",
    ZOO_TLS_CLIENT_TRUSTSTORE_FILE: "/bitnami/zookeeper/certs/zookeeper.truststore.jks",
  };

  it("adds a secure client port with the ssl.* stores next to the plaintext port", () => {
    const out = zooCfgFromEnv(tlsEnv);
    const lines = out.zooCfg.split("\n");
    const from = lines.indexOf("ssl.clientAuth=need");
    expect(lines.slice(from, from + 5)).toEqual([
      "ssl.clientAuth=need",
      "secureClientPort=3181",
      "ssl.keyStore.location=/bitnami/zookeeper/certs/zookeeper.keystore.jks",
      "ssl.keyStore.password=kpass",
      "ssl.trustStore.location=/bitnami/zookeeper/certs/zookeeper.truststore.jks",
    ]);
    expect(lines).toContain("clientPort=2181");
    // No trust store password was given: no line for it (Bitnami writes none either).
    expect(lines.some((l) => l.startsWith("ssl.trustStore.password"))).toBe(false);
    expect(out.notes).toContain("TLS for clients on port 3181 (ZOO_TLS_CLIENT_ENABLE)");
    const parsed = parseZooCfg(out.zooCfg, "/opt/bitnami/zookeeper/conf/zoo.cfg");
    expect(parsed).toMatchObject({
      secureClientPort: 3181,
      sslClientAuth: "need",
      sslKeyStoreLocation: "/bitnami/zookeeper/certs/zookeeper.keystore.jks",
      sslKeyStorePassword: "kpass",
    });
    expect(parsed.warnings.filter((w) => /ssl|secure/.test(w))).toEqual([]);
  });

  it("maps the port, client auth, passwords and types, and the quorum's stores to sslQuorum", () => {
    const out = zooCfgFromEnv({
      ...tlsEnv,
      ZOO_TLS_PORT_NUMBER: "2281",
      ZOO_TLS_CLIENT_AUTH: "want",
      ZOO_TLS_CLIENT_KEYSTORE_TYPE: "JKS",
      ZOO_TLS_CLIENT_TRUSTSTORE_PASSWORD: "tpass",
      ZOO_TLS_CLIENT_TRUSTSTORE_TYPE: "JKS",
      ZOO_SERVERS: "zk1:2888:3888,zk2:2888:3888,zk3:2888:3888",
      ZOO_TLS_QUORUM_ENABLE: "true",
      ZOO_TLS_QUORUM_KEYSTORE_FILE: "/certs/quorum.p12",
      ZOO_TLS_QUORUM_KEYSTORE_PASSWORD: "qk",
      ZOO_TLS_QUORUM_KEYSTORE_TYPE: "PKCS12",
      ZOO_TLS_QUORUM_TRUSTSTORE_FILE: "/certs/ca.pem",
      ZOO_TLS_QUORUM_CLIENT_AUTH: "none",
      ZOO_CFG_ssl_quorum_hostnameVerification: "false",
    });
    const lines = out.zooCfg.split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "ssl.clientAuth=want",
        "secureClientPort=2281",
        "ssl.keyStore.type=JKS",
        "ssl.trustStore.password=tpass",
        "ssl.trustStore.type=JKS",
        "sslQuorum=true",
        "ssl.quorum.keyStore.location=/certs/quorum.p12",
        "ssl.quorum.keyStore.password=qk",
        "ssl.quorum.keyStore.type=PKCS12",
        "ssl.quorum.trustStore.location=/certs/ca.pem",
      ]),
    );
    // ZOO_CFG_* come after, so they can override, as Bitnami's in-place replacement does.
    expect(lines.indexOf("ssl.quorum.hostnameVerification=false")).toBeGreaterThan(
      lines.indexOf("sslQuorum=true"),
    );
    // As Bitnami's script writes it: Paddock's peer links take none, want and need.
    expect(lines).toContain("ssl.quorum.clientAuth=none");
    const parsed = parseZooCfg(out.zooCfg, "/opt/bitnami/zookeeper/conf/zoo.cfg");
    expect(parsed).toMatchObject({
      sslQuorum: true,
      sslQuorumKeyStoreType: "PKCS12",
      sslQuorumTrustStoreLocation: "/certs/ca.pem",
      sslQuorumHostnameVerification: false,
      sslQuorumClientAuth: "none",
    });
    expect(parsed.warnings.filter((w) => /ssl|secure/.test(w))).toEqual([]);
  });
});
