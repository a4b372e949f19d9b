// What a server is configured with: the settings of zoo.cfg (CommonConfig), zoo.cfg on its own
// (ParsedConfig), and the whole resolved configuration with myid and the dynamic file
// (ServerConfig). Types and their well-known values only; parsing is in zoo-cfg.ts.

import type { KeyLocation } from "./entry.js";
import type { QuorumServer, ServerRole } from "./server-line.js";

export const DEFAULT_METRICS_PROVIDER = "org.apache.zookeeper.metrics.impl.DefaultMetricsProvider";
export const PROMETHEUS_METRICS_PROVIDER =
  "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider";
export const NULL_METRICS_PROVIDER = "org.apache.zookeeper.metrics.impl.NullMetricsProvider";

export interface AdminServerConfig {
  enableServer: boolean;
  serverAddress: string;
  serverPort: number;
  commandUrl: string;
  idleTimeoutMs: number;
  /** Paddock's web console on the AdminServer (docs/admin.md); off unless asked for. */
  enableConsole: boolean;
  /** Where the console finds each member's AdminServer: `id=url,...`; empty: same port on each host. */
  consolePeers: string;
  /** admin.forceHttps: HTTPS only, with the ssl.quorum.* key store. */
  forceHttps: boolean;
  /** admin.portUnification: HTTP and HTTPS on the one port. */
  portUnification: boolean;
  /**
   * admin.needClientAuth (ZooKeeper 3.9): HTTPS connections must present a certificate that the
   * ssl.quorum.* trust store trusts.
   */
  needClientAuth: boolean;
}

export interface MetricsProviderConfig {
  className: string;
  kind: "default" | "prometheus" | "null";
  /** Prometheus exporter bind address and port (used only when kind is "prometheus"). */
  httpHost: string;
  httpPort: number;
  exportJvmInfo: boolean;
  /** Every `metricsProvider.<name>` key except className, by `<name>`. */
  options: ReadonlyMap<string, string>;
}

