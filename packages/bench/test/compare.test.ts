import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CompareOptions, formatComparison, parseCompareArgs, type TargetRun } from "../src/compare.js";
import { LatencyHistogram } from "../src/histogram.js";
import type { LoadResult } from "../src/load.js";
import { snapshotsIn } from "../src/servers.js";

function fakeLoad(
  opsPerSec: number,
  p50Us: number,
  p99Us: number,
  errors: LoadResult["errors"] = [],
): LoadResult {
  const h = new LatencyHistogram();
  for (let i = 0; i < 98; i++) h.recordUs(p50Us);
  h.recordUs(p99Us);
  h.recordUs(p99Us);
  return {
    workload: "set",
    connect: "127.0.0.1:25000",
    clients: 32,
    outstanding: 8,
    valueBytes: 1024,
    znodes: 1000,
    readRatio: undefined,
    seed: 1,
    root: "/r",
    warmupMs: 0,
    measuredMs: 1000,
    ops: opsPerSec,
    opsPerSec,
    errorCount: errors.reduce((n, e) => n + e.count, 0),
    errors,
    latency: h.summary(),
    readLatency: undefined,
    writeLatency: undefined,
    loadGenCpuPercent: 12,
    lostClients: 0,
    cleanupError: undefined,
  };
}

describe("formatComparison", () => {
  const opts: CompareOptions = { ...parseCompareArgs(["--workloads", "set,get-1x1", "--rounds", "3"]) };
  const env = { startedAt: new Date("2026-01-02T03:04:05Z"), loadAvg1mStart: 0.5, loadAvg1mEnd: 0.7 };
  const [set, get] = opts.scenarios as [CompareOptions["scenarios"][0], CompareOptions["scenarios"][0]];
  const runs: TargetRun[] = [
    {
      kind: "zookeeper",
      version: "3.8.0",
      wroteTxnLog: true,
      atEnd: { znodes: 123456, snapshots: 4, largestSnapshotBytes: 87_983_993 },
      results: [
        {
          scenario: set,
          load: fakeLoad(4000, 2000, 9000),
          serverCpuPercent: 150,
          roundsOpsPerSec: [3900, 4000, 4100],
          serverCpuUsPerOp: 200,
          roundsCpuUsPerOp: [210, 200, 190],
        },
        {
          scenario: get,
          load: fakeLoad(5000, 150, 400),
          serverCpuPercent: 40,
          roundsOpsPerSec: [5000, 5000, 5000],
          serverCpuUsPerOp: 80,
          roundsCpuUsPerOp: [80, 80, 80],
        },
      ],
    },
    {
      kind: "paddock",
      version: "3.8.0-paddock",
      wroteTxnLog: false,
      results: [
        {
          scenario: set,
          load: fakeLoad(6000, 1500, 5000, [{ code: -4, name: "ConnectionLoss", count: 3 }]),
          serverCpuPercent: 90,
          roundsOpsPerSec: [6000, 5000, 7000],
          serverCpuUsPerOp: 100,
          roundsCpuUsPerOp: [100, 110, 95],
        },
        {
          scenario: get,
          load: fakeLoad(10000, 80, 200),
          serverCpuPercent: 60,
          roundsOpsPerSec: [10000, 9000, 11000],
          serverCpuUsPerOp: 7.5,
          roundsCpuUsPerOp: [7.5, 8, 7],
        },
      ],
    },
  ];
  const text = formatComparison(runs, opts, env);

  it("prints one row per scenario with rates, ratio and p50/p99", () => {
    expect(text).toContain(
      "| workload | clients × outstanding | ZooKeeper ops/s | Paddock ops/s | Paddock/ZooKeeper | ZooKeeper CPU µs/op | Paddock CPU µs/op | CPU/op Paddock/ZooKeeper | ZooKeeper p50 / p99 ms | Paddock p50 / p99 ms |",
    );
    expect(text).toContain(
      "| set | 32 × 8 | 4,000 | 6,000 | 1.50× | 200 | 100 | 0.50× | 2.00 / 9.00 | 1.50 / 5.00 |",
    );
    expect(text).toContain(
      "| get-1x1 | 1 × 1 | 5,000 | 10,000 | 2.00× | 80 | 7.5 | 0.09× | 0.15 / 0.40 | 0.08 / 0.20 |",
    );
  });

  it("shows CPU, errors, rounds, the environment and the durability warning", () => {
    expect(text).toContain(
      "| set | 150% | 12% | 0 | 3,900, 4,000, 4,100 | 210, 200, 190 | 90% | 12% | ConnectionLoss 3 | 6,000, 5,000, 7,000 | 100, 110, 95 |",
    );
    expect(text).toContain("median of 3 rounds, the page cache flushed to disk before each");
    expect(text).toContain("Load average 0.5 at start, 0.7 at end");
    expect(text).toContain(
      "- ZooKeeper: 3.8.0; transaction log written: yes; at the end 123,456 znodes, 4 snapshot files on the first server (largest 88.0 MB)",
    );
    expect(text).toContain("- Paddock: 3.8.0-paddock; transaction log written: NO");
    expect(text).toMatch(/\*\*Not like-for-like:\*\* Paddock wrote no transaction log/);
    // No create in the run: nothing to say about created znodes.
    expect(text).not.toContain("created znodes");
  });

  it("says whether the creates' znodes were deleted after each run or kept", () => {
    const withCreate = parseCompareArgs(["--workloads", "set,create"]);
    expect(withCreate.keepCreated).toBe(false);
    expect(formatComparison(runs, withCreate, env)).toContain("; created znodes deleted after each run.");
    const kept = parseCompareArgs(["--workloads", "set,create", "--keep-created"]);
    expect(kept.keepCreated).toBe(true);
    expect(formatComparison(runs, kept, env)).toContain("; created znodes kept.");
  });

  it("names the runs whose cleanup failed, since later rounds then started from a larger tree", () => {
    expect(text).not.toContain("Unequal trees");
    const failed = runs.map((r) => ({
      ...r,
      cleanupFailures: r.kind === "paddock" ? ["create: timed out"] : [],
    }));
    expect(formatComparison(failed, opts, env)).toContain(
      "**Unequal trees:** Paddock failed to delete what these runs made, so the rounds after them started from a larger tree: create: timed out.",
    );
  });
});

describe("snapshotsIn", () => {
  it("counts finished snapshot files at any depth and finds the largest", () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-snapshots-"));
    try {
      mkdirSync(join(dir, "version-2"));
      writeFileSync(join(dir, "version-2", "snapshot.100000001"), Buffer.alloc(20));
      writeFileSync(join(dir, "snapshot.1"), Buffer.alloc(10));
      // Unfinished (Paddock writes a snapshot under a .tmp name, then renames it) and not a snapshot.
      writeFileSync(join(dir, "snapshot.2.5f3a.tmp"), Buffer.alloc(100));
      writeFileSync(join(dir, "log.1"), Buffer.alloc(50));
      expect(snapshotsIn(dir)).toEqual({ count: 2, largestBytes: 20 });
      expect(snapshotsIn(join(dir, "absent"))).toEqual({ count: 0, largestBytes: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
