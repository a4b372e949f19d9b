import { describe, expect, it } from "vitest";
import { SessionTracker } from "../../src/session/session-tracker.js";

describe("SessionTracker buckets", () => {
  it("rounds now + timeout up to the next tick, moving exact multiples one tick further", () => {
    const t = new SessionTracker(2000);
    expect(t.expiryFor(1000, 4000)).toBe(6000);
    expect(t.expiryFor(1999, 4000)).toBe(6000);
    expect(t.expiryFor(2000, 4000)).toBe(8000);
    expect(t.expiryFor(0, 0)).toBe(2000);
  });

  it("expires a session only once its bucket time has passed", () => {
    const t = new SessionTracker(2000);
    t.add(1n, 4000, 500); // bucket 6000
    expect(t.nextExpiryMs()).toBe(6000);
    expect(t.expire(5999)).toEqual([]);
    expect(t.isClosing(1n)).toBe(false);
    expect(t.expire(6000)).toEqual([1n]);
    expect(t.isClosing(1n)).toBe(true);
    expect(t.nextExpiryMs()).toBeUndefined();
    // Handed out once: the runtime closes it, later calls do not repeat it.
    expect(t.expire(100_000)).toEqual([]);
    expect(t.has(1n)).toBe(true);
    expect(t.remove(1n)).toBe(true);
    expect(t.has(1n)).toBe(false);
  });

  it("touch moves the session to a later bucket and can change its timeout", () => {
    const t = new SessionTracker(1000);
    t.add(7n, 3000, 0); // bucket 4000
    expect(t.touch(7n, 3000, 2500)).toBe(true); // bucket 6000
    expect(t.expire(4000)).toEqual([]);
    expect(t.nextExpiryMs()).toBe(6000);
    expect(t.touch(7n, 10_000, 2600)).toBe(true); // reconnect renegotiated: bucket 13000
    expect(t.timeoutMs(7n)).toBe(10_000);
    expect(t.expire(12_999)).toEqual([]);
    expect(t.expire(13_000)).toEqual([7n]);
  });

  it("refuses touches of unknown and closing sessions", () => {
    const t = new SessionTracker(1000);
    expect(t.touch(9n, 1000, 0)).toBe(false);
    t.add(9n, 5000, 0);
    t.setClosing(9n);
    expect(t.isClosing(9n)).toBe(true);
    expect(t.touch(9n, 5000, 100)).toBe(false);
    // A closing session is no longer in a bucket, so it is not expired a second time.
    expect(t.expire(1_000_000)).toEqual([]);
  });

  it("returns every overdue bucket, oldest first, when the timer fires late", () => {
    const t = new SessionTracker(1000);
    t.add(3n, 5000, 0); // 6000
    t.add(1n, 1000, 0); // 2000
    t.add(2n, 1000, 100); // 2000
    t.add(4n, 9000, 0); // 10000
    expect(t.expiryBuckets()).toEqual([
      { expiryMs: 2000, sessionIds: [1n, 2n] },
      { expiryMs: 6000, sessionIds: [3n] },
      { expiryMs: 10_000, sessionIds: [4n] },
    ]);
    expect(t.expire(7000)).toEqual([1n, 2n, 3n]);
    expect(t.nextExpiryMs()).toBe(10_000);
    expect(t.size).toBe(4);
  });

  it("remove takes the session out of its bucket", () => {
    const t = new SessionTracker(1000);
    t.add(5n, 2000, 0);
    t.add(6n, 2000, 0);
    t.remove(5n);
    expect(t.expire(10_000)).toEqual([6n]);
    expect(t.remove(5n)).toBe(false);
  });

  it("keeps bucket bookkeeping consistent under random operations (seeded)", () => {
    // Small LCG so that a failure reproduces.
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const tick = 500;
    const t = new SessionTracker(tick);
    const model = new Map<bigint, { expiry: number; closing: boolean }>();
    let now = 0;
    for (let step = 0; step < 1500; step++) {
      now += rand(300);
      const id = BigInt(rand(40) + 1);
      const timeout = 1000 + rand(5000);
      switch (rand(5)) {
        case 0:
          t.add(id, timeout, now);
          if (!model.get(id)?.closing) {
            model.set(id, { expiry: (Math.floor((now + timeout) / tick) + 1) * tick, closing: false });
          }
          break;
        case 1: {
          const m = model.get(id);
          const ok = t.touch(id, timeout, now);
          expect(ok).toBe(m !== undefined && !m.closing);
          if (ok && m) m.expiry = (Math.floor((now + timeout) / tick) + 1) * tick;
          break;
        }
        case 2:
          expect(t.remove(id)).toBe(model.delete(id));
          break;
        default: {
          const expected = [...model]
            .filter(([, m]) => !m.closing && m.expiry <= now)
            .sort(([, a], [, b]) => a.expiry - b.expiry)
            .map(([k]) => k);
          const got = t.expire(now);
          expect(new Set(got)).toEqual(new Set(expected));
          for (const k of got) model.get(k)!.closing = true;
        }
      }
      const pending = [...model.values()].filter((m) => !m.closing).map((m) => m.expiry);
      expect(t.nextExpiryMs()).toBe(pending.length === 0 ? undefined : Math.min(...pending));
    }
  });
});
