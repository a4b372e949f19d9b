import { type ACL, ErrorCode, type Id, NULL_MARK, Perms } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import {
  checkAcl,
  digestId,
  fixupAcl,
  ipMatches,
  isValidAcl,
  isValidDigestAclId,
  isValidIpAclId,
  maskAcl,
} from "../../src/tree/acl.js";

const world = (perms: number): ACL => ({ perms, id: { scheme: "world", id: "anyone" } });
const digest = (perms: number, id: string): ACL => ({ perms, id: { scheme: "digest", id } });
const ip = (perms: number, id: string): ACL => ({ perms, id: { scheme: "ip", id } });

describe("digestId", () => {
  it.each([
    ["super:admin", "super:xQJmxLMiHGwaqBvst5y6rkB6HQs="],
    ["user:password", "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY="],
    ["bob:secret", "bob:fyVmFCwVbTJYrznoSu1koqYEYF0="],
  ])("%s -> %s", (input, expected) => {
    expect(digestId(input)).toBe(expected);
  });

  // DigestAuthenticationProvider.digestAlg; the expected ids are openssl's (dgst -binary | base64).
  it("hashes with the algorithm the server is configured with", () => {
    expect(digestId("alice:secret", "sha256")).toBe("alice:PRHcR5wI47NodzED1kdmwuQgzjlyeTL88tj02dWZvlk=");
    expect(digestId("alice:secret", "sha3-256")).toBe("alice:0klP1LIWwp/NTn37H9CfAMkncGve/93qqLrI9ZwVcNo=");
  });

  it("hashes the whole string but keeps only the text before the first colon", () => {
    expect(digestId("a:b:c").startsWith("a:")).toBe(true);
    expect(digestId("a:b:c")).not.toBe(digestId("a:b"));
  });
});

describe("digest ACL id validity (Java split semantics)", () => {
  it.each([
    ["bob:hash", true],
    [":h", true],
    ["a:b:", true],
    ["bob", false],
    ["user:", false],
    ["a:b:c", false],
    [":", false],
    ["", false],
  ])("%j -> %s", (id, valid) => {
    expect(isValidDigestAclId(id)).toBe(valid);
  });
});

describe("ip ACLs", () => {
  it("validates addresses and prefixes", () => {
    for (const ok of [
      "10.0.0.1",
      "10.0.0.0/8",
      "0.0.0.0/0",
      "::1",
      "fe80::/10",
      "2001:db8::1/128",
      "::ffff:1.2.3.4",
    ]) {
      expect(isValidIpAclId(ok), ok).toBe(true);
    }
    for (const bad of [
      "300.1.1.1",
      "1.2.3",
      "1.2.3.4/33",
      "1.2.3.4/-1",
      "1.2.3.4/x",
      "::1/129",
      "1::2::3",
      "host",
      "",
    ]) {
      expect(isValidIpAclId(bad), bad).toBe(false);
    }
  });

  it("matches IPv4 exactly and by CIDR", () => {
    expect(ipMatches("127.0.0.1", "127.0.0.1")).toBe(true);
    expect(ipMatches("127.0.0.1", "127.0.0.2")).toBe(false);
    expect(ipMatches("10.0.0.0/8", "10.200.3.4")).toBe(true);
    expect(ipMatches("10.0.0.0/8", "11.0.0.1")).toBe(false);
    expect(ipMatches("192.168.1.128/25", "192.168.1.200")).toBe(true);
    expect(ipMatches("192.168.1.128/25", "192.168.1.127")).toBe(false);
    expect(ipMatches("0.0.0.0/0", "8.8.8.8")).toBe(true);
  });

  it("matches IPv6 by CIDR and never across families", () => {
    expect(ipMatches("2001:db8::/32", "2001:db8:1::5")).toBe(true);
    expect(ipMatches("2001:db8::/32", "2001:db9::5")).toBe(false);
    expect(ipMatches("::1", "0:0:0:0:0:0:0:1")).toBe(true);
    expect(ipMatches("::1", "127.0.0.1")).toBe(false);
    expect(ipMatches("127.0.0.1", "::1")).toBe(false);
  });

  it("treats an IPv4-mapped caller as IPv4", () => {
    expect(ipMatches("127.0.0.0/8", "::ffff:127.0.0.1")).toBe(true);
    expect(ipMatches("10.0.0.1", "::ffff:127.0.0.1")).toBe(false);
  });

  it("never matches with an invalid ACL id or address", () => {
    expect(ipMatches("300.0.0.1", "300.0.0.1")).toBe(false);
    expect(ipMatches("10.0.0.1", "not-an-ip")).toBe(false);
  });
});

