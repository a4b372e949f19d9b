import { createHash } from "node:crypto";
import type { ACL } from "@paddock/jute";
import { Perms } from "@paddock/jute";

/** world:anyone with every permission (Java's Ids.OPEN_ACL_UNSAFE). */
export const OPEN_ACL_UNSAFE: readonly ACL[] = Object.freeze([
  { perms: Perms.ALL, id: { scheme: "world", id: "anyone" } },
]);
/** world:anyone read-only (Java's Ids.READ_ACL_UNSAFE). */
export const READ_ACL_UNSAFE: readonly ACL[] = Object.freeze([
  { perms: Perms.READ, id: { scheme: "world", id: "anyone" } },
]);
/** Every permission for the identities the connection authenticated with (Ids.CREATOR_ALL_ACL). */
export const CREATOR_ALL_ACL: readonly ACL[] = Object.freeze([
  { perms: Perms.ALL, id: { scheme: "auth", id: "" } },
]);

const PERM_LETTERS: Array<[string, number]> = [
  ["c", Perms.CREATE],
  ["d", Perms.DELETE],
  ["r", Perms.READ],
  ["w", Perms.WRITE],
  ["a", Perms.ADMIN],
];

/** "cdrwa"-style text in zkCli's letter order. */
export function permsToString(perms: number): string {
  return PERM_LETTERS.filter(([, bit]) => (perms & bit) !== 0)
    .map(([letter]) => letter)
    .join("");
}

/**
 * The digest-scheme id for "user:password": user + ":" + base64(sha1("user:password")). For
 * servers whose DigestAuthenticationProvider.digestAlg names another hash, pass Node's name for
 * it (`sha256` for SHA-256, `sha3-256` for SHA3-256).
 */
export function digestId(userPassword: string, algorithm = "sha1"): string {
  const colon = userPassword.indexOf(":");
  const user = colon < 0 ? userPassword : userPassword.slice(0, colon);
  const hash = createHash(algorithm).update(userPassword, "utf8").digest("base64");
  return `${user}:${hash}`;
}
