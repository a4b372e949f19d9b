// The shape of the zoo.cfg vocabulary: what Paddock knows about one key (KnownKey), and the
// settings the keys make (KeySettings), one field per key.

import type { AdminServerConfig, ParsedConfig } from "./server-config.js";
import type { ValueType } from "./value-types.js";

/**
 * Where ZooKeeper reads a key from. Paddock has no JVM, so it reads them all from zoo.cfg;
 * property keys are accepted with or without the `zookeeper.` prefix.
 */
export type KeyOrigin =
  /** QuorumPeerConfig, from zoo.cfg. */
  | "zoo.cfg"
  /** A `zookeeper.<key>` system property. */
  | "system property"
  /** A JVM-wide property with no `zookeeper.` prefix in ZooKeeper. */
  | "jvm property"
  /** Paddock's own (`paddock.` prefix): ZooKeeper has no such setting. */
  | "paddock";

export interface KnownKey<T> {
  /** The canonical spelling, as ZooKeeper documents it. */
  key: string;
  origin: KeyOrigin;
  /** Spellings besides the canonical one and the `zookeeper.` prefix of property keys. */
  aliases?: readonly string[];
  type: ValueType<T>;
  /** The setting when the key is absent (derived defaults, such as maxSessionTimeout, come later). */
  default: T;
  /** Where the setting takes effect; absent for keys that are validated and kept but acted on nowhere yet. */
  usedBy?: string;
}

/** Settings of ParsedConfig that come from somewhere other than one key. */
type AssembledField =
  | "fileName"
  | "servers"
  | "keyLocations"
  | "serverLines"
  | "warnings"
  | "raw"
  | "initialConfig"
  | "fourLetterWordWhitelist"
  | "metricsProvider"
  | "authSchemes"
  | "enforcedAuthSchemes"
  | "saslSuperUsers"
  | "admin";

/** What the keys set, one field per key: ParsedConfig's own fields and the parts it is built from. */
export type KeySettings = Omit<ParsedConfig, AssembledField> & {
  /** Raw `4lw.commands.whitelist`, made into `fourLetterWordWhitelist`. */
  whitelistText: string | undefined;
  /** `metricsProvider.className`, made into `metricsProvider` with the other metricsProvider.* keys. */
  metricsClassName: string;
} & { [K in keyof AdminServerConfig as `admin${Capitalize<K>}`]: AdminServerConfig[K] };

/** Part of the vocabulary, by the setting each key sets; each entry has its setting's type. */
export type KeyTable = { readonly [F in keyof KeySettings]?: KnownKey<KeySettings[F]> };
