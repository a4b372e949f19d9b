// Quorum authentication without TLS (quorum.auth.*, the JAAS file's QuorumServer / QuorumLearner
// sections): a 3-server ensemble with authentication required elects and replicates; strangers
// that keep dialling the leader's peer and election ports as `/?from=<follower>` (no
// authentication, a wrong password, a ZAB frame instead of the proof) and send forged
// FOLLOWERINFO, votes and a forwarded write as `super` change nothing: same leader, no write waits
// 2 s, the forged write never lands, and the leader logs the refusals. Rolling enablement as
// ZooKeeper documents it (enableSasl everywhere, then learnerRequireSasl, then serverRequireSasl,
// one server restarted at a time) keeps the ensemble serving at every step.
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ZooKeeperClient } from "@paddock/client";
import { CreateMode, JuteWriter, OpCode, Perms, writeRequest } from "@paddock/jute";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { encodeForwarded } from "../../packages/server/src/quorum/forward.js";
import { loadPeerCodec } from "../../packages/server/src/zab/codec.js";
import { Ensemble } from "../support/ensemble.js";
import { makeTempDir } from "../support/process.js";
import { startWriting } from "../support/write-probe.js";

const codec = loadPeerCodec(fileURLToPath(new URL("../../proto/peer.proto", import.meta.url)));

const JAAS = `QuorumServer {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  user_quorum="quorum-secret";
};
QuorumLearner {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  username="quorum"
  password="quorum-secret";
};
`;

/** The frames a stranger sends as `from`: FOLLOWERINFO, a vote for itself, a write as super. */
function forgedFrames(from: number): Uint8Array[] {
  const w = new JuteWriter();
  writeRequest(w, {
    type: OpCode.create,
    path: "/guarded/forged",
    data: Buffer.from("pwned"),
    acl: [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }],
    flags: CreateMode.Persistent,
  });
  const payload = encodeForwarded({
    kind: "request",
    sessionId: 1n,
    xid: 1,
    opcode: OpCode.create,
    identities: [{ scheme: "super", id: "" }],
    body: w.toBuffer(),
  });
  const frames: Uint8Array[] = [
    codec.encode({ type: "FOLLOWERINFO", conn: 77, seq: 1, term: 0, acceptedEpoch: 1 }),
  ];
  for (let term = 0; term < 4; term++)
    frames.push(codec.encode({ type: "REQUEST", conn: 77, seq: 2, term, payload }));
  frames.push(
    codec.encode({
      type: "NOTIFICATION",
      conn: 0,
      seq: 0,
      term: 0,
      state: "LOOKING",
      vote: { leader: from, zxid: 2 ** 40, peerEpoch: 100 },
      round: 1000,
    } as never),
  );
  return frames;
}

type Strategy = "none" | "wrong-password" | "frame-first";

/** Dials `port` as `from` again and again with one way of (not) authenticating. */
function attacker(port: number, from: number, strategy: Strategy): { stop(): void; attempts(): number } {
  let stopped = false;
  let attempts = 0;
  const loop = async () => {
    while (!stopped) {
      attempts++;
      const headers =
        strategy === "none"
          ? {}
          : {
              "x-paddock-quorum-user": "quorum",
              "x-paddock-quorum-cnonce": randomBytes(24).toString("base64"),
            };
      const ws = new WebSocket(`ws://127.0.0.1:${port}/?from=${from}`, { headers });
      ws.on("error", () => {});
      ws.on("open", () => {
        if (strategy === "wrong-password") ws.send(randomBytes(32).toString("base64"));
        for (const f of forgedFrames(from)) ws.send(f);
      });
      await new Promise((r) => setTimeout(r, 50));
      ws.terminate();
    }
  };
  void loop();
  return {
    stop: () => {
      stopped = true;
    },
    attempts: () => attempts,
  };
}

async function write(connectString: string, path: string): Promise<void> {
  const c = new ZooKeeperClient({ connectString, connectTimeoutMs: 10_000 });
  await c.connect();
  await c.create(path, "x");
  await c.close();
}

