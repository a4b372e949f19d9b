// ZooKeeper keys whose features Paddock does not have. None is dropped silently: a security
// setting that asks for protection Paddock cannot give stops the server (a user who asked for
// encryption or authentication must not run without it unawares), unless `paddock.allowUnsupported
// Security=true` says to run anyway; the others are warned about.

import { IMPLEMENTED_QUORUM_AUTH_KEYS } from "./auth-keys.js";

/**
 * Keys of features Paddock lacks that protect nothing: a warning is enough. Besides these, every
 * key ZooKeeper 3.8's administrator's guide documents that Paddock has no counterpart for (the
 * tuning of its threads, throttles, watch manager and learner sockets, ...): a config copied from
 * ZooKeeper is told which of its keys do nothing here, and a typo still reads "unknown key".
 */
const UNSUPPORTED_KEYS = new Set([
  "quorum.cnxn.threads.size",
  "multiAddress.reachabilityCheckTimeoutMs",
  "multiAddress.reachabilityCheckEnabled",
  "oraclePath",
  "serverCnxnFactory",
  "zookeeper.serverCnxnFactory",
  "txnLogSizeLimitInKb",
  "emulate353TTLNodes",
  "watchManagerName",
  "watcherCleanThreadsNum",
  "watcherCleanThreshold",
  "watcherCleanIntervalInSeconds",
  "maxInProcessingDeadWatchers",
  "bitHashCacheSize",
  "fastleader.minNotificationInterval",
  "fastleader.maxNotificationInterval",
  "connectionMaxTokens",
  "connectionTokenFillTime",
  "connectionTokenFillCount",
  "connectionFreezeTime",
  "connectionDropIncrease",
  "connectionDropDecrease",
  "connectionDecreaseRatio",
  "zookeeper.connection_throttle_weight_enabled",
  "zookeeper.connection_throttle_global_session_weight",
  "zookeeper.connection_throttle_local_session_weight",
  "zookeeper.connection_throttle_renew_session_weight",
  "flushDelay",
  "maxWriteQueuePollTime",
  "maxBatchSize",
  "requestThrottleLimit",
  "requestThrottleStallTime",
  "requestThrottleDropStale",
  "requestStaleLatencyCheck",
  "requestStaleConnectionCheck",
  "zookeeper.request_throttler.shutdownTimeout",
  "advancedFlowControlEnabled",
  "enableEagerACLCheck",
  "maxConcurrentSnapSyncs",
  "maxConcurrentDiffSyncs",
  "snapshot.compression.method",
  "snapshot.trust.empty",
  "largeRequestMaxBytes",
  "largeRequestThreshold",
  "outstandingHandshake.limit",
  "netty.server.earlyDropSecureConnectionHandshakes",
  "throttledOpWaitTime",
  "learner.closeSocketAsync",
  "leader.closeSocketAsync",
  "learner.asyncSending",
  "forward_learner_requests_to_commit_processor_disabled",
  "maxTimeToWaitForEpoch",
  "quorumCnxnTimeoutMs",
  "observer.reconnectDelayMs",
  "observer.election.DelayMs",
  "zookeeper.ensembleAuthName",
  "kerberos.removeHostFromPrincipal",
  "kerberos.removeRealmFromPrincipal",
  "kerberos.canonicalizeHostNames",
  "fips-mode",
  "zookeeper.fips-mode",
  "zookeeper.follower.skipLearnerRequestToNextProcessor",
  "jute.maxbuffer.extrasize",
  "zookeeper.nio.numSelectorThreads",
  "zookeeper.nio.numWorkerThreads",
  "zookeeper.commitProcessor.numWorkerThreads",
  "zookeeper.commitProcessor.maxReadBatchSize",
  "zookeeper.commitProcessor.maxCommitBatchSize",
  "zookeeper.messageTracker.BufferSize",
  "zookeeper.messageTracker.Enabled",
]);
const UNSUPPORTED_PREFIXES = ["jvm.pause."];

/**
 * Security keys Paddock does not implement yet (TLS options, quorum authentication, ...), with the value that leaves the feature off, if any: that
 * value is what Paddock does anyway, so it is accepted.
 */
