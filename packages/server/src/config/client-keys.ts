// zoo.cfg keys of the client side: the client port and its connections, and sessions.

import type { KeyTable } from "./known-key.js";
import { bool, int, nonEmpty, optionalPort } from "./value-types.js";

export const CLIENT_KEYS = {
  clientPort: {
    key: "clientPort",
    origin: "zoo.cfg",
    type: optionalPort,
    default: undefined,
    usedBy: "net/client-listener.ts",
  },
  clientPortAddress: {
    key: "clientPortAddress",
    origin: "zoo.cfg",
    type: nonEmpty,
    default: undefined,
    usedBy: "net/client-listener.ts",
  },
  secureClientPort: {
    key: "secureClientPort",
    origin: "zoo.cfg",
    type: optionalPort,
    default: undefined,
    usedBy: "net/client-listeners.ts (TLS)",
  },
  secureClientPortAddress: {
    key: "secureClientPortAddress",
    origin: "zoo.cfg",
    type: nonEmpty,
    default: undefined,
    usedBy: "net/client-listeners.ts (TLS)",
  },
  clientPortListenBacklog: {
    key: "clientPortListenBacklog",
    origin: "zoo.cfg",
    type: int(-1),
    default: -1,
    usedBy: "net/client-listener.ts",
  },
  maxClientCnxns: {
    key: "maxClientCnxns",
    origin: "zoo.cfg",
    type: int(0),
    default: 60,
    usedBy: "net/client-listener.ts",
  },
  maxCnxns: { key: "maxCnxns", origin: "system property", type: int(0), default: 0 },
  tickTimeMs: {
    key: "tickTime",
    origin: "zoo.cfg",
    type: int(0),
    default: 3000,
    usedBy: "session expiry (replica/replica-state.ts), ZAB ticks (quorum/runtime.ts)",
  },
  minSessionTimeoutMs: {
    key: "minSessionTimeout",
    origin: "zoo.cfg",
    type: int(-1),
    default: -1,
    usedBy: "pipeline/handshake.ts; 2 * tickTime when absent",
  },
  maxSessionTimeoutMs: {
    key: "maxSessionTimeout",
    origin: "zoo.cfg",
    type: int(-1),
    default: -1,
    usedBy: "pipeline/handshake.ts; 20 * tickTime when absent",
  },
  localSessionsEnabled: {
    key: "localSessionsEnabled",
    origin: "zoo.cfg",
    type: bool,
    default: false,
    usedBy: "pipeline/handshake.ts, pipeline/forwarded-intake.ts (ensemble only, as in ZooKeeper)",
  },
  localSessionsUpgradingEnabled: {
    key: "localSessionsUpgradingEnabled",
    origin: "zoo.cfg",
    type: bool,
    default: false,
    usedBy: "pipeline/request-router.ts",
  },
  juteMaxBufferBytes: {
    key: "jute.maxbuffer",
    origin: "jvm property",
    type: int(1),
    default: 0xfffff,
    usedBy: "net/client-connection.ts (frame limit), replica/ensemble.ts (forwarded requests)",
  },
  clientTcpKeepAlive: { key: "clientTcpKeepAlive", origin: "system property", type: bool, default: false },
  sessionlessCnxnTimeoutMs: {
    key: "nio.sessionlessCnxnTimeout",
    origin: "system property",
    type: int(1),
    default: 10_000,
    usedBy: "net/client-listener.ts (the handshake deadline)",
  },
  globalOutstandingLimit: {
    key: "globalOutstandingLimit",
    origin: "system property",
    type: int(1),
    default: 1000,
    usedBy: "net/outstanding-limit.ts",
  },
  maxResponseCacheSize: {
    key: "maxResponseCacheSize",
    origin: "system property",
    type: int(0),
    default: 400,
  },
  maxGetChildrenResponseCacheSize: {
    key: "maxGetChildrenResponseCacheSize",
    origin: "system property",
    type: int(0),
    default: 400,
  },
} satisfies KeyTable;
