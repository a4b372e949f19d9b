// ZooKeeper's audit log (audit.enable=true, 3.6+). The same writes go to ZooKeeper 3.8 and to
// Paddock, each with audit.enable=true in zoo.cfg, and the audit lines each writes are compared
// byte for byte once session ids are replaced by their order of appearance. ZooKeeper's lines
// come from its slf4j-simple output (its logger org.apache.zookeeper.audit.Slf4jAuditLogger at
// INFO), Paddock's from the file paddock.auditLogFile names. In an ensemble, a write is logged by
// the server its client is connected to and a closed session's ephemerals by every server.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CreateMode, Ops, ZooKeeperClient } from "@paddock/client";
import { Perms } from "@paddock/jute";
import { afterAll, describe, expect, it } from "vitest";
import type { Ensemble } from "../support/ensemble.js";
import { startPaddock } from "../support/paddock.js";
import { makeTempDir, type ServerHandle } from "../support/process.js";
import { skipWithoutZookeeper, startZookeeper, zookeeperAuditLogTo } from "../support/zookeeper.js";

const OPEN = [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }];

async function attempt(op: () => Promise<unknown>): Promise<void> {
  try {
    await op();
  } catch {
    // The failure is what the audit log is to record.
  }
}

/** Every kind of audited write, succeeding and failing, from two sessions; then a clean stop. */
async function writes(connectString: string): Promise<void> {
  const alice = new ZooKeeperClient({ connectString });
  await alice.connect();
  await alice.addAuth("digest", "alice:secret");
  await alice.create("/a", "x");
  await attempt(() => alice.create("/a", "x"));
  await alice.create("/a/seq-", "x", { mode: CreateMode.PersistentSequential });
  await alice.create2("/a/eph", "x", { mode: CreateMode.Ephemeral });
  await alice.create("/a/eph-", "x", { mode: CreateMode.EphemeralSequential });
  await alice.create("/box", null, { mode: CreateMode.Container });
  await alice.create("/ttl", "x", { mode: CreateMode.PersistentWithTtl, ttlMs: 60_000 });
  await alice.setData("/a", "y");
  await attempt(() => alice.setData("/missing", "y"));
  await alice.setACL("/a", [
    ...OPEN,
    { perms: Perms.READ | Perms.ADMIN, id: { scheme: "ip", id: "127.0.0.1" } },
  ]);
  await attempt(() => alice.setACL("/missing", OPEN));
  await alice.delete("/a/seq-0000000000");
  await attempt(() => alice.delete("/missing"));
  await alice.multi([
    Ops.create("/m", "x"),
    Ops.create("/m/s-", "x", { mode: CreateMode.PersistentSequential }),
    Ops.setData("/m", "y"),
    Ops.check("/m", 1),
    Ops.delete("/ttl"),
  ]);
  await attempt(() => alice.multi([Ops.create("/m2", "x"), Ops.delete("/missing")]));
  await alice.close();

  const bob = new ZooKeeperClient({ connectString });
  await bob.connect();
  await bob.create("/b", "x", { mode: CreateMode.Ephemeral });
  await attempt(() => bob.create("/a", "x"));
  await bob.close();
}

/** The audit lines, with each session id replaced by s1, s2, ... in order of appearance. */
function normalise(lines: string[]): string[] {
  const sessions = new Map<string, string>();
  return lines.map((line) =>
    line.replace(/session=0x[0-9a-f]+/, (m) => {
      let name = sessions.get(m);
      if (name === undefined) {
        name = `session=s${sessions.size + 1}`;
        sessions.set(m, name);
      }
      return name;
    }),
  );
}

/** `LEVEL message` of each audit line of Paddock's file (RFAAUDIT's layout). */
function paddockAuditLines(file: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|ERROR) o\.a\.z\.a\.Slf4jAuditLogger: (.*)$/.exec(
      line,
    );
    if (m !== null) out.push(`${m[1]} ${m[2]}`);
    else if (line !== "") throw new Error(`not an audit line: ${JSON.stringify(line)}`);
  }
  return out;
}

/** `LEVEL message` of each audit line of ZooKeeper's slf4j-simple output. */
function zookeeperAuditLines(file: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^\[[^\]]*\] (INFO|ERROR) org\.apache\.zookeeper\.audit\.Slf4jAuditLogger - (.*)$/.exec(line);
    if (m !== null) out.push(`${m[1]} ${m[2]}`);
  }
  return out;
}

