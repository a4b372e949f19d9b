import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ResolveInput, ServerConfig } from "../../src/config/index.js";
import {
  dynamicConfigVersion,
  loadServerConfig,
  parseMyid,
  parseZooCfg,
  resolveServerConfig,
} from "../../src/config/index.js";
import { expectConfigError } from "./helpers.js";

const FILE = "/conf/zoo.cfg";
const resolveText = (text: string, input: Partial<ResolveInput> = {}): ServerConfig =>
  resolveServerConfig(parseZooCfg(text, FILE), { cwd: "/work", myidText: undefined, ...input });
const cfg = (...lines: string[]): string =>
  ["dataDir=/data", "initLimit=5", "syncLimit=2", ...lines].join("\n");
const THREE = [
  "server.1=zoo1:2888:3888;2181",
  "server.2=zoo2:2888:3888;2181",
  "server.3=zoo3:2888:3888;2181",
];

describe("standalone vs replicated (zoo-cfg.md §4)", () => {
  it("is standalone without server lines, and needs no myid", () => {
    const c = resolveText(cfg("clientPort=2181"));
    expect(c).toMatchObject({
      standalone: true,
      myid: undefined,
      clientPort: 2181,
      clientPortAddress: undefined,
    });
  });

  it("is standalone with one voter and standaloneEnabled=true, with ZooKeeper's warning", () => {
    const c = resolveText(cfg("server.1=localhost:2888:3888;2181"), { myidText: "1\n" });
    expect(c.standalone).toBe(true);
    expect(c.myid).toBe(1);
    expect(c.clientPort).toBe(2181);
    expect(c.warnings).toContain(
      `${FILE}:4: server.1: Invalid configuration, only one server specified (ignoring)`,
    );
  });

  it("uses no client port in standalone mode when myid is absent and there is no clientPort", () => {
    const c = resolveText(cfg("server.1=localhost:2888:3888;2181"));
    expect(c).toMatchObject({ standalone: true, myid: undefined, clientPort: undefined });
  });

  it("is replicated with one voter when standaloneEnabled=false", () => {
    const c = resolveText(cfg("standaloneEnabled=false", "server.1=localhost:2888:3888;2181"), {
      myidText: "1",
    });
    expect(c.standalone).toBe(false);
  });

  it("is replicated with several voters", () => {
    const c = resolveText(cfg(...THREE), { myidText: "2\n" });
    expect(c).toMatchObject({ standalone: false, myid: 2, clientPort: 2181, peerType: "participant" });
    expect(c.servers.size).toBe(3);
    expect(c.warnings).toEqual([]);
  });

  it("warns about two voters and about even counts", () => {
    const two = resolveText(cfg(...THREE.slice(0, 2)), { myidText: "1" });
    expect(two.warnings).toEqual([
      `${FILE}: No server failure will be tolerated. You need at least 3 servers.`,
    ]);
    const four = resolveText(cfg(...THREE, "server.4=zoo4:2888:3888"), { myidText: "1" });
    expect(four.warnings).toEqual([`${FILE}: Non-optimal configuration, consider an odd number of servers.`]);
  });

  it("does not count observers as voters", () => {
    const c = resolveText(cfg(...THREE, "server.4=zoo4:2888:3888:observer"), { myidText: "4" });
    expect(c).toMatchObject({ standalone: false, peerType: "observer" });
    expect(c.warnings).toEqual([]);
  });

  it("rejects observers without participants", () => {
    expectConfigError(() => resolveText(cfg("server.1=zoo1:2888:3888:observer")), {
      key: "server.1",
      detail: "Observers w/o participants is an invalid configuration",
    });
  });

  it("rejects observers next to a single voter in standalone mode", () => {
    expectConfigError(() => resolveText(cfg("server.1=zoo1:2888:3888", "server.2=zoo2:2888:3888:observer")), {
      detail: "Observers w/o quorum is an invalid configuration",
    });
  });

  it("rejects standaloneEnabled=false without participants", () => {
    expectConfigError(() => resolveText(cfg("standaloneEnabled=false")), {
      line: 4,
      key: "standaloneEnabled",
      detail: "standaloneEnabled = false then number of participants should be >0",
    });
  });

  it("requires initLimit and syncLimit only when replicated", () => {
    const servers = THREE.join("\n");
    expectConfigError(() => resolveText(`dataDir=/d\nsyncLimit=2\n${servers}`, { myidText: "1" }), {
      key: "initLimit",
      line: undefined,
      detail: "initLimit is not set",
    });
    expectConfigError(
      () => resolveText(`dataDir=/d\ninitLimit=2\nsyncLimit=0\n${servers}`, { myidText: "1" }),
      {
        key: "syncLimit",
        line: 3,
        detail: "syncLimit is not set",
      },
    );
    expect(resolveText("dataDir=/d\nclientPort=2181").standalone).toBe(true);
  });
});

