// sslQuorum: the peer links' mutual TLS from the ssl.quorum.* stores (PEM, PKCS12 or JKS, read
// as the client port's are). Both sides present the server's certificate and check the other's
// against the trust store; with ssl.quorum.hostnameVerification (the default) a certificate must
// also name the host of the server line it speaks for (on the accepting side, unless
// ssl.quorum.clientHostnameVerification is off). ssl.quorum.clientAuth may make the dialler's
// certificate optional (want) or not asked for (none), as in ZooKeeper. The stores are read again when their files
// change, for the links made from then on. With portUnification the peer ports take TLS and
// plaintext links alike, so a running ensemble can turn sslQuorum on (or off) one server at a time.

import type { ServerConfig } from "../config/index.js";
import { keyStoreOptions, TlsSetupError, trustStoreOptions } from "../net/key-stores.js";
import type { PeerTlsOptions } from "../net/peer-acceptor.js";
import type { PeerTransportOptions } from "../net/peer-transport.js";
import { cipherSuiteOptions, protocolRange } from "../net/tls-context.js";

/**
 * The ssl.quorum.* key store (required: `missing` says what needs it) and trust store (none when
 * unset), read now; the AdminServer's HTTPS uses them too.
 */
export function quorumStores(
  config: ServerConfig,
  missing: string,
): { key: ReturnType<typeof keyStoreOptions>; trust: ReturnType<typeof trustStoreOptions> } {
  if (config.sslQuorumKeyStoreLocation === undefined) throw new TlsSetupError(missing);
  const key = keyStoreOptions(
    {
      location: config.sslQuorumKeyStoreLocation,
      password: config.sslQuorumKeyStorePassword,
      passwordPath: config.sslQuorumKeyStorePasswordPath,
      type: config.sslQuorumKeyStoreType,
    },
    "ssl.quorum.keyStore",
  );
  const trust = trustStoreOptions(
    {
      location: config.sslQuorumTrustStoreLocation,
      password: config.sslQuorumTrustStorePassword,
      passwordPath: config.sslQuorumTrustStorePasswordPath,
      type: config.sslQuorumTrustStoreType,
    },
    "ssl.quorum.trustStore",
  );
  return { key, trust };
}

export function quorumTls(config: ServerConfig): PeerTransportOptions["tls"] {
  if (!config.sslQuorum && !config.quorumPortUnification) return undefined;
  const { key, trust } = quorumStores(config, "sslQuorum=true but ssl.quorum.keyStore.location is not set");
  const suites = cipherSuiteOptions(
    config.sslQuorumCiphersuites,
    protocolRange(config.sslQuorumEnabledProtocols, config.sslQuorumProtocol, "ssl.quorum."),
    "ssl.quorum.ciphersuites",
  );
  const auth = config.sslQuorumClientAuth.toLowerCase() as PeerTlsOptions["diallerCertificate"];
  return {
    server: {
      ...key,
      ...trust,
      requestCert: auth !== "none",
      rejectUnauthorized: auth === "need",
      ...suites,
    },
    diallerCertificate: auth,
    detectionTimeoutMs: config.sslQuorumHandshakeDetectionTimeoutMillis,
    client: { ...key, ...trust, ...suites },
    verifyIdentity: config.sslQuorumHostnameVerification,
    verifyDiallerIdentity: config.sslQuorumHostnameVerification && config.sslQuorumClientHostnameVerification,
    // portUnification (ZooKeeper's rolling switch): TLS links are taken on the peer ports while
    // the server still dials plaintext until sslQuorum is on, and plaintext links are taken too.
    dial: config.sslQuorum,
    unified: config.quorumPortUnification,
  };
}
