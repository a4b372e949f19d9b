// zoo.cfg keys of TLS, as ZooKeeper's X509Util reads them (zookeeper.ssl.* system properties;
// accepted with or without the prefix): the client port's (secureClientPort, ssl.*) and the
// quorum's (sslQuorum, ssl.quorum.*); the cipher suites by their Java names (cipher-suites.ts).
// ssl.crl and ssl.ocsp are taken only as false, and the context supplier classes not at all:
// unsupported-keys.ts refuses them.

import { cipherSuitesProblem } from "./cipher-suites.js";
import type { KeyTable } from "./known-key.js";
import { bool, checkedText, int, nonEmpty, text, type ValueType } from "./value-types.js";

const STORE_TYPES = ["PEM", "PKCS12", "JKS"];

/** PEM, PKCS12 or JKS, any case; undefined (the default) infers it from the file name. */
const storeType: ValueType<string | undefined> = checkedText(
  (v) => STORE_TYPES.includes(v.toUpperCase()),
  (v) => `expected one of ${STORE_TYPES.join(", ")}, got "${v}"`,
) as ValueType<string | undefined>;

const clientAuth: ValueType<"need" | "want" | "none"> = checkedText(
  (v) => ["need", "want", "none"].includes(v.toLowerCase()),
  (v) => `expected need, want or none, got "${v}"`,
) as unknown as ValueType<"need" | "want" | "none">;

/** A list of Java cipher suite names, each one Paddock can map to OpenSSL's. */
const cipherSuites = checkedText(
  (v) => cipherSuitesProblem(v) === undefined,
  (v) => cipherSuitesProblem(v) ?? "",
) as ValueType<string | undefined>;

const TLS_USED_BY = "net/tls-context.ts (secureClientPort)";
const QUORUM_TLS_USED_BY = "quorum/quorum-tls.ts (sslQuorum)";

