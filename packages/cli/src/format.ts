import type { ACL, Stat, WatchedEvent } from "@paddock/client";
import { EventType, KeeperState, permsToString } from "@paddock/client";

/** Java's Long.toHexString: lowercase, no padding, negatives as 64-bit two's complement. */
export function longHex(v: number | bigint): string {
  return BigInt.asUintN(64, BigInt(v)).toString(16);
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** java.util.Date#toString in the local zone: "Sat Nov 21 08:50:54 UTC 2026". */
export function javaDateString(ms: number, timeZone?: string): string {
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    weekday: "short",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
    hourCycle: "h23",
    timeZoneName: "short",
  });
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(new Date(ms))) parts[p.type] = p.value;
  const pad = (s: string | undefined) => (s ?? "0").padStart(2, "0");
  const weekday = parts.weekday ?? DAYS[new Date(ms).getUTCDay()] ?? "";
  const month = MONTHS[Number(parts.month) - 1] ?? "";
  return `${weekday} ${month} ${pad(parts.day)} ${pad(parts.hour)}:${pad(parts.minute)}:${pad(parts.second)} ${parts.timeZoneName ?? "UTC"} ${parts.year}`;
}

/** zkCli's StatPrinter output, one "name = value" line per field. */
export function formatStat(stat: Stat, timeZone?: string): string {
  return [
    `cZxid = 0x${longHex(stat.czxid)}`,
    `ctime = ${javaDateString(stat.ctime, timeZone)}`,
    `mZxid = 0x${longHex(stat.mzxid)}`,
    `mtime = ${javaDateString(stat.mtime, timeZone)}`,
    `pZxid = 0x${longHex(stat.pzxid)}`,
    `cversion = ${stat.cversion}`,
    `dataVersion = ${stat.version}`,
    `aclVersion = ${stat.aversion}`,
    `ephemeralOwner = 0x${longHex(stat.ephemeralOwner)}`,
    `dataLength = ${stat.dataLength}`,
    `numChildren = ${stat.numChildren}`,
    "",
  ].join("\n");
}

/** getAcl output: "'world,'anyone\n: cdrwa" per entry. */
export function formatAcl(acl: readonly ACL[]): string {
  return acl.map((a) => `'${a.id.scheme},'${a.id.id}\n: ${permsToString(a.perms)}\n`).join("");
}

/** Java's List#toString. */
export function javaList(items: readonly string[]): string {
  return `[${items.join(", ")}]`;
}

/** zkCli's watcher output block for one event. */
export function formatWatchedEvent(e: WatchedEvent): string {
  const state = KeeperState[e.state] ?? String(e.state);
  const type = EventType[e.type] ?? String(e.type);
  return `\nWATCHER::\n\nWatchedEvent state:${state} type:${type} path:${e.path ?? "null"}\n`;
}
