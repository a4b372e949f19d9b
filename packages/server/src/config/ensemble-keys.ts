// zoo.cfg keys of the ensemble: membership, ZAB's time limits, election and peer links, roles.

import { ConfigError } from "./errors.js";
import type { KeyTable } from "./known-key.js";
import type { ParsedConfig } from "./server-config.js";
import { anyInt, bool, int, nonEmpty, type ValueType, yesNo } from "./value-types.js";

const electionAlg: ValueType<number> = {
  read(e, cx) {
    if (anyInt.read(e, cx) !== 3) {
      throw new ConfigError("Invalid electionAlg value. Only 3 is supported.", cx.where);
    }
    return 3;
  },
};

const peerType: ValueType<ParsedConfig["peerType"]> = {
  read(e, cx) {
    const v = e.value.toLowerCase();
    if (v !== "observer" && v !== "participant") {
      throw new ConfigError(`Unrecognised peertype: ${e.value}`, cx.where);
    }
    return v;
  },
};

/** Any value <= 0 means no observer master port. */
const observerMasterPort: ValueType<number | undefined> = {
  read(e, cx) {
    const n = int(-(2 ** 31), 65535).read(e, cx);
    return n > 0 ? n : undefined;
  },
};

const hexConfigVersion: ValueType<bigint> = {
  read(e, cx) {
    if (!/^[0-9a-fA-F]{1,16}$/.test(e.value)) {
      throw new ConfigError(`expected a hexadecimal config version, got "${e.value}"`, cx.where);
    }
    return BigInt(`0x${e.value}`);
  },
};

export const ENSEMBLE_KEYS = {
  initLimit: {
    key: "initLimit",
    origin: "zoo.cfg",
    type: int(0),
    default: 0,
    usedBy: "quorum/runtime.ts (ZAB deadlines); required in an ensemble",
  },
  syncLimit: {
    key: "syncLimit",
    origin: "zoo.cfg",
    type: int(0),
    default: 0,
    usedBy: "quorum/runtime.ts (ZAB deadlines); required in an ensemble",
  },
  connectToLearnerMasterLimit: {
    key: "connectToLearnerMasterLimit",
    origin: "zoo.cfg",
    type: int(0),
    default: 0,
  },
  electionAlg: {
    key: "electionAlg",
    origin: "zoo.cfg",
    type: electionAlg,
    default: 3,
    usedBy: "zab/ (3, fast leader election, is the algorithm)",
  },
  quorumListenOnAllIPs: {
    key: "quorumListenOnAllIPs",
    origin: "zoo.cfg",
    type: bool,
    default: false,
    usedBy: "quorum/runtime.ts",
  },
  peerType: {
    key: "peerType",
    origin: "zoo.cfg",
    type: peerType,
    default: "participant",
    usedBy: "config/resolve.ts (the server list decides)",
  },
  syncEnabled: { key: "syncEnabled", origin: "zoo.cfg", type: bool, default: true },
  dynamicConfigFile: {
    key: "dynamicConfigFile",
    origin: "zoo.cfg",
    type: nonEmpty,
    default: undefined,
    usedBy: "config/resolve.ts",
  },
  standaloneEnabled: {
    key: "standaloneEnabled",
    origin: "zoo.cfg",
    type: bool,
    default: true,
    usedBy: "config/resolve.ts",
  },
  reconfigEnabled: {
    key: "reconfigEnabled",
    origin: "zoo.cfg",
    type: bool,
    default: false,
    usedBy: "request/state-machine.ts",
  },
  multiAddressEnabled: {
    key: "multiAddress.enabled",
    origin: "zoo.cfg",
    type: bool,
    default: false,
    usedBy: "config/server-line.ts",
  },
  observerMasterPort: {
    key: "observerMasterPort",
    origin: "zoo.cfg",
    type: observerMasterPort,
    default: undefined,
  },
  configVersion: {
    key: "version",
    origin: "zoo.cfg",
    type: hexConfigVersion,
    default: undefined,
    usedBy: "config/resolve.ts, conf",
  },
  leaderServes: { key: "leaderServes", origin: "system property", type: yesNo, default: true },
  cnxTimeoutMs: { key: "cnxTimeout", origin: "system property", type: int(1), default: 5000 },
  electionPortBindRetry: {
    key: "electionPortBindRetry",
    origin: "system property",
    type: int(0),
    default: 3,
  },
  tcpKeepAlive: { key: "tcpKeepAlive", origin: "system property", type: bool, default: false },
  readOnlyModeEnabled: {
    key: "readonlymode.enabled",
    origin: "jvm property",
    type: bool,
    default: false,
    usedBy: "replica/read-only-mode.ts, the 4lw whitelist (isro)",
  },
} satisfies KeyTable;
