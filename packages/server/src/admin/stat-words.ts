// srvr, stat and cons: the server's numbers and its client connections, and crst/srst, which
// reset them.

import type { ConnectionInfo, ServerSummary } from "./four-letter-snapshots.js";
import { javaDouble, javaHex, javaSocketAddress, roundHalfUp4 } from "./java-format.js";

function serverLines(s: ServerSummary, clients: readonly ConnectionInfo[] | undefined): string {
  let out = `Zookeeper version: ${s.version}\n`;
  if (s.mode === "read-only") out += "READ-ONLY mode; serving only read-only clients\n";
  if (clients !== undefined) {
    out += "Clients:\n";
    for (const c of clients) out += `${formatConnection(c, true)}\n`;
    out += "\n";
  }
  out +=
    `Latency min/avg/max: ${s.minLatencyMs}/${javaDouble(roundHalfUp4(s.avgLatencyMs))}/${s.maxLatencyMs}\n` +
    `Received: ${s.packetsReceived}\n` +
    `Sent: ${s.packetsSent}\n` +
    `Connections: ${s.aliveConnections}\n` +
    `Outstanding: ${s.outstandingRequests}\n` +
    `Zxid: 0x${javaHex(s.lastZxid)}\n` +
    `Mode: ${s.mode}\n` +
    `Node count: ${s.nodeCount}\n`;
  if (s.proposalSizes !== undefined) {
    const p = s.proposalSizes;
    out += `Proposal sizes last/min/max: ${p.lastBytes}/${p.minBytes}/${p.maxBytes}\n`;
  }
  return out;
}

export function formatSrvr(s: ServerSummary): string {
  return serverLines(s, undefined);
}

export function formatStat(s: ServerSummary, connections: readonly ConnectionInfo[]): string {
  return serverLines(s, connections);
}

/** One connection line without the newline; `brief` is the stat form (no session fields). */
export function formatConnection(c: ConnectionInfo, brief: boolean): string {
  let out =
    ` ${javaSocketAddress(c.remoteAddress, c.remotePort)}[${c.interestOps.toString(16)}]` +
    `(queued=${c.queuedRequests},recved=${c.packetsReceived},sent=${c.packetsSent}`;
  const s = c.session;
  if (!brief && s !== undefined && s.sessionId !== 0n) {
    out +=
      `,sid=0x${javaHex(s.sessionId)},lop=${s.lastOp},est=${s.establishedAtMs},to=${s.timeoutMs}` +
      (s.lastCxid >= 0 ? `,lcxid=0x${javaHex(s.lastCxid)}` : "") +
      `,lzxid=0x${javaHex(s.lastZxid)},lresp=${s.lastResponseTimeMs},llat=${s.lastLatencyMs}` +
      `,minlat=${s.minLatencyMs},avglat=${Math.trunc(s.avgLatencyMs)},maxlat=${s.maxLatencyMs}`;
  }
  return `${out})`;
}

export function formatCons(connections: readonly ConnectionInfo[]): string {
  let out = "";
  for (const c of connections) out += `${formatConnection(c, false)}\n`;
  return `${out}\n`;
}

export function formatCrst(): string {
  return "Connection stats reset.\n";
}

export function formatSrst(): string {
  return "Server stats reset.\n";
}
