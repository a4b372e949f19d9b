// The reconfig request (opcode 16) side by side with Apache ZooKeeper 3.8, both as 3-server
// ensembles with reconfigEnabled=true and a super digest: the error each malformed or forbidden
// request gets, how far each moves the zxid, and what a successful one answers (the new
// /zookeeper/config with its Stat). Ports differ between the runs, so they are named before
// comparing; the version must equal the reply's mzxid on both.
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ZooKeeperClient } from "@paddock/client";
import { ErrorCode, JuteReader, OpCode, readStat } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { DEFAULT_LAUNCH_OPTIONS, launchEnsemble } from "../../packages/bench/src/servers.js";
import { skipWithoutZookeeper } from "../support/zookeeper.js";
import { portNamer } from "./port-names.js";

type Kind = "zookeeper" | "paddock";
const run = promisify(execFile);
// super:admin
const SUPER_DIGEST = "super:xQJmxLMiHGwaqBvst5y6rkB6HQs=";

const here = dirname(fileURLToPath(import.meta.url));
const ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh";

/** zkCli's output without its log lines and banner. */
function zkCliLines(text: string): string[] {
  return text
    .split("\n")
    .filter(
      (l) =>
        !/^\d{4}-\d\d-\d\d |^(Connecting to|WATCHER::|WatchedEvent|Welcome to ZooKeeper|JLine support|SLF4J:)|^\s*$/.test(
          l,
        ),
    );
}

interface Step {
  step: string;
  err: number;
  /** zxid moved since the previous step's reply. */
  zxidDelta: number;
  config?: string;
  statVersion?: number;
}

interface Transcript {
  raw: Step[];
  /** kazoo's reconfig calls, one JSON line each, ports named. */
  kazoo: string[];
  /** The Java zkCli's `reconfig` (no auth: refused) and `config`, ports named. */
  zkCli: string[];
}

async function transcript(kind: Kind): Promise<Transcript> {
  const ens = await launchEnsemble(
    kind,
    { kind: "ensemble", size: 3 },
    {
      ...DEFAULT_LAUNCH_OPTIONS,
      tickTimeMs: 500,
      zookeeperHeapMb: 256,
      extraCfg: ["reconfigEnabled=true", `DigestAuthenticationProvider.superDigest=${SUPER_DIGEST}`],
      zookeeperSystemProperties: { "zookeeper.DigestAuthenticationProvider.superDigest": SUPER_DIGEST },
    },
  );
  // The leader answers every request here, so no step waits on forwarding.
  const leader = (await ens.leader())!;
  const c = new ZooKeeperClient({
    connectString: `127.0.0.1:${leader.clientPort}`,
    sessionTimeoutMs: 10_000,
  });
  try {
    await c.connect();
    const rename = portNamer(ens.members);

    const steps: Step[] = [];
    let lastZxid = (await c.sendRaw({ type: OpCode.exists, path: "/", watch: false })).zxid;
    const reconfig = async (
      step: string,
      joining: string | null,
      leaving: string | null,
      members: string | null,
      curConfigId = -1,
    ) => {
      const reply = await c.sendRaw({
        type: OpCode.reconfig,
        joiningServers: joining,
        leavingServers: leaving,
        newMembers: members,
        curConfigId,
      });
      const s: Step = { step, err: reply.err, zxidDelta: reply.zxid - lastZxid };
      lastZxid = reply.zxid;
      if (reply.err === ErrorCode.OK) {
        const r = new JuteReader(reply.body);
        const text = r.readBuffer()?.toString("utf8") ?? "";
        const stat = readStat(r);
        const version = /^version=([0-9a-f]+)$/m.exec(text)?.[1];
        expect(version === undefined ? undefined : Number.parseInt(version, 16)).toBe(stat.mzxid);
        s.config = rename(text).replace(/^version=[0-9a-f]+$/m, "version=V");
        s.statVersion = stat.version;
      }
      steps.push(s);
    };
    const server4 = "server.4=127.0.0.1:1:2:participant;127.0.0.1:3";
    // ZooKeeper 3.8 checks the caller's ACL last: every other refusal comes first.
    await reconfig("no auth: leave 3", null, "3", null);
    await reconfig("no auth: stale version", null, "3", null, 12345);
    await reconfig("no auth: malformed joining", "server.9=nonsense", null, null);
    await reconfig("no auth: one voter left", null, "2,3", null);
    await reconfig(
      "no auth: three joiners that are not running",
      "server.4=127.0.0.1:1:2:participant;127.0.0.1:3,server.5=127.0.0.1:4:5:participant;127.0.0.1:6,server.6=127.0.0.1:7:8:participant;127.0.0.1:9",
      null,
      null,
    );
    await c.addAuth("digest", "super:admin");
    await reconfig("stale version", null, "3", null, 12345);
    await reconfig("malformed joining", "server.9=nonsense", null, null);
    await reconfig("joining without a client port", "server.4=127.0.0.1:1:2:participant", null, null);
    await reconfig("joining with a non-numeric id", "server.x=127.0.0.1:1:2:participant;3", null, null);
    await reconfig("leaving a non-numeric id", null, "three", null);
    await reconfig("one voter left", null, "2,3", null);
    await reconfig("newMembers with a bad key", null, null, "weight.1=3");
    // Three of the four new voters are in sync: a quorum of the new config.
    await reconfig("join a server that is not running", server4, null, null);
    await reconfig("leave it again", null, "4", null);
    await reconfig("the same leave again", null, "4", null);

    const connect = `127.0.0.1:${leader.clientPort}`;
    const py = await run("/usr/bin/python3", [join(here, "clients", "kazoo_reconfig.py"), connect], {
      timeout: 60_000,
    });
    const kazoo = py.stdout
      .trim()
      .split("\n")
      .map((l) => rename(l).replace(/version=[0-9a-f]+/g, "version=V"));
    const zkCli: string[] = [];
    for (const cmd of ["reconfig -remove 3", "config"]) {
      const r = await run(ZKCLI, ["-server", connect, ...cmd.split(" ")], { timeout: 60_000 }).catch(
        (e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? "", stderr: e.stderr ?? "" }),
      );
      zkCli.push(
        `> ${cmd}`,
        ...zkCliLines(rename(`${r.stdout}\n${r.stderr}`)).map((l) =>
          l.replace(/version=[0-9a-f]+/g, "version=V"),
        ),
      );
    }
    return { raw: steps, kazoo, zkCli };
  } finally {
    await c.close().catch(() => {});
    await ens.stop();
  }
}

// Skipped only outside CI when ZooKeeper 3.8 (Debian's zookeeper, with java) is not installed;
// under CI=true skipWithoutZookeeper throws instead.
describe.skipIf(skipWithoutZookeeper())("reconfig against ZooKeeper 3.8", () => {
  it("answers every reconfig request as ZooKeeper does, with reconfigEnabled=true", {
    timeout: 180_000,
  }, async () => {
    const zk = await transcript("zookeeper");
    console.log(`ZooKeeper: ${JSON.stringify(zk, null, 1)}`);
    const paddock = await transcript("paddock");
    console.log(`Paddock: ${JSON.stringify(paddock, null, 1)}`);
    expect(zk.raw.find((s) => s.step === "join a server that is not running")?.err).toBe(ErrorCode.OK);
    expect(zk.kazoo.join("\n")).toContain('"step": "join 4", "ok": true');
    expect(zk.zkCli).toContain("Insufficient permission : ");
    expect(paddock).toEqual(zk);
  });
});
