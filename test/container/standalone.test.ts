// The production image (deploy/Dockerfile) in standalone mode, driven as a user would drive it:
// ZOO_* variables in, a client and four-letter words through the published port out. The image
// is (re)built with deploy/build-image.sh first, which is quick when nothing changed; set
// PADDOCK_TEST_IMAGE to test an existing image instead.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { OpCode } from "@paddock/jute";
import zookeeper from "node-zookeeper-client";
import { GenericContainer, type StartedTestContainer, Wait } from "testcontainers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_NODE_FLAGS } from "../../packages/server/src/config/node-flags.js";
import { encodeZkSnapshot } from "../../packages/server/src/migrate/zookeeper-format/snapshot.js";
import { ZkTree } from "../../packages/server/src/migrate/zookeeper-format/tree.js";
import { OPEN_ACL_UNSAFE } from "../../packages/server/src/tree/acl.js";
import { makeCa, makeLeaf } from "../support/certificates.js";
import { dockerForSuite } from "../support/docker.js";
import { fourLetterWord, makeTempDir } from "../support/process.js";

// The reaper image cannot be pulled on registry-less machines; afterAll cleans up instead.
process.env.TESTCONTAINERS_RYUK_DISABLED = "true";

const repoRoot = join(import.meta.dirname, "..", "..");
const image = process.env.PADDOCK_TEST_IMAGE ?? "paddock:latest";

const { skip, unavailable } = dockerForSuite("container tests", { compose: false });

function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", timeout: 30_000 }).trim();
}

async function exec(container: StartedTestContainer, command: string[]): Promise<string> {
  const r = await container.exec(command);
  if (r.exitCode !== 0) throw new Error(`${command.join(" ")} exited ${r.exitCode}: ${r.output}`);
  return r.output;
}

/** Uid of the container's PID 1, i.e. of the server process itself. */
async function serverUid(container: StartedTestContainer): Promise<string> {
  const status = await exec(container, [
    "node",
    "-e",
    "process.stdout.write(require('fs').readFileSync('/proc/1/status','utf8'))",
  ]);
  return /^Uid:\s+(\d+)/m.exec(status)?.[1] ?? "?";
}

