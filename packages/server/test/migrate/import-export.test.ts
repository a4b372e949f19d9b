// import-zk / export-zk on hand-made ZooKeeper directories: what is refused and what is kept.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpCode } from "@paddock/jute";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exportToZooKeeper } from "../../src/migrate/export-zk.js";
import { importZooKeeper, MigrationError } from "../../src/migrate/import-zk.js";
import { decodePaddockSnapshot, encodePaddockSnapshot } from "../../src/migrate/paddock-snapshot.js";
import { zooKeeperSessionPassword } from "../../src/migrate/zookeeper-format/session-password.js";
import { encodeZkSnapshot, parseZkSnapshot } from "../../src/migrate/zookeeper-format/snapshot.js";
import { ZkTree } from "../../src/migrate/zookeeper-format/tree.js";
import { encodeZkTxnEntry, type ZkTxnEntry } from "../../src/migrate/zookeeper-format/txn.js";
import { encodeZkLogFile, ZkLogCorruptionError } from "../../src/migrate/zookeeper-format/txn-log.js";
import { StateMachine } from "../../src/request/index.js";
import { inspectMain, recover, ZooKeeperDataError } from "../../src/storage/index.js";

const WORLD = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const SM = { extendedTypesEnabled: true, skipAcl: false, superDigest: undefined };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "paddock-import-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function create(zxid: number, path: string, digestTree?: ZkTree): Buffer {
  const e: ZkTxnEntry = {
    header: { clientId: 0x42n, cxid: zxid, zxid, timeMs: 1_700_000_000_000 + zxid, type: OpCode.create },
    body: { type: "create", path, data: Buffer.from(path), acl: WORLD, ephemeral: false, parentCVersion: -1 },
    digest: undefined,
  };
  if (digestTree !== undefined) {
    digestTree.apply(e.header, e.body);
    e.digest = { version: 2, treeDigest: digestTree.digest };
  }
  return encodeZkTxnEntry(e);
}

/** A ZooKeeper dataDir: snapshot at zxid 2 (/a, a session), then a log with /b, /c. */
function zkDataDir(): { zkDir: string; logBytes: Buffer } {
  const zkDir = join(dir, "zk");
  const v2 = join(zkDir, "version-2");
  mkdirSync(v2, { recursive: true });
  const tree = ZkTree.fresh();
  tree.apply(
    { clientId: 0x42n, cxid: 0, zxid: 1, timeMs: 1, type: OpCode.createSession },
    { type: "createSession", timeoutMs: 12_000 },
  );
  tree.apply(
    { clientId: 0x42n, cxid: 0, zxid: 2, timeMs: 2, type: OpCode.create },
    { type: "create", path: "/a", data: null, acl: WORLD, ephemeral: true, parentCVersion: -1 },
  );
  writeFileSync(join(v2, "snapshot.2"), encodeZkSnapshot(tree, 2));
  const logBytes = encodeZkLogFile([create(3, "/b", tree), create(4, "/c", tree)]);
  writeFileSync(join(v2, "log.3"), Buffer.concat([logBytes, Buffer.alloc(4096)]));
  writeFileSync(join(zkDir, "myid"), "3\n");
  return { zkDir, logBytes };
}

async function loadPaddock(dataDir: string): Promise<StateMachine> {
  let sm = new StateMachine(SM);
  await recover(
    join(dataDir, "version-2"),
    join(dataDir, "version-2"),
    {
      loadSnapshot: async (chunks) => {
        const all: Buffer[] = [];
        for await (const c of chunks) all.push(c);
        sm = StateMachine.fromSnapshot(SM, all);
      },
      applyTxn: () => {
        throw new Error("an imported dataDir has no txn log");
      },
    },
    { logger: { info() {}, warn() {}, error() {} } },
  );
  return sm;
}