describe("myid", () => {
  it("is required in replicated mode, naming the file", () => {
    const error = expectConfigError(() => resolveText(cfg(...THREE)), {
      file: "/data/myid",
      line: undefined,
      detail: "myid file is missing",
    });
    expect(error.message).toBe("/data/myid: myid file is missing");
  });

  it("reads the first line as a long, untrimmed", () => {
    expect(parseMyid("3\n", "/d/myid")).toBe(3);
    expect(parseMyid("+3\r\nignored", "/d/myid")).toBe(3);
    expect(parseMyid("0", "/d/myid")).toBe(0);
  });

  it.each([
    ["", "serverid null is not a number"],
    ["\n", "serverid  is not a number"],
    ["1 \n", "serverid 1  is not a number"],
    [" 1", "serverid  1 is not a number"],
    ["one", "serverid one is not a number"],
  ])("rejects myid %j with ZooKeeper's message", (text, detail) => {
    expectConfigError(() => parseMyid(text, "/d/myid"), { file: "/d/myid", line: 1, detail });
  });

  it("rejects a negative myid", () => {
    expectConfigError(() => parseMyid("-1", "/d/myid"), { detail: /out of range/ });
  });

  it("is validated in standalone mode too when the file exists", () => {
    expectConfigError(() => resolveText(cfg("clientPort=2181"), { myidText: "x" }), {
      detail: "serverid x is not a number",
    });
  });

  it("must be in the server list when replicated", () => {
    expectConfigError(() => resolveText(cfg(...THREE), { myidText: "4" }), {
      file: "/data/myid",
      detail: "My id 4 not in the peer list",
    });
  });

  it("is limited to 254 with extendedTypesEnabled", () => {
    expectConfigError(
      () => resolveText(cfg("extendedTypesEnabled=true", ...THREE, "server.255=z:1:2"), { myidText: "1" }),
      {
        key: "server.255",
        detail: /above 254/,
      },
    );
  });
});

