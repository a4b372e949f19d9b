// What TLS on the client port costs, measured the same way for Apache ZooKeeper 3.8 (Netty, its
// secureClientPort) and Paddock: one standalone server of each with both a plaintext clientPort
// and a secureClientPort (the same PEM key and certificate, ssl.clientAuth=none); after a warm-up
// (the JVM's JIT), `set` and `get` over each port in turn, then the rate of new sessions (connect,
// handshake, ConnectRequest, close) over each. Reported: ops/s, p99, server CPU per op, and the
// TLS/plaintext ratios per system.
//
//   node --import tsx packages/bench/src/tls-cost.ts [--targets zookeeper,paddock]
//        [--duration-ms 8000] [--warmup-ms 20000] [--sessions 300]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectionOptions } from "node:tls";
import { parseArgs } from "node:util";
import type { HostPort, LoadOptions, Workload } from "./args.js";
import { BenchSession } from "./connection.js";
import { runLoad } from "./load.js";
import { DEFAULT_LAUNCH_OPTIONS, freePort, launchTarget, type ServerKind } from "./servers.js";

interface Measured {
  kind: ServerKind;
  workload: Workload | "new sessions";
  port: "plaintext" | "TLS";
  opsPerSec: number;
  p99Ms: number | undefined;
  cpuUsPerOp: number;
}

/** A self-signed certificate for 127.0.0.1; ZooKeeper's PEM key store wants key and certificate in one file. */
function makeCertificate(dir: string): { pem: string; cert: Buffer } {
  const key = join(dir, "server.key");
  const crt = join(dir, "server.crt");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      crt,
      "-days",
      "2",
      "-subj",
      "/CN=paddock-bench",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  const pem = join(dir, "server.pem");
  writeFileSync(pem, Buffer.concat([readFileSync(key), readFileSync(crt)]));
  return { pem, cert: readFileSync(crt) };
}

async function sessionRate(host: HostPort, count: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const s = await BenchSession.open({ ...host, sessionTimeoutMs: 10_000 });
    s.close();
  }
  return count / ((performance.now() - started) / 1000);
}

export async function measureTlsCost(
  kind: ServerKind,
  opts: { durationMs: number; warmupMs: number; sessions: number },
  log: (s: string) => void,
): Promise<Measured[]> {
  const dir = mkdtempSync(join(tmpdir(), "paddock-tls-bench-"));
  const { pem, cert } = makeCertificate(dir);
  const securePort = await freePort();
  const target = await launchTarget(
    kind,
    { kind: "standalone" },
    {
      ...DEFAULT_LAUNCH_OPTIONS,
      extraCfg: [
        `secureClientPort=${securePort}`,
        "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
        `ssl.keyStore.location=${pem}`,
        "ssl.keyStore.type=PEM",
        "ssl.clientAuth=none",
      ],
    },
  );
  const plain = target.connectString.split(",")[0]!;
  const tls: ConnectionOptions = { ca: cert, servername: undefined };
  const ports: Record<"plaintext" | "TLS", HostPort> = {
    plaintext: { host: "127.0.0.1", port: Number(plain.split(":")[1]) },
    TLS: { host: "127.0.0.1", port: securePort, tls },
  };
  const out: Measured[] = [];
  const load = (host: HostPort, workload: Workload, durationMs: number, warmupMs: number): LoadOptions => ({
    hosts: [host],
    clients: 32,
    outstanding: 8,
    workload,
    readRatio: 0.9,
    valueBytes: 1024,
    znodes: 1000,
    durationMs,
    warmupMs,
    seed: 1,
    root: undefined,
    cleanup: true,
    sessionTimeoutMs: 30_000,
  });
  try {
    log(`${kind}: warming up ${opts.warmupMs} ms over both ports`);
    for (const port of ["plaintext", "TLS"] as const) {
      await runLoad(load(ports[port], "mix", opts.warmupMs / 2, 0));
    }
    for (const workload of ["set", "get"] as const) {
      for (const port of ["plaintext", "TLS"] as const) {
        let cpuAtStart = 0;
        let cpuSeconds = 0;
        const r = await runLoad(load(ports[port], workload, opts.durationMs, 1000), {
          onMeasureStart: () => {
            cpuAtStart = target.cpuSeconds();
          },
          onMeasureEnd: () => {
            cpuSeconds = target.cpuSeconds() - cpuAtStart;
          },
        });
        const m: Measured = {
          kind,
          workload,
          port,
          opsPerSec: r.opsPerSec,
          p99Ms: r.latency.p99Ms,
          cpuUsPerOp: r.ops > 0 ? (cpuSeconds * 1e6) / r.ops : 0,
        };
        log(`${kind} ${workload} ${port}: ${JSON.stringify(m)}`);
        out.push(m);
      }
    }
    for (const port of ["plaintext", "TLS"] as const) {
      const cpuAtStart = target.cpuSeconds();
      const rate = await sessionRate(ports[port], opts.sessions);
      const cpu = target.cpuSeconds() - cpuAtStart;
      const m: Measured = {
        kind,
        workload: "new sessions",
        port,
        opsPerSec: rate,
        p99Ms: undefined,
        cpuUsPerOp: (cpu * 1e6) / opts.sessions,
      };
      log(`${kind} sessions ${port}: ${JSON.stringify(m)}`);
      out.push(m);
    }
    return out;
  } finally {
    await target.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      targets: { type: "string", default: "zookeeper,paddock" },
      "duration-ms": { type: "string", default: "8000" },
      "warmup-ms": { type: "string", default: "20000" },
      sessions: { type: "string", default: "300" },
    },
  });
  const all: Measured[] = [];
  for (const kind of values.targets.split(",") as ServerKind[]) {
    all.push(
      ...(await measureTlsCost(
        kind,
        {
          durationMs: Number(values["duration-ms"]),
          warmupMs: Number(values["warmup-ms"]),
          sessions: Number(values.sessions),
        },
        (s) => console.error(s),
      )),
    );
  }
  console.log(
    "| server | workload | plaintext ops/s | TLS ops/s | TLS / plaintext | p99 plaintext / TLS ms | CPU µs/op plaintext / TLS |",
  );
  console.log("|---|---|---:|---:|---:|---:|---:|");
  for (const kind of new Set(all.map((m) => m.kind))) {
    for (const workload of ["set", "get", "new sessions"] as const) {
      const p = all.find((m) => m.kind === kind && m.workload === workload && m.port === "plaintext");
      const t = all.find((m) => m.kind === kind && m.workload === workload && m.port === "TLS");
      if (p === undefined || t === undefined) continue;
      const p99 = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(1));
      console.log(
        `| ${kind} | ${workload} | ${p.opsPerSec.toFixed(0)} | ${t.opsPerSec.toFixed(0)} | ${(t.opsPerSec / p.opsPerSec).toFixed(2)}x | ${p99(p.p99Ms)} / ${p99(t.p99Ms)} | ${p.cpuUsPerOp.toFixed(0)} / ${t.cpuUsPerOp.toFixed(0)} |`,
      );
    }
  }
  process.exit(0);
}
