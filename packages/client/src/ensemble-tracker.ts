// Following the ensemble's membership, as Curator's EnsembleTracker does: watch /zookeeper/config
// and, whenever a reconfig changes it, give the client the new members' client addresses as its
// server list, so it can still reach the ensemble after the servers it was given are gone.

import type { HostPort } from "./connect-string.js";
import type { WatchedEvent } from "./watches.js";

/**
 * The client addresses of the members of a /zookeeper/config text (`server.N=...;[host:]port`):
 * a wildcard client host means the member's own host, as Curator reads it. Members without a
 * client part are left out.
 */
export function clientHostsOfConfig(text: string): HostPort[] {
  const hosts: HostPort[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const m = /^server\.\d+\s*=\s*([^;]+);(.+)$/.exec(line);
    if (m === null) continue;
    const serverHost = hostOf(m[1]!.trim());
    const client = m[2]!.trim();
    const colon = client.lastIndexOf(":");
    const port = Number(colon < 0 ? client : client.slice(colon + 1));
    if (!Number.isInteger(port) || port < 1 || port > 65535) continue;
    let host = colon < 0 ? "0.0.0.0" : client.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
    if (host === "0.0.0.0" || host === "::" || host === "") host = serverHost;
    hosts.push({ host, port });
  }
  return hosts;
}

function hostOf(serverPart: string): string {
  if (serverPart.startsWith("[")) return serverPart.slice(1, serverPart.indexOf("]"));
  return serverPart.split(":")[0]!;
}

export function formatConnectString(hosts: readonly HostPort[]): string {
  return hosts.map((h) => `${h.host.includes(":") ? `[${h.host}]` : h.host}:${h.port}`).join(",");
}

/** What the tracker needs of the client. */
export interface TrackedClient {
  getConfig(watcher?: (event: WatchedEvent) => void): Promise<{ data: Buffer | null }>;
  updateServerList(connectString: string): void;
  readonly hosts: readonly HostPort[];
}

export class EnsembleTracker {
  private lastText: string | undefined;
  private reading = false;
  private readonly watcher = () => this.refresh();

  constructor(private readonly client: TrackedClient) {}

  /** Reads /zookeeper/config (again) and sets a watch on it; failures wait for the next connect. */
  refresh(): void {
    if (this.reading) return;
    this.reading = true;
    this.client
      .getConfig(this.watcher)
      .then(({ data }) => this.apply(data?.toString("utf8") ?? ""))
      .catch(() => {})
      .finally(() => {
        this.reading = false;
      });
  }

  private apply(text: string): void {
    if (text === this.lastText) return;
    this.lastText = text;
    const hosts = clientHostsOfConfig(text);
    // Standalone servers and configs without client parts say nothing about where clients go.
    if (hosts.length === 0) return;
    const next = formatConnectString(hosts);
    if (next === formatConnectString(this.client.hosts)) return;
    this.client.updateServerList(next);
  }
}