describe("import-zk", () => {
  it("replays the log over the snapshot, keeps the session with ZooKeeper's password and the myid", async () => {
    const { zkDir } = zkDataDir();
    const target = join(dir, "paddock");
    const result = await importZooKeeper({ zkDataDir: zkDir, dataDir: target });
    expect(result).toMatchObject({ zxid: 4, sessions: 1, replayedTxns: 2, digestsChecked: 3 });
    const sm = await loadPaddock(target);
    expect(sm.lastZxid).toBe(4);
    expect(sm.nodeStat("/c")).toMatchObject({ czxid: 4, ctime: 1_700_000_000_004 });
    expect(sm.ephemeralsOf(0x42n)).toEqual(["/a"]);
    expect(sm.session(0x42n)).toEqual({ timeoutMs: 12_000, passwd: zooKeeperSessionPassword(0x42n) });
    expect(readFileSync(join(target, "myid"), "utf8")).toBe("3\n");
  });

  it("leaves a torn last entry out, as ZooKeeper does", async () => {
    const { zkDir, logBytes } = zkDataDir();
    writeFileSync(join(zkDir, "version-2", "log.3"), logBytes.subarray(0, logBytes.length - 5));
    const lines: string[] = [];
    const result = await importZooKeeper({
      zkDataDir: zkDir,
      dataDir: join(dir, "p"),
      report: (l) => lines.push(l),
    });
    expect(result.zxid).toBe(3);
    expect(lines.join("\n")).toMatch(/log\.3 ends with a partial entry/);
  });

  it("refuses a damaged entry and writes nothing", async () => {
    const { zkDir, logBytes } = zkDataDir();
    const damaged = Buffer.from(logBytes);
    const at = damaged.indexOf(Buffer.from("/b")) + 1;
    damaged[at] = damaged[at]! ^ 0xff;
    writeFileSync(join(zkDir, "version-2", "log.3"), damaged);
    await expect(importZooKeeper({ zkDataDir: zkDir, dataDir: join(dir, "p") })).rejects.toThrow(
      ZkLogCorruptionError,
    );
    expect(existsSync(join(dir, "p", "version-2"))).toBe(false);
  });

  it("refuses when a digest disagrees, unless told to go on", async () => {
    const { zkDir } = zkDataDir();
    const other = ZkTree.fresh();
    writeFileSync(join(zkDir, "version-2", "log.3"), encodeZkLogFile([create(3, "/b", other)]));
    await expect(importZooKeeper({ zkDataDir: zkDir, dataDir: join(dir, "p") })).rejects.toThrow(
      /digest mismatch/,
    );
    const result = await importZooKeeper({ zkDataDir: zkDir, dataDir: join(dir, "p"), ignoreDigest: true });
    expect(result.warnings.join()).toMatch(/digest mismatch/);
  });

  it("refuses a target that holds data, and a directory without ZooKeeper files", async () => {
    const { zkDir } = zkDataDir();
    const target = join(dir, "paddock");
    await importZooKeeper({ zkDataDir: zkDir, dataDir: target });
    await expect(importZooKeeper({ zkDataDir: zkDir, dataDir: target })).rejects.toThrow(
      /already holds snapshot\.4/,
    );
    mkdirSync(join(dir, "empty", "version-2"), { recursive: true });
    await expect(importZooKeeper({ zkDataDir: join(dir, "empty"), dataDir: join(dir, "x") })).rejects.toThrow(
      /neither a snapshot nor a txn log/,
    );
    await expect(
      importZooKeeper({ zkDataDir: join(dir, "nowhere"), dataDir: join(dir, "x") }),
    ).rejects.toThrow(MigrationError);
  });

  it("falls back to an older snapshot when the newest is damaged", async () => {
    const { zkDir } = zkDataDir();
    writeFileSync(join(zkDir, "version-2", "snapshot.4"), Buffer.from("ZKSN garbage"));
    const result = await importZooKeeper({ zkDataDir: zkDir, dataDir: join(dir, "p") });
    expect(result.snapshotFile).toMatch(/snapshot\.2$/);
    expect(result.zxid).toBe(4);
  });
});

describe("Paddock's own storage and ZooKeeper's files", () => {
  it("names ZooKeeper's files instead of calling them corrupt, and changes nothing", async () => {
    const { zkDir } = zkDataDir();
    const before = readFileSync(join(zkDir, "version-2", "log.3"));
    const v2 = join(zkDir, "version-2");
    const hooks = { loadSnapshot() {}, applyTxn() {} };
    const err = await recover(v2, v2, hooks).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZooKeeperDataError);
    expect((err as Error).message).toMatch(/log\.3 is an Apache ZooKeeper txn log, not a Paddock file/);
    expect((err as Error).message).toContain(`paddock-server import-zk ${zkDir} <newDataDir>`);
    expect(readFileSync(join(v2, "log.3"))).toEqual(before);
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await inspectMain(["log", join(v2, "log.3")], io)).toBe(1);
    expect(lines).toEqual([
      `${join(v2, "log.3")}: an Apache ZooKeeper txn log, not a Paddock file; \`paddock-server import-zk\` converts a ZooKeeper dataDir (docs/migrating.md)`,
    ]);
  });
});

describe("export-zk", () => {
  it("writes the recovered state as a ZooKeeper snapshot whose digest matches", async () => {
    const { zkDir } = zkDataDir();
    const paddock = join(dir, "paddock");
    await importZooKeeper({ zkDataDir: zkDir, dataDir: paddock });
    writeFileSync(join(paddock, "myid"), "7\n");
    const out = join(dir, "zk-again");
    const result = await exportToZooKeeper({ dataDir: paddock, zkDataDir: out });
    expect(result).toMatchObject({ zxid: 4, sessions: 1 });
    const parsed = parseZkSnapshot(readFileSync(join(out, "version-2", "snapshot.4")));
    expect(parsed.digest?.digest).toBe(parsed.tree.digest);
    expect([...parsed.tree.nodes.keys()]).toContain("/c");
    expect(parsed.tree.sessions.get(0x42n)).toBe(12_000);
    expect(readFileSync(join(out, "myid"), "utf8")).toBe("7\n");
    await expect(exportToZooKeeper({ dataDir: paddock, zkDataDir: out })).rejects.toThrow(/already holds/);
  });
});

describe("the Paddock snapshot codec", () => {
  it("reads what the state machine writes and writes what it reads", () => {
    const tree = ZkTree.fresh();
    tree.apply(
      { clientId: 0x9n, cxid: 0, zxid: 1, timeMs: 1, type: OpCode.createSession },
      { type: "createSession", timeoutMs: 4000 },
    );
    tree.apply(
      { clientId: 0x9n, cxid: 0, zxid: 2, timeMs: 2, type: OpCode.create },
      { type: "create", path: "/x", data: Buffer.from("d"), acl: WORLD, ephemeral: true, parentCVersion: -1 },
    );
    const state = {
      zxid: 2,
      sessions: new Map([[0x9n, { timeoutMs: 4000, passwd: Buffer.from("pw") }]]),
      nodes: tree.nodes,
    };
    const sm = StateMachine.fromSnapshot(SM, encodePaddockSnapshot(state));
    const back = decodePaddockSnapshot(sm.snapshotView().chunks());
    expect(back.zxid).toBe(2);
    expect(back.sessions).toEqual(state.sessions);
    expect([...back.nodes.keys()].sort()).toEqual([...tree.nodes.keys()].sort());
    for (const [path, node] of tree.nodes) expect(back.nodes.get(path)).toEqual(node);
  });
});
