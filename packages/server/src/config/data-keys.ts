// zoo.cfg keys of the data tree: ACLs and authentication, quotas, node types, containers.

import type { KeyTable } from "./known-key.js";
import { bool, checkedText, int, long, yesNo } from "./value-types.js";

/** `super:<base64 sha1>`: a colon with text on both sides. */
const superDigest = checkedText(
  (value) => {
    const colon = value.indexOf(":");
    return colon > 0 && colon < value.length - 1;
  },
  (value) => `expected super:<base64 sha1 digest>, got "${value}"`,
);

export const DATA_KEYS = {
  skipAcl: {
    key: "skipACL",
    origin: "system property",
    type: yesNo,
    default: false,
    usedBy: "request/ (ACL checks), pipeline/applier.ts (watch events)",
  },
  enforceQuota: {
    key: "enforceQuota",
    origin: "system property",
    type: bool,
    default: false,
    usedBy: "request/quota-accounting.ts",
  },
  extendedTypesEnabled: {
    key: "extendedTypesEnabled",
    origin: "system property",
    type: bool,
    default: false,
    usedBy: "request/ and tree/ (TTL nodes), config/resolve.ts (server ids <= 254)",
  },
  superDigest: {
    key: "DigestAuthenticationProvider.superDigest",
    origin: "system property",
    aliases: ["superDigest", "zookeeper.superDigest"],
    type: superDigest,
    default: undefined,
    usedBy: "pipeline/auth.ts",
  },
  digestAuthenticationEnabled: {
    key: "DigestAuthenticationProvider.enabled",
    origin: "system property",
    type: bool,
    default: true,
    usedBy: "pipeline/auth.ts (digest is always on: false is refused as a security setting)",
  },
  digestEnabled: { key: "digest.enabled", origin: "system property", type: bool, default: true },
  containerCheckIntervalMs: {
    key: "znode.container.checkIntervalMs",
    origin: "jvm property",
    type: int(1),
    default: 60000,
    usedBy: "maintenance/container-reaper.ts",
  },
  containerMaxPerMinute: {
    key: "znode.container.maxPerMinute",
    origin: "jvm property",
    type: int(1),
    default: 10000,
    usedBy: "maintenance/container-reaper.ts",
  },
  containerMaxNeverUsedIntervalMs: {
    key: "znode.container.maxNeverUsedIntervalMs",
    origin: "jvm property",
    type: long(0),
    default: 0,
    usedBy: "maintenance/container-reaper.ts",
  },
} satisfies KeyTable;
