// ACL schemes, validation ("fixup") and checks (reference §9). Pure functions: the identities of
// a connection come in through RequestContext, never from a socket.

import { createHash } from "node:crypto";
import { type ACL, ErrorCode, type Id, NULL_MARK, Perms } from "@paddock/jute";

/**
 * `user:BASE64(H("user:password"))`, the id a digest auth packet gives a connection; H is SHA-1
 * unless DigestAuthenticationProvider.digestAlg names another (`algorithm` is Node's name).
 */
export function digestId(userColonPassword: string, algorithm = "sha1"): string {
  const colon = userColonPassword.indexOf(":");
  const user = colon < 0 ? userColonPassword : userColonPassword.slice(0, colon);
  const hash = createHash(algorithm).update(userColonPassword, "utf8").digest("base64");
  return `${user}:${hash}`;
}

/**
 * Java's `String.split(":")`, which drops trailing empty parts; a digest ACL id is valid only
 * when that yields exactly two parts (so `user:` and `a:b:c` are invalid, `:h` is valid).
 */
export function isValidDigestAclId(id: string): boolean {
  if (!id.includes(":")) return false;
  const parts = id.split(":");
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts.length === 2;
}

/** A parsed address: 4 bytes for IPv4, 16 for IPv6. */
export function parseIpAddress(text: string): Uint8Array | undefined {
  return text.includes(":") ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    // Java's Integer.parseInt per part: a sign and leading zeros are accepted.
    const v = parseJavaInt(parts[i]!);
    if (v === undefined || v < 0 || v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  // A zone ("fe80::1%eth0") names an interface, not part of the address.
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === "") return [];
    const groups: number[] = [];
    const items = s.split(":");
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (i === items.length - 1 && item.includes(".")) {
        const v4 = parseIpv4(item);
        if (v4 === undefined) return undefined;
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return undefined;
      groups.push(Number.parseInt(item, 16));
    }
    return groups;
  };
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  // An embedded IPv4 address is allowed only at the very end.
  if (halves.length === 2 && halves[0]!.includes(".")) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    groups = head;
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Java's `Integer.parseInt`: optional sign, decimal digits, int32 range. */
function parseJavaInt(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const v = Number(text);
  return v >= -0x8000_0000 && v <= 0x7fff_ffff ? v : undefined;
}

interface IpAcl {
  addr: Uint8Array;
  bits: number;
}

function parseIpAcl(aclId: string): IpAcl | undefined {
  const slash = aclId.indexOf("/");
  const addr = parseIpAddress(slash < 0 ? aclId : aclId.slice(0, slash));
  if (addr === undefined) return undefined;
  if (slash < 0) return { addr, bits: addr.length * 8 };
  const bits = parseJavaInt(aclId.slice(slash + 1));
  if (bits === undefined || bits < 0 || bits > addr.length * 8) return undefined;
  return { addr, bits };
}

/** An ip ACL id: an IPv4 or IPv6 address with an optional `/prefixbits`. */
export function isValidIpAclId(aclId: string): boolean {
  return parseIpAcl(aclId) !== undefined;
}

/**
 * Whether a caller at `address` matches the ip ACL id `aclId` (`addr` or `addr/bits`). IPv4 and
 * IPv6 never match each other, except that an IPv4-mapped IPv6 caller (`::ffff:a.b.c.d`, what a
 * dual-stack listener reports for IPv4 peers) is treated as the IPv4 address it carries.
 */
export function ipMatches(aclId: string, address: string): boolean {
  const acl = parseIpAcl(aclId);
  if (acl === undefined) return false;
  let caller = parseIpAddress(address);
  if (caller === undefined) return false;
  if (caller.length === 16 && acl.addr.length === 4 && isV4Mapped(caller)) caller = caller.subarray(12);
  if (caller.length !== acl.addr.length) return false;
  for (let bit = 0; bit < acl.bits; bit += 8) {
    const remaining = acl.bits - bit;
    const mask = remaining >= 8 ? 0xff : (0xff << (8 - remaining)) & 0xff;
    const i = bit / 8;
    if ((caller[i]! & mask) !== (acl.addr[i]! & mask)) return false;
  }
  return true;
}

function isV4Mapped(addr: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (addr[i] !== 0) return false;
  return addr[10] === 0xff && addr[11] === 0xff;
}

