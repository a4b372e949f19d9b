// The AdminServer over HTTPS, as ZooKeeper's JettyAdminServer does it: admin.forceHttps (HTTPS
// only) or admin.portUnification (HTTP and HTTPS on one port), with the quorum's key store
// (ssl.quorum.keyStore.*) and, when set, its trust store. With admin.needClientAuth (ZooKeeper
// 3.9's JettyAdminServer) an HTTPS client must present a certificate that trust store trusts;
// plain HTTP on a unified port is not affected, as in ZooKeeper.

import type { TlsOptions } from "node:tls";
import type { ServerConfig } from "../../config/index.js";
import { quorumStores } from "../../quorum/quorum-tls.js";

export function adminTlsOptions(config: ServerConfig): TlsOptions | undefined {
  const { forceHttps, portUnification } = config.admin;
  if (!forceHttps && !portUnification) return undefined;
  const { key, trust } = quorumStores(config, "the AdminServer's HTTPS needs ssl.quorum.keyStore.location");
  const need = config.admin.needClientAuth;
  return { ...key, ...trust, requestCert: need, rejectUnauthorized: need };
}
