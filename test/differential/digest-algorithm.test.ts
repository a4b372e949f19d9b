// The digest provider's settings (ZooKeeper 3.7+). DigestAuthenticationProvider.digestAlg, the
// hash digest ids are made with: the same zoo.cfg lines go to ZooKeeper 3.8 and to Paddock, and
// the same session runs on each: addauth digest, a node created with the `auth` ACL (which
// records the session's digest id), getACL, a second user refused, and a super user (superDigest
// of the same hash) let through. DigestAuthenticationProvider.enabled=false, which takes the
// digest scheme away: a digest ACL, addauth digest and the super user, on each.
import { ZooKeeperClient } from "@paddock/client";
import { Perms } from "@paddock/jute";
import { afterAll, describe, expect, it } from "vitest";
import { startPaddock } from "../support/paddock.js";
import type { ServerHandle } from "../support/process.js";
import { skipWithoutZookeeper, startZookeeper } from "../support/zookeeper.js";

// base64(SHA-256(...)) of "alice:secret" and "super:root-pw", from openssl, not from Paddock.
const ALICE_SHA256 = "alice:PRHcR5wI47NodzED1kdmwuQgzjlyeTL88tj02dWZvlk=";
const SUPER_SHA256 = "super:JVoz2ttr3Jn8RDliAU6P3D3iQXOZvE7bW3n2ThzDba8=";
const CFG = [
  "DigestAuthenticationProvider.digestAlg=SHA-256",
  `DigestAuthenticationProvider.superDigest=${SUPER_SHA256}`,
];

async function session(server: ServerHandle): Promise<string[]> {
  const seen: string[] = [];
  const open = async (auth?: string) => {
    const c = new ZooKeeperClient({ connectString: server.connectString });
    await c.connect();
    if (auth !== undefined) await c.addAuth("digest", auth);
    return c;
  };
  const alice = await open("alice:secret");
  await alice.create("/sha256", "alice's", { acl: [{ perms: Perms.ALL, id: { scheme: "auth", id: "" } }] });
  const { acl } = await alice.getACL("/sha256");
  seen.push(`acl ${acl.map((a) => `${a.id.scheme}:${a.id.id}:${a.perms}`).join(",")}`);
  seen.push(`alice reads ${(await alice.getData("/sha256")).data?.toString()}`);
  for (const who of ["bob:secret", "super:root-pw"]) {
    const c = await open(who);
    try {
      seen.push(`${who} reads ${(await c.getData("/sha256")).data?.toString()}`);
    } catch (err) {
      seen.push(`${who} gets ${(err as Error).message}`);
    }
    await c.close();
  }
  await alice.close();
  return seen;
}

/** What a server without the digest provider answers; each step in a session of its own. */
async function withoutDigest(server: ServerHandle): Promise<string[]> {
  const seen: string[] = [];
  const step = async (name: string, run: (c: ZooKeeperClient) => Promise<unknown>) => {
    const c = new ZooKeeperClient({ connectString: server.connectString });
    await c.connect();
    try {
      await run(c);
      seen.push(`${name}: ok`);
    } catch (err) {
      seen.push(`${name}: ${(err as Error).message}`);
    }
    await c.close().catch(() => undefined);
  };
  const aliceAcl = [{ perms: Perms.ALL, id: { scheme: "digest", id: ALICE_SHA1 } }];
  await step("create with a digest ACL", (c) => c.create("/digest-acl", "x", { acl: aliceAcl }));
  await step("create with an ip ACL", (c) =>
    c.create("/ip-acl", "x", { acl: [{ perms: Perms.ALL, id: { scheme: "ip", id: "127.0.0.1" } }] }),
  );
  await step("addauth digest", async (c) => {
    await c.addAuth("digest", "alice:secret");
    await c.getData("/ip-acl");
  });
  await step("addauth digest as super", async (c) => {
    await c.addAuth("digest", "super:root-pw");
    await c.getData("/ip-acl");
  });
  return seen;
}

// sha1 digests of "alice:secret" and "super:root-pw" (base64), from openssl.
const ALICE_SHA1 = "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=";
const SUPER_SHA1 = "super:7w18K7avl2vscK6er8POHVR8sIQ=";

describe("DigestAuthenticationProvider.enabled=false", () => {
  const servers: ServerHandle[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it("takes the digest scheme away as ZooKeeper 3.8 does", { timeout: 60_000 }, async () => {
    const cfg = [
      "DigestAuthenticationProvider.enabled=false",
      `DigestAuthenticationProvider.superDigest=${SUPER_SHA1}`,
    ];
    const paddock = await startPaddock({ extraCfg: cfg });
    servers.push(paddock);
    const seen = await withoutDigest(paddock);
    expect(seen).toEqual([
      "create with a digest ACL: KeeperErrorCode = InvalidACL for /digest-acl",
      "create with an ip ACL: ok",
      "addauth digest: KeeperErrorCode = AuthFailed",
      "addauth digest as super: KeeperErrorCode = AuthFailed",
    ]);
    // Skipped only outside CI when ZooKeeper 3.8 is missing; with CI=true it throws instead.
    if (skipWithoutZookeeper()) return;
    const zookeeper = await startZookeeper({ extraCfg: cfg });
    servers.push(zookeeper);
    expect(await withoutDigest(zookeeper)).toEqual(seen);
  });
});

describe("DigestAuthenticationProvider.digestAlg=SHA-256", () => {
  const servers: ServerHandle[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it("gives Paddock the digest ids and super user of the same config as ZooKeeper 3.8", {
    timeout: 60_000,
  }, async () => {
    const paddock = await startPaddock({ extraCfg: CFG });
    servers.push(paddock);
    const seen = await session(paddock);
    expect(seen).toEqual([
      `acl digest:${ALICE_SHA256}:31`,
      "alice reads alice's",
      "bob:secret gets KeeperErrorCode = NoAuth for /sha256",
      "super:root-pw reads alice's",
    ]);
    // Skipped only outside CI when ZooKeeper 3.8 is missing; with CI=true it throws instead.
    if (skipWithoutZookeeper()) return;
    const zookeeper = await startZookeeper({ extraCfg: CFG });
    servers.push(zookeeper);
    expect(await session(zookeeper)).toEqual(seen);
  });
});
