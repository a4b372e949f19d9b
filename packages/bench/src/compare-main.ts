// Entry point of scripts/bench.mjs (run through tsx).
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { COMPARE_USAGE, formatComparison, parseCompareArgs, runComparison } from "./compare.js";

// process.exit runs the launchers' exit hook, which kills the server processes; Node's default
// signal handling would leave them running.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

async function main(): Promise<number> {
  let opts: ReturnType<typeof parseCompareArgs>;
  try {
    opts = parseCompareArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n\n${COMPARE_USAGE}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(COMPARE_USAGE);
    return 0;
  }
  const startedAt = new Date();
  const loadAvg1mStart = loadavg()[0] ?? 0;
  const runs = await runComparison(opts, (m) => process.stderr.write(`${m}\n`));
  const env = { startedAt, loadAvg1mStart, loadAvg1mEnd: loadavg()[0] ?? 0 };
  process.stdout.write(`${formatComparison(runs, opts, env)}\n`);
  if (opts.jsonPath) {
    writeFileSync(opts.jsonPath, `${JSON.stringify({ ...env, options: opts, runs }, null, 2)}\n`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
