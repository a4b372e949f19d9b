import { describe, expect, it } from "vitest";
import { parseZooCfg, resolveServerConfig, zooCfgFromEnv } from "../../src/config/index.js";

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
