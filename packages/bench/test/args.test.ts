import { describe, expect, it } from "vitest";
import { DEFAULT_LOAD_OPTIONS, parseCliArgs, parseHostList, UsageError } from "../src/args.js";
import { parseCompareArgs, scenarioFor, warmUpPlan } from "../src/compare.js";
import { DEFAULT_LAUNCH_OPTIONS, launchEnsemble, parseTopology } from "../src/servers.js";

describe("parseHostList", () => {
  it("parses host:port lists, bare hosts and bracketed IPv6", () => {
    expect(parseHostList("127.0.0.1:2181, zk2:2182,zk3")).toEqual([
      { host: "127.0.0.1", port: 2181 },
      { host: "zk2", port: 2182 },
      { host: "zk3", port: 2181 },
    ]);
    expect(parseHostList("[::1]:25000,[fe80::1]")).toEqual([
      { host: "::1", port: 25000 },
      { host: "fe80::1", port: 2181 },
    ]);
  });

  it("rejects bad ports, empty hosts, unbracketed IPv6 and empty lists", () => {
    for (const bad of ["h:0", "h:65536", "h:x", "h:", ":2181", "::1:2181", "", " , "]) {
      expect(() => parseHostList(bad), bad).toThrow(UsageError);
    }
  });
});

describe("parseCliArgs", () => {
  it("fills defaults", () => {
    const o = parseCliArgs(["--connect", "localhost:25001"]);
    expect(o).toEqual({
      ...DEFAULT_LOAD_OPTIONS,
      hosts: [{ host: "localhost", port: 25001 }],
      json: false,
      help: false,
    });
    expect(o.outstanding).toBe(1);
    expect(o.workload).toBe("mix");
    expect(o.readRatio).toBe(0.9);
    expect(o.cleanup).toBe(true);
  });

  it("reads every option", () => {
    const o = parseCliArgs([
      "--connect=a:1,b:2",
      "--clients",
      "32",
      "--outstanding",
      "8",
      "--workload",
      "create",
      "--read-ratio",
      "0.5",
      "--value-bytes",
      "0",
      "--znodes",
      "10",
      "--duration-ms",
      "1500",
      "--warmup-ms",
      "0",
      // Node's parser needs the = form for values starting with a dash.
      "--seed=-3",
      "--root",
      "/bench/x",
      "--no-cleanup",
      "--session-timeout-ms",
      "4000",
      "--json",
    ]);
    expect(o).toEqual({
      hosts: [
        { host: "a", port: 1 },
        { host: "b", port: 2 },
      ],
      clients: 32,
      outstanding: 8,
      workload: "create",
      readRatio: 0.5,
      valueBytes: 0,
      znodes: 10,
      durationMs: 1500,
      warmupMs: 0,
      seed: -3,
      root: "/bench/x",
      cleanup: false,
      sessionTimeoutMs: 4000,
      json: true,
      help: false,
    });
  });

  it("answers --help without --connect", () => {
    expect(parseCliArgs(["-h"]).help).toBe(true);
  });

  it("rejects missing, unknown and out-of-range options with UsageError", () => {
    const bad: string[][] = [
      [],
      ["--connect", "h:1", "--bogus"],
      ["--connect", "h:1", "positional"],
      ["--connect", "h:1", "--clients", "0"],
      ["--connect", "h:1", "--clients", "1.5"],
      ["--connect", "h:1", "--outstanding", "x"],
      ["--connect", "h:1", "--workload", "delete"],
      ["--connect", "h:1", "--read-ratio", "1.1"],
      ["--connect", "h:1", "--read-ratio", ""],
      ["--connect", "h:1", "--value-bytes", "2000000"],
      ["--connect", "h:1", "--duration-ms", "0"],
      ["--connect", "h:1", "--warmup-ms", "-1"],
      ["--connect", "h:1", "--root", "relative"],
      ["--connect", "h:1", "--root", "/"],
      ["--connect", "h:1", "--root", "/a/"],
      ["--connect", "h:1", "--clients"],
    ];
    for (const argv of bad) expect(() => parseCliArgs(argv), argv.join(" ")).toThrow(UsageError);
  });
});

