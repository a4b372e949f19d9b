// dump: sessions by expiry time, ephemeral nodes by session, and (with ZooKeeper's NIO factory)
// connections by expiry time.

import type { DumpSnapshot } from "./four-letter-snapshots.js";
import { javaDate, javaHex, javaSocketAddress } from "./java-format.js";

export function formatDump(d: DumpSnapshot): string {
  const sessionCount = d.sessionBuckets.reduce((n, b) => n + b.sessionIds.length, 0);
  let out = `SessionTracker dump:\nSession Sets (${d.sessionBuckets.length})/(${sessionCount}):\n`;
  for (const b of d.sessionBuckets) {
    out += `${b.sessionIds.length} expire at ${javaDate(b.expiryMs)}:\n`;
    for (const id of b.sessionIds) out += `\t0x${javaHex(id)}\n`;
  }
  out += `ephemeral nodes dump:\nSessions with Ephemerals (${d.ephemerals.length}):\n`;
  for (const e of d.ephemerals) {
    out += `0x${javaHex(e.sessionId)}:\n`;
    for (const path of e.paths) out += `\t${path}\n`;
  }
  if (d.connectionBuckets !== undefined) {
    const connCount = d.connectionBuckets.reduce((n, b) => n + b.connections.length, 0);
    out += `Connections dump:\nConnections Sets (${d.connectionBuckets.length})/(${connCount}):\n`;
    for (const b of d.connectionBuckets) {
      out += `${b.connections.length} expire at ${javaDate(b.expiryMs)}:\n`;
      for (const c of b.connections) {
        out += `\tip: ${javaSocketAddress(c.remoteAddress, c.remotePort)} sessionId: 0x${javaHex(c.sessionId)}\n`;
      }
    }
  }
  return out;
}
