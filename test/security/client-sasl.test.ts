// SASL DIGEST-MD5 on the client port, differential: the same JAAS file and zoo.cfg keys for
// Paddock and Apache ZooKeeper 3.8 (which reads the JAAS file from -Djava.security.auth.login.config;
// Paddock from the zoo.cfg key of that name), the same kazoo (pure-sasl) runs against both, line by
// line: sasl ACLs, `auth` ACLs expanded to sasl ids, Kerberos-style ids, wrong passwords and
// unknown users, zookeeper.superUser and superUser.<n>, zookeeper.letAnySaslUserDoX, the SASL
// user named "super", no provider configured, and sessionRequireClientSASLAuth / enforce.auth.*. ZooKeeper's Java client (ZooKeeperMain with a
// Client JAAS section) logs in to Paddock and reads a znode only bob may read.
import { execFileSync, spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OpCode } from "@paddock/jute";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zookeeperClasspath } from "../../packages/bench/src/zookeeper-java.js";
import { startPaddock } from "../support/paddock.js";
import { makeTempDir, type ServerHandle } from "../support/process.js";
import { RawClient } from "../support/raw-client.js";
import { isCI, skipWithoutZookeeper, startZookeeper } from "../support/zookeeper.js";

const PYTHON = "/usr/bin/python3";
const KAZOO_SASL = join(import.meta.dirname, "clients", "kazoo_sasl.py");
const SASL_PROVIDER = "authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider";

function havePureSasl(): boolean {
  return spawnSync(PYTHON, ["-c", "import kazoo, puresasl"]).status === 0;
}
if (isCI && !havePureSasl()) throw new Error("CI needs python3-kazoo and python3-pure-sasl");
// Skipped only outside CI, when ZooKeeper 3.8 or kazoo's SASL library (python3-pure-sasl) is not
// installed; in CI both are required (above, and skipWithoutZookeeper throws).
const skip = skipWithoutZookeeper() || !havePureSasl();

const JAAS = `/* the users of the client port, and a client login for the Java client */
Server {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  user_bob="bobsecret"
  user_carol="carolsecret"
  user_admin="adminsecret"
  user_super="supersecret";
};
Client {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  username="bob"
  password="bobsecret";
};
`;

