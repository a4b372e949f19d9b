// A client's address as Java's InetAddress.getHostAddress writes it, which is how ZooKeeper
// names the client in its `ip` identity (whoAmI, the audit log's users and ip) and in the
// four-letter words: an IPv4-mapped IPv6 address as IPv4 (Java converts them), other IPv6
// addresses uncompressed, each group in lower-case hex without leading zeros
// (`0:0:0:0:0:0:0:1`, not Node's `::1`), with any zone kept.

export function javaHostAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1]!;
  return address.includes(":") ? expandIpv6(address) : address;
}

function expandIpv6(ip: string): string {
  const zoneAt = ip.indexOf("%");
  const zone = zoneAt >= 0 ? ip.slice(zoneAt) : "";
  let addr = zoneAt >= 0 ? ip.slice(0, zoneAt) : ip;
  // A trailing dotted quad stands for the last two groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(addr);
  if (quad !== null) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    addr = `${addr.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = addr.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(missing).fill("0"), ...tailGroups];
  return groups.map((g) => Number.parseInt(g, 16).toString(16)).join(":") + zone;
}
