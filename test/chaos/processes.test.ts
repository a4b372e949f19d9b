// Short chaos runs against 3 local Paddock processes, one per fault local processes support
// (partitions need network namespaces; the container suite covers them). Each run records a
// history and must pass every check. PADDOCK_CHAOS_LONG=1 adds 5-node and longer runs.
import { type ChaosReport, type FaultName, formatReport, ProcessTarget, runChaos } from "@paddock/chaos";
import { afterEach, describe, expect, it } from "vitest";
import { paddockBuilt } from "../support/paddock.js";

const long = process.env.PADDOCK_CHAOS_LONG === "1";

if (!paddockBuilt()) throw new Error("dist/paddock-server.mjs is missing: run npm run build");

describe("chaos against local processes", () => {
  let target: ProcessTarget | undefined;

  afterEach(async () => {
    await target?.destroy();
    target = undefined;
  });

  async function run(
    fault: FaultName,
    nodes: number,
    durationMs: number,
    seed: number,
    extra: { readOnlyClients?: number; faultMs?: number; spares?: number } = {},
  ): Promise<ChaosReport> {
    target = new ProcessTarget(nodes, undefined, undefined, extra.spares ?? 0);
    await target.start();
    const report = await runChaos(target, {
      fault,
      seed,
      durationMs,
      faultMs: extra.faultMs ?? 1500,
      quietMs: 800,
      clients: 4,
      readOnlyClients: extra.readOnlyClients ?? 0,
    });
    const text = formatReport(report);
    console.log(text);
    expect(report.windows.length, text).toBeGreaterThanOrEqual(1);
    for (const c of report.checks) expect(c.passed, `${c.name}: ${c.detail}\n${text}`).toBe(true);
    // The workload did something in every category, so the checks were not vacuous.
    expect(report.appends.acknowledged).toBeGreaterThan(50);
    expect(report.election.claims).toBeGreaterThan(1);
    expect(report.register.keys.every((k) => k.ops > 50)).toBe(true);
    return report;
  }

  // The promise of read-only mode: one live server keeps serving reads to clients that accept
  // read-only service; no write is acknowledged while no quorum exists.
  it("kill-all-but-one on 3 nodes, with read-only clients", { timeout: 90_000 }, async () => {
    const report = await run("kill-all-but-one", 3, 9000, 14, { readOnlyClients: 2, faultMs: 4000 });
    expect(report.readOnly.servedReadOnly).toBeGreaterThan(50);
  });

  it.each([
    ["kill-leader", 11],
    ["kill-random", 12],
    ["pause-leader", 13],
  ] as const)("%s on 3 nodes", { timeout: 60_000 }, async (fault, seed) => {
    await run(fault, 3, 6000, seed);
  });

  // Membership changes under load: 3 members and 2 servers outside, each step adding, removing
  // or switching the role of one, half the time with a node SIGKILLed meanwhile.
  it("reconfig on 3 + 2 nodes", { timeout: 120_000 }, async () => {
    const report = await run("reconfig", 5, 14_000, 31, { spares: 2 });
    const committed = report.windows.filter((w) => /\(committed\)/.test(w.target));
    expect(committed.length, formatReport(report)).toBeGreaterThanOrEqual(2);
  });

  it("refuses partitions, which local processes cannot have", async () => {
    const t = new ProcessTarget(3);
    expect(t.supports("partition-one")).toBe(false);
    await expect(runChaos(t, { fault: "bridge", seed: 1, durationMs: 1 })).rejects.toThrow(/not supported/);
  });

  it.runIf(long).each([
    ["kill-leader", 21],
    ["kill-random", 22],
    ["pause-leader", 23],
  ] as const)("%s on 5 nodes, 40 s", { timeout: 180_000 }, async (fault, seed) => {
    await run(fault, 5, 40_000, seed);
  });

  // A long run (about a minute): only with PADDOCK_CHAOS_LONG=1, like the other 5-node runs.
  it.runIf(long)(
    "kill-all-but-one on 5 nodes with read-only clients, 40 s",
    { timeout: 240_000 },
    async () => {
      const report = await run("kill-all-but-one", 5, 40_000, 24, { readOnlyClients: 3, faultMs: 5000 });
      expect(report.readOnly.servedReadOnly).toBeGreaterThan(50);
    },
  );
});
