// The restart benchmark's own check, run small: a Paddock killed with SIGKILL three times serves
// again each time, with every create it acknowledged before the kill. Timings are the
// benchmark's business (docs/benchmarks.md), never asserted here.
import { describe, expect, it } from "vitest";
import { measureRestarts } from "../src/restart.js";
import { paddockMissing } from "../src/servers.js";

const missing = paddockMissing();
if (process.env.CI === "true" && missing !== undefined) throw new Error(`CI needs the bundle: ${missing}`);

// Skipped only outside CI, before `npm run build`.
describe.skipIf(missing !== undefined)("restart benchmark", () => {
  it("restarts a killed Paddock three times and loses no acknowledged create", async () => {
    const { rounds, lost } = await measureRestarts("paddock", 3);
    expect(rounds).toHaveLength(3);
    expect(lost).toBe(0);
    for (const r of rounds) expect(r.sessionMs).toBeGreaterThanOrEqual(r.listenMs);
  }, 60_000);
});