export const TLS_KEYS = {
  clientPortUnification: {
    key: "client.portUnification",
    origin: "system property",
    type: bool,
    default: false,
    usedBy: "net/client-listeners.ts (TLS and plaintext on clientPort)",
  },
  sslKeyStoreLocation: {
    key: "ssl.keyStore.location",
    origin: "system property",
    type: nonEmpty as ValueType<string | undefined>,
    default: undefined,
    usedBy: TLS_USED_BY,
  },
  sslKeyStorePassword: {
    key: "ssl.keyStore.password",
    origin: "system property",
    type: text as ValueType<string | undefined>,
    default: undefined,
    usedBy: TLS_USED_BY,
  },
  sslKeyStorePasswordPath: {
    key: "ssl.keyStore.passwordPath",
    origin: "system property",
    type: text as ValueType<string | undefined>,
    default: undefined,
    usedBy: TLS_USED_BY,
  },
  sslKeyStoreType: {
    key: "ssl.keyStore.type",
    origin: "system property",
    type: storeType,
    default: undefined,
    usedBy: TLS_USED_BY,
  },
  sslTrustStoreLocation: {
    key: "ssl.trustStore.location",
    origin: "system property",
    type: nonEmpty as ValueType<string | undefined>,
    default: undefined,
    usedBy: TLS_USED_BY,
  },
  sslTrustStorePassword: {
    key: "ssl.trustStore.password",
    origin: "system property",
    type: text as ValueType<string | undefined>,
    default: undefined,
    usedBy: TLS_USED_BY,
  },
  sslTrustStorePasswordPath: {
    key: "ssl.trustStore.passwordPath",
    origin: "system property",
    type: text as ValueType<string | undefined>,
    default: undefined,
    usedBy: TLS_USED_BY,
  },
  sslTrustStoreType: {
    key: "ssl.trustStore.type",
    origin: "system property",
    type: storeType,
    default: undefined,
    usedBy: TLS_USED_BY,
  },
  sslClientAuth: {
    key: "ssl.clientAuth",
    origin: "system property",
    type: clientAuth,
    default: "need",
    usedBy: TLS_USED_BY,
  },
  sslProtocol: {
    key: "ssl.protocol",
    origin: "system property",
    type: nonEmpty as ValueType<string | undefined>,
    default: undefined,
    usedBy: TLS_USED_BY,
  },
  sslEnabledProtocols: {
    key: "ssl.enabledProtocols",
    origin: "system property",
    type: nonEmpty as ValueType<string | undefined>,
    default: undefined,
    usedBy: TLS_USED_BY,
  },
  sslCiphersuites: {
    key: "ssl.ciphersuites",
    origin: "system property",
    type: cipherSuites,
    default: undefined,
    usedBy: TLS_USED_BY,
  },
  sslHostnameVerification: {
    key: "ssl.hostnameVerification",
    origin: "system property",
    type: bool,
    default: true,
    usedBy: TLS_USED_BY,
  },
  // ZooKeeper's client port has never checked a client certificate's names: its ClientX509Util
  // says no, whatever ssl.hostnameVerification says. 3.9.4 made that a key (ZOOKEEPER-4790),
  // off by default and heeded only while ssl.hostnameVerification is on.
  sslClientHostnameVerification: {
    key: "ssl.clientHostnameVerification",
    origin: "system property",
    type: bool,
    default: false,
    usedBy: TLS_USED_BY,
  },
  quorumPortUnification: {
    key: "portUnification",
    origin: "zoo.cfg",
    type: bool,
    default: false,
    usedBy: QUORUM_TLS_USED_BY,
  },
  sslQuorum: {
    key: "sslQuorum",
    origin: "zoo.cfg",
    type: bool,
    default: false,
    usedBy: QUORUM_TLS_USED_BY,
  },
  // Off by default in ZooKeeper, which then keeps the stores it started with until a restart.
  sslQuorumReloadCertFiles: {
    key: "sslQuorumReloadCertFiles",
    origin: "zoo.cfg",
    type: bool,
    default: false,
    usedBy: "quorum/runtime.ts (watches the ssl.quorum stores)",
  },
  // ZooKeeper 3.9's (3.8 never reloads the client port's stores).
  clientCertReload: {
    key: "client.certReload",
    origin: "system property",
    type: bool,
    default: false,
    usedBy: "net/client-listeners.ts (watches the ssl.* stores)",
  },
  sslQuorumKeyStoreLocation: {
    key: "ssl.quorum.keyStore.location",
    origin: "system property",
    type: nonEmpty as ValueType<string | undefined>,
    default: undefined,
    usedBy: QUORUM_TLS_USED_BY,
  },
  sslQuorumKeyStorePassword: {
    key: "ssl.quorum.keyStore.password",
    origin: "system property",
    type: text as ValueType<string | undefined>,
    default: undefined,
    usedBy: QUORUM_TLS_USED_BY,
  },
  sslQuorumKeyStorePasswordPath: {
    key: "ssl.quorum.keyStore.passwordPath",
    origin: "system property",
    type: text as ValueType<string | undefined>,
    default: undefined,
    usedBy: QUORUM_TLS_USED_BY,
  },
  sslQuorumKeyStoreType: {
    key: "ssl.quorum.keyStore.type",
    origin: "system property",
    type: storeType,
    default: undefined,
    usedBy: QUORUM_TLS_USED_BY,
  },
  sslQuorumTrustStoreLocation: {
    key: "ssl.quorum.trustStore.location",
    origin: "system property",
    type: nonEmpty as ValueType<string | undefined>,
    default: undefined,
    usedBy: QUORUM_TLS_USED_BY,
  },
  sslQuorumTrustStorePassword: {
    key: "ssl.quorum.trustStore.password",
    origin: "system property",
    type: text as ValueType<string | undefined>,
    default: undefined,
    usedBy: QUORUM_TLS_USED_BY,
  },
  sslQuorumTrustStorePasswordPath: {
    key: "ssl.quorum.trustStore.passwordPath",
    origin: "system property",
    type: text as ValueType<string | undefined>,
    default: undefined,
    usedBy: QUORUM_TLS_USED_BY,
  },
  sslQuorumTrustStoreType: {
    key: "ssl.quorum.trustStore.type",
    origin: "system property",
    type: storeType,
    default: undefined,
    usedBy: QUORUM_TLS_USED_BY,
  },
  sslQuorumProtocol: {
    key: "ssl.quorum.protocol",
    origin: "system property",
    type: nonEmpty as ValueType<string | undefined>,
    default: undefined,
    usedBy: QUORUM_TLS_USED_BY,
  },
  sslQuorumEnabledProtocols: {
    key: "ssl.quorum.enabledProtocols",
    origin: "system property",
    type: nonEmpty as ValueType<string | undefined>,
    default: undefined,
    usedBy: QUORUM_TLS_USED_BY,
  },
  sslQuorumClientAuth: {
    key: "ssl.quorum.clientAuth",
    origin: "system property",
    type: clientAuth,
    default: "need",
    usedBy: QUORUM_TLS_USED_BY,
  },
  // How long a portUnification peer port waits for a link's first bytes before it takes the
  // link as plaintext, as ZooKeeper's UnifiedServerSocket does.
  sslQuorumHandshakeDetectionTimeoutMillis: {
    key: "ssl.quorum.handshakeDetectionTimeoutMillis",
    origin: "system property",
    type: int(1),
    default: 5000,
    usedBy: QUORUM_TLS_USED_BY,
  },
  // ZooKeeper reads this one only for UnifiedServerSocket, which only the quorum uses: its client
  // port has nothing it would change, and neither has Paddock's.
  sslHandshakeDetectionTimeoutMillis: {
    key: "ssl.handshakeDetectionTimeoutMillis",
    origin: "system property",
    type: int(1),
    default: 5000,
  },
  sslQuorumCiphersuites: {
    key: "ssl.quorum.ciphersuites",
    origin: "system property",
    type: cipherSuites,
    default: undefined,
    usedBy: QUORUM_TLS_USED_BY,
  },
  sslQuorumHostnameVerification: {
    key: "ssl.quorum.hostnameVerification",
    origin: "system property",
    type: bool,
    default: true,
    usedBy: QUORUM_TLS_USED_BY,
  },
  // The quorum's side of ZOOKEEPER-4790 (3.9.4): whether the accepting server checks the
  // dialler's certificate. On by default, as QuorumX509Util has always done, and heeded only
  // while ssl.quorum.hostnameVerification is on.
  sslQuorumClientHostnameVerification: {
    key: "ssl.quorum.clientHostnameVerification",
    origin: "system property",
    type: bool,
    default: true,
    usedBy: QUORUM_TLS_USED_BY,
  },
} satisfies KeyTable;