/**
 * An identity's user name as its ZooKeeper provider's getUserName gives it: a digest id's user
 * part, the id itself for the others. whoAmI and the audit log's users show it.
 */
export function providerUserName(id: Id): string {
  return id.scheme === "digest" ? id.id.split(":")[0]! : id.id;
}

/** Schemes whose identities are "authenticated" and so take part in `auth` ACL expansion. */
const AUTHENTICATED_SCHEMES: ReadonlySet<string> = new Set(["digest", "sasl", "x509"]);

export function isWorldAnyone(id: Id): boolean {
  return id.scheme === "world" && id.id === "anyone";
}

/** The schemes every server has a provider for; authProvider.N adds sasl (and x509). */
export const DEFAULT_ACL_SCHEMES: ReadonlySet<string> = new Set(["ip", "digest"]);

/**
 * ZooKeeper's SASL provider accepts an id that Kerberos' name parser takes: no `@`, or
 * `primary[/instance]@REALM` with no further `/` or `@`.
 */
export function isValidSaslAclId(id: string): boolean {
  return !id.includes("@") || /^[^/@]*(\/[^/@]*)?@[^/@]*$/.test(id);
}

/**
 * Whether Java's X500Principal would take `name` (RFC 2253 / 1779): attribute=value pairs
 * separated by unescaped "," ";" or "+", each type a keyword or a dotted OID, each value quoted,
 * `#hex` or text with backslash escapes. The empty name is valid.
 */
export function isValidX500Name(name: string): boolean {
  return name.trim() === "" || X500_NAME.test(name);
}

const X500_VALUE = String.raw`(?:"(?:[^"\\]|\\.)*"|#(?:[0-9a-fA-F]{2})+|(?:[^,;+"\\]|\\.)*)`;
const X500_TYPE = String.raw`(?:[A-Za-z][A-Za-z0-9-]*|(?:OID\.|oid\.)?\d+(?:\.\d+)+)`;
const X500_AVA = String.raw`\s*${X500_TYPE}\s*=\s*${X500_VALUE}\s*`;
const X500_NAME = new RegExp(`^${X500_AVA}(?:[,;+]${X500_AVA})*$`);

/**
 * Whether a non-world, non-auth ACL id is acceptable to its scheme's provider; a scheme without a
 * provider on this server (`schemes`) accepts nothing.
 */
export function isValidAclId(id: Id, schemes: ReadonlySet<string> = DEFAULT_ACL_SCHEMES): boolean {
  if (id.scheme === NULL_MARK || id.id === NULL_MARK) return false;
  switch (id.scheme) {
    case "digest":
      return schemes.has("digest") && isValidDigestAclId(id.id);
    case "ip":
      return isValidIpAclId(id.id);
    case "sasl":
      return schemes.has("sasl") && isValidSaslAclId(id.id);
    case "x509":
      return schemes.has("x509") && isValidX500Name(id.id);
    default:
      return false;
  }
}

export type FixupResult = { ok: true; acl: ACL[] } | { ok: false; err: ErrorCode.InvalidACL };

/**
 * Validates and normalizes an ACL list from a create/setACL request (§9.4): exact duplicates
 * removed, `auth` entries expanded into the caller's authenticated identities, every other entry
 * checked by its scheme. Any failure is InvalidACL.
 */
export function fixupAcl(
  acl: readonly ACL[] | null,
  identities: readonly Id[],
  schemes: ReadonlySet<string> = DEFAULT_ACL_SCHEMES,
): FixupResult {
  const invalid = { ok: false, err: ErrorCode.InvalidACL } as const;
  if (acl === null) return invalid;
  if (acl.length === 1) {
    const shared = sharedWorldAcl(acl[0]!);
    if (shared !== undefined) return shared;
  }
  const unique = dedupeAcl(acl);
  if (unique.length === 0) return invalid;
  const out: ACL[] = [];
  for (const entry of unique) {
    const { scheme } = entry.id;
    if (scheme === NULL_MARK) return invalid;
    if (isWorldAnyone(entry.id)) {
      out.push(entry);
    } else if (scheme === "auth") {
      // The id of an `auth` entry means nothing and may be null (kazoo's CREATOR_ALL_ACL sends
      // null, the C client ""): ZooKeeper expands the entry without looking at it.
      let expanded = false;
      for (const who of identities) {
        if (!AUTHENTICATED_SCHEMES.has(who.scheme)) continue;
        out.push({ perms: entry.perms, id: { scheme: who.scheme, id: who.id } });
        expanded = true;
      }
      if (!expanded) return invalid;
    } else if (isValidAclId(entry.id, schemes)) {
      out.push(entry);
    } else {
      return invalid;
    }
  }
  return { ok: true, acl: out };
}

