// Three Apache ZooKeeper 3.8 servers of one ensemble where server 1 is cut off from the other
// two: each side's zoo.cfg names the other side at ports nobody listens on. Alone, with
// -Dreadonlymode.enabled=true and local sessions, server 1 serves read-only clients; servers 2
// and 3 form a quorum of their own when started and serve writes.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  fourLetterWord,
  freePort,
  makeTempDir,
  type StartedProcess,
  startProcess,
  stopProcess,
  waitForImok,
  writeZooCfg,
} from "../../../../test/support/process.js";
import { zookeeperJavaArgs } from "../../../bench/src/zookeeper-java.js";

export interface PartitionedZooKeepers {
  /** Client ports of servers 1, 2 and 3. */
  clientPorts: [number, number, number];
  /** Starts servers 2 and 3 and waits until they serve writes. */
  startMajority(): Promise<void>;
  stop(): Promise<void>;
}

interface Peer {
  id: number;
  clientPort: number;
  quorumPort: number;
  electionPort: number;
}

/** Starts server 1 and resolves once it answers `isro` with "ro". */
export async function startPartitionedZooKeepers(): Promise<PartitionedZooKeepers> {
  const dir = makeTempDir("paddock-zk-ro");
  const peer = async (id: number): Promise<Peer> => ({
    id,
    clientPort: await freePort(),
    quorumPort: await freePort(),
    electionPort: await freePort(),
  });
  const peers = [await peer(1), await peer(2), await peer(3)];
  // Where the other side believes a server is: ports with nothing behind them.
  const ghosts = [await peer(1), await peer(2), await peer(3)];
  const procs: StartedProcess[] = [];

  const start = (p: Peer, view: Peer[]): StartedProcess => {
    const serverDir = join(dir, `s${p.id}`);
    const dataDir = join(serverDir, "data");
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, "myid"), `${p.id}\n`);
    const cfg = writeZooCfg(serverDir, dataDir, p.clientPort, [
      "tickTime=500",
      "initLimit=10",
      "syncLimit=5",
      "forceSync=no",
      "preAllocSize=1024",
      // A read-only server only hands out local sessions (its request chain refuses to create
      // global ones, answering the handshake with a NotReadOnly reply header).
      "localSessionsEnabled=true",
      "localSessionsUpgradingEnabled=true",
      ...view.map((v) => `server.${v.id}=127.0.0.1:${v.quorumPort}:${v.electionPort}`),
    ]);
    const proc = startProcess(
      "java",
      zookeeperJavaArgs(cfg, {
        heapMb: 96,
        quickStart: true,
        systemProperties: { "readonlymode.enabled": "true" },
      }),
    );
    procs.push(proc);
    return proc;
  };
  const ready = async (proc: StartedProcess, port: number, answer: "ro" | "rw", what: string) => {
    const isro = async (host: string, at: number) =>
      (await fourLetterWord(host, at, "isro", 1000)).trim() === answer;
    if (!(await waitForImok(proc, "127.0.0.1", port, 40_000, isro))) {
      throw new Error(`${what} did not answer isro=${answer}:\n${proc.output().slice(-3000)}`);
    }
  };
  const stop = async () => {
    await Promise.all(procs.map((p) => stopProcess(p, 2000)));
    rmSync(dir, { recursive: true, force: true });
  };

  const [p1, p2, p3] = peers as [Peer, Peer, Peer];
  const [g1, g2, g3] = ghosts as [Peer, Peer, Peer];
  try {
    await ready(start(p1, [p1, g2, g3]), p1.clientPort, "ro", "server 1 (alone)");
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    clientPorts: [p1.clientPort, p2.clientPort, p3.clientPort],
    startMajority: async () => {
      const two = start(p2, [g1, p2, p3]);
      const three = start(p3, [g1, p2, p3]);
      await Promise.all([
        ready(two, p2.clientPort, "rw", "server 2"),
        ready(three, p3.clientPort, "rw", "server 3"),
      ]);
    },
    stop,
  };
}
