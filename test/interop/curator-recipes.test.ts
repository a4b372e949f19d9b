// Apache Curator's own recipes against a Paddock ensemble, a connect string of three members as
// Curator users give it, against a Paddock observer alone, and against ZooKeeper 3.8 as the
// reference: the same Java program (test/interop/java/CuratorRecipes.java) must pass every
// recipe on each. The curator.test.ts suite checks our recipes against Curator's; this one checks
// Curator on its own, where any difference in events, error codes or ordering that a recipe
// relies on shows up as a failure.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ensemble } from "../support/ensemble.js";
import { skipWithoutZookeeper, startZookeeper } from "../support/zookeeper.js";
import { type CuratorPeer, skipWithoutCurator, startCuratorPeer } from "./curator-peer.js";

// Skipped only outside CI, where Curator's jars, javac or ZooKeeper 3.8 may be missing: with
// CI=true, skipWithoutCurator and skipWithoutZookeeper throw instead.
const skipCurator = skipWithoutCurator();

/** Every recipe the program runs, in its order; a recipe that is not reported at all fails too. */
const RECIPES = [
  "curator-cache",
  "tree-cache",
  "leader-selector",
  "leader-latch-failover",
  "semaphore-v2",
  "read-write-lock",
  "double-barrier",
  "barrier",
  "group-member",
  "shared-value",
  "atomic-long",
  "protected-ephemeral-sequential",
  "transaction",
  "persistent-recursive-watch",
  "node-cache-and-path-children-cache",
  "queue",
  "persistent-node",
  "semaphore-mutex-and-multi-lock",
  "cleanup",
];

interface Target {
  connectString: string;
  stop(): Promise<void>;
}

/** Three voters, and with `throughObserver` a fourth server, an observer, as the only one named. */
async function paddockEnsemble(throughObserver: boolean): Promise<Target> {
  const ensemble = await Ensemble.create({
    size: throughObserver ? 4 : 3,
    observers: throughObserver ? 1 : 0,
    tickTimeMs: 500,
  });
  ensemble.startAll();
  await ensemble.waitForQuorum(30_000);
  if (throughObserver && (await ensemble.mode(4)) !== "observer")
    throw new Error("server 4 is not an observer");
  const named = throughObserver ? ensemble.nodes.slice(3) : ensemble.nodes;
  return {
    connectString: named.map((n) => n.connectString).join(","),
    stop: () => ensemble.destroy(),
  };
}

async function zookeeper(): Promise<Target> {
  const server = await startZookeeper();
  return { connectString: server.connectString, stop: () => server.stop() };
}

const targets: [string, () => Promise<Target>, boolean][] = [
  ["a 3-server Paddock ensemble", () => paddockEnsemble(false), false],
  // Every write forwarded by the observer, every watch and read served by it.
  ["a Paddock observer", () => paddockEnsemble(true), false],
  ["ZooKeeper 3.8", zookeeper, skipCurator || skipWithoutZookeeper()],
];

describe.skipIf(skipCurator).each(targets)("Curator's recipes on %s", (_name, start, skipTarget) => {
  let target: Target | undefined;
  let program: CuratorPeer | undefined;

  beforeAll(async () => {
    if (!skipTarget) target = await start();
  }, 60_000);

  afterAll(async () => {
    program?.kill();
    await program?.exited;
    await target?.stop();
  });

  it.skipIf(skipTarget)(
    "passes every recipe",
    async () => {
      program = startCuratorPeer([target!.connectString], { mainClass: "CuratorRecipes" });
      await program.waitFor(/^DONE /, 150_000);
      const reported = program.lines.filter((l) => /^(PASS|FAIL) /.test(l));
      const failed = reported.filter((l) => l.startsWith("FAIL "));
      expect(failed, failed.join("\n")).toEqual([]);
      expect(reported.map((l) => l.split(" ")[1])).toEqual(RECIPES);
      expect(await program.exited).toBe(0);
    },
    180_000,
  );
});
