// Shape normalisation for four-letter-word answers: differential tests compare keys, line
// structure and value kinds, never the values (counters, ports, paths and dates differ).

/**
 * Replaces values by placeholders: `0xH` hex, `IP:PORT` socket addresses, `DATE` Java dates,
 * `F` decimals, `N` integers.
 */
export function lineShape(line: string): string {
  return (
    line
      .replace(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} \d{1,2} \d{2}:\d{2}:\d{2} \w+ \d{4}\b/g, "DATE")
      .replace(/\/\d{1,3}(\.\d{1,3}){3}:\d+/g, "/IP:PORT")
      .replace(/0x[0-9a-fA-F]+/g, "0xH")
      // Only free-standing numbers: "/4lw" or "0xH" are not values.
      .replace(/(?<![\w.-])-?\d+\.\d+(?![\w.])/g, "F")
      .replace(/(?<![\w.-])-?\d+(?![\w.])/g, "N")
  );
}

export interface TextShape {
  lines: string[];
  trailingNewline: boolean;
}

export function textShape(text: string): TextShape {
  const trailingNewline = text.endsWith("\n");
  const body = trailingNewline ? text.slice(0, -1) : text;
  return { lines: body.split("\n").map(lineShape), trailingNewline };
}

/** Keys of `key<sep>value` lines, in order; lines without the separator are kept verbatim. */
export function keysOf(text: string, sep: string): string[] {
  return text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => (l.includes(sep) ? l.slice(0, l.indexOf(sep)) : `<${l}>`));
}

/** `mntr` as key → value kind ("int", "float" or "text"). */
export function mntrKinds(text: string): Map<string, string> {
  const kinds = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.length === 0) continue;
    const tab = line.indexOf("\t");
    const key = tab < 0 ? line : line.slice(0, tab);
    const value = tab < 0 ? "" : line.slice(tab + 1);
    kinds.set(key, /^-?\d+$/.test(value) ? "int" : /^-?\d+\.\d+(E-?\d+)?$/.test(value) ? "float" : "text");
  }
  return kinds;
}

/** The mntr keys monitoring tools read (four-letter-words.md, mntr table; standalone subset). */
export const MNTR_REQUIRED_KEYS: ReadonlyArray<string> = [
  "zk_version",
  "zk_server_state",
  "zk_avg_latency",
  "zk_max_latency",
  "zk_min_latency",
  "zk_packets_received",
  "zk_packets_sent",
  "zk_num_alive_connections",
  "zk_outstanding_requests",
  "zk_znode_count",
  "zk_watch_count",
  "zk_ephemerals_count",
  "zk_approximate_data_size",
  "zk_open_file_descriptor_count",
  "zk_max_file_descriptor_count",
  "zk_uptime",
  "zk_global_sessions",
  // Not zk_local_sessions or zk_connection_drop_probability: Paddock has neither local sessions
  // nor connection dropping, and leaves unmeasured keys out (docs/admin.md, honest metrics).
  "zk_last_client_response_size",
  "zk_min_client_response_size",
  "zk_max_client_response_size",
];
