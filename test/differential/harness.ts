// Runs one scenario against the real ZooKeeper and against Paddock and compares what both
// servers sent after normalisation. Each test file gets its own pair of servers (beforeAll), so
// the scenarios of a file run in order on two identical fresh trees.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import {
  DEFAULT_LAUNCH_OPTIONS,
  type LaunchedEnsemble,
  launchEnsemble,
} from "../../packages/bench/src/servers.js";
import { normaliseTranscripts } from "../support/normalise.js";
import { paddockBuilt, startPaddock } from "../support/paddock.js";
import type { ServerHandle } from "../support/process.js";
import { type ConnectOptions, RawClient } from "../support/raw-client.js";
import { isCI, skipWithoutZookeeper, startZookeeper } from "../support/zookeeper.js";

export type TargetKind = ServerHandle["kind"];

export interface ClientOptions extends ConnectOptions {
  label?: string;
  /** Which member of an ensemble to connect to (useEnsembleDifferential); default 0. */
  member?: number;
  /** false leaves this client's transcript out of the comparison (version-specific parts). */
  compare?: boolean;
}

export interface Target {
  kind: TargetKind;
  server: ServerHandle;
  /** A path unique to the scenario, identical on both servers. Not created. */
  root: string;
  client(opts?: ClientOptions): Promise<RawClient>;
  /** Adds an already-normalised value to the comparison. */
  record(key: string, value: unknown): void;
}

export type Scenario = (t: Target) => Promise<void>;

interface Outcome {
  transcripts: Record<string, Record<string, unknown>[]>;
  records: Record<string, unknown>;
  error?: string;
}

/** Skips the file when ZooKeeper is absent (outside CI only; in CI this throws). */
export const skipDifferential = skipWithoutZookeeper();

/**
 * Whether to compare against Paddock: when dist/paddock-server.mjs exists, or always in CI
 * (where the build precedes the tests, so a missing bundle is a failure).
 * PADDOCK_DIFF=zookeeper-only forces a ZooKeeper-only run while the server is unfinished.
 */
function wantPaddock(): boolean {
  if (process.env.PADDOCK_DIFF === "zookeeper-only") return false;
  return isCI || paddockBuilt();
}

export interface Differential {
  /** The servers in start order: ZooKeeper first, then Paddock when compared. */
  servers(): ServerHandle[];
  run(name: string, scenario: Scenario): Promise<void>;
}

export function useDifferential(): Differential {
  let zookeeper: ServerHandle | undefined;
  let paddock: ServerHandle | undefined;

  beforeAll(async () => {
    const [zk, pd] = await Promise.allSettled([
      startZookeeper(),
      wantPaddock() ? startPaddock() : Promise.resolve(undefined),
    ]);
    if (zk.status === "fulfilled") zookeeper = zk.value;
    if (pd.status === "fulfilled") paddock = pd.value;
    if (zk.status === "rejected") throw zk.reason;
    if (pd.status === "rejected") throw pd.reason;
    if (!paddock) console.warn("differential: Paddock not built, running scenarios against ZooKeeper only");
  });

  afterAll(async () => {
    await Promise.all([zookeeper?.stop(), paddock?.stop()]);
  });

  return {
    servers: () => [zookeeper, paddock].filter((s): s is ServerHandle => s !== undefined),
    async run(name, scenario) {
      if (!zookeeper) throw new Error("ZooKeeper did not start");
      await compare(
        name,
        scenario,
        { server: zookeeper, clientPorts: [zookeeper.port] },
        paddock && { server: paddock, clientPorts: [paddock.port] },
      );
    },
  };
}

interface Side {
  server: ServerHandle;
  clientPorts: readonly number[];
}

/** Runs the scenario on ZooKeeper, then (when given) on Paddock, and requires equal outcomes. */
async function compare(name: string, scenario: Scenario, zookeeper: Side, paddock: Side | undefined) {
  const expected = await runOn(zookeeper.server, zookeeper.clientPorts, name, scenario);
  dump("zookeeper", name, expected);
  if (expected.error !== undefined) {
    // The scenario itself is wrong (or ZooKeeper changed): ZooKeeper is the reference.
    throw new Error(`scenario ${name} failed against ZooKeeper: ${expected.error}`);
  }
  if (!paddock) return;
  const actual = await runOn(paddock.server, paddock.clientPorts, name, scenario);
  dump("paddock", name, actual);
  // When Paddock could not even run the scenario, its log usually says why.
  const log =
    actual.error === undefined ? "" : `\nPaddock output (tail):\n${paddock.server.output().slice(-2000)}`;
  expect(actual, `Paddock differs from ZooKeeper in scenario ${name}${log}`).toEqual(expected);
}

