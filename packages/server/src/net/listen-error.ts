// One line for a listener that could not bind, instead of a stack trace: which port, on which
// address, and the likely reason. Meant for the listens of the client, peer and election ports.

const REASONS: Record<string, string> = {
  EADDRINUSE: "it is already in use, probably by another server (ZooKeeper or Paddock)",
  EACCES: "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
  EADDRNOTAVAIL: "the address does not belong to this machine",
};

/** A failed listen() that describeListenError can explain. */
export function isListenError(err: unknown): err is NodeJS.ErrnoException {
  const e = err as NodeJS.ErrnoException | null;
  return typeof e?.code === "string" && e.code in REASONS && e.syscall === "listen";
}

/**
 * "cannot listen on 0.0.0.0 port 2181 (client port): it is already in use, probably by another
 * server (ZooKeeper or Paddock)". `host` and `port` are what was asked for; the address and port
 * the error carries win when present (Node sets them on EADDRINUSE).
 */
export function describeListenError(
  err: unknown,
  what: string,
  host: string | undefined,
  port: number,
): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const address = e.address ?? host ?? "0.0.0.0";
  const actualPort = e.port ?? port;
  const reason = (e.code !== undefined ? REASONS[e.code] : undefined) ?? e.message;
  return `cannot listen on ${address} port ${actualPort} (${what}): ${reason}`;
}
