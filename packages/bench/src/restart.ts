// How soon a server killed with SIGKILL serves again once restarted on its data directory,
// measured the same way for Apache ZooKeeper 3.8 and Paddock: a standalone server takes a few
// writes and is killed; a new process on the same zoo.cfg is started at once, and a raw client
// sends a ConnectRequest every 5 ms until one is answered with a session. Reported per system:
// the time from the spawn to the first listening socket and to the first session, median and
// worst over the rounds; every create acknowledged before a kill must be there after it.
// `--busy N` runs N spinning processes meanwhile: a client that retries once a second (the Go
// client does) finds a restarted server or gives up depending on how its start copes with a
// machine whose CPUs are taken.
//
//   node --import tsx packages/bench/src/restart.ts [--targets zookeeper,paddock] [--rounds 10]
//        [--busy 4]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ZooKeeperClient } from "@paddock/client";
import { JuteWriter, writeConnectRequest } from "@paddock/jute";
import { type StartedProcess, startProcess } from "./processes.js";
import { freePort, PADDOCK_SERVER_PATH, type ServerKind, standaloneCfgLines } from "./servers.js";
import { zookeeperJavaArgs } from "./zookeeper-java.js";

const ATTEMPT_TIMEOUT_MS = 400;

/** A ConnectRequest for a new session (protocol 0, 30 s timeout, no password), length-prefixed. */
function connectRequest(): Buffer {
  const w = new JuteWriter(64);
  const at = w.startFrame();
  writeConnectRequest(w, {
    protocolVersion: 0,
    lastZxidSeen: 0,
    timeOutMs: 30_000,
    sessionId: 0n,
    passwd: Buffer.alloc(16),
    readOnly: undefined,
  });
  w.finishFrame(at);
  return w.toBuffer();
}

/** One attempt: whether the port took the connection, and whether a session came back. */
function attempt(port: number): Promise<{ listening: boolean; session: boolean }> {
  return new Promise((resolve) => {
    let listening = false;
    const socket = connect(port, "127.0.0.1");
    const done = (session: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ listening, session });
    };
    const timer = setTimeout(() => done(false), ATTEMPT_TIMEOUT_MS);
    socket.once("connect", () => {
      listening = true;
      socket.write(connectRequest());
    });
    // A ConnectResponse is 36 bytes after its length; a server that is not ready sends nothing.
    socket.on("data", (d) => d.length >= 20 && done(true));
    socket.once("error", () => done(false));
    socket.once("close", () => done(false));
  });
}

interface RoundResult {
  listenMs: number;
  sessionMs: number;
}

async function untilSession(port: number, startedMs: number): Promise<RoundResult> {
  let listenMs: number | undefined;
  for (;;) {
    const r = await attempt(port);
    if (r.listening && listenMs === undefined) listenMs = performance.now() - startedMs;
    if (r.session) return { listenMs: listenMs!, sessionMs: performance.now() - startedMs };
    if (performance.now() - startedMs > 60_000) throw new Error(`no session on port ${port} within 60 s`);
    await new Promise((res) => setTimeout(res, 5));
  }
}

function launch(kind: ServerKind, cfgPath: string): StartedProcess {
  // Each as its users start it: zkServer.sh's default heap for ZooKeeper, no node flags for Paddock.
  return kind === "zookeeper"
    ? startProcess("java", zookeeperJavaArgs(cfgPath, { heapMb: 1000 }))
    : startProcess(process.execPath, [PADDOCK_SERVER_PATH, "start-foreground", cfgPath]);
}

const CREATES_PER_ROUND = 10;

/** Counts the last round's creates that did not survive the kill, then makes this round's. */
async function checkAndWrite(port: number, round: number): Promise<number> {
  const client = new ZooKeeperClient({ connectString: `127.0.0.1:${port}`, sessionTimeoutMs: 30_000 });
  await client.connect();
  let lost = 0;
  try {
    for (let i = 0; round > 0 && i < CREATES_PER_ROUND; i++) {
      if ((await client.exists(`/restart-${round - 1}-${i}`)) === null) lost++;
    }
    for (let i = 0; i < CREATES_PER_ROUND; i++)
      await client.create(`/restart-${round}-${i}`, "x".repeat(100));
  } finally {
    await client.close();
  }
  return lost;
}

export interface RestartBenchResult {
  rounds: RoundResult[];
  /** Acknowledged creates missing after a restart: must be none. */
  lost: number;
}

export async function measureRestarts(kind: ServerKind, rounds: number): Promise<RestartBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), `bench-restart-${kind}-`));
  const port = await freePort();
  const cfgPath = join(dir, "zoo.cfg");
  writeFileSync(cfgPath, `${standaloneCfgLines(2000, join(dir, "data"), port).join("\n")}\n`);
  const results: RoundResult[] = [];
  let lost = 0;
  try {
    let server = launch(kind, cfgPath);
    await untilSession(port, performance.now());
    for (let round = 0; round < rounds; round++) {
      lost += await checkAndWrite(port, round);
      server.child.kill("SIGKILL");
      await server.exited;
      const startedMs = performance.now();
      server = launch(kind, cfgPath);
      results.push(await untilSession(port, startedMs));
    }
    lost += await checkAndWrite(port, rounds);
    server.child.kill("SIGKILL");
    await server.exited;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { rounds: results, lost };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      targets: { type: "string", default: "zookeeper,paddock" },
      rounds: { type: "string", default: "10" },
      busy: { type: "string", default: "0" },
    },
  });
  const rounds = Number(values.rounds);
  const busy = Number(values.busy);
  const spinners = Array.from({ length: busy }, () =>
    spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }),
  );
  try {
    console.log(`load average before: ${loadavg()[0]!.toFixed(2)}; spinning processes: ${busy}`);
    for (const kind of values.targets.split(",") as ServerKind[]) {
      const { rounds: r, lost } = await measureRestarts(kind, rounds);
      const listen = r.map((x) => x.listenMs);
      const session = r.map((x) => x.sessionMs);
      const fmt = (xs: number[]) =>
        `median ${median(xs).toFixed(0)} ms, worst ${Math.max(...xs).toFixed(0)} ms`;
      console.log(
        `${kind}: ${rounds} restarts; listening: ${fmt(listen)}; first session: ${fmt(session)}; ` +
          `acknowledged creates lost: ${lost}`,
      );
    }
  } finally {
    for (const s of spinners) s.kill("SIGKILL");
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
