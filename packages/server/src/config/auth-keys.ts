// zoo.cfg keys of client authentication beyond digest: SASL (the JAAS file, the providers named
// by authProvider.N, the SASL super user) and enforced authentication (enforce.auth.*,
// sessionRequireClientSASLAuth), as ZooKeeper 3.8 reads them. The authProvider.N keys are read
// by `readAuthProviders`, since their names carry an arbitrary suffix.

import { type ConfigEntry, entryLocation } from "./entry.js";
import { ConfigError, type ConfigLocation } from "./errors.js";
import type { KeyTable } from "./known-key.js";
import { bool, nonEmpty, type ValueType } from "./value-types.js";

const USED_BY = "pipeline/sasl.ts";
const QUORUM_USED_BY = "quorum/quorum-auth.ts";

/** The provider classes of ZooKeeper that Paddock implements, by the scheme each provides. */
export const AUTH_PROVIDER_CLASSES: ReadonlyMap<string, string> = new Map([
  ["org.apache.zookeeper.server.auth.SASLAuthenticationProvider", "sasl"],
  ["org.apache.zookeeper.server.auth.X509AuthenticationProvider", "x509"],
  ["org.apache.zookeeper.server.auth.DigestAuthenticationProvider", "digest"],
  ["org.apache.zookeeper.server.auth.IPAuthenticationProvider", "ip"],
]);

/**
 * The schemes every server has, whatever authProvider.N says; digest only while
 * DigestAuthenticationProvider.enabled is true (its default), as ZooKeeper's ProviderRegistry.
 */
export const BUILT_IN_AUTH_SCHEMES: readonly string[] = ["ip", "digest"];

export const AUTH_KEYS = {
  jaasLoginConfig: {
    key: "java.security.auth.login.config",
    origin: "jvm property",
    aliases: ["jaasLoginConfig"],
    type: nonEmpty as ValueType<string | undefined>,
    default: undefined,
    usedBy: "pipeline/sasl.ts (section Server), quorum/ (QuorumServer, QuorumLearner)",
  },
  saslServerLoginContext: {
    key: "sasl.serverconfig",
    origin: "system property",
    type: nonEmpty,
    default: "Server",
    usedBy: USED_BY,
  },
  saslSuperUser: {
    key: "superUser",
    origin: "system property",
    type: nonEmpty as ValueType<string | undefined>,
    default: undefined,
    usedBy: USED_BY,
  },
  letAnySaslUserDoX: {
    key: "letAnySaslUserDoX",
    origin: "system property",
    type: nonEmpty as ValueType<string | undefined>,
    default: undefined,
    usedBy: "tree/acl.ts (checkAcl)",
  },
  allowSaslFailedClients: {
    key: "allowSaslFailedClients",
    origin: "system property",
    type: bool,
    default: false,
    usedBy: USED_BY,
  },
  sessionRequireClientSaslAuth: {
    key: "sessionRequireClientSASLAuth",
    origin: "system property",
    type: bool,
    default: false,
    usedBy: USED_BY,
  },
  enforceAuthEnabled: {
    key: "enforce.auth.enabled",
    origin: "system property",
    type: bool,
    default: false,
    usedBy: USED_BY,
  },
  enforceAuthSchemes: {
    key: "enforce.auth.schemes",
    origin: "system property",
    type: nonEmpty as ValueType<string | undefined>,
    default: undefined,
    usedBy: USED_BY,
  },
  sslAuthProvider: {
    key: "ssl.authProvider",
    origin: "system property",
    type: nonEmpty as ValueType<string | undefined>,
    default: undefined,
    usedBy: "net/client-listeners.ts (the x509 scheme of TLS clients)",
  },
  x509SuperUser: {
    key: "X509AuthenticationProvider.superUser",
    origin: "system property",
    type: nonEmpty as ValueType<string | undefined>,
    default: undefined,
    usedBy: "net/x509-identity.ts",
  },
  quorumAuthEnableSasl: {
    key: "quorum.auth.enableSasl",
    origin: "zoo.cfg",
    type: bool,
    default: false,
    usedBy: QUORUM_USED_BY,
  },
  quorumAuthLearnerRequireSasl: {
    key: "quorum.auth.learnerRequireSasl",
    origin: "zoo.cfg",
    type: bool,
    default: false,
    usedBy: QUORUM_USED_BY,
  },
  quorumAuthServerRequireSasl: {
    key: "quorum.auth.serverRequireSasl",
    origin: "zoo.cfg",
    type: bool,
    default: false,
    usedBy: QUORUM_USED_BY,
  },
  quorumAuthLearnerLoginContext: {
    key: "quorum.auth.learner.saslLoginContext",
    origin: "zoo.cfg",
    type: nonEmpty,
    default: "QuorumLearner",
    usedBy: QUORUM_USED_BY,
  },
  quorumAuthServerLoginContext: {
    key: "quorum.auth.server.saslLoginContext",
    origin: "zoo.cfg",
    type: nonEmpty,
    default: "QuorumServer",
    usedBy: QUORUM_USED_BY,
  },
} satisfies KeyTable;

