export interface CliArgs {
  server: string;
  timeoutMs: number;
  readOnly: boolean;
  /** zkCli's -client-configuration properties file (TLS settings), if given. */
  clientConfiguration?: string;
  /** The one-shot command and its arguments; empty for interactive mode. */
  command: string[];
}

/** Asked for help or the version instead of a session. */
export type CliInfoRequest = { info: "help" | "version" };

/**
 * zkCli's command line: `-server host:port`, `-timeout ms`, `-r` (accept read-only servers);
 * `-waitforconnection` and `-client-configuration file` are accepted and ignored. The first
 * other word starts the command. `--help`/`-h` and `--version` before it need no server.
 */
export function parseArgs(argv: readonly string[]): CliArgs | CliInfoRequest | { error: string } {
  const out: CliArgs = { server: "localhost:2181", timeoutMs: 30_000, readOnly: false, command: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`Error: no argument found for option ${a}`);
      return v;
    };
    try {
      if (a === "--help" || a === "-h" || a === "-help") return { info: "help" };
      if (a === "--version") return { info: "version" };
      if (a === "-server") out.server = value();
      else if (a === "-timeout") {
        const v = value();
        out.timeoutMs = Number(v);
        if (!Number.isInteger(out.timeoutMs) || out.timeoutMs <= 0) return { error: `bad -timeout ${v}` };
      } else if (a === "-r") out.readOnly = true;
      else if (a === "-waitforconnection") continue;
      else if (a === "-client-configuration") out.clientConfiguration = value();
      else {
        out.command = argv.slice(i) as string[];
        break;
      }
    } catch (e) {
      return { error: (e as Error).message };
    }
  }
  return out;
}
