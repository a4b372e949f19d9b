import { parseArgs } from "node:util";

export type Workload = "set" | "create" | "get" | "mix";
export const WORKLOADS: readonly Workload[] = ["set", "create", "get", "mix"];

export interface HostPort {
  host: string;
  port: number;
  /** Connect with TLS (a secureClientPort), with these options. */
  tls?: import("node:tls").ConnectionOptions;
}

export interface LoadOptions {
  hosts: HostPort[];
  /** Sessions, each on its own TCP connection; client i connects to hosts[i % hosts.length]. */
  clients: number;
  /** Requests each client keeps in flight. */
  outstanding: number;
  workload: Workload;
  /** Share of getData in the mix workload; the rest are setData. */
  readRatio: number;
  valueBytes: number;
  /** Keys under the bench root that set/get/mix pick from uniformly. */
  znodes: number;
  durationMs: number;
  warmupMs: number;
  seed: number;
  /** Parent of everything the run creates; by default a fresh name per run. */
  root: string | undefined;
  /** Delete what the run created when it ends. */
  cleanup: boolean;
  sessionTimeoutMs: number;
}

export interface CliOptions extends LoadOptions {
  json: boolean;
  help: boolean;
}

export class UsageError extends Error {
  override name = "UsageError";
}

export const DEFAULT_LOAD_OPTIONS: Omit<LoadOptions, "hosts"> = {
  clients: 16,
  outstanding: 1,
  workload: "mix",
  readRatio: 0.9,
  valueBytes: 1024,
  znodes: 1000,
  durationMs: 10_000,
  warmupMs: 2_000,
  seed: 1,
  root: undefined,
  cleanup: true,
  sessionTimeoutMs: 30_000,
};

/** A request frame must stay under jute.maxbuffer (1 MiB − 1 by default) with room for the path. */
const MAX_VALUE_BYTES = 1024 * 1024 - 4096;

export const USAGE = `usage: paddock-bench --connect host:port[,host:port...] [options]

  --connect LIST         servers, comma separated (port defaults to 2181)
  --clients N            sessions, each its own TCP connection, spread over the hosts (default ${DEFAULT_LOAD_OPTIONS.clients})
  --outstanding K        pipelined requests per client (default ${DEFAULT_LOAD_OPTIONS.outstanding}: latency; raise for throughput)
  --workload W           set | create | get | mix (default ${DEFAULT_LOAD_OPTIONS.workload})
  --read-ratio R         share of gets in mix, 0..1 (default ${DEFAULT_LOAD_OPTIONS.readRatio})
  --value-bytes B        znode value size (default ${DEFAULT_LOAD_OPTIONS.valueBytes})
  --znodes M             keys under the bench root for set/get/mix (default ${DEFAULT_LOAD_OPTIONS.znodes})
  --duration-ms D        measured time (default ${DEFAULT_LOAD_OPTIONS.durationMs})
  --warmup-ms W          unmeasured load before it (default ${DEFAULT_LOAD_OPTIONS.warmupMs})
  --seed S               seed for key choice (default ${DEFAULT_LOAD_OPTIONS.seed})
  --root PATH            bench root znode (default /paddock-bench-<pid>-<time>; must not exist)
  --no-cleanup           leave the bench root and its znodes behind
  --session-timeout-ms T requested session timeout (default ${DEFAULT_LOAD_OPTIONS.sessionTimeoutMs})
  --json                 print the result as JSON instead of a table
  -h, --help             this text
`;

export function parseHostList(list: string): HostPort[] {
  const hosts: HostPort[] = [];
  for (const raw of list.split(",")) {
    const part = raw.trim();
    if (part === "") continue;
    let host: string;
    let portText: string | undefined;
    // [v6]:port, or host:port, or a bare host.
    const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(part);
    if (bracketed) {
      host = bracketed[1]!;
      portText = bracketed[2];
    } else {
      const colon = part.lastIndexOf(":");
      if (colon >= 0 && part.indexOf(":") !== colon)
        throw new UsageError(`put IPv6 hosts in brackets: ${part}`);
      host = colon >= 0 ? part.slice(0, colon) : part;
      portText = colon >= 0 ? part.slice(colon + 1) : undefined;
    }
    if (host === "") throw new UsageError(`missing host in ${part}`);
    const port = portText === undefined ? 2181 : Number(portText);
    if (!/^\d+$/.test(portText ?? "2181") || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new UsageError(`bad port in ${part}`);
    }
    hosts.push({ host, port });
  }
  if (hosts.length === 0) throw new UsageError("--connect needs at least one host:port");
  return hosts;
}

function integer(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`--${name} must be an integer, got ${text}`);
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new UsageError(`--${name} must be between ${min} and ${max}, got ${text}`);
  }
  return v;
}

export function parseCliArgs(argv: readonly string[]): CliOptions {
  let parsed: ReturnType<typeof parseWithNode>;
  try {
    parsed = parseWithNode(argv);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  const d = DEFAULT_LOAD_OPTIONS;
  if (v.help) return { ...d, hosts: [], json: false, help: true };
  if (v.connect === undefined) throw new UsageError("--connect is required");

  const workload = (v.workload ?? d.workload) as Workload;
  if (!WORKLOADS.includes(workload)) {
    throw new UsageError(`--workload must be one of ${WORKLOADS.join(", ")}, got ${v.workload}`);
  }
  let readRatio = d.readRatio;
  if (v["read-ratio"] !== undefined) {
    readRatio = Number(v["read-ratio"]);
    if (v["read-ratio"].trim() === "" || !Number.isFinite(readRatio) || readRatio < 0 || readRatio > 1) {
      throw new UsageError(`--read-ratio must be a number in 0..1, got ${v["read-ratio"]}`);
    }
  }
  const root = v.root;
  if (root !== undefined && (!root.startsWith("/") || root.endsWith("/") || root.includes("//"))) {
    throw new UsageError(`--root must be an absolute znode path other than /, got ${root}`);
  }
  return {
    hosts: parseHostList(v.connect),
    clients: integer("clients", v.clients, d.clients, 1, 10_000),
    outstanding: integer("outstanding", v.outstanding, d.outstanding, 1, 100_000),
    workload,
    readRatio,
    valueBytes: integer("value-bytes", v["value-bytes"], d.valueBytes, 0, MAX_VALUE_BYTES),
    znodes: integer("znodes", v.znodes, d.znodes, 1, 10_000_000),
    durationMs: integer("duration-ms", v["duration-ms"], d.durationMs, 1, 86_400_000),
    warmupMs: integer("warmup-ms", v["warmup-ms"], d.warmupMs, 0, 86_400_000),
    seed: integer("seed", v.seed, d.seed, -0x8000_0000, 0xffff_ffff),
    root,
    cleanup: !v["no-cleanup"],
    sessionTimeoutMs: integer(
      "session-timeout-ms",
      v["session-timeout-ms"],
      d.sessionTimeoutMs,
      1,
      2 ** 31 - 1,
    ),
    json: v.json ?? false,
    help: false,
  };
}

function parseWithNode(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      connect: { type: "string" },
      clients: { type: "string" },
      outstanding: { type: "string" },
      workload: { type: "string" },
      "read-ratio": { type: "string" },
      "value-bytes": { type: "string" },
      znodes: { type: "string" },
      "duration-ms": { type: "string" },
      "warmup-ms": { type: "string" },
      seed: { type: "string" },
      root: { type: "string" },
      "no-cleanup": { type: "boolean" },
      "session-timeout-ms": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}