describe("fixupAcl", () => {
  const bob: Id = { scheme: "digest", id: "bob:fyVmFCwVbTJYrznoSu1koqYEYF0=" };
  const ipId: Id = { scheme: "ip", id: "127.0.0.1" };
  const superId: Id = { scheme: "super", id: "" };

  it("removes exact duplicates, keeping the first occurrence order", () => {
    const res = fixupAcl([world(Perms.READ), world(Perms.ALL), world(Perms.READ)], []);
    expect(res).toEqual({ ok: true, acl: [world(Perms.READ), world(Perms.ALL)] });
  });

  it("rejects empty and null lists", () => {
    expect(fixupAcl([], [])).toEqual({ ok: false, err: ErrorCode.InvalidACL });
    expect(fixupAcl(null, [])).toEqual({ ok: false, err: ErrorCode.InvalidACL });
  });

  it("expands auth into the caller's digest identities only", () => {
    const res = fixupAcl([{ perms: Perms.READ, id: { scheme: "auth", id: "" } }], [ipId, bob, superId]);
    expect(res).toEqual({ ok: true, acl: [{ perms: Perms.READ, id: bob }] });
  });

  it("expands auth whatever its id says, a null id included (kazoo's CREATOR_ALL_ACL)", () => {
    for (const id of [NULL_MARK, "", "ignored"]) {
      const res = fixupAcl([{ perms: Perms.ALL, id: { scheme: "auth", id } }], [ipId, bob]);
      expect(res).toEqual({ ok: true, acl: [{ perms: Perms.ALL, id: bob }] });
    }
    expect(fixupAcl([{ perms: Perms.ALL, id: { scheme: NULL_MARK, id: "x" } }], [bob]).ok).toBe(false);
    expect(fixupAcl([{ perms: Perms.ALL, id: { scheme: "world", id: NULL_MARK } }], [bob]).ok).toBe(false);
  });

  it("rejects auth when the caller has no authenticated identity", () => {
    expect(fixupAcl([{ perms: 1, id: { scheme: "auth", id: "" } }], [ipId, superId]).ok).toBe(false);
  });

  it.each([
    ["world:someone", { scheme: "world", id: "someone" }],
    ["digest:bob", { scheme: "digest", id: "bob" }],
    ["digest:a:b:c", { scheme: "digest", id: "a:b:c" }],
    ["ip:300.1.1.1", { scheme: "ip", id: "300.1.1.1" }],
    ["unknown scheme", { scheme: "foo", id: "bar" }],
    ["super scheme", { scheme: "super", id: "" }],
    ["null scheme", { scheme: NULL_MARK, id: "x" }],
    ["null id", { scheme: "digest", id: NULL_MARK }],
  ])("rejects %s", (_name, id) => {
    expect(fixupAcl([world(Perms.ALL), { perms: Perms.ALL, id }], [bob])).toEqual({
      ok: false,
      err: ErrorCode.InvalidACL,
    });
  });

  it("isValidAcl agrees with fixupAcl", () => {
    expect(isValidAcl([world(Perms.ALL)])).toBe(true);
    expect(isValidAcl([])).toBe(false);
    expect(isValidAcl([{ perms: 1, id: { scheme: "auth", id: "" } }])).toBe(false);
    expect(isValidAcl([{ perms: 1, id: { scheme: "auth", id: "" } }], [bob])).toBe(true);
  });

  it("gives a lone world:anyone entry one frozen, shared result per perms value", () => {
    for (const perms of [0, Perms.READ, Perms.CREATE | Perms.DELETE, Perms.ALL]) {
      const first = fixupAcl([world(perms)], []);
      expect(first).toEqual({ ok: true, acl: [world(perms)] });
      expect(fixupAcl([world(perms)], [bob])).toBe(first);
      // The tree interns and shares the list: nobody may change it.
      if (!first.ok) throw new Error("refused");
      expect(Object.isFrozen(first.acl)).toBe(true);
      expect(Object.isFrozen(first.acl[0]!.id)).toBe(true);
    }
    // Perms outside ZooKeeper's five bits are kept as sent, as the general path keeps them.
    for (const perms of [32, -1, 0x7fffffff]) {
      const res = fixupAcl([world(perms)], []);
      expect(res).toEqual({ ok: true, acl: [world(perms)] });
      expect(fixupAcl([world(perms)], [])).not.toBe(res);
    }
    expect(fixupAcl([world(Perms.ALL), world(Perms.READ)], [])).toEqual({
      ok: true,
      acl: [world(Perms.ALL), world(Perms.READ)],
    });
  });

  it("keeps valid digest and ip entries as given", () => {
    const acl = [digest(Perms.ALL, "bob:h"), ip(Perms.READ, "10.0.0.0/8")];
    expect(fixupAcl(acl, [])).toEqual({ ok: true, acl });
  });
});

