import { type ACL, JuteReader, JuteWriter, Perms, writeAclList } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { RepeatedAclListReader } from "../../src/request/acl-list-reader.js";

const world = (perms: number): ACL => ({ perms, id: { scheme: "world", id: "anyone" } });
const digest = (perms: number, id: string): ACL => ({ perms, id: { scheme: "digest", id } });

function encodeLists(lists: readonly (readonly ACL[] | null)[]): Buffer {
  const w = new JuteWriter(16);
  for (const acl of lists) writeAclList(w, acl);
  w.writeInt(0x5a5a5a5a); // a trailing field, to see where each read stops
  return w.toBuffer();
}

describe("RepeatedAclListReader", () => {
  it("decodes every list right, whatever came before it, and ends where the list ends", () => {
    const lists: (readonly ACL[] | null)[] = [
      [world(Perms.ALL)],
      [world(Perms.ALL)],
      [world(Perms.READ)],
      [world(Perms.READ), digest(Perms.ALL, "bob:h")],
      [world(Perms.READ)],
      null,
      null,
      [],
      [world(Perms.ALL)],
    ];
    const r = new JuteReader(encodeLists(lists));
    const reader = new RepeatedAclListReader();
    for (const acl of lists) expect(reader.read(r)).toEqual(acl);
    expect(r.readInt()).toBe(0x5a5a5a5a);
    expect(r.remaining).toBe(0);
  });

  it("hands back the previous list itself when the bytes repeat it", () => {
    const r = new JuteReader(encodeLists([[world(Perms.ALL)], [world(Perms.ALL)], [world(Perms.READ)]]));
    const reader = new RepeatedAclListReader();
    const first = reader.read(r);
    expect(reader.read(r)).toBe(first);
    expect(reader.read(r)).not.toBe(first);
  });

  it("does not read past the reader's end to match the previous list", () => {
    const reader = new RepeatedAclListReader();
    const whole = encodeLists([[world(Perms.ALL)], [world(Perms.ALL)]]);
    const listBytes = (whole.length - 4) / 2;
    reader.read(new JuteReader(whole, 0, listBytes));
    // The same bytes follow in the buffer, but this reader ends one byte short of them.
    const short = new JuteReader(whole, listBytes, 2 * listBytes - 1);
    expect(() => reader.read(short)).toThrow(/truncated/);
  });
});