describe("client port resolution (§5.2)", () => {
  it("takes the client port from this server's line", () => {
    const c = resolveText(
      cfg("server.1=zoo1:2888:3888;2181", "server.2=zoo2:2888:3888;2182", "server.3=zoo3:2888:3888"),
      {
        myidText: "2",
      },
    );
    expect([c.clientPort, c.clientPortAddress]).toEqual([2182, undefined]);
  });

  it("takes a bind address from ;host:port", () => {
    const c = resolveText(cfg("server.1=zoo1:2888:3888;127.0.0.1:2181", ...THREE.slice(1)), {
      myidText: "1",
    });
    expect([c.clientPort, c.clientPortAddress]).toEqual([2181, "127.0.0.1"]);
  });

  it("falls back to clientPort/clientPortAddress when the line has no client part", () => {
    const c = resolveText(
      cfg("clientPort=2185", "clientPortAddress=127.0.0.1", "server.1=zoo1:2888:3888", ...THREE.slice(1)),
      { myidText: "1" },
    );
    expect([c.clientPort, c.clientPortAddress]).toEqual([2185, "127.0.0.1"]);
    expect(c.servers.get(1)?.clientPort).toBeUndefined();
  });

  it("has no client port when neither gives one", () => {
    const c = resolveText(cfg("server.1=zoo1:2888:3888", ...THREE.slice(1)), { myidText: "1" });
    expect(c.clientPort).toBeUndefined();
  });

  it("accepts an agreeing static clientPort, including a wildcard static address", () => {
    expect(resolveText(cfg("clientPort=2181", ...THREE), { myidText: "1" }).clientPort).toBe(2181);
    const c = resolveText(
      cfg(
        "clientPort=2181",
        "clientPortAddress=0.0.0.0",
        "server.1=zoo1:2888:3888;10.0.0.1:2181",
        ...THREE.slice(1),
      ),
      {
        myidText: "1",
      },
    );
    expect(c.clientPortAddress).toBe("10.0.0.1");
  });

  it("rejects a static clientPort that disagrees with the line", () => {
    expectConfigError(() => resolveText(cfg("clientPort=2185", ...THREE), { myidText: "1" }), {
      key: "server.1",
      line: 5,
      detail:
        "client address for this server (id = 1) in static config file is 0.0.0.0:2185 is different from client address found in dynamic file: 0.0.0.0:2181",
    });
  });

  it("rejects a specific static address that differs from the line's", () => {
    expectConfigError(
      () => resolveText(cfg("clientPort=2181", "clientPortAddress=127.0.0.1", ...THREE), { myidText: "1" }),
      {
        detail:
          /static config file is 127.0.0.1:2181 is different from client address found in dynamic file: 0.0.0.0:2181$/,
      },
    );
  });
});

describe("peerType", () => {
  it("follows the server line over the peerType key, with a warning", () => {
    const c = resolveText(cfg("peerType=observer", ...THREE), { myidText: "1" });
    expect(c.peerType).toBe("participant");
    expect(c.warnings[0]).toMatch(
      /Peer type from servers list \(participant\) doesn't match peerType \(observer\)/,
    );
  });
});

describe("server address conflicts", () => {
  it("rejects two members binding the same host:port", () => {
    expectConfigError(
      () =>
        resolveText(
          cfg(
            "server.1=localhost:2888:3888;2181",
            "server.2=localhost:2888:3889;2182",
            "server.3=h3:2888:3888",
          ),
          { myidText: "1" },
        ),
      {
        key: "server.2",
        line: 5,
        detail: "quorum port localhost:2888 is already used as the server.1 quorum port",
      },
    );
  });

  it("counts a ;port client listener as bound on the member's host", () => {
    expectConfigError(
      () =>
        resolveText(
          cfg(
            "server.1=localhost:2888:3888;2181",
            "server.2=localhost:2889:3889;3888",
            "server.3=h3:2888:3888",
          ),
          { myidText: "1" },
        ),
      { key: "server.2", detail: "client port localhost:3888 is already used as the server.1 election port" },
    );
  });

  it("allows the same ports on different hosts", () => {
    expect(resolveText(cfg(...THREE), { myidText: "3" }).servers.size).toBe(3);
  });
});

describe("paths", () => {
  it("resolves relative dataDir and dataLogDir against the cwd with a warning", () => {
    const c = resolveText("dataDir=data\ndataLogDir=../logs\nclientPort=2181", { cwd: "/srv/zk" });
    expect([c.dataDir, c.dataLogDir]).toEqual(["/srv/zk/data", "/srv/logs"]);
    expect(c.warnings).toEqual([
      `${FILE}:1: dataDir: relative path "data" resolved to /srv/zk/data`,
      `${FILE}:2: dataLogDir: relative path "../logs" resolved to /srv/logs`,
    ]);
    expect(c.configPath).toBe(FILE);
  });
});

