// Error paths in the check order of protocol reference §14, ACLs and authentication.
import { ErrorCode as E, NULL_MARK, OpCode, Perms } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { SUPER_AUTH } from "../support/process.js";
import type { RawClient } from "../support/raw-client.js";
import { skipDifferential, type Target, useDifferential } from "./harness.js";
import {
  allChildrenNumber,
  auth,
  BOB_DIGEST,
  check,
  create,
  create2,
  del,
  digestAcl,
  exists,
  getACL,
  getChildren,
  getChildren2,
  getData,
  multi,
  multiRead,
  OPEN_ACL,
  READ_ACL,
  setACL,
  setData,
  whoAmI,
} from "./ops.js";

const bobOnly = [digestAcl("bob", BOB_DIGEST)];

async function superClient(t: Target, label = "admin"): Promise<RawClient> {
  const admin = await t.client({ label });
  expect((await admin.call(auth("digest", SUPER_AUTH))).err).toBe(E.OK);
  return admin;
}

describe.skipIf(skipDifferential)("differential: errors, ACLs and auth", () => {
  const diff = useDifferential();

  it("§14 precedence with a digest-protected node (observed examples)", () =>
    diff.run("precedence", async (t) => {
      const r = t.root;
      const admin = await superClient(t);
      await admin.call(create(r));
      await admin.call(create(`${r}/p`, "secret", 0, bobOnly));
      await admin.call(create(`${r}/p/c`, "", 0, bobOnly));
      await admin.call(create(`${r}/s`, "", 0));
      await admin.call(create(`${r}/s/child`));
      const u = await t.client({ label: "anonymous" });
      expect((await u.call(del(`${r}/p/missing`))).err).toBe(E.NoAuth);
      expect((await u.call(setData(`${r}/p`, "x", 42))).err).toBe(E.NoAuth);
      expect((await u.call(setData(`${r}/p/missing`, "x"))).err).toBe(E.NoNode);
      expect((await u.call(create(`${r}/p/c`))).err).toBe(E.NoAuth);
      expect((await u.call(create(`${r}/p/new`))).err).toBe(E.NoAuth);
      expect((await u.call(setACL("/missing-node", []))).err).toBe(E.InvalidACL);
      expect((await u.call(setACL("/missing-node", OPEN_ACL))).err).toBe(E.NoNode);
      expect((await u.call(create("/nope/x/"))).err).toBe(E.NoNode);
      expect((await u.call(setData("/nope/", "x"))).err).toBe(E.BadArguments);
      expect((await u.call(del(`${r}/s`, 7))).err).toBe(E.BadVersion);
      expect((await u.call(del(`${r}/s`))).err).toBe(E.NotEmpty);
      expect((await u.call(create("/"))).err).toBe(E.NodeExists);
      for (const special of ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"]) {
        expect((await u.call(del(special))).err).toBe(E.BadArguments);
      }
      expect((await u.call(getData(`${r}/p`))).err).toBe(E.NoAuth);
      expect((await u.call(getData(`${r}/p/missing`))).err).toBe(E.NoNode);
      expect((await u.call(getChildren(`${r}/p`))).err).toBe(E.NoAuth);
      expect((await u.call(getChildren2(`${r}/p`))).err).toBe(E.NoAuth);
      expect((await u.call(allChildrenNumber(`${r}/p`))).err).toBe(E.NoAuth);
      expect((await u.call(getACL(`${r}/p`))).err).toBe(E.NoAuth);
      expect((await u.call(setACL(`${r}/p`, OPEN_ACL, 99))).err).toBe(E.NoAuth);
      await u.call(multi(check(`${r}/p`, 0)));
      await u.call(multi(setData(`${r}/s`, "ok"), del(`${r}/p/c`)));
      await u.call(exists(`${r}/p/missing`));
      // A NoAuth read must not leave a watch behind: setData by admin fires nothing here.
      await u.call(getData(`${r}/p`, true));
      await admin.call(setData(`${r}/p`, "v2"));
      await u.settle();
      // Once bob authenticates everything above succeeds.
      expect((await u.call(auth("digest", "bob:secret"))).err).toBe(E.OK);
      await u.call(getData(`${r}/p`));
      await u.call(getACL(`${r}/p`));
      await u.call(setData(`${r}/p`, "x", 42));
      await u.call(del(`${r}/p/c`, 0));
      await u.call(whoAmI);
      // exists on an unreadable node differs between 3.8.0 and 3.8.4+: asserted per target.
      const side = await t.client({ compare: false });
      const ex = await side.call(exists(`${r}/p`));
      expect(ex.err).toBe(t.kind === "zookeeper" ? E.OK : E.NoAuth);
    }));

  it("path validation and the checks that come before it", () =>
    diff.run("paths", async (t) => {
      const r = t.root;
      const c = await t.client();
      await c.call(create(r));
      await c.call(create(`${r}/x`));
      expect((await c.call(create("noslash"))).err).toBe(E.BadArguments);
      expect((await c.call(create(`${r}/nul\u0000`))).err).toBe(E.BadArguments);
      expect((await c.call(create(`${r}//double`))).err).toBe(E.NoNode);
      expect((await c.call(create(`${r}/.`))).err).toBe(E.BadArguments);
      expect((await c.call(create(`${r}/..`))).err).toBe(E.BadArguments);
      expect((await c.call(create(`${r}/x/`))).err).toBe(E.BadArguments);
      await c.call(create(`${r}/a.b`));
      await c.call(create(`${r}/.hidden`));
      await c.call(create(`${r}/ctl\u0001`));
      await c.call(create(`${r}/del\u007f`));
      await c.call(create(`${r}/private\ue000`));
      await c.call(create(`${r}/ok\u00e9`));
      expect((await c.call(exists(`${r}/nul\u0000`))).err).toBe(E.BadArguments);
      expect((await c.call(getData(`${r}/nul\u0000`))).err).toBe(E.NoNode);
      await c.call(getData(`${r}/`));
      await c.call(getChildren(`${r}//x`));
      expect((await c.call(setData(`${r}/x/`, "v"))).err).toBe(E.BadArguments);
      expect((await c.call(setACL(`${r}/x/`, OPEN_ACL))).err).toBe(E.BadArguments);
      await c.call(del(`${r}/x/`));
      await c.call(del("noslash"));
      await c.call(del(`${r}/nul\u0000`));
      await c.call(getChildren2(r));
    }));

  it("InvalidACL cases on create and setACL", () =>
    diff.run("invalid-acl", async (t) => {
      const r = t.root;
      const c = await t.client();
      await c.call(create(r));
      const cases = [
        [],
        null,
        [{ perms: Perms.ALL, id: { scheme: "auth", id: "" } }],
        [{ perms: Perms.ALL, id: { scheme: "digest", id: "bob" } }],
        [{ perms: Perms.ALL, id: { scheme: "digest", id: "user:" } }],
        [{ perms: Perms.ALL, id: { scheme: "digest", id: "a:b:c" } }],
        [{ perms: Perms.ALL, id: { scheme: "ip", id: "300.1.1.1" } }],
        [{ perms: Perms.ALL, id: { scheme: "ip", id: "10.0.0.0/33" } }],
        [{ perms: Perms.ALL, id: { scheme: "world", id: "someone" } }],
        [{ perms: Perms.ALL, id: { scheme: "nosuchscheme", id: "x" } }],
      ];
      for (const [i, acl] of cases.entries()) {
        expect((await c.call(create(`${r}/bad${i}`, "", 0, acl))).err, `case ${i}`).toBe(E.InvalidACL);
        expect((await c.call(setACL(r, acl))).err, `case ${i}`).toBe(E.InvalidACL);
      }
      const valid = [
        [{ perms: Perms.ALL, id: { scheme: "digest", id: ":h" } }],
        [{ perms: Perms.ALL, id: { scheme: "ip", id: "127.0.0.1" } }],
        [{ perms: Perms.ALL, id: { scheme: "ip", id: "10.0.0.0/8" } }],
        [...OPEN_ACL, ...OPEN_ACL],
        [...READ_ACL, ...OPEN_ACL],
      ];
      for (const [i, acl] of valid.entries()) {
        await c.call(create2(`${r}/good${i}`, "", 0, acl));
        await c.call(getACL(`${r}/good${i}`));
      }
      // ip:127.0.0.1 matches this loopback connection; 10.0.0.0/8 does not.
      await c.call(getData(`${r}/good1`));
      await c.call(getData(`${r}/good2`));
      // After digest auth, the auth scheme expands to the caller's digest identity.
      await c.call(auth("digest", "bob:secret"));
      await c.call(create2(`${r}/byauth`, "", 0, [{ perms: Perms.ALL, id: { scheme: "auth", id: "" } }]));
      await c.call(getACL(`${r}/byauth`));
      await c.call(
        setACL(`${r}/byauth`, [{ perms: Perms.READ | Perms.ADMIN, id: { scheme: "auth", id: "x" } }]),
      );
      await c.call(getACL(`${r}/byauth`));
      // kazoo's CREATOR_ALL_ACL sends `auth` with a null id: ZooKeeper ignores the id.
      await c.call(
        create2(`${r}/bynull`, "", 0, [{ perms: Perms.ALL, id: { scheme: "auth", id: NULL_MARK } }]),
      );
      await c.call(getACL(`${r}/bynull`));
    }));

  it("getACL masks digests without ADMIN; setACL needs ADMIN and the right aversion", () =>
    diff.run("acl-masking", async (t) => {
      const r = t.root;
      const admin = await superClient(t);
      await admin.call(create(r));
      await admin.call(create(`${r}/m`, "", 0, [...READ_ACL, digestAcl("bob", BOB_DIGEST)]));
      const u = await t.client({ label: "anonymous" });
      await u.call(getACL(`${r}/m`));
      expect((await u.call(setACL(`${r}/m`, OPEN_ACL))).err).toBe(E.NoAuth);
      await u.call(auth("digest", "bob:secret"));
      await u.call(getACL(`${r}/m`));
      expect((await u.call(setACL(`${r}/m`, OPEN_ACL, 3))).err).toBe(E.BadVersion);
      await u.call(setACL(`${r}/m`, [digestAcl("bob", BOB_DIGEST, Perms.ADMIN)], 0));
      await u.call(getACL(`${r}/m`));
      await u.call(getData(`${r}/m`));
      await admin.call(getData(`${r}/m`));
      await admin.call(whoAmI);
    }));

  it("auth: digest success, repeated auth, bad scheme → AuthFailed and close", () =>
    diff.run("auth", async (t) => {
      const c = await t.client();
      await c.call(auth("digest", "user:password"));
      await c.call(auth("digest", "user:password"));
      await c.call(auth("digest", "no-colon-at-all"));
      await c.call(whoAmI);
      const bad = await t.client({ label: "bad" });
      const reply = await bad.call(auth("nosuchscheme", "x"));
      expect(reply.err).toBe(E.AuthFailed);
      await bad.waitClosed();
      const ip = await t.client({ label: "ip" });
      await ip.call(auth("ip", "127.0.0.1"));
      await ip.settle();
      if (!ip.closed) await ip.call(whoAmI);
    }));

  // The Java client sends auth under xid -4; the Go client (go-zookeeper) under its next ordinary
  // xid, and waits for a reply carrying that xid. ZooKeeper answers with the packet's own xid.
  it("auth under an ordinary xid: the reply carries that xid, success or failure", () =>
    diff.run("auth-xid", async (t) => {
      const c = await t.client();
      expect((await c.call(auth("digest", "user:password"), 7)).err).toBe(E.OK);
      await c.call(whoAmI, 8);
      const bad = await t.client({ label: "bad" });
      expect((await bad.call(auth("nosuchscheme", "x"), 3)).err).toBe(E.AuthFailed);
      await bad.waitClosed();
    }));

  // ZooKeeper keeps a connection's ids in a hash set: whoAmI, the `auth` ACL's expansion (and the
  // audit log's users) list them by hash bucket, not in the order they were added.
  it("a connection's ids, in ZooKeeper's order: whoAmI and the auth ACL", () =>
    diff.run("auth-order", async (t) => {
      const r = t.root;
      const c = await t.client();
      await c.call(create(r));
      await c.call(whoAmI);
      for (const user of ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]) {
        await c.call(auth("digest", `${user}:secret`));
        await c.call(whoAmI);
      }
      await c.call(auth("digest", SUPER_AUTH));
      await c.call(whoAmI);
      await c.call(create(`${r}/mine`, "x", 0, [{ perms: Perms.ALL, id: { scheme: "auth", id: "" } }]));
      await c.call(getACL(`${r}/mine`));
    }));

  it("auth identities belong to the connection, not the session", () =>
    diff.run("auth-per-connection", async (t) => {
      const r = t.root;
      const first = await t.client({ label: "first" });
      await first.call(auth("digest", "bob:secret"));
      await first.call(create(r));
      await first.call(create(`${r}/bob`, "mine", 0, bobOnly));
      await first.call(getData(`${r}/bob`));
      const { sessionId, passwd } = first.session!;
      first.destroy();
      await first.waitClosed();
      const resumed = await t.client({ label: "resumed", sessionId, passwd, lastZxidSeen: first.lastZxid() });
      expect((await resumed.call(getData(`${r}/bob`))).err).toBe(E.NoAuth);
      await resumed.call(whoAmI);
      await resumed.call(auth("digest", "bob:secret"));
      await resumed.call(getData(`${r}/bob`));
    }));

  it("request with a NoAuth parent inside multi and NodeExists/NoNode ordering", () =>
    diff.run("multi-errors", async (t) => {
      const r = t.root;
      const admin = await superClient(t);
      await admin.call(create(r));
      await admin.call(create(`${r}/locked`, "", 0, bobOnly));
      const u = await t.client({ label: "anonymous" });
      await u.call(multi(create(`${r}/a`), create(`${r}/locked/x`), create(`${r}/b`)));
      await u.call(multi(create(`${r}/a`), create(`${r}/a`)));
      await u.call(multi(create(`${r}/e`, "", 1), create(`${r}/e/child`)));
      await u.call(multi(del(`${r}/locked`, 5)));
      await u.call(multi(setData(`${r}/nope`, "x")));
      await u.call(multi(create(`${r}/bad`, "", 0, [])));
      await u.call(
        multi({ type: OpCode.createTTL, path: `${r}/t`, data: null, acl: OPEN_ACL, flags: 5, ttl: 0 }),
      );
      await u.call(getChildren2(r));
      // Reads inside multi and writes inside multiRead do not parse.
      await u.call(multi(getData(r)));
      await u.call(multiRead(create(`${r}/via-read`)));
      await u.call(multi(check(`${r}/bad/`, -1)));
      await u.call(exists(`${r}/via-read`));
      await u.settle();
    }));
});
