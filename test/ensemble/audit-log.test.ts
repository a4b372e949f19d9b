// audit.enable=true on a 3-server ensemble. As in ZooKeeper, a write is audited by the server its
// client is connected to (a follower, here: the request goes to the leader as bytes, and the
// follower decodes it again for its line), while the deletion of a closed session's ephemerals is
// audited by every server that applies the close.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CreateMode, ZooKeeperClient } from "@paddock/client";
import { afterAll, describe, expect, it } from "vitest";
import { Ensemble } from "../support/ensemble.js";
import { makeTempDir } from "../support/process.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The audit messages of one server's file, without the timestamp and logger. */
function auditLines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.replace(/^\S+ \S+ (INFO|ERROR) o\.a\.z\.a\.Slf4jAuditLogger: /, "$1 "));
}

describe("audit log on a 3-server ensemble", () => {
  let ens: Ensemble | undefined;
  afterAll(async () => {
    await ens?.destroy();
  });

  it("a write is logged where its client is connected; ephemeral deletions everywhere", {
    timeout: 60_000,
  }, async () => {
    const dir = makeTempDir("paddock-audit-ensemble");
    const fileOf = (id: number) => join(dir, `audit-${id}.log`);
    ens = await Ensemble.create({
      size: 3,
      extraCfg: ["audit.enable=true"],
      extraCfgOf: (id) => [`paddock.auditLogFile=${fileOf(id)}`],
    });
    ens.startAll();
    const leader = await ens.waitForQuorum();
    const follower = ens.nodes.find((n) => n.id !== leader)!;
    const c = new ZooKeeperClient({ connectString: follower.connectString });
    await c.connect();
    await c.addAuth("digest", "alice:secret");
    await c.create("/audited", "x");
    await c.create("/audited/e-", "x", { mode: CreateMode.EphemeralSequential });
    await c.setData("/missing", "y").catch(() => undefined);
    const session = `0x${c.sessionId.toString(16)}`;
    await c.close();

    const isDeletion = (l: string) =>
      l.startsWith(`INFO session=${session}\t`) &&
      l.includes("\toperation=ephemeralZNodeDeletionOnSessionCloseOrExpire\t");
    const deadline = Date.now() + 10_000;
    while (!ens.nodes.every((n) => auditLines(fileOf(n.id)).some(isDeletion))) {
      if (Date.now() > deadline) throw new Error("the ephemeral's deletion was not audited on every server");
      await sleep(50);
    }
    const who = `session=${session}\tuser=alice,127.0.0.1\tip=127.0.0.1`;
    for (const n of ens.nodes) {
      const lines = auditLines(fileOf(n.id));
      expect(lines[0]).toMatch(/^INFO user=\S+\toperation=serverStart\tresult=success$/);
      const writes = lines.filter((l) => l.includes(`session=${session}\tuser=alice`));
      if (n.id === follower.id) {
        expect(writes).toEqual([
          `INFO ${who}\toperation=create\tznode=/audited\tznode_type=persistent\tresult=success`,
          `INFO ${who}\toperation=create\tznode=/audited/e-0000000000\tznode_type=ephemeral_sequential\tresult=success`,
          `ERROR ${who}\toperation=setData\tznode=/missing\tresult=failure`,
        ]);
      } else {
        expect(writes).toEqual([]);
      }
      expect(lines.filter(isDeletion)).toEqual([
        expect.stringMatching(
          /\toperation=ephemeralZNodeDeletionOnSessionCloseOrExpire\tznode=\/audited\/e-0000000000\tresult=success$/,
        ),
      ]);
    }
  });
});
