// paddock-bench: load generator for any server speaking the ZooKeeper client protocol.
import { parseCliArgs, USAGE, UsageError } from "./args.js";
import { runLoad } from "./load.js";
import { formatResult } from "./report.js";

async function main(argv: string[]): Promise<number> {
  let opts: ReturnType<typeof parseCliArgs>;
  try {
    opts = parseCliArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`paddock-bench: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const log = opts.json ? undefined : (m: string) => process.stderr.write(`${m}\n`);
  const result = await runLoad(opts, log ? { log } : {});
  process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatResult(result)}\n`);
  return result.errorCount > 0 || result.cleanupError ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`paddock-bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