/**
 * Nearly every create carries one world:anyone entry (OPEN_ACL_UNSAFE, READ_ACL_UNSAFE): its
 * fixup is the same frozen result for each perms value, so that case allocates nothing. Before,
 * the general path's Set, key string and copies were about a tenth of what a create allocated.
 * Frozen, because the tree interns and shares the list it is given.
 */
const WORLD_RESULTS: (FixupResult | undefined)[] = [];

function sharedWorldAcl(entry: ACL): FixupResult | undefined {
  const { perms } = entry;
  if (!isWorldAnyone(entry.id) || !(perms >= 0 && perms <= Perms.ALL) || perms !== (perms | 0)) {
    return undefined;
  }
  let result = WORLD_RESULTS[perms];
  if (result === undefined) {
    const acl = [Object.freeze({ perms, id: Object.freeze({ scheme: "world", id: "anyone" }) })];
    result = Object.freeze({ ok: true, acl: Object.freeze(acl) as ACL[] });
    WORLD_RESULTS[perms] = result;
  }
  return result;
}

/** Whether a create/setACL from a caller with `identities` would accept this ACL list. */
export function isValidAcl(
  acl: readonly ACL[] | null,
  identities: readonly Id[] = [],
  schemes: ReadonlySet<string> = DEFAULT_ACL_SCHEMES,
): boolean {
  return fixupAcl(acl, identities, schemes).ok;
}

function dedupeAcl(acl: readonly ACL[]): ACL[] {
  const seen = new Set<string>();
  const out: ACL[] = [];
  for (const entry of acl) {
    const key = `${entry.perms}\u0000${entry.id.scheme}\u0000${entry.id.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ perms: entry.perms, id: { scheme: entry.id.scheme, id: entry.id.id } });
  }
  return out;
}

function identityMatches(aclId: Id, who: Id, letAnySaslUserDoX: string | undefined): boolean {
  if (aclId.scheme !== who.scheme) return false;
  if (aclId.scheme === "ip") return ipMatches(aclId.id, who.id);
  // ZooKeeper's SASL provider: the SASL user named "super" matches every sasl entry, and every
  // SASL user matches the entry named by zookeeper.letAnySaslUserDoX.
  if (aclId.scheme === "sasl") {
    return who.id === "super" || aclId.id === who.id || aclId.id === letAnySaslUserDoX;
  }
  return aclId.id === who.id;
}

/**
 * The ACL check of §9.5: allowed when ACLs are skipped, the list is empty, the caller is super,
 * or an entry with any of the bits in `perm` names world:anyone or one of the caller's identities.
 */
export function checkAcl(
  acl: readonly ACL[],
  perm: number,
  identities: readonly Id[],
  skipAcl: boolean,
  letAnySaslUserDoX?: string,
): boolean {
  if (skipAcl || acl.length === 0) return true;
  for (const who of identities) if (who.scheme === "super") return true;
  for (const entry of acl) {
    if ((entry.perms & perm) === 0) continue;
    if (isWorldAnyone(entry.id)) return true;
    for (const who of identities) if (identityMatches(entry.id, who, letAnySaslUserDoX)) return true;
  }
  return false;
}

/** getACL for a caller without ADMIN: digest ids lose everything after the user (§9.6). */
export function maskAcl(acl: readonly ACL[]): ACL[] {
  return acl.map((entry) => {
    if (entry.id.scheme !== "digest") return entry;
    const colon = entry.id.id.indexOf(":");
    if (colon < 0) return entry;
    return { perms: entry.perms, id: { scheme: "digest", id: `${entry.id.id.slice(0, colon)}:x` } };
  });
}

export const OPEN_ACL_UNSAFE: readonly ACL[] = [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }];
export const READ_ACL_UNSAFE: readonly ACL[] = [{ perms: Perms.READ, id: { scheme: "world", id: "anyone" } }];
