// zoo.cfg keys of the data tree: ACLs and authentication, quotas, node types, containers.

import { ConfigError } from "./errors.js";
import type { KeyTable } from "./known-key.js";
import { bool, checkedText, int, long, type ValueType, yesNo } from "./value-types.js";

/** `super:<base64 digest>`: a colon with text on both sides. */
const superDigest = checkedText(
  (value) => {
    const colon = value.indexOf(":");
    return colon > 0 && colon < value.length - 1;
  },
  (value) => `expected super:<base64 digest>, got "${value}"`,
);

/**
 * Java's MessageDigest names (looked up without regard to case, as Java does) that Node's crypto
 * also has, each with Node's name for it.
 */
const DIGEST_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ["SHA", "sha1"],
  ["SHA1", "sha1"],
  ["SHA-1", "sha1"],
  ["SHA-224", "sha224"],
  ["SHA224", "sha224"],
  ["SHA-256", "sha256"],
  ["SHA256", "sha256"],
  ["SHA-384", "sha384"],
  ["SHA384", "sha384"],
  ["SHA-512", "sha512"],
  ["SHA512", "sha512"],
  ["SHA-512/224", "sha512-224"],
  ["SHA-512/256", "sha512-256"],
  ["SHA3-224", "sha3-224"],
  ["SHA3-256", "sha3-256"],
  ["SHA3-384", "sha3-384"],
  ["SHA3-512", "sha3-512"],
  ["MD5", "md5"],
]);

/** DigestAuthenticationProvider.digestAlg, as the name of Node's hash. */
const digestAlgorithm: ValueType<string> = {
  read(e, cx) {
    const node = DIGEST_ALGORITHMS.get(e.value.trim().toUpperCase());
    if (node === undefined) {
      throw new ConfigError(
        `unsupported ACL digest algorithm "${e.value}" (SHA1, SHA-256, SHA3-256 and the other SHA-2 and SHA-3 digests, or MD5)`,
        cx.where,
      );
    }
    return node;
  },
};

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
  // ZooKeeper 3.7's choice of hash for digest ids (ZOOKEEPER-3979); every server must agree.
  digestAlgorithm: {
    key: "DigestAuthenticationProvider.digestAlg",
    origin: "system property",
    type: digestAlgorithm,
    default: "sha1",
    usedBy: "pipeline/auth.ts",
  },
  digestAuthenticationEnabled: {
    key: "DigestAuthenticationProvider.enabled",
    origin: "system property",
    type: bool,
    default: true,
    usedBy: "config/auth-keys.ts (readAuthProviders: false leaves the digest scheme out)",
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