/** DIFF_DUMP=<dir> writes each normalised outcome as JSON, for reading transcripts by eye. */
function dump(kind: TargetKind, name: string, outcome: Outcome): void {
  const dir = process.env.DIFF_DUMP;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.${kind}.json`), `${JSON.stringify(outcome, null, 1)}\n`);
}

function scenarioRoot(name: string): string {
  return `/${name.replace(/[^A-Za-z0-9_-]+/g, "-")}`;
}

/**
 * The same comparison on two ensembles of `size` members, one of each kind, started once per
 * file. A scenario picks a member per client (`member`); it must make its reads deterministic
 * itself (a sync first), since a member may lag the one that took a write.
 */
export function useEnsembleDifferential(size: number, extraCfg: string[] = []): Differential {
  let zookeeper: LaunchedEnsemble | undefined;
  let paddock: LaunchedEnsemble | undefined;
  const handle = (e: LaunchedEnsemble): ServerHandle => {
    const first = e.members[0]!;
    return {
      kind: e.kind,
      host: "127.0.0.1",
      port: first.clientPort,
      connectString: e.connectString,
      dataDir: e.dataDirs[0]!,
      pid: first.pid(),
      output: () => e.output(),
      stop: () => e.stop(),
      kill: (signal) => void first.kill(signal ?? "SIGTERM"),
      alive: () => first.pid() !== undefined,
    };
  };

  beforeAll(async () => {
    const opts = { ...DEFAULT_LAUNCH_OPTIONS, zookeeperHeapMb: 256, extraCfg };
    const topology = { kind: "ensemble" as const, size };
    const [zk, pd] = await Promise.allSettled([
      launchEnsemble("zookeeper", topology, opts),
      launchEnsemble("paddock", topology, opts),
    ]);
    if (zk.status === "fulfilled") zookeeper = zk.value;
    if (pd.status === "fulfilled") paddock = pd.value;
    if (zk.status === "rejected") throw zk.reason;
    if (pd.status === "rejected") throw pd.reason;
  }, 180_000);

  afterAll(async () => {
    await Promise.all([zookeeper?.stop(), paddock?.stop()]);
  });

  return {
    servers: () => [zookeeper, paddock].filter((s): s is LaunchedEnsemble => s !== undefined).map(handle),
    async run(name, scenario) {
      if (!zookeeper || !paddock) throw new Error("the ensembles did not start");
      const side = (e: LaunchedEnsemble): Side => ({
        server: handle(e),
        clientPorts: e.members.map((m) => m.clientPort),
      });
      await compare(name, scenario, side(zookeeper), side(paddock));
    },
  };
}

async function runOn(
  server: ServerHandle,
  clientPorts: readonly number[],
  name: string,
  scenario: Scenario,
): Promise<Outcome> {
  const clients: Array<{ client: RawClient; compare: boolean }> = [];
  const records: Record<string, unknown> = {};
  const startedAtMs = Date.now();
  const target: Target = {
    kind: server.kind,
    server,
    root: scenarioRoot(name),
    async client(opts = {}) {
      const label = opts.label ?? `c${clients.length + 1}`;
      const port = clientPorts[opts.member ?? 0];
      if (port === undefined) throw new Error(`no member ${opts.member} (${clientPorts.length} members)`);
      const client = await RawClient.open(server.host, port, opts, label);
      clients.push({ client, compare: opts.compare ?? true });
      return client;
    },
    record(key, value) {
      records[key] = value;
    },
  };
  let error: string | undefined;
  try {
    await scenario(target);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const endedAtMs = Date.now();
  const snapshot = clients
    .filter((c) => c.compare)
    .map((c) => ({ label: c.client.label, transcript: [...c.client.transcript] }));
  // Leftover sessions would keep ephemerals and watches alive into the next scenario.
  await Promise.all(
    clients.map(async ({ client }) => {
      try {
        await client.closeSession(2000);
      } catch {
        client.destroy();
      }
    }),
  );
  const outcome: Outcome = {
    transcripts: normaliseTranscripts(snapshot, { startedAtMs, endedAtMs }),
    records,
  };
  if (error !== undefined) outcome.error = error;
  return outcome;
}
