// Local sessions (localSessionsEnabled, localSessionsUpgradingEnabled), side by side with Apache
// ZooKeeper 3.8 on 3-server ensembles: a session created with local sessions on lives on the
// server that made it (no txn), may write, is upgraded to a global session by its first
// ephemeral (or refused one with EphemeralOnLocalSession when upgrading is off), and is unknown
// to any other server until then. Each step's outcome is compared, on the leader and on a
// follower.
import { ZooKeeperClient } from "@paddock/client";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_LAUNCH_OPTIONS,
  type EnsembleMember,
  type LaunchedEnsemble,
  launchEnsemble,
} from "../../packages/bench/src/servers.js";
import { fourLetterWord } from "../support/process.js";
import { skipWithoutZookeeper } from "../support/zookeeper.js";

type Kind = "zookeeper" | "paddock";

const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => "ok",
    (e: Error) => e.name,
  );

async function modeOf(m: EnsembleMember): Promise<string> {
  return /^Mode: (\S+)/m.exec(await fourLetterWord("127.0.0.1", m.clientPort, "srvr", 2000))?.[1] ?? "?";
}

/** What one session on `home` can do, and what another server (`other`) knows of it. */
async function sessionSteps(
  home: EnsembleMember,
  other: EnsembleMember,
  tag: string,
  clients: ZooKeeperClient[],
): Promise<Record<string, unknown>> {
  const at = (m: EnsembleMember, extra: Partial<ConstructorParameters<typeof ZooKeeperClient>[0]> = {}) => {
    const c = new ZooKeeperClient({
      connectString: `127.0.0.1:${m.clientPort}`,
      sessionTimeoutMs: 6000,
      connectTimeoutMs: 10_000,
      reconnectDelayMs: 50,
      ...extra,
    });
    clients.push(c);
    return c;
  };
  const zxidOf = async (m: EnsembleMember) =>
    /^Zxid: (\S+)/m.exec(await fourLetterWord("127.0.0.1", m.clientPort, "srvr", 2000))?.[1];
  const zxidBefore = await zxidOf(home);
  const c = at(home);
  await c.connect();
  const steps: Record<string, unknown> = {};
  // A local session is not a txn: the server's zxid does not move.
  steps.sessionCreateIsTxn = (await zxidOf(home)) !== zxidBefore;
  steps.idFromHome = Number(c.sessionId >> 56n) === home.id;
  steps.createPersistent = await outcome(c.create(`/${tag}`, "p"));
  steps.read = (await c.getData(`/${tag}`)).data?.toString();
  steps.setData = await outcome(c.setData(`/${tag}`, "q"));
  steps.multi = await outcome(
    c.multi([{ type: "setData", path: `/${tag}`, data: Buffer.from("m"), version: -1 }]),
  );

  // Before any ephemeral: does another server know the session?
  const moved = at(other, { sessionId: c.sessionId, sessionPassword: c.sessionPassword });
  steps.knownElsewhereBefore = await outcome(moved.connect());
  await moved.close().catch(() => {});

  steps.createEphemeral = await outcome(c.create(`/${tag}-e`, "e", { mode: 1 }));
  steps.ephemeralOwnerIsSession =
    steps.createEphemeral === "ok" ? (await c.exists(`/${tag}-e`))?.ephemeralOwner === c.sessionId : null;
  steps.sequentialEphemeral = await outcome(c.create(`/${tag}-s-`, "e", { mode: 3 }));
  steps.multiEphemeral = await outcome(
    c.multi([{ type: "create", path: `/${tag}-me`, data: Buffer.from("e"), mode: 1 }]),
  );
  const moved2 = at(other, { sessionId: c.sessionId, sessionPassword: c.sessionPassword });
  steps.knownElsewhereAfter = await outcome(moved2.connect());
  // The session moved (or not): close it from wherever it lives now.
  const live = steps.knownElsewhereAfter === "ok" ? moved2 : c;
  await live.close();
  if (live !== moved2) await moved2.close().catch(() => {});
  const watcher = at(other);
  await watcher.connect();
  steps.ephemeralGoneAfterClose = (await watcher.exists(`/${tag}-e`)) === null;
  steps.persistentStays = (await watcher.exists(`/${tag}`)) !== null;
  return steps;
}

async function scenario(kind: Kind, upgrading: boolean): Promise<Record<string, unknown>> {
  const ens: LaunchedEnsemble = await launchEnsemble(
    kind,
    { kind: "ensemble", size: 3 },
    {
      ...DEFAULT_LAUNCH_OPTIONS,
      tickTimeMs: 500,
      zookeeperHeapMb: 256,
      extraCfg: ["localSessionsEnabled=true", `localSessionsUpgradingEnabled=${upgrading}`],
    },
  );
  const clients: ZooKeeperClient[] = [];
  try {
    const modes = await Promise.all(ens.members.map(modeOf));
    const leader = ens.members[modes.indexOf("leader")]!;
    const followers = ens.members.filter((m) => m !== leader);
    return {
      onLeader: await sessionSteps(leader, followers[0]!, "on-leader", clients),
      onFollower: await sessionSteps(followers[0]!, followers[1]!, "on-follower", clients),
    };
  } catch (err) {
    console.error(ens.output().slice(-6000));
    throw err;
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await ens.stop();
  }
}

describe.skipIf(skipWithoutZookeeper())("local sessions against ZooKeeper 3.8", () => {
  for (const upgrading of [true, false]) {
    it(`localSessionsEnabled=true, localSessionsUpgradingEnabled=${upgrading}`, {
      timeout: 180_000,
    }, async () => {
      const zk = await scenario("zookeeper", upgrading);
      console.log(`ZooKeeper, upgrading=${upgrading}: ${JSON.stringify(zk)}`);
      if (process.env.PADDOCK_ZK_ONLY === "1") return;
      const paddock = await scenario("paddock", upgrading);
      console.log(`Paddock, upgrading=${upgrading}: ${JSON.stringify(paddock)}`);
      expect(paddock).toEqual(zk);
    });
  }
});
