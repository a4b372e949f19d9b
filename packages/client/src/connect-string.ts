import { validatePath } from "./paths.js";

export interface HostPort {
  host: string;
  port: number;
}

export interface ParsedConnectString {
  hosts: HostPort[];
  /** "" when there is no chroot; never ends with "/". */
  chroot: string;
}

export const DEFAULT_PORT = 2181;

/** Parses "h1:p1,h2:p2/chroot"; IPv6 hosts are written in brackets: "[::1]:2181". */
export function parseConnectString(connectString: string): ParsedConnectString {
  let hostPart = connectString.trim();
  let chroot = "";
  const slash = hostPart.indexOf("/");
  if (slash >= 0) {
    chroot = hostPart.slice(slash);
    hostPart = hostPart.slice(0, slash);
    if (chroot === "/") chroot = "";
    else validatePath(chroot);
  }
  const hosts: HostPort[] = [];
  for (const raw of hostPart.split(",")) {
    const item = raw.trim();
    if (item === "") continue;
    let host: string;
    let portText: string | undefined;
    if (item.startsWith("[")) {
      const close = item.indexOf("]");
      if (close < 0) throw new Error(`bad host in connect string: ${item}`);
      host = item.slice(1, close);
      const rest = item.slice(close + 1);
      portText = rest.startsWith(":") ? rest.slice(1) : undefined;
    } else {
      const colon = item.lastIndexOf(":");
      host = colon >= 0 ? item.slice(0, colon) : item;
      portText = colon >= 0 ? item.slice(colon + 1) : undefined;
    }
    const port = portText === undefined || portText === "" ? DEFAULT_PORT : Number(portText);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new Error(`bad port in connect string: ${item}`);
    }
    hosts.push({ host, port });
  }
  if (hosts.length === 0) throw new Error(`no hosts in connect string "${connectString}"`);
  return { hosts, chroot };
}