describe("quorum authentication (quorum.auth.*)", () => {
  const ensembles: Ensemble[] = [];
  const dirs: string[] = [];

  afterAll(async () => {
    await Promise.all(ensembles.map((e) => e.destroy()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function jaasFile(): string {
    const dir = makeTempDir("paddock-quorum-auth");
    dirs.push(dir);
    const path = join(dir, "jaas.conf");
    writeFileSync(path, JAAS);
    return path;
  }

  it("with authentication required, strangers on the peer ports change nothing", {
    timeout: 120_000,
  }, async () => {
    const ens = await Ensemble.create({
      size: 3,
      extraCfg: [
        `java.security.auth.login.config=${jaasFile()}`,
        "quorum.auth.enableSasl=true",
        "quorum.auth.learnerRequireSasl=true",
        "quorum.auth.serverRequireSasl=true",
      ],
    });
    ensembles.push(ens);
    ens.startAll();
    const leader = await ens.waitForQuorum(30_000);
    const follower = ens.nodes.find((n) => n.id !== leader)!;
    const leaderNode = ens.node(leader);
    const c = new ZooKeeperClient({ connectString: ens.connectString, reconnectDelayMs: 50 });
    await c.connect();
    await c.addAuth("digest", "owner:pw");
    await c.create("/guarded", "", {
      acl: [{ perms: Perms.ALL, id: { scheme: "auth", id: "" } }],
    });
    await c.create("/w", "");

    const probe = startWriting(c, "/w", "n-");
    await new Promise((r) => setTimeout(r, 500));
    const attacks = (["none", "wrong-password", "frame-first"] as const).flatMap((s) => [
      attacker(leaderNode.peerPort, follower.id, s),
      attacker(leaderNode.electionPort, follower.id, s),
    ]);
    await new Promise((r) => setTimeout(r, 5000));
    for (const a of attacks) a.stop();
    const { acked, worstGapMs } = await probe.stop();

    expect(attacks.every((a) => a.attempts() > 10)).toBe(true);
    expect(acked).toBeGreaterThan(50);
    expect(worstGapMs, `longest gap between acknowledged writes: ${worstGapMs} ms`).toBeLessThan(2000);
    expect(await ens.waitForQuorum(10_000)).toBe(leader);
    const log = ens.output(leader);
    expect(log).toContain("no authentication and quorum.auth.serverRequireSasl is on");
    expect(log).toContain('authentication failed for user \\"quorum\\"');
    expect(log).toContain("a peer frame before the authentication proof");
    for (const n of ens.nodes) {
      const r = new ZooKeeperClient({ connectString: n.connectString });
      await r.connect();
      await r.sync("/w");
      expect((await r.getChildren("/w")).length).toBe(acked);
      expect(await r.exists("/guarded/forged")).toBeNull();
      await r.close();
    }
    await c.close();
  });

  it("rolling enablement: enableSasl, then learnerRequireSasl, then serverRequireSasl, one server at a time", {
    timeout: 240_000,
  }, async () => {
    const stage = new Map<number, string[]>([
      [1, []],
      [2, []],
      [3, []],
    ]);
    const jaas = jaasFile();
    const ens = await Ensemble.create({
      size: 3,
      extraCfg: [`java.security.auth.login.config=${jaas}`],
      extraCfgOf: (id) => stage.get(id)!,
    });
    ensembles.push(ens);
    ens.startAll();
    await ens.waitForQuorum(30_000);
    await write(ens.connectString, "/before");
    const steps = [
      ["quorum.auth.enableSasl=true"],
      ["quorum.auth.enableSasl=true", "quorum.auth.learnerRequireSasl=true"],
      [
        "quorum.auth.enableSasl=true",
        "quorum.auth.learnerRequireSasl=true",
        "quorum.auth.serverRequireSasl=true",
      ],
    ];
    let n = 0;
    for (const lines of steps) {
      for (const id of [1, 2, 3]) {
        stage.set(id, lines);
        ens.rewriteConfigs();
        await ens.kill(id, "SIGTERM");
        ens.start(id);
        await ens.waitForQuorum(30_000, [1, 2, 3]);
        await write(ens.connectString, `/step-${n++}`);
      }
    }
    // Every server is back in the ensemble and has every write.
    for (const node of ens.nodes) {
      const r = new ZooKeeperClient({ connectString: node.connectString });
      await r.connect();
      await r.sync("/");
      expect((await r.getChildren("/")).filter((c) => c.startsWith("step-")).length).toBe(9);
      await r.close();
    }
    const modes = [...(await ens.modes()).values()].sort();
    expect(modes).toEqual(["follower", "follower", "leader"]);
    // Now a link without authentication is refused.
    const leader = await ens.waitForQuorum(10_000);
    const a = attacker(ens.node(leader).peerPort, leader === 1 ? 2 : 1, "none");
    await new Promise((r) => setTimeout(r, 500));
    a.stop();
    expect(ens.output(leader)).toContain("no authentication and quorum.auth.serverRequireSasl is on");
  });
});
