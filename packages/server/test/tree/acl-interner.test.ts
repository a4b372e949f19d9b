import type { ACL } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { AclInterner } from "../../src/tree/acl-interner.js";

const list = (perms: number, scheme: string, id: string): ACL[] => [{ perms, id: { scheme, id } }];

describe("AclInterner", () => {
  it("gives every equal list, decoded separately, one shared copy", () => {
    const interner = new AclInterner();
    const first = interner.intern(list(31, "world", "anyone"));
    // Back to back (the last-asked shortcut) and after another list came between (the table).
    expect(interner.intern(list(31, "world", "anyone"))).toBe(first);
    const other = interner.intern(list(1, "digest", "bob:x"));
    expect(other).not.toBe(first);
    expect(interner.intern(list(31, "world", "anyone"))).toBe(first);
    expect(interner.intern(list(1, "digest", "bob:x"))).toBe(other);
    expect(interner.size).toBe(2);
  });

  it("keeps lists apart that differ in any field, order or length", () => {
    const interner = new AclInterner();
    const base = interner.intern(list(31, "world", "anyone"));
    const variants = [
      list(15, "world", "anyone"),
      list(31, "ip", "anyone"),
      list(31, "world", "someone"),
      [...list(31, "world", "anyone"), ...list(1, "ip", "10.0.0.1")],
      [...list(1, "ip", "10.0.0.1"), ...list(31, "world", "anyone")],
      [],
    ];
    for (const v of variants) {
      interner.intern(base);
      const shared = interner.intern(v);
      expect(shared).not.toBe(base);
      expect(shared).toEqual(v);
    }
  });
});
