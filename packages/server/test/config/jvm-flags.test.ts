import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { heapNodeFlags, jvmHeapMb, serverJvmFlags } from "../../src/config/jvm-flags.js";
import { parseZooCfg } from "../../src/config/zoo-cfg.js";

const BASE = "dataDir=/tmp/d\nclientPort=2181\ntickTime=2000\n";

describe("serverJvmFlags: the -D settings zkServer.sh passes to java", () => {
  it("reads SERVER_JVMFLAGS then JVMFLAGS, as zoo.cfg keys; the rest is listed as ignored", () => {
    const flags = serverJvmFlags({
      SERVER_JVMFLAGS: "-Xmx1g -Djava.security.auth.login.config=/a.conf -Dzookeeper.skipACL=yes",
      JVMFLAGS:
        '-Djava.security.auth.login.config="/b.conf" -Dlog4j.debug -Djute.maxbuffer=4194304 -Dznode.container.checkIntervalMs=100',
    });
    expect(flags.properties.map((p) => [p.key, p.value, p.source])).toEqual([
      ["java.security.auth.login.config", "/a.conf", "SERVER_JVMFLAGS"],
      ["skipACL", "yes", "SERVER_JVMFLAGS"],
      // Quotes stay literal in zkServer.sh's unquoted expansion; a quoted path still means the path.
      ["java.security.auth.login.config", "/b.conf", "JVMFLAGS"],
      ["jute.maxbuffer", "4194304", "JVMFLAGS"],
      // ZooKeeper's container manager reads its settings as these system properties only.
      ["znode.container.checkIntervalMs", "100", "JVMFLAGS"],
    ]);
    expect(flags.ignored).toEqual(["-Xmx1g (SERVER_JVMFLAGS)", "-Dlog4j.debug (JVMFLAGS)"]);
    expect(serverJvmFlags({})).toEqual({ properties: [], ignored: [] });
  });

  it("take -Xmx as Node's heap limit where a launcher can apply it, unless NODE_OPTIONS sets one", () => {
    const env = { SERVER_JVMFLAGS: "-Xmx1g", JVMFLAGS: "-Xmx512m -Xms512m" };
    expect(jvmHeapMb(env)).toBe(512);
    expect(heapNodeFlags(env)).toEqual(["--max-old-space-size=512"]);
    expect(heapNodeFlags({ ...env, NODE_OPTIONS: "--max-old-space-size=64" })).toEqual([]);
    expect(heapNodeFlags({ JVMFLAGS: "-Xms512m" })).toEqual([]);
    // A server whose own node options carry that limit does not list -Xmx as ignored; -Xms stays.
    expect(serverJvmFlags(env, ["--max-old-space-size=512"]).ignored).toEqual(["-Xms512m (JVMFLAGS)"]);
    expect(serverJvmFlags(env, ["--max-old-space-size=2048"]).ignored).toEqual([
      "-Xmx1g (SERVER_JVMFLAGS)",
      "-Xmx512m (JVMFLAGS)",
      "-Xms512m (JVMFLAGS)",
    ]);
  });

  it("are read before the file: the last flag wins, the file's key over both", () => {
    const { properties } = serverJvmFlags({
      SERVER_JVMFLAGS: "-Dzookeeper.maxClientCnxns=10 -Dzookeeper.skipACL=yes",
      JVMFLAGS: "-Dzookeeper.maxClientCnxns=20",
    });
    const fromFlags = parseZooCfg(BASE, "zoo.cfg", properties);
    expect(fromFlags.maxClientCnxns).toBe(20);
    expect(fromFlags.skipAcl).toBe(true);
    expect(fromFlags.warnings).toEqual([]);
    // The file's own key wins; told only when it says something else (the image writes its flags
    // into the zoo.cfg it makes, with the same values).
    const same = parseZooCfg(`${BASE}maxClientCnxns=20\n`, "zoo.cfg", properties);
    expect(same.warnings).toEqual([]);
    const other = parseZooCfg(`${BASE}maxClientCnxns=30\n`, "zoo.cfg", properties);
    expect(other.maxClientCnxns).toBe(30);
    expect(other.warnings).toEqual([
      "zoo.cfg:4: maxClientCnxns: overrides -Dzookeeper.maxClientCnxns=20 from JVMFLAGS",
    ]);
  });

  it("a bad value names the variable and the property", () => {
    const { properties } = serverJvmFlags({ SERVER_JVMFLAGS: "-Dzookeeper.maxClientCnxns=lots" });
    expect(() => parseZooCfg(BASE, "zoo.cfg", properties)).toThrow(ConfigError);
    expect(() => parseZooCfg(BASE, "zoo.cfg", properties)).toThrow(
      /^SERVER_JVMFLAGS: zookeeper\.maxClientCnxns: /,
    );
  });
});