describe("checkAcl", () => {
  const bobId: Id = { scheme: "digest", id: "bob:h" };
  const acl = [digest(Perms.READ | Perms.WRITE, "bob:h"), ip(Perms.DELETE, "10.0.0.0/8")];

  it("allows by matching identity and bit", () => {
    expect(checkAcl(acl, Perms.READ, [bobId], false)).toBe(true);
    expect(checkAcl(acl, Perms.ADMIN, [bobId], false)).toBe(false);
    expect(checkAcl(acl, Perms.DELETE, [{ scheme: "ip", id: "10.1.2.3" }], false)).toBe(true);
    expect(checkAcl(acl, Perms.DELETE, [{ scheme: "ip", id: "11.1.2.3" }], false)).toBe(false);
    expect(checkAcl(acl, Perms.READ, [{ scheme: "digest", id: "bob:other" }], false)).toBe(false);
  });

  it("passes a mask if any of its bits is granted (getACL's READ|ADMIN)", () => {
    expect(checkAcl(acl, Perms.READ | Perms.ADMIN, [bobId], false)).toBe(true);
  });

  it("allows world:anyone, an empty list, super and skipACL", () => {
    expect(checkAcl([world(Perms.CREATE)], Perms.CREATE, [], false)).toBe(true);
    expect(checkAcl([world(Perms.CREATE)], Perms.READ, [], false)).toBe(false);
    expect(checkAcl([], Perms.ADMIN, [], false)).toBe(true);
    expect(checkAcl(acl, Perms.ADMIN, [{ scheme: "super", id: "" }], false)).toBe(true);
    expect(checkAcl(acl, Perms.ADMIN, [], true)).toBe(true);
  });
});

describe("maskAcl", () => {
  it("replaces digest hashes with x and leaves other schemes", () => {
    expect(maskAcl([digest(31, "bob:abc=="), ip(1, "1.2.3.4"), world(1), digest(1, "nocolon")])).toEqual([
      digest(31, "bob:x"),
      ip(1, "1.2.3.4"),
      world(1),
      digest(1, "nocolon"),
    ]);
  });
});

describe("sasl and x509 ACL ids", () => {
  const schemes = new Set(["ip", "digest", "sasl", "x509"]);
  const valid = (scheme: string, id: string, with_ = schemes) =>
    isValidAcl([{ perms: Perms.READ, id: { scheme, id } }], [], with_);

  it("are valid only with their provider, and as ZooKeeper's providers check them", () => {
    expect(valid("sasl", "bob")).toBe(true);
    expect(valid("sasl", "svc/host@REALM")).toBe(true);
    expect(valid("sasl", "a@b@c")).toBe(false);
    expect(valid("sasl", "bob", new Set(["ip", "digest"]))).toBe(false);
    expect(valid("x509", "CN=alice,OU=tests,O=Paddock\\, Inc.,C=US")).toBe(true);
    expect(valid("x509", 'CN=a+OU=b;O="quoted, value",1.2.840.113549.1.9.1=#160161')).toBe(true);
    expect(valid("x509", "")).toBe(true);
    expect(valid("x509", "not a name")).toBe(false);
    expect(valid("x509", "CN=a,,O=b")).toBe(false);
    expect(valid("x509", "CN=alice", new Set(["ip", "digest"]))).toBe(false);
  });

  it("a sasl entry also matches the SASL user named super, as in ZooKeeper", () => {
    const acl = [{ perms: Perms.READ, id: { scheme: "sasl", id: "bob" } }];
    expect(checkAcl(acl, Perms.READ, [{ scheme: "sasl", id: "bob" }], false)).toBe(true);
    expect(checkAcl(acl, Perms.READ, [{ scheme: "sasl", id: "super" }], false)).toBe(true);
    expect(checkAcl(acl, Perms.READ, [{ scheme: "sasl", id: "carol" }], false)).toBe(false);
  });

  it("letAnySaslUserDoX: every SASL user matches the sasl entry it names, nobody else does", () => {
    const acl = [{ perms: Perms.READ, id: { scheme: "sasl", id: "anysasl" } }];
    expect(checkAcl(acl, Perms.READ, [{ scheme: "sasl", id: "carol" }], false, "anysasl")).toBe(true);
    expect(checkAcl(acl, Perms.WRITE, [{ scheme: "sasl", id: "carol" }], false, "anysasl")).toBe(false);
    expect(checkAcl(acl, Perms.READ, [{ scheme: "digest", id: "anysasl" }], false, "anysasl")).toBe(false);
    expect(checkAcl(acl, Perms.READ, [{ scheme: "sasl", id: "carol" }], false, "other")).toBe(false);
    expect(checkAcl(acl, Perms.READ, [{ scheme: "sasl", id: "carol" }], false)).toBe(false);
  });
});