describe("comparison options", () => {
  it("derives throughput and 1x1 latency scenarios", () => {
    expect(scenarioFor("set", 32, 8)).toEqual({ name: "set", workload: "set", clients: 32, outstanding: 8 });
    expect(scenarioFor("get-1x1", 32, 8)).toEqual({
      name: "get-1x1",
      workload: "get",
      clients: 1,
      outstanding: 1,
    });
    expect(() => scenarioFor("delete", 1, 1)).toThrow(/unknown workload/);
  });

  it("has a quick mode and defaults of 10 s per workload against both servers", () => {
    const d = parseCompareArgs([]);
    expect(d.targets).toEqual(["zookeeper", "paddock"]);
    expect(d.durationMs).toBe(10_000);
    expect(d.warmupMs).toBe(2000);
    expect(d.serverWarmupMs).toBe(20_000);
    expect(d.topology).toEqual({ kind: "standalone" });
    expect(d.scenarios.map((s) => s.name)).toEqual(["set", "get", "mix", "set-1x1", "get-1x1", "create"]);
    expect(d.scenarios[0]).toMatchObject({ clients: 32, outstanding: 8 });
    const q = parseCompareArgs(["--quick", "--targets", "paddock", "--workloads", "get"]);
    expect(q).toMatchObject({ durationMs: 2000, warmupMs: 500, serverWarmupMs: 2000, targets: ["paddock"] });
    expect(() => parseCompareArgs(["--targets", "etcd"])).toThrow(/unknown target/);
  });

  it("runs creates after every other workload, whatever order they are given in", () => {
    const names = (argv: string[]) => parseCompareArgs(argv).scenarios.map((s) => s.name);
    expect(names(["--workloads", "set,create,mix"])).toEqual(["set", "mix", "create"]);
    expect(names(["--workloads", "create-1x1,get,create,set-1x1"])).toEqual([
      "get",
      "set-1x1",
      "create-1x1",
      "create",
    ]);
    expect(names(["--workloads", "mix,set"])).toEqual(["mix", "set"]);
  });

  it("holds create's share of the server warm-up back until the creates", () => {
    const plan = (workloads: string, ms: number) =>
      warmUpPlan(parseCompareArgs(["--workloads", workloads]).scenarios, ms);
    expect(plan("set,create,mix", 20_000)).toEqual({
      atStart: [
        { workload: "set", durationMs: 10_000 },
        { workload: "mix", durationMs: 10_000 },
      ],
      beforeCreates: [{ workload: "create", durationMs: 6667 }],
    });
    expect(plan("set,set-1x1,get", 20_000)).toEqual({
      atStart: [
        { workload: "set", durationMs: 10_000 },
        { workload: "get", durationMs: 10_000 },
      ],
      beforeCreates: [],
    });
    expect(plan("create", 20_000)).toEqual({
      atStart: [{ workload: "create", durationMs: 20_000 }],
      beforeCreates: [],
    });
    expect(plan("set,create", 0)).toEqual({ atStart: [], beforeCreates: [] });
  });

  it("parses topologies", () => {
    expect(parseTopology("standalone")).toEqual({ kind: "standalone" });
    expect(parseTopology("ensemble:5")).toEqual({ kind: "ensemble", size: 5 });
    expect(parseTopology("ensemble")).toEqual({ kind: "ensemble", size: 3 });
    expect(() => parseTopology("cluster")).toThrow(/standalone or ensemble/);
  });

  it("launches a 3-member Paddock ensemble with one leader and a connect string for all", async () => {
    const ens = await launchEnsemble("paddock", { kind: "ensemble", size: 3 }, DEFAULT_LAUNCH_OPTIONS);
    try {
      expect(ens.connectString.split(",")).toHaveLength(3);
      const leader = await ens.leader();
      expect(ens.members.map((m) => m.id)).toContain(leader?.id);
    } finally {
      await ens.stop();
    }
  }, 60_000);

  it("gives up on an ensemble whose members exit during start-up, with their output, not at the deadline", async () => {
    const startedMs = Date.now();
    const launch = launchEnsemble(
      "paddock",
      { kind: "ensemble", size: 3 },
      {
        ...DEFAULT_LAUNCH_OPTIONS,
        paddockServerPath: "/nonexistent/paddock-server.mjs",
      },
    );
    await expect(launch).rejects.toThrow(/member \d exited during start-up:[\s\S]*nonexistent/);
    // Three attempts, each ended by an exit: far inside the 60 s readiness deadline.
    expect(Date.now() - startedMs).toBeLessThan(30_000);
  }, 60_000);
});