function kazoo(port: number, scenario: string): string {
  return execFileSync(PYTHON, [KAZOO_SASL, String(port), scenario], {
    encoding: "utf8",
    timeout: 120_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** A client without SASL reads "/" (after addauth digest, if asked): what comes back, in order. */
async function anonymousGet(server: ServerHandle, digest: boolean): Promise<string[]> {
  const c = await RawClient.open(server.host, server.port);
  try {
    const from = c.transcript.length;
    if (digest)
      await c.call({ type: OpCode.auth, authType: 0, scheme: "digest", auth: Buffer.from("bob:x") });
    await c.call({ type: OpCode.getData, path: "/", watch: false }).catch(() => undefined);
    await c.waitClosed(2000).catch(() => undefined);
    return c.transcript
      .slice(from)
      .map((e) => (e.kind === "reply" ? `reply ${e.zxid === 0 ? 0 : "zxid"} ${e.err}` : e.kind));
  } finally {
    c.destroy();
  }
}

describe.skipIf(skip)("SASL DIGEST-MD5 clients, Paddock against ZooKeeper 3.8", () => {
  let dir: string;
  let jaas: string;
  const servers: ServerHandle[] = [];

  beforeAll(() => {
    dir = makeTempDir("paddock-sasl");
    jaas = join(dir, "jaas.conf");
    writeFileSync(jaas, JAAS);
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** One Paddock and one ZooKeeper with the same keys and the same JAAS file. */
  async function pair(lines: string[]): Promise<{ paddock: ServerHandle; zookeeper: ServerHandle }> {
    const [paddock, zookeeper] = await Promise.all([
      startPaddock({ extraCfg: [...lines, `java.security.auth.login.config=${jaas}`] }),
      startZookeeper({ extraCfg: lines, systemProperties: { "java.security.auth.login.config": jaas } }),
    ]);
    servers.push(paddock, zookeeper);
    return { paddock, zookeeper };
  }

  it("sasl ACLs, auth ACLs and super users match ZooKeeper", { timeout: 180_000 }, async () => {
    const { paddock, zookeeper } = await pair([SASL_PROVIDER, "superUser=admin"]);
    const expected = kazoo(zookeeper.port, "acls");
    const actual = kazoo(paddock.port, "acls");
    expect(actual).toBe(expected);
    // What the comparison covers, so that two equally broken servers cannot pass.
    expect(actual).toContain("get own b'secret'");
    expect(actual).toContain("getacl auth ['sasl:bob:31']");
    expect(actual).toContain("other user get NoAuthError");
    expect(actual).toContain("super user get b'secret'");
    expect(actual).toContain("anonymous get NoAuthError");
    expect(actual).toContain("bad id InvalidACLError");
  });

  it("superUser.<n> and letAnySaslUserDoX match ZooKeeper", { timeout: 180_000 }, async () => {
    const { paddock, zookeeper } = await pair([
      SASL_PROVIDER,
      "superUser.1=carol",
      "letAnySaslUserDoX=anysasl",
    ]);
    const expected = kazoo(zookeeper.port, "numbered-super");
    const actual = kazoo(paddock.port, "numbered-super");
    expect(actual).toBe(expected);
    expect(actual).toContain("numbered super user get b'secret'");
    expect(actual).toContain("numbered super user set 1");
    expect(actual).toContain("plain user get NoAuthError");
    expect(actual).toContain("plain user get any-user acl b'shared'");
    expect(actual).toContain("plain user set any-user acl NoAuthError");
    expect(actual).toContain("anonymous get any-user acl NoAuthError");
    expect(actual).toContain("digest anysasl get any-user acl NoAuthError");
  });

  it("a wrong password or an unknown user fails as in ZooKeeper", { timeout: 180_000 }, async () => {
    const { paddock, zookeeper } = await pair([SASL_PROVIDER]);
    const expected = kazoo(zookeeper.port, "failures");
    expect(kazoo(paddock.port, "failures")).toBe(expected);
    expect(expected).toBe("state CLOSED\nget after failure ConnectionClosedError\n".repeat(2));
  });

  it("without the SASL provider, sasl ACLs are invalid", { timeout: 180_000 }, async () => {
    const { paddock, zookeeper } = await pair([]);
    const expected = kazoo(zookeeper.port, "no-provider");
    expect(kazoo(paddock.port, "no-provider")).toBe(expected);
    expect(expected).toContain("create sasl acl InvalidACLError");
  });

  for (const keys of [
    ["sessionRequireClientSASLAuth=true"],
    ["enforce.auth.enabled=true", "enforce.auth.schemes=sasl"],
    ["enforce.auth.enabled=true", "enforce.auth.schemes=digest,sasl"],
  ]) {
    it(`${keys.join(" ")}: unauthenticated requests close the connection as in ZooKeeper`, {
      timeout: 180_000,
    }, async () => {
      const { paddock, zookeeper } = await pair([SASL_PROVIDER, ...keys]);
      const expected = kazoo(zookeeper.port, "required");
      expect(kazoo(paddock.port, "required")).toBe(expected);
      expect(expected).toContain("sasl client get b''");
      // kazoo does not know error -124 and only times out: the wire shows what each server sends.
      const unauthenticated = await Promise.all([zookeeper, paddock].map((s) => anonymousGet(s, false)));
      expect(unauthenticated[1]).toEqual(unauthenticated[0]);
      expect(unauthenticated[0]).toEqual(["reply 0 -124", "closed"]);
      const withDigest = await Promise.all([zookeeper, paddock].map((s) => anonymousGet(s, true)));
      expect(withDigest[1]).toEqual(withDigest[0]);
    });
  }

  it("ZooKeeper's Java client logs in with its Client section and reads bob's znode", {
    timeout: 180_000,
  }, async () => {
    const paddock = await startPaddock({
      extraCfg: [SASL_PROVIDER, `java.security.auth.login.config=${jaas}`],
    });
    servers.push(paddock);
    kazoo(paddock.port, "acls");
    const run = (...args: string[]) =>
      spawnSync(
        "java",
        [
          "-cp",
          zookeeperClasspath(),
          `-Djava.security.auth.login.config=${jaas}`,
          "org.apache.zookeeper.ZooKeeperMain",
          "-server",
          `127.0.0.1:${paddock.port}`,
          ...args,
        ],
        { encoding: "utf8", timeout: 60_000 },
      );
    const got = run("get", "/s");
    expect(got.stdout.split("\n")).toContain("secret");
    const acl = run("getAcl", "/c");
    expect(acl.stdout).toContain("'sasl,'bob");
  });
});