function connect(connectString: string): Promise<zookeeper.Client> {
  const client = zookeeper.createClient(connectString, { sessionTimeout: 10_000, retries: 0 });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`connect to ${connectString} timed out`));
    }, 10_000);
    client.once("connected", () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

function call<T>(fn: (cb: (err: unknown, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

describe.skipIf(skip)("paddock image, standalone", () => {
  const started: StartedTestContainer[] = [];
  const tempDirs: string[] = [];
  let fromEnv: StartedTestContainer;
  let mounted: StartedTestContainer;
  let mountedData: string;
  let kept: StartedTestContainer;
  let keptData: string;
  let keptLog: string;
  const keptVolumes = (c: GenericContainer) =>
    c
      .withBindMounts([
        { source: keptData, target: "/data", mode: "rw" },
        { source: keptLog, target: "/datalog", mode: "rw" },
      ])
      .withExposedPorts(2181)
      .withWaitStrategy(Wait.forLogMessage("binding to client port"))
      .withStartupTimeout(60_000);
  const mountedCfg = [
    "tickTime=3000",
    "dataDir=/data",
    "clientPort=2281",
    "4lw.commands.whitelist=*",
    "maxClientCnxns=17",
    "",
  ].join("\n");

  beforeAll(async () => {
    if (unavailable !== undefined) throw new Error(`CI=true but Docker is unusable: ${unavailable}`);
    if (process.env.PADDOCK_TEST_IMAGE === undefined) {
      execFileSync(join(repoRoot, "deploy", "build-image.sh"), { stdio: "inherit", timeout: 280_000 });
    }
    const healthTest = JSON.parse(
      docker("image", "inspect", "-f", "{{json .Config.Healthcheck.Test}}", image),
    );

    // Everything from the environment, the way the official image's docs spell it; the image's
    // own HEALTHCHECK command, polled faster, decides when it is ready.
    const envContainer = new GenericContainer(image)
      .withHostname("zoo1")
      .withEnvironment({
        ZOO_MY_ID: "1",
        ZOO_SERVERS: "server.1=zoo1:2888:3888;2181",
        ZOO_TICK_TIME: "1500",
        ZOO_MAX_CLIENT_CNXNS: "33",
        ZOO_4LW_COMMANDS_WHITELIST: "ruok,srvr,conf",
        ZOO_CFG_EXTRA: "minSessionTimeout=4000 maxSessionTimeout=30000",
      })
      .withExposedPorts(2181)
      .withHealthCheck({ test: healthTest, interval: 500, timeout: 5000, retries: 60, startPeriod: 0 })
      .withWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(60_000)
      .start();

    // A read-only /conf holding zoo.cfg and a root-owned host data directory, started as root: the
    // file must win over contradicting ZOO_* values, and the server must still drop to the image's
    // user (leaving the read-only files alone).
    mountedData = makeTempDir("paddock-container-data");
    const cfgDir = makeTempDir("paddock-container-conf");
    tempDirs.push(mountedData, cfgDir);
    writeFileSync(join(cfgDir, "zoo.cfg"), mountedCfg);
    chmodSync(cfgDir, 0o755);
    const mountedContainer = new GenericContainer(image)
      .withUser("root")
      .withEnvironment({
        ZOO_MY_ID: "7",
        ZOO_SERVERS: "server.7=localhost:2888:3888;2181",
        ZOO_TICK_TIME: "1000",
        ZOO_MAX_CLIENT_CNXNS: "99",
      })
      .withBindMounts([
        { source: cfgDir, target: "/conf", mode: "ro" },
        { source: mountedData, target: "/data", mode: "rw" },
      ])
      .withExposedPorts(2281)
      .withWaitStrategy(Wait.forLogMessage("binding to client port"))
      .withStartupTimeout(60_000)
      .start();

    // A data volume from an earlier life: its myid (5) wins over ZOO_MY_ID (9), and it is id 5's
    // line whose hostname decides the quorum listen address.
    keptData = makeTempDir("paddock-container-kept");
    tempDirs.push(keptData);
    keptLog = makeTempDir("paddock-container-kept-log");
    tempDirs.push(keptLog);
    writeFileSync(join(keptData, "myid"), "5\n");
    execFileSync("chown", ["-R", "1000:1000", keptData, keptLog]);
    const keptContainer = keptVolumes(
      new GenericContainer(image)
        .withHostname("zoo5")
        .withEnvironment({ ZOO_MY_ID: "9", ZOO_SERVERS: "server.5=zoo5:2888:3888;2181" }),
    ).start();

    const results = await Promise.allSettled([envContainer, mountedContainer, keptContainer]);
    for (const r of results) if (r.status === "fulfilled") started.push(r.value);
    for (const r of results) if (r.status === "rejected") throw r.reason;
    [fromEnv, mounted, kept] = started as [StartedTestContainer, StartedTestContainer, StartedTestContainer];
  }, 300_000);

  afterAll(async () => {
    await Promise.allSettled(started.map((c) => c.stop({ timeout: 5_000, removeVolumes: true })));
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it("writes zoo.cfg and myid from ZOO_* variables, listening on all IPs for its own hostname", async () => {
    expect(await exec(fromEnv, ["cat", "/conf/zoo.cfg"])).toBe(
      [
        "dataDir=/data",
        "dataLogDir=/datalog",
        "tickTime=1500",
        "initLimit=5",
        "syncLimit=2",
        "autopurge.snapRetainCount=3",
        "autopurge.purgeInterval=0",
        "maxClientCnxns=33",
        "standaloneEnabled=true",
        "admin.enableServer=true",
        "server.1=zoo1:2888:3888;2181",
        "4lw.commands.whitelist=ruok,srvr,conf",
        "minSessionTimeout=4000",
        "maxSessionTimeout=30000",
        "quorumListenOnAllIPs=true",
        "",
      ].join("\n"),
    );
    expect(await exec(fromEnv, ["cat", "/data/myid"])).toBe("1\n");
    const conf = await fourLetterWord(fromEnv.getHost(), fromEnv.getMappedPort(2181), "conf");
    expect(conf).toMatch(/^tickTime=1500$/m);
    expect(conf).toMatch(/^maxClientCnxns=33$/m);
    expect(conf).toMatch(/^minSessionTimeout=4000$/m);
  });

  it("serves clients and four-letter words on the published port", async () => {
    const host = fromEnv.getHost();
    const port = fromEnv.getMappedPort(2181);
    expect(await fourLetterWord(host, port, "ruok")).toBe("imok");
    expect(await fourLetterWord(host, port, "srvr")).toMatch(/^Mode: standalone$/m);
    // Not whitelisted: the ZOO_4LW_COMMANDS_WHITELIST value really reached the server.
    expect(await fourLetterWord(host, port, "mntr")).toContain("not in the whitelist");

    const client = await connect(`${host}:${port}`);
    try {
      const payload = Buffer.from(`hello from ${process.pid}`);
      await call<string>((cb) =>
        client.create("/container-test", payload, zookeeper.CreateMode.PERSISTENT, cb),
      );
      const data = await call<Buffer>((cb) => client.getData("/container-test", cb));
      expect(data.toString()).toBe(payload.toString());
      const children = await call<string[]>((cb) => client.getChildren("/", cb));
      expect(children).toContain("container-test");
    } finally {
      client.close();
    }
  });

  it("runs the server as a non-root user and reports healthy", async () => {
    expect(await serverUid(fromEnv)).toBe("1000");
    expect((await exec(fromEnv, ["id", "-u"])).trim()).toBe("1000");
    expect(docker("inspect", "-f", "{{.State.Health.Status}}", fromEnv.getId())).toBe("healthy");
    // The health check people copy from the official image works here too.
    expect(await exec(fromEnv, ["sh", "-c", "echo srvr | nc -w 3 127.0.0.1 2181"])).toMatch(/^Mode: /m);
  });

  it("keeps a mounted /conf/zoo.cfg over ZOO_* variables and fixes ownership before dropping root", async () => {
    const port = mounted.getMappedPort(2281);
    expect(await fourLetterWord(mounted.getHost(), port, "ruok")).toBe("imok");
    const conf = await fourLetterWord(mounted.getHost(), port, "conf");
    expect(conf).toMatch(/^clientPort=2281$/m);
    expect(conf).toMatch(/^tickTime=3000$/m);
    expect(conf).toMatch(/^maxClientCnxns=17$/m);
    expect(await exec(mounted, ["cat", "/conf/zoo.cfg"])).toBe(mountedCfg);
    // myid is still written from ZOO_MY_ID (it was absent), into the host directory.
    expect(readFileSync(join(mountedData, "myid"), "utf8")).toBe("7\n");
    expect(statSync(join(mountedData, "myid")).uid).toBe(1000);
    expect(statSync(mountedData).uid).toBe(1000);
    expect(await serverUid(mounted)).toBe("1000");
  });

  it("refuses, with the reason, a mounted zoo.cfg that the server could not read", () => {
    const hidden = makeTempDir("paddock-container-hidden");
    tempDirs.push(hidden);
    writeFileSync(join(hidden, "zoo.cfg"), mountedCfg);
    // mkdtemp's 0700 keeps uid 1000 out; the file must not be taken as absent and replaced.
    const r = spawnSync("docker", ["run", "--rm", "-u", "root", "-v", `${hidden}:/conf:ro`, image], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("/conf/zoo.cfg is unreachable (EACCES) for uid 1000");
    expect(readFileSync(join(hidden, "zoo.cfg"), "utf8")).toBe(mountedCfg);
  });

  it("keeps an existing myid over ZOO_MY_ID", async () => {
    expect(readFileSync(join(keptData, "myid"), "utf8")).toBe("5\n");
    const cfg = await exec(kept, ["cat", "/conf/zoo.cfg"]);
    expect(cfg).toContain("server.5=zoo5:2888:3888;2181\n");
    expect(cfg).toMatch(/^quorumListenOnAllIPs=true$/m);
    expect(await fourLetterWord(kept.getHost(), kept.getMappedPort(2181), "srvr")).toMatch(
      /^Mode: standalone$/m,
    );
  });

  it("serves earlier data from a new container on the same /data and /datalog", async () => {
    const before = await connect(`${kept.getHost()}:${kept.getMappedPort(2181)}`);
    try {
      await call<string>((cb) =>
        before.create("/durable", Buffer.from("v1"), zookeeper.CreateMode.PERSISTENT, cb),
      );
    } finally {
      before.close();
    }
    await kept.stop({ timeout: 10_000 });
    // Recreated the way compose recreates a service: fresh /conf, different ZOO_* values.
    const again = await keptVolumes(
      new GenericContainer(image).withEnvironment({ ZOO_TICK_TIME: "1000" }),
    ).start();
    started.push(again);
    const after = await connect(`${again.getHost()}:${again.getMappedPort(2181)}`);
    try {
      expect((await call<Buffer>((cb) => after.getData("/durable", cb))).toString()).toBe("v1");
    } finally {
      after.close();
    }
    expect(await exec(again, ["cat", "/conf/zoo.cfg"])).toMatch(/^tickTime=1000$/m);
    expect(readFileSync(join(keptData, "myid"), "utf8")).toBe("5\n");
  });

  it("stops promptly and cleanly on SIGTERM (the server is PID 1)", async () => {
    const id = mounted.getId();
    const t0 = Date.now();
    docker("stop", "-t", "10", id);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(docker("inspect", "-f", "{{.State.ExitCode}}", id)).toBe("0");
  });
});

/** Command line of the container's Paddock server process (PID 1 or the entrypoint's child). */
async function serverCommandLine(container: StartedTestContainer): Promise<string> {
  return exec(container, [
    "node",
    "-e",
    "const fs=require('fs');for(const p of fs.readdirSync('/proc')){if(!/^\\d+$/.test(p))continue;" +
      "let c='';try{c=fs.readFileSync('/proc/'+p+'/cmdline','utf8')}catch{}" +
      "if(c.includes('paddock-server.mjs'))process.stdout.write(c.split('\\0').join(' ')+'\\n')}",
  ]);
}

// What people type into containers of the ZooKeeper images, and the variables of both images.
// Runs after the suite above, which has built the image.
describe.skipIf(skip)("paddock image, ZooKeeper images' habits", () => {
  const started: StartedTestContainer[] = [];
  const tempDirs: string[] = [];
  let bitnami: StartedTestContainer;
  let official: StartedTestContainer;

  beforeAll(async () => {
    if (unavailable !== undefined) throw new Error(`CI=true but Docker is unusable: ${unavailable}`);
    const results = await Promise.allSettled([
      new GenericContainer(image)
        .withEnvironment({
          ALLOW_ANONYMOUS_LOGIN: "yes",
          ZOO_SERVER_ID: "3",
          ZOO_PORT_NUMBER: "2182",
          ZOO_4LW_COMMANDS_WHITELIST: "srvr,ruok",
          JVMFLAGS: "-Xmx200m -Xms200m -XX:+UseG1GC -Dzookeeper.extendedTypesEnabled=true",
        })
        .withExposedPorts(2182)
        .withWaitStrategy(Wait.forLogMessage("binding to client port"))
        .withStartupTimeout(60_000)
        .start(),
      new GenericContainer(image)
        .withEnvironment({ ZK_SERVER_HEAP: "300" })
        .withExposedPorts(2181)
        .withWaitStrategy(Wait.forLogMessage("binding to client port"))
        .withStartupTimeout(60_000)
        .start(),
    ]);
    for (const r of results) if (r.status === "fulfilled") started.push(r.value);
    for (const r of results) if (r.status === "rejected") throw r.reason;
    [bitnami, official] = started as [StartedTestContainer, StartedTestContainer];
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(started.map((c) => c.stop({ timeout: 5_000, removeVolumes: true })));
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it("has zkCli.sh and zkServer.sh, answering as ZooKeeper's scripts do", async () => {
    expect(await exec(official, ["zkCli.sh", "ls", "/"])).toBe("[zookeeper]\n");
    expect(await exec(official, ["zkCli.sh", "-server", "127.0.0.1:2181", "create", "/from-exec", "v"])).toBe(
      "Created /from-exec\n",
    );
    // exec merges the two streams, and zkServer.sh prints "Using config" on stderr as ZooKeeper's
    // does: it may land between the stdout lines, so each line is looked for on its own.
    const status = (await exec(official, ["zkServer.sh", "status"])).split("\n");
    expect(status).toContain("Using config: /conf/zoo.cfg");
    expect(status).toContain("Client port found: 2181. Client address: localhost. Client SSL: false.");
    expect(status).toContain("Mode: standalone");
    expect(await exec(official, ["zkServer.sh", "version"])).toMatch(
      /^Paddock \d+\.\d+\.\d+ \(Apache ZooKeeper 3\.8 compatible\)/,
    );
  });

  it("maps ZK_SERVER_HEAP to Node's heap limit, next to the server's own node options", async () => {
    const commandLine = await serverCommandLine(official);
    expect(commandLine).toContain("--max-old-space-size=300 ");
    for (const flag of SERVER_NODE_FLAGS) expect(commandLine).toContain(`${flag} `);
  });

  it("understands Bitnami's variables, JVMFLAGS' -Xmx and its ZooKeeper system properties", async () => {
    const cfg = await exec(bitnami, ["cat", "/opt/bitnami/zookeeper/conf/zoo.cfg"]);
    expect(cfg).toMatch(/^clientPort=2182$/m);
    expect(cfg).toMatch(/^dataDir=\/bitnami\/zookeeper\/data$/m);
    expect(cfg).toMatch(/^extendedTypesEnabled=true$/m);
    expect(await exec(bitnami, ["cat", "/bitnami/zookeeper/data/myid"])).toBe("3\n");
    expect(await serverCommandLine(bitnami)).toContain("--max-old-space-size=200 ");
    // TTL nodes need extendedTypesEnabled, which came in through JVMFLAGS.
    expect(
      await exec(bitnami, ["zkCli.sh", "-server", "localhost:2182", "create", "-t", "60000", "/ttl", "x"]),
    ).toBe("Created /ttl\n");
    expect(await exec(bitnami, ["zkServer.sh", "status"])).toContain("Mode: standalone\n");
    expect(await fourLetterWord(bitnami.getHost(), bitnami.getMappedPort(2182), "ruok")).toBe("imok");
  });

  it("takes Bitnami's TLS and quorum authentication variables: a TLS client port next to the plaintext one", {
    timeout: 120_000,
  }, async () => {
    const certs = makeTempDir("paddock-container-certs");
    tempDirs.push(certs);
    makeCa(certs, "paddock-container-ca");
    makeLeaf(certs, "server", "paddock-container", "IP:127.0.0.1,DNS:localhost");
    // The server runs as uid 1000: the mounted files must be readable by it.
    chmodSync(certs, 0o755);
    for (const f of ["server.pem", "ca.pem"]) chmodSync(join(certs, f), 0o644);
    const container = await new GenericContainer(image)
      .withEnvironment({
        ALLOW_ANONYMOUS_LOGIN: "yes",
        ZOO_4LW_COMMANDS_WHITELIST: "srvr,ruok",
        ZOO_TLS_CLIENT_ENABLE: "yes",
        ZOO_TLS_CLIENT_AUTH: "none",
        ZOO_TLS_CLIENT_KEYSTORE_FILE: "/bitnami/zookeeper/certs/server.pem",
        ZOO_TLS_CLIENT_TRUSTSTORE_FILE: "/bitnami/zookeeper/certs/ca.pem",
        ZOO_ENABLE_QUORUM_AUTH: "yes",
        ZOO_QUORUM_LEARNER_USER: "zkpeer",
        ZOO_QUORUM_LEARNER_PASSWORD: "peersecret",
        ZOO_QUORUM_SERVER_USERS: "zkpeer",
        ZOO_QUORUM_SERVER_PASSWORDS: "peersecret",
      })
      .withBindMounts([{ source: certs, target: "/bitnami/zookeeper/certs", mode: "ro" }])
      .withExposedPorts(2181, 3181)
      .withWaitStrategy(Wait.forLogMessage("binding to secure client port"))
      .withStartupTimeout(60_000)
      .start();
    started.push(container);
    const cfg = await exec(container, ["cat", "/opt/bitnami/zookeeper/conf/zoo.cfg"]);
    expect(cfg).toMatch(/^secureClientPort=3181$/m);
    expect(cfg).toMatch(/^quorum\.auth\.serverRequireSasl=true$/m);
    const jaasMode = await exec(container, [
      "node",
      "-e",
      "process.stdout.write((require('fs').statSync('/opt/bitnami/zookeeper/conf/zoo_jaas.conf').mode & 0o777).toString(8))",
    ]);
    expect(jaasMode).toBe("600");
    // A TLS client on the secure port, checking the server's certificate against the CA.
    const srvr = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect(
        {
          host: container.getHost(),
          port: container.getMappedPort(3181),
          ca: readFileSync(join(certs, "ca.pem")),
          servername: "localhost",
        },
        () => socket.write("srvr"),
      );
      let text = "";
      socket.on("data", (d) => {
        text += d;
      });
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
      socket.setTimeout(10_000, () => socket.destroy(new Error("no answer over TLS")));
    });
    expect(srvr).toContain("Mode: standalone");
    expect(await fourLetterWord(container.getHost(), container.getMappedPort(2181), "ruok")).toBe("imok");
  });

  it("says which JVM options it ignores", () => {
    const logs = spawnSync("docker", ["logs", bitnami.getId()], { encoding: "utf8", timeout: 30_000 });
    expect(logs.stderr).toContain("[paddock-entrypoint] heap limit 200 MiB (-Xmx200m from JVMFLAGS)\n");
    expect(logs.stderr).toContain("ignored: -XX:+UseG1GC (JVMFLAGS)");
  });

  it("refuses ZooKeeper's /data volume in one line, then runs on what import-zk made of it", async () => {
    // ZooKeeper's files as the official image leaves them in its /data volume (uid 1000 there too).
    const zkData = makeTempDir("paddock-container-zkdata");
    const paddockData = makeTempDir("paddock-container-imported");
    tempDirs.push(zkData, paddockData);
    mkdirSync(join(zkData, "version-2"));
    const tree = ZkTree.fresh();
    tree.apply(
      { clientId: 0n, cxid: 0, zxid: 0x100000001, timeMs: 1_700_000_000_000, type: OpCode.create },
      {
        type: "create",
        path: "/from-zookeeper",
        data: Buffer.from("kept"),
        acl: [...OPEN_ACL_UNSAFE],
        ephemeral: false,
        parentCVersion: -1,
      },
    );
    writeFileSync(join(zkData, "version-2", "snapshot.100000001"), encodeZkSnapshot(tree, 0x100000001));
    writeFileSync(join(zkData, "myid"), "1\n");
    execFileSync("chown", ["-R", "1000:1000", zkData, paddockData]);

    const refused = spawnSync("docker", ["run", "--rm", "-v", `${zkData}:/data`, image], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /^paddock-server: \/data\/version-2\/snapshot\.100000001 is an Apache ZooKeeper snapshot, not a Paddock file.*import-zk/m,
    );

    const imported = spawnSync(
      "docker",
      [
        "run",
        "--rm",
        "-v",
        `${zkData}:/zk:ro`,
        "-v",
        `${paddockData}:/data`,
        image,
        "paddock-server",
        "import-zk",
        "/zk",
        "/data",
      ],
      { encoding: "utf8", timeout: 30_000 },
    );
    expect(imported.stderr).toBe("");
    expect(imported.stdout).toMatch(/imported 5 znodes and 0 session\(s\) at zxid 0x100000001/);
    const server = await new GenericContainer(image)
      .withBindMounts([{ source: paddockData, target: "/data", mode: "rw" }])
      .withExposedPorts(2181)
      .withWaitStrategy(Wait.forLogMessage("binding to client port"))
      .withStartupTimeout(60_000)
      .start();
    started.push(server);
    expect(await exec(server, ["zkCli.sh", "get", "/from-zookeeper"])).toBe("kept\n");
  });

  it("refuses Bitnami's unauthenticated setup unless ALLOW_ANONYMOUS_LOGIN=yes, as Bitnami does", () => {
    const r = spawnSync("docker", ["run", "--rm", "-e", "ZOO_SERVER_ID=1", image], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Set the environment variable ALLOW_ANONYMOUS_LOGIN=yes");
    const sasl = spawnSync("docker", ["run", "--rm", "-e", "ZOO_ENABLE_AUTH=yes", image], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(sasl.status).toBe(1);
    expect(sasl.stderr).toContain("ZOO_ENABLE_AUTH=yes needs ZOO_SERVER_USERS and ZOO_SERVER_PASSWORDS");
  });

  it("serves SASL DIGEST-MD5 clients with Bitnami's ZOO_ENABLE_AUTH users (kazoo)", {
    timeout: 120_000,
  }, async () => {
    const container = await new GenericContainer(image)
      .withEnvironment({
        ZOO_ENABLE_AUTH: "yes",
        ZOO_SERVER_USERS: "alice,bob",
        ZOO_SERVER_PASSWORDS: "wonderland,builder",
        ZOO_CLIENT_USER: "alice",
        ZOO_CLIENT_PASSWORD: "wonderland",
      })
      .withExposedPorts(2181)
      .withWaitStrategy(Wait.forLogMessage("binding to client port"))
      .start();
    try {
      expect(await exec(container, ["stat", "-c", "%a", "/opt/bitnami/zookeeper/conf/zoo_jaas.conf"])).toBe(
        "600\n",
      );
      const script = (password: string) => `
from kazoo.client import KazooClient
zk = KazooClient(hosts="127.0.0.1:${container.getMappedPort(2181)}", sasl_options={
    "mechanism": "DIGEST-MD5", "username": "bob", "password": "${password}"})
try:
    zk.start(timeout=15)
    zk.create("/by-bob", b"x", acl=[__import__("kazoo.security").security.make_acl("sasl", "bob", all=True)])
    print(zk.get_acls("/by-bob")[0][0].id.id, zk.get("/by-bob")[0].decode())
except Exception as e:
    print(type(e).__name__)
finally:
    zk.stop()
`;
      const run = (password: string) =>
        spawnSync("/usr/bin/python3", ["-c", script(password)], {
          encoding: "utf8",
          timeout: 60_000,
        }).stdout.trim();
      expect(run("builder")).toBe("bob x");
      expect(run("wrong")).not.toBe("bob x");
    } finally {
      await container.stop();
    }
  });
});
