import type { ACL } from "@paddock/client";
import { Perms } from "@paddock/client";

const PERM_BITS: Record<string, number> = {
  r: Perms.READ,
  w: Perms.WRITE,
  c: Perms.CREATE,
  d: Perms.DELETE,
  a: Perms.ADMIN,
};

/**
 * Parses zkCli's "scheme:id:perms[,scheme:id:perms...]". The id may itself contain colons
 * (digest ids), so the scheme ends at the first colon and the perms start after the last one.
 * Malformed entries and unknown perm letters are reported through `warn` and skipped.
 */
export function parseAcl(text: string, warn: (line: string) => void): ACL[] {
  const acl: ACL[] = [];
  for (const entry of text.split(",")) {
    const first = entry.indexOf(":");
    const last = entry.lastIndexOf(":");
    if (first < 0 || first === last) {
      warn(`${entry} does not have the form scheme:id:perm`);
      continue;
    }
    let perms = 0;
    for (const ch of entry.slice(last + 1)) {
      const bit = PERM_BITS[ch];
      if (bit === undefined) warn(`Unknown perm type: ${ch}`);
      else perms |= bit;
    }
    acl.push({ perms, id: { scheme: entry.slice(0, first), id: entry.slice(first + 1, last) } });
  }
  return acl;
}