describe("dynamic config file (§6)", () => {
  const staticPart = cfg("dynamicConfigFile=/conf/zoo.cfg.dynamic.100000000");

  it("takes the servers from the dynamic file and the version from its name", () => {
    const c = resolveText(staticPart, { myidText: "1", dynamicText: THREE.join("\n") });
    expect(c.servers.size).toBe(3);
    expect(c.configVersion).toBe(0x100000000n);
    expect(c.dynamicConfigFile).toBe("/conf/zoo.cfg.dynamic.100000000");
    expect(c.standalone).toBe(false);
  });

  it("reads the version suffix as hex, 0 when it is not hex", () => {
    expect(dynamicConfigVersion("zoo.cfg.dynamic.1a")).toBe(0x1an);
    expect(dynamicConfigVersion("zoo.cfg.dynamic")).toBe(0n);
    expect(dynamicConfigVersion("servers")).toBe(0n);
  });

  it("rejects other keys and version inside the dynamic file, naming that file", () => {
    expectConfigError(
      () => resolveText(staticPart, { myidText: "1", dynamicText: `${THREE.join("\n")}\ntickTime=2000` }),
      {
        file: "/conf/zoo.cfg.dynamic.100000000",
        line: 4,
        key: "tickTime",
        detail: "Unrecognised parameter: tickTime",
      },
    );
    expectConfigError(() => resolveText(staticPart, { myidText: "1", dynamicText: "version=1" }), {
      detail: "dynamic file shouldn't have version inside",
    });
  });

  it("reports a missing dynamic file at the dynamicConfigFile line", () => {
    expectConfigError(() => resolveText(staticPart, { myidText: "1" }), {
      file: FILE,
      line: 4,
      key: "dynamicConfigFile",
      detail: "/conf/zoo.cfg.dynamic.100000000 file is missing",
    });
  });

  it("locates errors in dynamic server lines in the dynamic file", () => {
    expectConfigError(() => resolveText(staticPart, { myidText: "1", dynamicText: "server.1=a:1:1" }), {
      file: "/conf/zoo.cfg.dynamic.100000000",
      line: 1,
      key: "server.1",
    });
  });
});

describe("loadServerConfig", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "paddock-config-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads zoo.cfg, myid from dataDir and the dynamic file", () => {
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "data", "myid"), "3\n");
    writeFileSync(join(dir, "zoo.cfg.dynamic.5"), THREE.join("\n"));
    writeFileSync(join(dir, "zoo.cfg"), cfg("dynamicConfigFile=zoo.cfg.dynamic.5").replace("/data", "data"));
    const c = loadServerConfig("zoo.cfg", { cwd: dir });
    expect(c).toMatchObject({
      configPath: join(dir, "zoo.cfg"),
      dataDir: join(dir, "data"),
      myid: 3,
      standalone: false,
      clientPort: 2181,
      configVersion: 5n,
    });
  });

  it("reports a missing myid with the file's path", () => {
    writeFileSync(join(dir, "zoo.cfg"), cfg(...THREE).replace("/data", dir));
    expectConfigError(() => loadServerConfig(join(dir, "zoo.cfg")), {
      file: join(dir, "myid"),
      detail: "myid file is missing",
    });
  });

  it("ignores a myid directory like a missing file", () => {
    mkdirSync(join(dir, "myid"));
    writeFileSync(join(dir, "zoo.cfg"), `dataDir=${dir}\nclientPort=2181\n`);
    expect(loadServerConfig(join(dir, "zoo.cfg")).myid).toBeUndefined();
  });

  it("reports a missing zoo.cfg", () => {
    const path = join(dir, "nope.cfg");
    expectConfigError(() => loadServerConfig(path), { file: path, detail: `${path} file is missing` });
  });

  it("reads the file as ISO-8859-1 like Properties", () => {
    writeFileSync(join(dir, "zoo.cfg"), Buffer.from(`dataDir=${dir}/d\u00e9\nclientPort=2181\n`, "latin1"));
    expect(loadServerConfig(join(dir, "zoo.cfg")).dataDir).toBe(`${dir}/d\u00e9`);
  });
});
