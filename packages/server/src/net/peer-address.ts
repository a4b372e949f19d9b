// Where a member listens for peer links, as its server line gives it, and how we bind and dial it.

export interface PeerAddress {
  host: string;
  peerPort: number;
  electionPort: number;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|0:0:0:0:0:0:0:1)$/i;

/**
 * The address to listen on for a server line naming `host`: a loopback name is bound as given
 * (several local servers share a machine on different ports); any other name means "reachable
 * from elsewhere", so all interfaces are bound — simpler and more robust than resolving our own
 * name, which in containers often maps to an address we do not hold.
 */
export function listenHostFor(host: string, listenOnAllIps: boolean): string | undefined {
  if (listenOnAllIps || !LOOPBACK.test(host)) return undefined;
  return host === "localhost" ? "127.0.0.1" : host;
}

export function sameAddress(a: PeerAddress, b: PeerAddress): boolean {
  return a.host === b.host && a.peerPort === b.peerPort && a.electionPort === b.electionPort;
}

/** A host as it goes into a URL: an IPv6 literal in brackets. */
export function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