const SECURITY_KEYS: ReadonlyMap<string, string | undefined> = new Map([
  // Revocation checks, off by default in ZooKeeper: Paddock has none, so only "false" is taken.
  ["ssl.crl", "false"],
  ["ssl.ocsp", "false"],
  ["ssl.quorum.crl", "false"],
  ["ssl.quorum.ocsp", "false"],
]);
const SECURITY_PREFIXES = ["ssl.", "quorum.auth."];

/** The ssl.* keys of client-port TLS, which Paddock implements (tls-keys.ts). */
const IMPLEMENTED_SSL_KEYS: ReadonlySet<string> = new Set([
  "ssl.keyStore.location",
  "ssl.keyStore.password",
  "ssl.keyStore.type",
  "ssl.keyStore.passwordPath",
  "ssl.trustStore.location",
  "ssl.trustStore.password",
  "ssl.trustStore.type",
  "ssl.trustStore.passwordPath",
  "ssl.handshakeDetectionTimeoutMillis",
  "ssl.clientAuth",
  "ssl.protocol",
  "ssl.enabledProtocols",
  "ssl.hostnameVerification",
  "ssl.clientHostnameVerification",
  "ssl.authProvider",
  "ssl.ciphersuites",
  "ssl.quorum.ciphersuites",
  "ssl.quorum.keyStore.location",
  "ssl.quorum.keyStore.password",
  "ssl.quorum.keyStore.type",
  "ssl.quorum.trustStore.location",
  "ssl.quorum.trustStore.password",
  "ssl.quorum.trustStore.type",
  "ssl.quorum.keyStore.passwordPath",
  "ssl.quorum.trustStore.passwordPath",
  "ssl.quorum.protocol",
  "ssl.quorum.enabledProtocols",
  "ssl.quorum.clientAuth",
  "ssl.quorum.handshakeDetectionTimeoutMillis",
  "ssl.quorum.hostnameVerification",
  "ssl.quorum.clientHostnameVerification",
]);

/** The override: run even though a security setting cannot be honoured. */
export const ALLOW_UNSUPPORTED_SECURITY_KEY = "paddock.allowUnsupportedSecurity";

/** Keys under a refused prefix that Paddock implements. */
const IMPLEMENTED_KEYS: ReadonlySet<string> = new Set([
  ...IMPLEMENTED_SSL_KEYS,
  ...IMPLEMENTED_QUORUM_AUTH_KEYS,
]);

function withoutPropertyPrefix(key: string): string {
  return key.startsWith("zookeeper.") ? key.slice("zookeeper.".length) : key;
}

/**
 * Whether `key=value` asks for a security feature Paddock lacks; the value that turns it off
 * (sslQuorum=false, ...) does not.
 */
export function isUnsupportedSecuritySetting(key: string, value: string): boolean {
  const bare = withoutPropertyPrefix(key);
  if (IMPLEMENTED_KEYS.has(bare)) return false;
  if (SECURITY_KEYS.has(bare)) {
    const off = SECURITY_KEYS.get(bare);
    return off === undefined || value.trim().toLowerCase() !== off;
  }
  return SECURITY_PREFIXES.some((p) => bare.startsWith(p));
}

/** A security key, whatever its value. */
export function isSecurityKey(key: string): boolean {
  const bare = withoutPropertyPrefix(key);
  if (IMPLEMENTED_KEYS.has(bare)) return false;
  return SECURITY_KEYS.has(bare) || SECURITY_PREFIXES.some((p) => bare.startsWith(p));
}

export function isUnsupportedKey(key: string): boolean {
  if (IMPLEMENTED_KEYS.has(withoutPropertyPrefix(key))) return false;
  return (
    UNSUPPORTED_KEYS.has(key) ||
    UNSUPPORTED_KEYS.has(withoutPropertyPrefix(key)) ||
    UNSUPPORTED_PREFIXES.some((p) => key.startsWith(p)) ||
    SECURITY_KEYS.has(withoutPropertyPrefix(key)) ||
    SECURITY_PREFIXES.some((p) => withoutPropertyPrefix(key).startsWith(p))
  );
}
