// /zookeeper/config on a 3-server ensemble, side by side with Apache ZooKeeper 3.8: what
// getConfig returns (Curator's EnsembleTracker and zkCli's `config` read it), its Stat and ACL,
// and the membership `conf` prints. Ports differ between the two runs, so each member's ports
// are replaced by names before comparing.
import { ZooKeeperClient } from "@paddock/client";
import { OpCode } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { DEFAULT_LAUNCH_OPTIONS, launchEnsemble } from "../../packages/bench/src/servers.js";
import { fourLetterWord } from "../support/process.js";
import { skipWithoutZookeeper } from "../support/zookeeper.js";
import { portNamer } from "./port-names.js";

type Kind = "zookeeper" | "paddock";

interface Seen {
  config: string;
  stat: Record<string, string | number>;
  acl: unknown;
  confMembership: string;
  /** What a reconfig gets with reconfigEnabled=false (the default), before any auth. */
  reconfigErr: number;
}

async function observe(kind: Kind): Promise<Seen> {
  const ens = await launchEnsemble(
    kind,
    { kind: "ensemble", size: 3 },
    { ...DEFAULT_LAUNCH_OPTIONS, tickTimeMs: 500, zookeeperHeapMb: 256 },
  );
  const c = new ZooKeeperClient({ connectString: `127.0.0.1:${ens.members[0]!.clientPort}` });
  try {
    await c.connect();
    const conf = await fourLetterWord("127.0.0.1", ens.members[0]!.clientPort, "conf", 2000);
    const rename = portNamer(ens.members);

    const { data, stat } = await c.getConfig();
    return {
      // With reconfigEnabled=false ZooKeeper 3.8 keeps the static config's version, 0.
      config: rename(data?.toString("utf8") ?? ""),
      stat: {
        czxid: stat.czxid.toString(),
        mzxid: stat.mzxid.toString(),
        version: stat.version,
        aversion: stat.aversion,
        dataLength: stat.dataLength,
        ephemeralOwner: stat.ephemeralOwner.toString(),
      },
      acl: (await c.getACL("/zookeeper/config")).acl,
      confMembership: rename(conf.slice(conf.indexOf("membership:"))),
      reconfigErr: (
        await c.sendRaw({
          type: OpCode.reconfig,
          joiningServers: null,
          leavingServers: "3",
          newMembers: null,
          curConfigId: -1,
        })
      ).err,
    };
  } finally {
    await c.close().catch(() => {});
    await ens.stop();
  }
}

// Skipped only outside CI when ZooKeeper 3.8 (Debian's zookeeper, with java) is not installed;
// under CI=true skipWithoutZookeeper throws instead.
describe.skipIf(skipWithoutZookeeper())("/zookeeper/config against ZooKeeper 3.8", () => {
  it("getConfig, its Stat and ACL, and conf's membership match on a 3-server ensemble", {
    timeout: 120_000,
  }, async () => {
    const zk = await observe("zookeeper");
    console.log(`ZooKeeper: ${JSON.stringify(zk)}`);
    const paddock = await observe("paddock");
    expect(zk.config).toMatch(/^server\.1=127\.0\.0\.1:Q1:E1:participant\n/);
    expect(zk.reconfigErr).toBe(-123);
    expect(paddock).toEqual(zk);
  });
});