/** Settings that do not depend on myid or on the dynamic config file. */
export interface CommonConfig {
  tickTimeMs: number;
  initLimit: number;
  syncLimit: number;
  /** In ticks; 0 means "use initLimit". */
  connectToLearnerMasterLimit: number;
  dataDir: string;
  dataLogDir: string;
  secureClientPort: number | undefined;
  secureClientPortAddress: string | undefined;
  /** client.portUnification: the plaintext client port also takes TLS clients (sniffed per connection). */
  clientPortUnification: boolean;
  /** ssl.* of the client port's TLS (ZooKeeper's X509Util keys); docs/security.md. */
  sslKeyStoreLocation: string | undefined;
  sslKeyStorePassword: string | undefined;
  /** PEM, PKCS12 or JKS; undefined: from the file name's extension. */
  sslKeyStoreType: string | undefined;
  /** ssl.keyStore.passwordPath: a file whose content is the password (wins over it). */
  sslKeyStorePasswordPath: string | undefined;
  sslTrustStorePasswordPath: string | undefined;
  sslTrustStoreLocation: string | undefined;
  sslTrustStorePassword: string | undefined;
  sslTrustStoreType: string | undefined;
  sslClientAuth: "need" | "want" | "none";
  sslProtocol: string | undefined;
  sslEnabledProtocols: string | undefined;
  /** Java cipher suite names, comma-separated; undefined: Node's defaults. */
  sslCiphersuites: string | undefined;
  sslQuorumCiphersuites: string | undefined;
  /** ssl.hostnameVerification: gates sslClientHostnameVerification on the client port. */
  sslHostnameVerification: boolean;
  /** Whether a client certificate must name the address it connects from (both keys on). */
  sslClientHostnameVerification: boolean;
  /** Mutual TLS on every peer link, with the ssl.quorum.* stores. */
  sslQuorum: boolean;
  /** sslQuorumReloadCertFiles: the ssl.quorum.* stores are read again when their files change. */
  sslQuorumReloadCertFiles: boolean;
  /** client.certReload (ZooKeeper 3.9): the ssl.* stores are read again when their files change. */
  clientCertReload: boolean;
  /** portUnification: the peer ports take TLS and plaintext links (rolling sslQuorum on or off). */
  quorumPortUnification: boolean;
  sslQuorumKeyStoreLocation: string | undefined;
  sslQuorumKeyStorePassword: string | undefined;
  sslQuorumKeyStoreType: string | undefined;
  sslQuorumTrustStoreLocation: string | undefined;
  sslQuorumTrustStorePassword: string | undefined;
  sslQuorumTrustStoreType: string | undefined;
  sslQuorumKeyStorePasswordPath: string | undefined;
  sslQuorumTrustStorePasswordPath: string | undefined;
  /** The peer links' protocols, as ssl.protocol / ssl.enabledProtocols are the client port's. */
  sslQuorumProtocol: string | undefined;
  sslQuorumEnabledProtocols: string | undefined;
  /** Whether an accepting server asks for and requires a dialler's certificate. */
  sslQuorumClientAuth: "need" | "want" | "none";
  /** portUnification: how long a peer port waits for a link's first bytes before taking it as plaintext. */
  sslQuorumHandshakeDetectionTimeoutMillis: number;
  /** Accepted as ZooKeeper does, with no effect (only its quorum's unified socket reads it). */
  sslHandshakeDetectionTimeoutMillis: number;
  /** Whether a peer's certificate must name the host of the server line it claims. */
  sslQuorumHostnameVerification: boolean;
  /** Whether the accepting server checks the dialler's certificate so (both keys on). */
  sslQuorumClientHostnameVerification: boolean;
  /** The JAAS file (java.security.auth.login.config); docs/security.md, "SASL". */
  jaasLoginConfig: string | undefined;
  /** The JAAS section of the client users (zookeeper.sasl.serverconfig). */
  saslServerLoginContext: string;
  /** A SASL user that is also super (zookeeper.superUser). */
  saslSuperUser: string | undefined;
  /** Every SASL user that is also super: saslSuperUser and each superUser.<any>. */
  saslSuperUsers: ReadonlySet<string>;
  /**
   * zookeeper.letAnySaslUserDoX: a `sasl` ACL entry with this id is matched by every SASL user
   * (ZooKeeper's SASLAuthenticationProvider.matches).
   */
  letAnySaslUserDoX: string | undefined;
  allowSaslFailedClients: boolean;
  sessionRequireClientSaslAuth: boolean;
  enforceAuthEnabled: boolean;
  enforceAuthSchemes: string | undefined;
  /** The scheme of TLS clients' certificates (only x509); undefined: x509 when it has a provider. */
  sslAuthProvider: string | undefined;
  /** The x509 subject (RFC 2253) that is also super. */
  x509SuperUser: string | undefined;
  /** Schemes with a provider: ip and digest, plus what authProvider.N adds (sasl, x509). */
  authSchemes: ReadonlySet<string>;
  /** Schemes one of which a connection must have before any request; undefined: none enforced. */
  enforcedAuthSchemes: ReadonlySet<string> | undefined;
  /** Quorum authentication (quorum/quorum-auth.ts), ZooKeeper's three switches and JAAS sections. */
  quorumAuthEnableSasl: boolean;
  quorumAuthLearnerRequireSasl: boolean;
  quorumAuthServerRequireSasl: boolean;
  quorumAuthLearnerLoginContext: string;
  quorumAuthServerLoginContext: string;
  /** -1 = the OS default backlog. */
  clientPortListenBacklog: number;
  /** Per client IP; 0 = unlimited. */
  maxClientCnxns: number;
  /** Total connections; 0 = unlimited. */
  maxCnxns: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  electionAlg: number;
  quorumListenOnAllIPs: boolean;
  standaloneEnabled: boolean;
  reconfigEnabled: boolean;
  syncEnabled: boolean;
  localSessionsEnabled: boolean;
  localSessionsUpgradingEnabled: boolean;
  multiAddressEnabled: boolean;
  observerMasterPort: number | undefined;
  /** As written in zoo.cfg (ParsedConfig) or resolved against the cwd (ServerConfig). */
  dynamicConfigFile: string | undefined;
  autopurgeSnapRetainCount: number;
  /** 0 = autopurge off. */
  autopurgePurgeIntervalHours: number;
  /** "*" = every word; otherwise always contains "srvr" (and "isro" in read-only mode). */
  fourLetterWordWhitelist: ReadonlySet<string> | "*";
  juteMaxBufferBytes: number;
  snapCount: number;
  /** <= 0 disables size-triggered snapshots. */
  snapSizeLimitInKb: number;
  /**
   * Pace of periodic snapshot writes on the txn log's file system, in MB (10^6 bytes) per second;
   * 0 writes them through the page cache unpaced (docs/storage-format.md).
   */
  snapshotWriteRateMBps: number;
  commitLogCount: number;
  snapshotSizeFactor: number;
  preAllocSizeKb: number;
  forceSync: boolean;
  /**
   * Txn log records are written around the page cache (O_DIRECT) where the file system allows it;
   * only with forceSync (docs/storage-format.md).
   */
  txnLogDirectWrites: boolean;
  /** paddock.txnLogZeroAhead: durable zeros ahead of the direct writer's records (storage/zero-ahead.ts). */
  txnLogZeroAhead: boolean;
  /** paddock.snapshotZeroAhead: periodic snapshots around the cache onto zeros (storage/snapshots.ts). */
  snapshotZeroAhead: boolean;
  fsyncWarningThresholdMs: number;
  extendedTypesEnabled: boolean;
  containerCheckIntervalMs: number;
  containerMaxPerMinute: number;
  /** 0 = never-used containers are not deleted for being unused. */
  containerMaxNeverUsedIntervalMs: number;
  /** `super:<base64 digest>`, of the digestAlgorithm. */
  superDigest: string | undefined;
  /** Node's name of the hash digest ids are made with (DigestAuthenticationProvider.digestAlg). */
  digestAlgorithm: string;
  digestAuthenticationEnabled: boolean;
  skipAcl: boolean;
  enforceQuota: boolean;
  digestEnabled: boolean;
  readOnlyModeEnabled: boolean;
  leaderServes: boolean;
  cnxTimeoutMs: number;
  /** 0 = retry forever. */
  electionPortBindRetry: number;
  tcpKeepAlive: boolean;
  clientTcpKeepAlive: boolean;
  globalOutstandingLimit: number;
  /**
   * zookeeper.nio.sessionlessCnxnTimeout: ms a new connection has to get a session (send its
   * ConnectRequest, finish its TLS handshake) before it is closed.
   */
  sessionlessCnxnTimeoutMs: number;
  maxResponseCacheSize: number;
  maxGetChildrenResponseCacheSize: number;
  admin: AdminServerConfig;
  metricsProvider: MetricsProviderConfig;
  /** audit.enable: ZooKeeper's audit events are written (audit/). */
  auditEnabled: boolean;
  /** audit.impl.class: ZooKeeper's Slf4jAuditLogger, the one logger Paddock has. */
  auditImplClass: string;
  /** paddock.auditLogFile: the file audit lines are appended to; empty: the server's log. */
  auditLogFile: string;
  /** Non-fatal findings (unknown keys, values reset to a minimum...), each prefixed by its location. */
  warnings: string[];
  /** Every entry read from zoo.cfg, keys as written (trimmed), last one wins. */
  raw: ReadonlyMap<string, string>;
  /** The zoo.cfg text as read, for the `icfg` admin command. */
  initialConfig: string;
}

