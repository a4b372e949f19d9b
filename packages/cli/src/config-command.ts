// zkCli's `config [-c] [-w] [-s]`: the ensemble's dynamic configuration, /zookeeper/config.

import {
  parseConnectString,
  type Stat,
  type Watcher,
  type ZooKeeperClient,
  ZooKeeperError,
} from "@paddock/client";
import { JuteReader, OpCode, readStat } from "@paddock/jute";
import type { CliOutput } from "./output.js";

const CONFIG_NODE = "/zookeeper/config";

export interface ConfigOptions {
  /** -c: only the version and the client connect string. */
  compact: boolean;
  watcher: Watcher | undefined;
  printStat: ((stat: Stat) => void) | undefined;
}

/**
 * ConfigUtils.getClientConfigStr: "<version> <clientHost:port>,..." from the server lines'
 * client parts (`;port` means every interface, 0.0.0.0). Properties are taken in key order.
 */
export function clientConfigString(configText: string): string {
  const props = new Map<string, string>();
  for (const raw of configText.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    props.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const clients: string[] = [];
  for (const key of [...props.keys()].sort()) {
    if (!key.startsWith("server.")) continue;
    const client = props.get(key)!.split(";")[1];
    if (client === undefined) clients.push("");
    else if (/^\d+$/.test(client)) clients.push(`0.0.0.0:${client}`);
    else clients.push(client.replace(/^\[(.*)\]:/, "$1:"));
  }
  return `${props.get("version") ?? ""} ${clients.join(",")}`;
}

/** ZooKeeper#getConfig reads the node outside any chroot; so does this. */
async function readConfig(zk: ZooKeeperClient, server: string, watcher: Watcher | undefined) {
  if (parseConnectString(server).chroot === "") return zk.getData(CONFIG_NODE, watcher);
  const reply = await zk.sendRaw({ type: OpCode.getData, path: CONFIG_NODE, watch: false });
  if (reply.err !== 0) throw new ZooKeeperError(reply.err, CONFIG_NODE);
  const r = new JuteReader(reply.body);
  return { data: r.readBuffer(), stat: readStat(r) };
}

export async function configCommand(
  zk: ZooKeeperClient,
  out: CliOutput,
  server: string,
  opts: ConfigOptions,
): Promise<number> {
  const { data, stat } = await readConfig(zk, server, opts.watcher);
  const text = data === null ? "null" : data.toString("utf8");
  out.out(`${opts.compact ? clientConfigString(text) : text}\n`);
  opts.printStat?.(stat);
  return 0;
}
