// paddock-chaos: drives an ensemble through faults under a recorded workload and checks the history.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { recheckHistoryFile } from "./recheck.js";
import { formatReport } from "./report.js";
import { runChaos } from "./runner.js";
import { ContainerTarget, dockerUnavailable } from "./targets/containers.js";
import { ProcessTarget } from "./targets/processes.js";
import { FAULTS, type FaultName, type Target } from "./targets/target.js";

const USAGE = `usage: paddock-chaos [--target containers|processes] [--nodes 3|5]
                     [--fault ${FAULTS.join("|")}]
                     [--duration-ms 20000] [--seed N] [--clients 4] [--read-only-clients 0]
                     [--fault-ms 2500] [--quiet-ms 1500]
                     [--history FILE.jsonl] [--compose-file FILE] [--server PATH]
       paddock-chaos --check FILE.jsonl      (re-check a saved history)

  --fault reconfig (processes only) runs the first 3 nodes as the ensemble, with reconfigEnabled,
  and the others (--nodes 5: two) outside it; each step adds, removes or switches the role of a
  member, half the time with a node killed meanwhile.
`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: "string", default: "containers" },
      nodes: { type: "string", default: "3" },
      fault: { type: "string", default: "kill-leader" },
      "duration-ms": { type: "string", default: "20000" },
      seed: { type: "string" },
      clients: { type: "string", default: "4" },
      "read-only-clients": { type: "string", default: "0" },
      "fault-ms": { type: "string", default: "2500" },
      "quiet-ms": { type: "string", default: "1500" },
      history: { type: "string" },
      "compose-file": { type: "string" },
      server: { type: "string" },
      check: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.check !== undefined) {
    const report = recheckHistoryFile(values.check);
    process.stdout.write(`${formatReport(report)}\n`);
    return report.checks.every((c) => c.passed) ? 0 : 1;
  }
  const nodes = Number(values.nodes);
  const fault = values.fault as FaultName;
  if (!FAULTS.includes(fault) || !Number.isInteger(nodes) || nodes < 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed);
  const log = (line: string) => process.stderr.write(`[chaos] ${line}\n`);
  let target: Target;
  if (values.target === "processes") {
    if (fault === "reconfig" && nodes < 4) {
      process.stderr.write(
        "paddock-chaos: --fault reconfig needs --nodes 4 or more (3 members and spares)\n",
      );
      return 2;
    }
    target = new ProcessTarget(nodes, values.server, undefined, fault === "reconfig" ? nodes - 3 : 0);
  } else if (values.target === "containers") {
    const why = await dockerUnavailable();
    if (why !== undefined) {
      process.stderr.write(`paddock-chaos: ${why}\n`);
      return 2;
    }
    target = new ContainerTarget(nodes, undefined, values["compose-file"]);
  } else {
    process.stderr.write(USAGE);
    return 2;
  }
  if (!target.supports(fault)) {
    process.stdout.write(`fault ${fault} is unsupported for the ${target.name} target\n0 passed, 0 failed\n`);
    return 2;
  }
  const historyFile = values.history ?? join(tmpdir(), `paddock-chaos-${fault}-${seed}.jsonl`);
  const stopOnSignal = () => {
    void target.destroy().finally(() => process.exit(130));
  };
  process.once("SIGINT", stopOnSignal);
  try {
    log(`starting ${nodes} ${target.name}`);
    await target.start();
    const report = await runChaos(target, {
      fault,
      seed,
      durationMs: Number(values["duration-ms"]),
      clients: Number(values.clients),
      readOnlyClients: Number(values["read-only-clients"]),
      faultMs: Number(values["fault-ms"]),
      quietMs: Number(values["quiet-ms"]),
      historyFile,
      log,
    });
    process.stdout.write(`${formatReport(report)}\n`);
    return report.checks.every((c) => c.passed) ? 0 : 1;
  } finally {
    await target.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Client sockets and timers of abandoned requests should not keep the command alive.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (e: unknown) => {
    process.stderr.write(`paddock-chaos: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 200).unref();
  },
);
