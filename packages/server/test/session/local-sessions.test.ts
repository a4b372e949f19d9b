import { describe, expect, it } from "vitest";
import { LocalSessions } from "../../src/session/local-sessions.js";

describe("LocalSessions", () => {
  const passwd = Buffer.alloc(16, 7);

  it("knows a session by id and password, and forgets it on remove", () => {
    const s = new LocalSessions(100);
    s.add(1n, passwd, 1000, 0);
    expect(s.has(1n)).toBe(true);
    expect(s.matches(1n, passwd)).toBe(true);
    expect(s.matches(1n, Buffer.alloc(16))).toBe(false);
    expect(s.matches(2n, passwd)).toBe(false);
    expect(s.remove(1n)).toBe(true);
    expect(s.has(1n)).toBe(false);
    expect(s.touch(1n, 1000, 10)).toBe(false);
  });

  it("expires a silent session at its tick-rounded deadline, a touched one later", () => {
    const s = new LocalSessions(100);
    s.add(1n, passwd, 1000, 0);
    s.add(2n, passwd, 1000, 0);
    expect(s.touch(2n, 1000, 500)).toBe(true);
    // ZooKeeper's rounding: the next tick strictly after now + timeout.
    expect(s.expire(1099)).toEqual([]);
    expect(s.expire(1100)).toEqual([1n]);
    expect(s.has(1n)).toBe(false);
    expect(s.expire(1599)).toEqual([]);
    expect(s.expire(1600)).toEqual([2n]);
    expect(s.size).toBe(0);
  });

  it("refuses an id twice (a broken generator), and clear forgets everything", () => {
    const s = new LocalSessions(100);
    s.add(1n, passwd, 1000, 0);
    expect(() => s.add(1n, passwd, 1000, 0)).toThrow(/twice/);
    s.add(2n, passwd, 1000, 0);
    s.clear();
    expect(s.size).toBe(0);
    expect(s.nextExpiryMs()).toBeUndefined();
  });
});