/** The keys above that unsupported-keys.ts must not refuse (they share the quorum.auth. prefix). */
export const IMPLEMENTED_QUORUM_AUTH_KEYS: ReadonlySet<string> = new Set([
  "quorum.auth.enableSasl",
  "quorum.auth.learnerRequireSasl",
  "quorum.auth.serverRequireSasl",
  "quorum.auth.learner.saslLoginContext",
  "quorum.auth.server.saslLoginContext",
]);

/**
 * ssl.authProvider names the provider that authenticates TLS clients by their certificate; an
 * explicit name needs that provider (ZooKeeper cannot build its SSL context otherwise), and the
 * only certificate provider is x509's.
 */
export function checkSslAuthProvider(
  sslAuthProvider: string | undefined,
  schemes: ReadonlySet<string>,
  where: ConfigLocation,
): void {
  if (sslAuthProvider === undefined) return;
  if (sslAuthProvider !== "x509" || !schemes.has("x509")) {
    throw new ConfigError(
      `Could not create SSLContext with specified auth provider: ${sslAuthProvider} (Paddock's certificate provider is x509, from authProvider.N=org.apache.zookeeper.server.auth.X509AuthenticationProvider)`,
      where,
    );
  }
}

/** ZooKeeper's QuorumPeerConfig checks of the three switches, in its words. */
export function checkQuorumAuthSwitches(
  s: {
    quorumAuthEnableSasl: boolean;
    quorumAuthLearnerRequireSasl: boolean;
    quorumAuthServerRequireSasl: boolean;
  },
  at: (key: string) => ConfigLocation,
): void {
  const enable = "quorum.auth.enableSasl";
  const learner = "quorum.auth.learnerRequireSasl";
  const server = "quorum.auth.serverRequireSasl";
  if (!s.quorumAuthEnableSasl && s.quorumAuthServerRequireSasl) {
    throw new ConfigError(`${enable} is disabled, so cannot enable ${server}`, at(server));
  }
  if (!s.quorumAuthEnableSasl && s.quorumAuthLearnerRequireSasl) {
    throw new ConfigError(`${enable} is disabled, so cannot enable ${learner}`, at(learner));
  }
  if (!s.quorumAuthLearnerRequireSasl && s.quorumAuthServerRequireSasl) {
    throw new ConfigError(`${learner} is disabled, so cannot enable ${server}`, at(server));
  }
}

/** Whether a key is one of the `authProvider.<name>` keys (with or without `zookeeper.`). */
export function isAuthProviderKey(key: string): boolean {
  return key.startsWith("authProvider.") || key.startsWith("zookeeper.authProvider.");
}

/**
 * Whether a key is one of the numbered SASL super users, `superUser.<any>` (ZooKeeper 3.8 makes
 * every system property `zookeeper.superUser` or `zookeeper.superUser.<any>` a super user).
 */
export function isSaslSuperUserKey(key: string): boolean {
  return key.startsWith("superUser.") || key.startsWith("zookeeper.superUser.");
}

/**
 * The schemes the `authProvider.<name>` entries add. A class Paddock does not implement (a
 * custom provider) stops the start: its scheme's ACLs could not be checked.
 */
export function readAuthProviders(
  entries: readonly ConfigEntry[],
  fileName: string,
  digestEnabled: boolean,
): Set<string> {
  const schemes = new Set<string>(
    BUILT_IN_AUTH_SCHEMES.filter((scheme) => digestEnabled || scheme !== "digest"),
  );
  for (const entry of entries) {
    const scheme = AUTH_PROVIDER_CLASSES.get(entry.value);
    const where: ConfigLocation = entryLocation(fileName, entry);
    if (scheme === undefined) {
      throw new ConfigError(
        `authentication provider ${entry.value} is not available in Paddock (it implements ${[...AUTH_PROVIDER_CLASSES.keys()].join(", ")})`,
        where,
      );
    }
    schemes.add(scheme);
  }
  return schemes;
}

/**
 * ZooKeeper's AuthenticationHelper: sessionRequireClientSASLAuth means "enforce sasl"; otherwise
 * enforce.auth.schemes (comma-separated) when enforce.auth.enabled. Undefined when nothing is
 * enforced. Errors in ZooKeeper's words.
 */
export function enforcedAuthSchemes(
  settings: {
    sessionRequireClientSaslAuth: boolean;
    enforceAuthEnabled: boolean;
    enforceAuthSchemes: string | undefined;
  },
  available: ReadonlySet<string>,
  where: ConfigLocation,
): ReadonlySet<string> | undefined {
  let schemes: Set<string>;
  if (settings.sessionRequireClientSaslAuth) {
    schemes = new Set(["sasl"]);
  } else {
    if (!settings.enforceAuthEnabled) return undefined;
    schemes = new Set((settings.enforceAuthSchemes ?? "").split(",").map((s) => s.trim()));
    schemes.delete("");
    if (schemes.size === 0) {
      throw new ConfigError("enforce.auth.enabled is true enforce.auth.schemes must be  configured.", where);
    }
  }
  for (const scheme of schemes) {
    if (!available.has(scheme))
      throw new ConfigError(`Authentication scheme ${scheme} is not available.`, where);
  }
  return schemes;
}
