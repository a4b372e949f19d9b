// Read-only mode, side by side with Apache ZooKeeper 3.8 (-Dreadonlymode.enabled=true there,
// readonlymode.enabled=true in Paddock's zoo.cfg): a 3-server ensemble loses two servers (SIGKILL);
// the survivor serves read-only clients (kazoo with read_only=True, the TypeScript client with
// canBeReadOnly) and refuses everyone else; the two come back and the survivor serves writes
// again. The kazoo transcripts and what the four-letter words say must match; the times to
// read-only and back are printed for both.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateMode, NotReadOnlyError, ZooKeeperClient } from "@paddock/client";
import { afterAll, describe, expect, it } from "vitest";
import {
  DEFAULT_LAUNCH_OPTIONS,
  type LaunchedEnsemble,
  launchEnsemble,
} from "../../packages/bench/src/servers.js";
import { fourLetterWord } from "../support/process.js";
import { isCI, skipWithoutZookeeper } from "../support/zookeeper.js";

const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = "/usr/bin/python3";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(" ")} exited ${code}:\n${out}\n${err}`));
    });
  });
}

const kazooMissing = await run(PYTHON, ["-c", "import kazoo"], 20_000).then(
  () => undefined,
  (e: Error) => e.message,
);
if (isCI && kazooMissing !== undefined) throw new Error(`CI needs python3-kazoo: ${kazooMissing}`);

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const startMs = Date.now();
  while (Date.now() - startMs < timeoutMs) {
    if (await check().catch(() => false)) return Date.now() - startMs;
    await sleep(50);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

interface Outcome {
  kazoo: unknown[];
  srvrMode: string | undefined;
  serverState: string | undefined;
  tsClient: { readOnly: boolean; data: string; write: string; ephemeral: string; sync: string };
  readWriteClientRefused: boolean;
  msToReadOnly: number;
  msToWritable: number;
}

async function scenario(kind: "zookeeper" | "paddock"): Promise<Outcome> {
  const ens: LaunchedEnsemble = await launchEnsemble(
    kind,
    { kind: "ensemble", size: 3 },
    {
      ...DEFAULT_LAUNCH_OPTIONS,
      tickTimeMs: 500,
      zookeeperHeapMb: 256,
      // ZooKeeper reads the switch only as a system property; its read-only server creates
      // sessions only when they may be local (Paddock's read-only sessions always are).
      extraCfg: kind === "zookeeper" ? ["localSessionsEnabled=true"] : ["readonlymode.enabled=true"],
      zookeeperSystemProperties: { "readonlymode.enabled": "true" },
    },
  );
  const clients: ZooKeeperClient[] = [];
  const client = (port: number, canBeReadOnly: boolean, connectTimeoutMs = 15_000) => {
    const c = new ZooKeeperClient({
      connectString: `127.0.0.1:${port}`,
      canBeReadOnly,
      connectTimeoutMs,
      reconnectDelayMs: 50,
    });
    clients.push(c);
    return c;
  };
  try {
    const [one, two, three] = ens.members as [
      (typeof ens.members)[0],
      (typeof ens.members)[0],
      (typeof ens.members)[0],
    ];
    const writer = client(one.clientPort, false);
    await writer.connect();
    await writer.create("/ro", "");
    await writer.create("/ro/a", "committed");
    await writer.close();

    await Promise.all([two.kill("SIGKILL"), three.kill("SIGKILL")]);
    const msToReadOnly = await waitUntil(
      `${kind}: the survivor answers isro with ro`,
      async () => (await fourLetterWord("127.0.0.1", one.clientPort, "isro", 1000)).trim() === "ro",
      30_000,
    );
    const srvr = await fourLetterWord("127.0.0.1", one.clientPort, "srvr", 2000);
    const mntr = await fourLetterWord("127.0.0.1", one.clientPort, "mntr", 2000);

    const kazoo =
      kazooMissing === undefined
        ? JSON.parse(
            await run(
              PYTHON,
              [join(here, "clients", "kazoo_read_only.py"), `127.0.0.1:${one.clientPort}`],
              60_000,
            ),
          )
        : [];

    const ro = client(one.clientPort, true);
    await ro.connect();
    const errorName = (p: Promise<unknown>) =>
      p.then(
        () => "ok",
        (e: Error) => (e instanceof NotReadOnlyError ? "NotReadOnly" : e.name),
      );
    const tsClient = {
      readOnly: ro.readOnly,
      data: (await ro.getData("/ro/a")).data?.toString() ?? "",
      write: await errorName(ro.setData("/ro/a", "changed")),
      ephemeral: await errorName(ro.create("/ro/eph", "x", { mode: CreateMode.Ephemeral })),
      sync: await errorName(ro.sync("/ro")),
    };
    const rw = client(one.clientPort, false, 1500);
    const readWriteClientRefused = await rw.connect().then(
      () => false,
      () => true,
    );
    await rw.close();

    const backMs = Date.now();
    await Promise.all([two.restart(), three.restart()]);
    const writable = client(one.clientPort, false, 30_000);
    await waitUntil(
      `${kind}: the survivor serves read-write`,
      async () => (await fourLetterWord("127.0.0.1", one.clientPort, "isro", 1000)).trim() === "rw",
      60_000,
    );
    await writable.connect();
    await writable.setData("/ro/a", "after");
    const msToWritable = Date.now() - backMs;
    // The read-only client found the read-write server by itself.
    await waitUntil(`${kind}: the read-only client reconnects read-write`, async () => !ro.readOnly, 60_000);
    expect((await ro.getData("/ro/a")).data?.toString()).toBe("after");

    return {
      kazoo,
      srvrMode: /^Mode: (.*)$/m.exec(srvr)?.[1],
      serverState: /^zk_server_state\s+(.*)$/m.exec(mntr)?.[1],
      tsClient,
      readWriteClientRefused,
      msToReadOnly,
      msToWritable,
    };
  } catch (err) {
    console.error(ens.output().slice(-6000));
    throw err;
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await ens.stop();
  }
}

describe.skipIf(skipWithoutZookeeper())("read-only mode against ZooKeeper 3.8", () => {
  const outcomes = new Map<string, Outcome>();

  afterAll(() => {
    const line = (k: string) => {
      const o = outcomes.get(k);
      return o === undefined
        ? `${k}: -`
        : `${k}: ${o.msToReadOnly} ms to read-only, ${o.msToWritable} ms to writable`;
    };
    console.log(
      `read-only mode (3 servers, two SIGKILLed, then restarted): ${line("zookeeper")}; ${line("paddock")}`,
    );
  });

  it("the survivor of a lost quorum serves read-only clients, then writes again", {
    timeout: 240_000,
  }, async () => {
    const zk = await scenario("zookeeper");
    outcomes.set("zookeeper", zk);
    const paddock = await scenario("paddock");
    outcomes.set("paddock", paddock);

    expect(paddock.srvrMode).toBe("read-only");
    expect(paddock.serverState).toBe("read-only");
    expect(paddock.readWriteClientRefused).toBe(true);
    expect(paddock.tsClient).toEqual({
      readOnly: true,
      data: "committed",
      write: "NotReadOnly",
      ephemeral: "NotReadOnly",
      sync: "NotReadOnly",
    });
    if (kazooMissing === undefined) {
      console.log(`kazoo read_only=True on ZooKeeper: ${JSON.stringify(zk.kazoo)}`);
      expect(zk.kazoo.length).toBeGreaterThan(10);
      expect(paddock.kazoo).toEqual(zk.kazoo);
    }
    expect(paddock.srvrMode).toBe(zk.srvrMode);
    expect(paddock.serverState).toBe(zk.serverState);
    expect(paddock.tsClient).toEqual(zk.tsClient);
    expect(paddock.readWriteClientRefused).toBe(zk.readWriteClientRefused);
  });
});