/** zoo.cfg on its own, before myid and the dynamic config file are looked at. */
export interface ParsedConfig extends CommonConfig {
  fileName: string;
  /** `server.N` lines of zoo.cfg itself. */
  servers: Map<number, QuorumServer>;
  /** `clientPort` of zoo.cfg; undefined when absent or 0. */
  clientPort: number | undefined;
  clientPortAddress: string | undefined;
  peerType: ServerRole;
  /** `version=<hex>` of zoo.cfg, if any. */
  configVersion: bigint | undefined;
  /** Where each handled key (canonical spelling) was set: its line, or its -D flag. */
  keyLocations: ReadonlyMap<string, KeyLocation>;
  /** Line of each `server.N` (by id). */
  serverLines: ReadonlyMap<number, number>;
}

export interface ServerConfig extends CommonConfig {
  /** Absolute path of zoo.cfg. */
  configPath: string;
  /** From dataDir/myid; undefined when the file does not exist (allowed in standalone mode). */
  myid: number | undefined;
  standalone: boolean;
  servers: Map<number, QuorumServer>;
  /** This server's client listener; undefined means no plain client listener. */
  clientPort: number | undefined;
  /** Bind address of the client listener; undefined = all interfaces. */
  clientPortAddress: string | undefined;
  peerType: ServerRole;
  /** Version of the membership (from the dynamic file's name or zoo.cfg's `version`); 0 if none. */
  configVersion: bigint;
}
