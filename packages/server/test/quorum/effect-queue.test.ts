import { describe, expect, it } from "vitest";
import { EffectQueue } from "../../src/quorum/effect-queue.js";

const tick = () => new Promise<void>((r) => setImmediate(r));

describe("EffectQueue", () => {
  it("runs synchronous effects at once, in order", () => {
    const seen: number[] = [];
    const q = new EffectQueue<number>(
      (n) => {
        seen.push(n);
      },
      () => {},
    );
    q.push([1, 2, 3]);
    expect(seen).toEqual([1, 2, 3]);
    expect(q.busy).toBe(false);
  });

  it("holds every later effect, including ones pushed meanwhile, until a durable one completes", async () => {
    const seen: string[] = [];
    let release!: () => void;
    const q = new EffectQueue<string>(
      (e) => {
        seen.push(e);
        if (e === "persist") return new Promise<void>((r) => (release = r));
      },
      () => {},
    );
    q.push(["a", "persist", "send"]);
    q.push(["later"]);
    await tick();
    expect(seen).toEqual(["a", "persist"]);
    expect(q.busy).toBe(true);
    release();
    await tick();
    expect(seen).toEqual(["a", "persist", "send", "later"]);
    expect(q.busy).toBe(false);
  });

  it("effects pushed by a runner run after the current batch", () => {
    const seen: string[] = [];
    const q: EffectQueue<string> = new EffectQueue<string>(
      (e) => {
        seen.push(e);
        if (e === "a") q.push(["c"]);
      },
      () => {},
    );
    q.push(["a", "b"]);
    expect(seen).toEqual(["a", "b", "c"]);
  });

  it("stops for good after a failure and reports it once", async () => {
    const failures: string[] = [];
    const seen: string[] = [];
    const q = new EffectQueue<string>(
      (e) => {
        seen.push(e);
        if (e === "bad") return Promise.reject(new Error("disk gone"));
      },
      (err, e) => failures.push(`${e}: ${(err as Error).message}`),
    );
    q.push(["ok", "bad", "never"]);
    await tick();
    q.push(["also-never"]);
    expect(seen).toEqual(["ok", "bad"]);
    expect(failures).toEqual(["bad: disk gone"]);
  });
});