describe("audit.enable=true", () => {
  const servers: ServerHandle[] = [];
  const ensembles: Ensemble[] = [];
  afterAll(async () => {
    await Promise.all([...servers.map((s) => s.stop()), ...ensembles.map((e) => e.destroy())]);
  });

  it("writes ZooKeeper 3.8's audit lines, byte for byte", { timeout: 90_000 }, async () => {
    const dir = makeTempDir("paddock-audit");
    const cfg = ["audit.enable=true", "extendedTypesEnabled=true"];
    const paddockFile = join(dir, "paddock-audit.log");
    const paddock = await startPaddock({ extraCfg: [...cfg, `paddock.auditLogFile=${paddockFile}`] });
    servers.push(paddock);
    await writes(paddock.connectString);
    await paddock.stop();
    const seen = normalise(paddockAuditLines(paddockFile));
    const user = process.env.USER ?? (await import("node:os")).userInfo().username;
    const who = (s: string, users = "alice,127.0.0.1") => `session=${s}\tuser=${users}\tip=127.0.0.1`;
    expect(seen).toEqual([
      `INFO user=${user}\toperation=serverStart\tresult=success`,
      `INFO ${who("s1")}\toperation=create\tznode=/a\tznode_type=persistent\tresult=success`,
      `ERROR ${who("s1")}\toperation=create\tznode=/a\tznode_type=persistent\tresult=failure`,
      `INFO ${who("s1")}\toperation=create\tznode=/a/seq-0000000000\tznode_type=persistent_sequential\tresult=success`,
      `INFO ${who("s1")}\toperation=create\tznode=/a/eph\tznode_type=ephemeral\tresult=success`,
      `INFO ${who("s1")}\toperation=create\tznode=/a/eph-0000000002\tznode_type=ephemeral_sequential\tresult=success`,
      `INFO ${who("s1")}\toperation=create\tznode=/box\tznode_type=container\tresult=success`,
      // No line for the TTL create: ZooKeeper's AuditHelper has no case for createTTL.
      `INFO ${who("s1")}\toperation=setData\tznode=/a\tresult=success`,
      `ERROR ${who("s1")}\toperation=setData\tznode=/missing\tresult=failure`,
      `INFO ${who("s1")}\toperation=setAcl\tznode=/a\tacl=world:anyone:cdrwaip:127.0.0.1:ra\tresult=success`,
      `ERROR ${who("s1")}\toperation=setAcl\tznode=/missing\tacl=world:anyone:cdrwa\tresult=failure`,
      `INFO ${who("s1")}\toperation=delete\tznode=/a/seq-0000000000\tresult=success`,
      `ERROR ${who("s1")}\toperation=delete\tznode=/missing\tresult=failure`,
      `INFO ${who("s1")}\toperation=create\tznode=/m\tznode_type=persistent\tresult=success`,
      // A sequential create in a multi has no mode: ZooKeeper looks it up by the name it made.
      `INFO ${who("s1")}\toperation=create\tznode=/m/s-0000000000\tresult=success`,
      `INFO ${who("s1")}\toperation=setData\tznode=/m\tresult=success`,
      `INFO ${who("s1")}\toperation=delete\tznode=/ttl\tresult=success`,
      `ERROR ${who("s1")}\toperation=multiOperation\tresult=failure`,
      // In the order of ZooKeeper's HashSet of the session's ephemerals.
      `INFO session=s1\tuser=${user}\toperation=ephemeralZNodeDeletionOnSessionCloseOrExpire\tznode=/a/eph\tresult=success`,
      `INFO session=s1\tuser=${user}\toperation=ephemeralZNodeDeletionOnSessionCloseOrExpire\tznode=/a/eph-0000000002\tresult=success`,
      `INFO ${who("s2", "127.0.0.1")}\toperation=create\tznode=/b\tznode_type=ephemeral\tresult=success`,
      `ERROR ${who("s2", "127.0.0.1")}\toperation=create\tznode=/a\tznode_type=persistent\tresult=failure`,
      `INFO session=s2\tuser=${user}\toperation=ephemeralZNodeDeletionOnSessionCloseOrExpire\tznode=/b\tresult=success`,
      `INFO user=${user}\toperation=serverStop\tresult=invoked`,
    ]);

    // Skipped only outside CI when ZooKeeper 3.8 is missing; with CI=true it throws instead.
    if (skipWithoutZookeeper()) return;
    const zookeeperFile = join(dir, "zookeeper.log");
    const zookeeper = await startZookeeper({
      extraCfg: cfg,
      systemProperties: zookeeperAuditLogTo(zookeeperFile),
    });
    servers.push(zookeeper);
    await writes(zookeeper.connectString);
    await zookeeper.stop();
    expect(normalise(zookeeperAuditLines(zookeeperFile))).toEqual(seen);
  });

  // ZooKeeper's stock logback.xml sends the audit logger to the console with every other line.
  it("without paddock.auditLogFile, writes the lines into the server's log", {
    timeout: 60_000,
  }, async () => {
    const paddock = await startPaddock({ extraCfg: ["audit.enable=true"] });
    servers.push(paddock);
    const c = new ZooKeeperClient({ connectString: paddock.connectString });
    await c.connect();
    await c.create("/logged", "x");
    await attempt(() => c.create("/logged", "x"));
    await c.close();
    const records = paddock
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { level: number; logger?: string; msg: string })
      .filter((r) => r.logger === "audit");
    expect(records.map((r) => [r.level, r.msg.replace(/session=0x[0-9a-f]+/, "session=S")])).toEqual([
      [30, expect.stringMatching(/^user=\S+\toperation=serverStart\tresult=success$/)],
      [
        30,
        "session=S\tuser=127.0.0.1\tip=127.0.0.1\toperation=create\tznode=/logged\tznode_type=persistent\tresult=success",
      ],
      [
        50,
        "session=S\tuser=127.0.0.1\tip=127.0.0.1\toperation=create\tznode=/logged\tznode_type=persistent\tresult=failure",
      ],
    ]);
  });

  it("stops the start when the audit log file cannot be opened, naming the key", {
    timeout: 60_000,
  }, async () => {
    const missing = join(makeTempDir("paddock-audit"), "no-such-dir", "audit.log");
    await expect(
      startPaddock({ extraCfg: ["audit.enable=true", `paddock.auditLogFile=${missing}`] }),
    ).rejects.toThrow(/paddock\.auditLogFile: cannot open the audit log: ENOENT/);
  });
});
