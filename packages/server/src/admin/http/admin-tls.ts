// The AdminServer over HTTPS, as ZooKeeper's JettyAdminServer does it: admin.forceHttps (HTTPS
// only) or admin.portUnification (HTTP and HTTPS on one port), with the quorum's key store
// (ssl.quorum.keyStore.*) and, when set, its trust store; client certificates are not asked for.

import type { TlsOptions } from "node:tls";
import type { ServerConfig } from "../../config/index.js";
import { keyStoreOptions, TlsSetupError, trustStoreOptions } from "../../net/key-stores.js";

export function adminTlsOptions(config: ServerConfig): TlsOptions | undefined {
  const { forceHttps, portUnification } = config.admin;
  if (!forceHttps && !portUnification) return undefined;
  if (config.sslQuorumKeyStoreLocation === undefined) {
    throw new TlsSetupError("the AdminServer's HTTPS needs ssl.quorum.keyStore.location");
  }
  const key = keyStoreOptions(
    {
      location: config.sslQuorumKeyStoreLocation,
      password: config.sslQuorumKeyStorePassword,
      type: config.sslQuorumKeyStoreType,
    },
    "ssl.quorum.keyStore",
  );
  const trust =
    config.sslQuorumTrustStoreLocation === undefined
      ? {}
      : trustStoreOptions(
          {
            location: config.sslQuorumTrustStoreLocation,
            password: config.sslQuorumTrustStorePassword,
            type: config.sslQuorumTrustStoreType,
          },
          "ssl.quorum.trustStore",
        );
  return { ...key, ...trust, requestCert: false };
}
